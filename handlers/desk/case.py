"""One application as staff see it: /app N, the card with its documents and history, the
actions its status allows, and a document re-sent on request.

callback_data: st:v:<id> the card, st:f:<doc> re-send a document.
"""
from __future__ import annotations

import re

from telegram import Update

from domain import status as machine
from domain.applications import Application
from domain.validators import vin_year_mismatch
from handlers import flows, uploads
from handlers.base import BotContext, answer, chat_id, named, send, show
from handlers.desk.common import FLOW, action_label
from handlers.desk.conversation import owner_buttons
from handlers.guards import staff_only
from services import application_texts as render
from services import desk_texts, notices, threads
from services.keyboards import Button, keyboard

NUMBER = re.compile(r"EV-[0-9]{4}-[0-9]{6,9}")
ID = re.compile(r"[0-9]{1,12}")  # ASCII digits only ("²".isdigit() is True)


async def card(update: Update, ctx: BotContext, case: Application, fresh: bool = False) -> None:
    tr = ctx.tr
    docs = await ctx.repos.applications.documents(case.id)
    history = await ctx.repos.applications.history(case.id)
    actors: dict[int, str] = {h.actor_id: await desk_texts.name_of(ctx.services, h.actor_id)
              for h in history if h.actor_id is not None and h.actor_id != case.user_id}
    text = render.card_text(tr, case, docs, history, actors)
    thread = await threads.thread_of(ctx.services, case, case.user_id or 0)
    said = await ctx.repos.threads.count(thread.id)
    text += "\n\n" + await desk_texts.who_line(ctx.services, tr, thread, case)
    if thread.waiting_since is not None:
        text += "\n" + tr._("⏳ Waiting for an answer since {when}",
                            when=render.local_time(tr, thread.waiting_since))
    details = []
    if case.inspection_at:
        details.append(tr._("Inspection: {when}, {place}", when=render.local_time(
            tr, case.inspection_at), place=case.inspection_place))
    if case.certificate_number:
        details.append(tr._("Certificate: {number}", number=case.certificate_number))
    if case.rejection_reason:
        details.append(tr._("Reason: {reason}", reason=case.rejection_reason))
    # The same VIN elsewhere (any applicant's), and a model year that does not fit.
    same_vin = await ctx.repos.applications.with_vin(case.vin, case.id) if case.vin else []
    if same_vin:
        details.append(notices.same_vin_text(tr, same_vin))
    years = vin_year_mismatch(case.vin, case.year) if case.vin and case.year else ()
    if years and case.vin and case.year:
        details.append(render.vin_year_text(tr, case.vin, case.year, years))
    if details:
        text += "\n\n" + "\n".join(details)
    rows: list[list[Button]] = list(render.document_rows(tr, case.id, docs, "st:i",
                                                         f"st:d:{case.id}:0"))
    if len(docs) > 1:
        rows.append([(tr._("🗜 All files (zip)"), f"st:z:{case.id}")])
    actions = [(action_label(tr, new), f"st:t:{case.id}:{case.status}:{new}")
               for new in machine.staff_actions(case.status)]
    rows += [actions[i:i + 2] for i in range(0, len(actions), 2)]
    if case.status == "inspection":
        rows.append([(tr._("🔁 Reschedule the inspection"), f"st:rs:{case.id}")])
    if case.status == "approved":
        rows.append([(tr._("📎 Attach the issued document (PDF)"), f"st:pdf:{case.id}")])
    talk: list[Button] = [(tr._("💬 Conversation ({n})", n=said), f"st:th:{thread.id}")]
    if thread.user_id is not None:
        talk.append((tr._("✍️ Reply"), f"st:r:{thread.id}"))
    rows += [talk, owner_buttons(ctx, thread)]
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    put = send if fresh else show
    await put(update, ctx, text, keyboard(rows))


@named("desk:app")
@staff_only
async def app_command(update: Update, ctx: BotContext) -> None:
    ref = (ctx.args or [""])[0].strip().upper()
    repos = ctx.repos.applications
    case = await repos.by_number(ref) if NUMBER.fullmatch(ref) else \
        await repos.get(int(ref)) if ID.fullmatch(ref) else None
    if case is None or case.status == "draft":
        await send(update, ctx, ctx.tr._("No application {ref}. Usage: /app EV-2026-000001",
                                         ref=ref or "—"))
        return
    await card(update, ctx, case, fresh=True)


@named("desk:view")
@staff_only
async def view(update: Update, ctx: BotContext) -> None:
    case = await ctx.repos.applications.get(int(ctx.matched()))
    if case is None or case.status == "draft":
        await answer(update, ctx, ctx.tr._("Application not found."), alert=True)
        return
    await answer(update, ctx)
    if FLOW.at(ctx) is not None:  # "Cancel" on a pending change lands here
        await flows.end(ctx)
    await card(update, ctx, case)


@named("desk:documents")
@staff_only
async def documents(update: Update, ctx: BotContext) -> None:
    case = await ctx.repos.applications.get(int(ctx.matched(1)))
    if case is None or case.status == "draft":
        await answer(update, ctx, ctx.tr._("Application not found."), alert=True)
        return
    await answer(update, ctx)
    docs = await ctx.repos.applications.documents(case.id)
    text, rows = render.documents_page(ctx.tr, case, docs, int(ctx.matched(2)), "st:f",
                                       f"st:d:{case.id}",
                                       (ctx.tr._("⬅️ Back"), f"st:v:{case.id}"))
    await show(update, ctx, text, keyboard(rows))


@named("desk:file")
@staff_only
async def resend_file(update: Update, ctx: BotContext) -> None:
    document = await ctx.repos.applications.document(int(ctx.matched()))
    if document is None:
        await answer(update, ctx, ctx.tr._("Document not found."), alert=True)
        return
    await answer(update, ctx)
    await uploads.resend(ctx, chat_id(update), [document],
                         render.doc_label(ctx.tr, document.kind))


@named("desk:item")
@staff_only
async def resend_item(update: Update, ctx: BotContext) -> None:
    """Every file of one checklist item (the photos: as albums)."""
    docs = [d for d in await ctx.repos.applications.documents(int(ctx.matched(1)))
            if d.kind == ctx.matched(2)]
    if not docs:
        await answer(update, ctx, ctx.tr._("Document not found."), alert=True)
        return
    await answer(update, ctx)
    await uploads.resend(ctx, chat_id(update), docs, render.doc_label(ctx.tr, docs[0].kind))


async def changed_meanwhile(update: Update, ctx: BotContext, case: Application) -> None:
    await send(update, ctx, ctx.tr._("Someone changed this application first: it is now «{status}"
                                     "». Nothing was changed by you.",
                                     status=render.status_label(ctx.tr, case.status)))
    await card(update, ctx, case, fresh=True)
