"""An upload (photo, PDF, JPEG or PNG) from a user's message, validated and stored for one
checklist item of an application: used by the form and by My applications.

A document is judged by its content, not by its name or MIME type (the sender sets both:
`invoice.pdf.exe` sent as application/pdf was once accepted and re-sent to staff). It is
downloaded and its first bytes must be those of a PDF, a JPEG or a PNG. Photos sent as
photos need no such check: Telegram re-encodes them.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from telegram import InputMediaDocument, InputMediaPhoto, Message, Update
from telegram.error import TelegramError

from domain import validators
from domain.applications import MAX_FILES, Document
from handlers.base import BotContext, message_of
from storage.applications import DuplicateFile

log = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = 60.0  # seconds to read up to 20 MB; the default 5 s is for API calls
HEAD = 16  # bytes enough for every signature in validators.SIGNATURES


def upload_of(message: Message) -> validators.Upload | None:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return validators.Upload(photo.file_id, photo.file_unique_id, None, "image/jpeg",
                                 photo.file_size, True)
    if message.document:
        doc = message.document
        return validators.Upload(doc.file_id, doc.file_unique_id, doc.file_name, doc.mime_type,
                                 doc.file_size, False)
    return None


async def check_content(ctx: BotContext, upload: validators.Upload) -> validators.Check:
    """Download the document through the Bot API and look at what it is. Files over 20 MB
    never get here (check_upload refuses them: bots may not download them)."""
    try:
        file = await ctx.bot.get_file(upload.file_id)
        content = await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT)
    except TelegramError as exc:
        log.warning("an upload could not be downloaded to check it: %r", exc)
        return validators.Check(error="file_unavailable")
    return validators.check_content(bytes(content[:HEAD]))


async def attach(update: Update, ctx: BotContext, application_id: int, kind: str
                 ) -> validators.Check:
    """Validate and store an upload for one checklist item."""
    upload = upload_of(message_of(update))
    if upload is None:
        return validators.Check(error="file_type")
    return await attach_upload(ctx, application_id, kind, upload)


def upload_data(upload: validators.Upload) -> dict[str, Any]:
    return dataclasses.asdict(upload)


def upload_from(data: dict[str, Any]) -> validators.Upload:
    return validators.Upload(**data)


async def attach_upload(ctx: BotContext, application_id: int, kind: str,
                        upload: validators.Upload) -> validators.Check:
    """Validate and store a file (from a message, or remembered from one) for an item."""
    docs = await ctx.repos.applications.documents(application_id)
    if sum(d.kind == kind for d in docs) >= MAX_FILES:
        return validators.Check(error="file_limit", value=MAX_FILES)
    check = validators.check_upload(upload, {d.file_unique_id: d.kind for d in docs})
    if not check.ok:
        return check
    mime_type = upload.mime_type
    if not upload.is_photo:
        content = await check_content(ctx, upload)
        if not content.ok:
            return content
        mime_type = validators.MIME_TYPES[str(content.value)]  # what it is, not what it said
    try:
        await ctx.repos.applications.add_document(
            application_id, kind, upload.file_id, upload.unique_id, upload.name,
            mime_type, upload.size, ctx.now(), "photo" if upload.is_photo else "document")
    except DuplicateFile:
        return validators.Check(error="file_duplicate", value=kind)
    return check


ALBUM = 10  # sendMediaGroup takes 2-10 items


async def resend(ctx: BotContext, chat: int, docs: list[Document], caption: str) -> None:
    """Send files back by their kind: a photo's file_id only works with sendPhoto, a
    document's with sendDocument (Telegram answers "type of file mismatch" otherwise);
    several of a kind go as albums (photos with photos, documents with documents)."""
    for sent_as in ("photo", "document"):
        files = [d for d in docs if d.sent_as == sent_as]
        for start in range(0, len(files), ALBUM):
            part = files[start:start + ALBUM]
            if len(part) == 1:
                if sent_as == "photo":
                    await ctx.bot.send_photo(chat, part[0].file_id, caption=caption)
                else:
                    await ctx.bot.send_document(chat, part[0].file_id, caption=caption)
                continue
            media = [InputMediaPhoto(d.file_id) if sent_as == "photo"
                     else InputMediaDocument(d.file_id) for d in part]
            media[0] = (InputMediaPhoto(part[0].file_id, caption=caption) if sent_as == "photo"
                        else InputMediaDocument(part[0].file_id, caption=caption))
            await ctx.bot.send_media_group(chat, media)
