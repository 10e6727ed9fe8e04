"""The form's document step: a file for the checklist item on screen, Skip, and the way
to the documents from the review.

callback_data: ap:s skip this item, ap:d the documents (from the review).
"""
from __future__ import annotations

from telegram import Update

from handlers import uploads
from handlers.base import BotContext, named, send
from handlers.intake import navigate
from handlers.intake.answers import pressed_at, reject
from handlers.intake.common import IntakeState, IntakeStep, draft_of
from services import application_texts as render


async def on_upload(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                    ) -> None:
    draft = await draft_of(ctx)
    if draft is None:
        await navigate.begin(update, ctx)
        return
    kind = state.doc or render.app_checklist(draft)[0].kind
    check = await uploads.attach(update, ctx, draft.id, kind)
    if not check.ok:
        await reject(update, ctx, draft, step, state, check.error or "", check.value)
        return
    await send(update, ctx, ctx.tr._("✅ Attached: {name}", name=render.doc_label(ctx.tr, kind)))
    await navigate.next_document_step(update, ctx, draft, state.skipped, fresh=True)


@named("apply:skip")
async def on_skip(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.DOCUMENTS)
    if pressed is None:
        return
    draft, state = pressed
    await navigate.next_document_step(update, ctx, draft, state.skipped + [state.doc or ""])


@named("apply:documents")
async def on_documents(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx)
    if pressed is None:
        return
    draft, _ = pressed
    docs = await ctx.repos.applications.documents(draft.id)
    items = render.app_checklist(draft)
    have = {d.kind for d in docs}
    kind = next((i.kind for i in items if i.kind not in have), items[0].kind)
    await navigate.ask(update, ctx, draft, IntakeStep.DOCUMENTS, IntakeState(doc=kind))
