"""The guide wizard: one message edited in place, step N of M, Back and Start over on
every step, an outcome split under Telegram's limits, and what to do with it.

callback_data: g:menu (open), g:a:<question>:<value> (answer), g:b (back), g:r (start
over), g:f (send as file), g:m (remind in 3 days), g:o:<answers> (reopen an outcome),
g:apply (apply with these answers).
The walk lives in the conversation row, so a restart resumes at the same step.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta, timezone

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain import guide
from domain.content import ContentError
from domain.roles import is_staff
from domain.applications import prefill_from_guide
from handlers import apply, fallback, guide_render, start
from handlers.base import BotContext, answer, keyboard, named, send, show
from storage.conversations import Conversation

log = logging.getLogger(__name__)
FLOW = "guide"
REMIND_AFTER = timedelta(days=3)


def current_walk(ctx: BotContext) -> guide.Walk:
    if ctx.conv and ctx.conv.flow == FLOW:
        return guide.Walk.from_data(ctx.conv.data)
    return guide.Walk()


async def save(ctx: BotContext, walk: guide.Walk, message_id: int | None) -> None:
    content = ctx.services.library.content
    conv = Conversation(ctx.user.id, FLOW, guide.current_node(content, walk), walk.to_data(),
                        message_id)
    await ctx.repos.conversations.save(conv, ctx.now())
    ctx.conv = conv


def question_markup(ctx: BotContext, walk: guide.Walk) -> InlineKeyboardMarkup:
    tr, content = ctx.tr, ctx.services.library.content
    question = content.questions[guide.current_node(content, walk)]
    rows = [[(guide_render.option_label(tr, content, walk, o.value),
              f"g:a:{question.id}:{o.value}")] for o in question.options]
    rows.append([(tr._("⬅️ Back"), "g:b" if walk.path else "menu"),
                 (tr._("🔄 Start over"), "g:r")])
    return keyboard(rows)


def outcome_markup(ctx: BotContext, walk: guide.Walk) -> InlineKeyboardMarkup:
    tr = ctx.tr
    content = ctx.services.library.content
    certifiable = guide.result(content, walk).outcome.path != "OUTSIDE"
    apply_row = [[(tr._("📝 Apply with these answers"), "g:apply")]] if certifiable else []
    rows = keyboard(apply_row + [
        [(tr._("📄 Send as a file"), "g:f"), (tr._("⏰ Remind me in 3 days"), "g:m")],
        [(tr._("⬅️ Back"), "g:b"), (tr._("🔄 Start over"), "g:r")],
        [(tr._("⬅️ Main menu"), "menu")]]).inline_keyboard
    link = f"https://t.me/{ctx.bot.username}?start={guide.encode(walk)}"
    share = [InlineKeyboardButton(tr._("🔗 Share this result"), url=link)]
    split = len(apply_row) + 1
    return InlineKeyboardMarkup([*rows[:split], share, *rows[split:]])


async def render(update: Update, ctx: BotContext, walk: guide.Walk, fresh: bool = False) -> None:
    """Show where the walk is: edit the pressed message, or send anew (fresh or typed)."""
    content = ctx.services.library.content
    node = guide.current_node(content, walk)
    put = send if fresh else show
    if node in content.questions:
        message = await put(update, ctx, guide_render.question_text(ctx.tr, content, walk),
                            question_markup(ctx, walk))
    else:
        parts = guide_render.outcome_messages(ctx.tr, content, walk)
        markup = outcome_markup(ctx, walk)
        message = await put(update, ctx, parts[0], markup if len(parts) == 1 else None)
        for n, part in enumerate(parts[1:], 2):
            message = await send(update, ctx, part, markup if n == len(parts) else None)
    await save(ctx, walk, message.message_id if message else None)


@named("guide:open")
async def open_guide(update: Update, ctx: BotContext) -> None:
    """From the menu or /guide: resume a walk in progress, else start one."""
    await answer(update)
    await render(update, ctx, current_walk(ctx), fresh=update.callback_query is None)


@named("guide:answer")
async def on_answer(update: Update, ctx: BotContext) -> None:
    _, _, qid, value = (update.callback_query.data.split(":") + ["", ""])[:4]
    walk = current_walk(ctx)
    try:
        walk = guide.answer(ctx.services.library.content, walk, qid, value)
    except guide.StaleAnswer:
        # An old message or a double tap: show where the user really is.
        await answer(update, ctx.tr._("That question is already answered; here is where you are."))
        await render(update, ctx, walk)
        return
    await answer(update)
    await render(update, ctx, walk)


@named("guide:back")
async def on_back(update: Update, ctx: BotContext) -> None:
    await answer(update)
    await render(update, ctx, guide.back(current_walk(ctx)))


@named("guide:restart")
async def on_restart(update: Update, ctx: BotContext) -> None:
    await answer(update)
    await render(update, ctx, guide.Walk())


async def _finished(update: Update, ctx: BotContext) -> guide.Walk | None:
    """The walk if it has reached an outcome; otherwise the user is told to finish it."""
    walk = current_walk(ctx)
    content = ctx.services.library.content
    if guide.current_node(content, walk) in content.outcomes:
        return walk
    await answer(update, ctx.tr._("Finish the questions first."), alert=True)
    return None


@named("guide:file")
async def on_file(update: Update, ctx: BotContext) -> None:
    walk = await _finished(update, ctx)
    if walk is None:
        return
    await answer(update)
    content, tr = ctx.services.library.content, ctx.tr
    data = guide_render.checklist_file(tr, content, walk, ctx.services.clock.now().date())
    path = guide.result(content, walk).outcome.path.lower()
    await ctx.bot.send_document(update.effective_chat.id, io.BytesIO(data),
                                filename=f"ev-certification-{path}-{tr.language}.txt",
                                caption=tr._("Your checklist. Print it or forward it to your "
                                             "broker."), parse_mode=ParseMode.HTML)


@named("guide:remind")
async def on_remind(update: Update, ctx: BotContext) -> None:
    walk = await _finished(update, ctx)
    if walk is None:
        return
    tr = ctx.tr
    subject = guide.encode(walk)
    due = ctx.services.clock.now() + REMIND_AFTER
    reminder = await ctx.repos.reminders.schedule(
        ctx.user.id, "guide", subject, int(due.timestamp()), {"payload": subject}, ctx.now())
    if reminder is None:
        existing = await ctx.repos.reminders.pending(ctx.user.id, "guide", subject)
        text = tr._("A reminder about this result is already set for {when}.",
                    when=tr.datetime(_utc(existing.due_at)))
    else:
        text = tr._("I will remind you about this result on {when} (Almaty time).",
                    when=tr.datetime(due))
    await answer(update, text, alert=True)


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


@named("guide:apply")
async def on_apply(update: Update, ctx: BotContext) -> None:
    """Hand the guide's answers to the application form (they prefill matching fields)."""
    walk = await _finished(update, ctx)
    if walk is None:
        return
    await answer(update)
    outcome = guide.result(ctx.services.library.content, walk).outcome
    prefill = prefill_from_guide(walk.current_answers(), outcome.id)
    await apply.begin(update, ctx, {**prefill, "guide_answers": walk.current_answers()})


@named("guide:reopen")
async def on_reopen(update: Update, ctx: BotContext) -> None:
    """A reminder's button: reopen that outcome."""
    await answer(update)
    await open_shared(update, ctx, update.callback_query.data.split(":", 2)[2])


async def open_shared(update: Update, ctx: BotContext, values: str) -> None:
    """Deep link /start guide_<answers>: reopen a shared outcome (if it still fits the guide)."""
    walk = guide.decode(ctx.services.library.content, values)
    if walk is None:
        await send(update, ctx, ctx.tr._("This link no longer fits the current guide. Let's go "
                                         "through the questions again."))
        walk = guide.Walk()
    await render(update, ctx, walk, fresh=True)


@named("guide:input")
async def on_text(update: Update, ctx: BotContext) -> None:
    """Typed text in the middle of the guide: point to the buttons, re-show the step below."""
    await send(update, ctx, ctx.tr._("Please choose one of the options with the buttons. "
                                     "To look up a requirement, use /req."))
    await render(update, ctx, current_walk(ctx), fresh=True)


@named("reload")
async def reload_content(update: Update, ctx: BotContext) -> None:
    """Staff: reload content/*.toml; a broken file is refused and the old content stays."""
    if not is_staff(ctx.services.settings, ctx.user):
        await send(update, ctx, ctx.tr._("This command is for certification centre staff."))
        return
    try:
        ctx.services.library.reload()
    except ContentError as exc:
        log.warning("content reload refused: %s", exc)
        await send(update, ctx, ctx.tr._("The content was not reloaded, the previous version "
                                         "stays in use. Error: {error}", error=str(exc)))
        return
    content = ctx.services.library.content
    await send(update, ctx, ctx.tr._("Content reloaded: {questions} questions, {outcomes} "
                                     "outcomes, {entries} reference entries.",
                                     questions=len(content.questions),
                                     outcomes=len(content.outcomes), entries=len(content.entries)))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("guide", open_guide, filters=private))
    app.add_handler(CommandHandler("reload", reload_content, filters=private))
    app.add_handler(CallbackQueryHandler(open_guide, pattern=r"^g:menu$"))
    app.add_handler(CallbackQueryHandler(on_answer, pattern=r"^g:a:"))
    app.add_handler(CallbackQueryHandler(on_back, pattern=r"^g:b$"))
    app.add_handler(CallbackQueryHandler(on_restart, pattern=r"^g:r$"))
    app.add_handler(CallbackQueryHandler(on_file, pattern=r"^g:f$"))
    app.add_handler(CallbackQueryHandler(on_remind, pattern=r"^g:m$"))
    app.add_handler(CallbackQueryHandler(on_reopen, pattern=r"^g:o:"))
    app.add_handler(CallbackQueryHandler(on_apply, pattern=r"^g:apply$"))
    start.DEEP_LINKS[guide.PAYLOAD_PREFIX] = open_shared
    fallback.FLOW_INPUT[FLOW] = on_text
