"""The end of the form: back to the review, Submit, and discarding the draft.

callback_data: ap:r review, ap:go submit (ap:gf: with documents to follow), ap:x / ap:xy /
ap:xn discard (ask, yes, no).
"""
from __future__ import annotations

from telegram import Update

from domain import applications as domain
from handlers import flows
from handlers.base import BotContext, answer, named, send, show
from handlers.intake import navigate
from handlers.intake.answers import pressed_at
from handlers.intake.common import IntakeStep, draft_of, position
from handlers.menu import back_to_menu, menu_markup, menu_text
from services import application_texts as render
from services import workflow
from services.keyboards import keyboard


@named("apply:review")
async def on_review(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx)
    if pressed is None:
        return
    draft, _ = pressed
    if domain.next_field(draft.values()) is not None:
        await navigate.advance(update, ctx, draft)
        return
    await navigate.ask(update, ctx, draft, IntakeStep.REVIEW)


@named("apply:submit")
async def on_submit(update: Update, ctx: BotContext) -> None:
    """Submit; with required documents missing, first say which and ask (ap:gf: submit
    anyway, the centre sees them as "documents to follow")."""
    draft = await draft_of(ctx)
    anyway = ctx.matched() == "gf"
    await answer(update, ctx)
    if draft is None:
        await show(update, ctx, ctx.tr._("This application was already submitted."),
                   back_to_menu(ctx.tr))
        return
    if domain.next_field(draft.values()) is not None:
        await navigate.advance(update, ctx, draft)
        return
    missing = render.missing_items(draft, await ctx.repos.applications.documents(draft.id))
    if missing and not anyway:
        await navigate.ask(update, ctx, draft, IntakeStep.SUBMIT_CONFIRM)
        return
    submitted = await workflow.submit(ctx.services, draft, ctx.user.id, missing)
    if submitted is None:  # a double tap: the first one submitted it
        return
    await flows.end(ctx)
    tr = ctx.tr
    await show(update, ctx, tr._(
        "✅ Application <b>{number}</b> is submitted. Status: <b>{status}</b>.\n\nThe "
        "certification centre will review it; I will write to you here at every status "
        "change. You can follow it in «My applications».", number=submitted.number,
        status=render.status_label(tr, submitted.status)),
        keyboard([[(tr._("📂 My applications"), "my:list")], [(tr._("⬅️ Main menu"), "menu")]]))


@named("apply:discard")
async def on_discard(update: Update, ctx: BotContext) -> None:
    choice = ctx.matched()
    await answer(update, ctx)
    draft = await draft_of(ctx)
    if draft is None:
        await show(update, ctx, menu_text(ctx.tr), menu_markup(ctx))
        return
    if choice == "":
        await navigate.ask_discard(update, ctx, draft)
    elif choice == "y":
        await ctx.repos.applications.delete_draft(draft.id)
        await flows.end(ctx)
        await show(update, ctx, ctx.tr._("The draft is deleted.") + "\n\n"
                   + menu_text(ctx.tr), menu_markup(ctx))
    else:
        step, state = position(ctx)
        back_to, back_state = navigate.returned_from_discard(state) \
            if step is IntakeStep.DISCARD else (IntakeStep.REVIEW, None)
        await navigate.ask(update, ctx, draft, back_to, back_state)


async def on_cancel(update: Update, ctx: BotContext) -> None:
    """/cancel in the form: a draft is only discarded after confirmation."""
    draft = await draft_of(ctx)
    if draft is None:
        await flows.end(ctx)
        await send(update, ctx, ctx.tr._("Cancelled."), menu_markup(ctx))
        return
    await navigate.ask_discard(update, ctx, draft)
