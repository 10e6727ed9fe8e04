"""All files of an application as one zip (st:z:<id>): downloaded one by one, packed on a
worker thread, sent as a document; a file that cannot be downloaded is listed, not lost."""
from __future__ import annotations

import asyncio
import io
import logging
import zipfile

from telegram import Update
from telegram.error import TelegramError

from handlers.base import BotContext, answer, chat_id, named, send
from handlers.guards import staff_only

log = logging.getLogger(__name__)
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may send
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def pack(files: list[tuple[str, bytes]], missing: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
        if missing:
            archive.writestr("MISSING.txt", "\n".join(missing))
    return buffer.getvalue()


@named("desk:zip")
@staff_only
async def zip_files(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    case = await ctx.repos.applications.get(int(ctx.matched()))
    docs = await ctx.repos.applications.documents(case.id) if case else []
    if case is None or not docs:
        await answer(update, ctx, tr._("No files to pack."), alert=True)
        return
    await answer(update, ctx)
    files: list[tuple[str, bytes]] = []
    missing: list[str] = []
    for number, doc in enumerate(docs, 1):
        name = doc.file_name or doc.kind + EXTENSIONS.get(doc.mime_type or "", "")
        name = f"{number:02d}-{doc.kind}-{name}".replace("/", "_")
        try:
            file = await ctx.bot.get_file(doc.file_id)
            files.append((name, bytes(await file.download_as_bytearray())))
        except TelegramError as exc:
            log.warning("document %s not packed: %r", doc.id, exc)
            missing.append(name)
    data = await asyncio.to_thread(pack, files, missing)
    if len(data) > UPLOAD_LIMIT:
        await send(update, ctx, tr._("The files together are over 50 MB, more than a bot may "
                                     "send: open them one by one on the card."))
        return
    await ctx.bot.send_document(chat_id(update), io.BytesIO(data),
                                filename=f"{case.number}.zip",
                                caption=tr.ngettext("{n} file of {number}.",
                                                    "{n} files of {number}.", len(files),
                                                    number=case.number)
                                + (" " + tr._("Not downloaded: {names}",
                                              names=", ".join(missing))[:300]
                                   if missing else ""))
