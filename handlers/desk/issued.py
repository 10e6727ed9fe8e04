"""The issued document (the SBKTS/OTTS as a PDF) attached to an approved application: the
applicant receives it at once (through the outbox, written with the document) and keeps it
on their card.

callback_data: st:pdf:<id> attach.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import Update

from domain.applications import Document
from domain.outbox import Owed
from handlers import flows
from handlers.base import BotContext, answer, message_of, named, send
from handlers.desk.case import card
from handlers.flows import Flow
from handlers.guards import staff_only
from services import outbox
from services.keyboards import keyboard
from storage.applications import DuplicateFile

PDF_LIMIT = 20 * 1024 * 1024


class IssuedStep(StrEnum):
    FILE = "file"


@dataclass
class IssuedState:
    app: int


FLOW = Flow("desk_issued", IssuedStep, IssuedState)


@named("desk:issued")
@staff_only
async def attach_start(update: Update, ctx: BotContext) -> None:
    case = await ctx.repos.applications.get(int(ctx.matched()))
    if case is None or case.status != "approved":
        await answer(update, ctx, ctx.tr._("Only an approved application gets the issued "
                                           "document."), alert=True)
        return
    await answer(update, ctx)
    await FLOW.go(ctx, IssuedStep.FILE, IssuedState(case.id))
    await send(update, ctx, ctx.tr._("Send the issued document as a PDF file: the applicant "
                                     "receives it at once."),
               keyboard([[(ctx.tr._("✖️ Cancel"), f"st:v:{case.id}")]]))


@staff_only
async def on_file(update: Update, ctx: BotContext, step: IssuedStep, state: IssuedState
                  ) -> None:
    tr = ctx.tr
    document = message_of(update).document
    is_pdf = document is not None and (document.mime_type == "application/pdf" or (
        document.file_name or "").lower().endswith(".pdf"))
    if document is None or not is_pdf or (document.file_size or 0) > PDF_LIMIT:
        await send(update, ctx, tr._("Please send a PDF file (up to 20 MB)."))
        return
    case = await ctx.repos.applications.get(state.app)
    await flows.end(ctx)
    if case is None or case.status != "approved":
        await send(update, ctx, tr._("Application not found."))
        return
    now = ctx.now()
    user_id = case.user_id

    def owing(doc: Document) -> list[Owed]:
        return [] if user_id is None else [
            Owed(user_id, "issued", str(doc.id), now, {"app": case.id, "document": doc.id})]
    try:
        await ctx.repos.applications.add_document(
            case.id, "issued", document.file_id, document.file_unique_id, document.file_name,
            document.mime_type, document.file_size, now, owing=owing)
    except DuplicateFile:
        await send(update, ctx, tr._("This file is already attached."))
        return
    outbox.wake(ctx.services)
    await send(update, ctx, tr._("✅ Attached; the applicant receives it now."))
    await card(update, ctx, case, fresh=True)


@staff_only
async def use_file(update: Update, ctx: BotContext, step: IssuedStep, state: IssuedState
                   ) -> None:
    await send(update, ctx, ctx.tr._("Please send a PDF file (up to 20 MB)."))


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, ctx.tr._("Cancelled."))
