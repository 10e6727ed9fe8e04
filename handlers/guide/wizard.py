"""The guide wizard: one message edited in place, step N of M, Back and Start over on
every step; the outcome's first screen with its sections behind buttons (Back from a
section returns to it), and what to do with it.

callback_data: g:menu (open), g:a:<question>:<value> (answer), g:b (back), g:r (start
over), g:s:<section> (open a section of the outcome), g:h (the outcome's first screen),
g:f (send as file), g:m (remind in 3 days), g:o:<answers> (reopen an outcome), g:apply
(apply with these answers), g:cost (estimate the payments with these answers). Share is a
link to Telegram's share dialog.
The walk lives in the conversation row, so a restart resumes at the same step.
"""
from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import quote

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from domain import guide, money
from domain.applications import prefill_from_guide
from domain.content import ContentError
from handlers.base import BotContext, answer, chat_id, named, send, show
from handlers.cost import ask as cost
from handlers.flows import Flow
from handlers.guards import staff_only
from handlers.guide import render as guide_render
from handlers.intake import navigate as intake
from services import outbox
from services.keyboards import Url, keyboard

log = logging.getLogger(__name__)
REMIND_AFTER = timedelta(days=3)


class GuideStep(StrEnum):
    ASKING = "asking"   # a question is on screen
    RESULT = "result"   # the outcome is


async def on_text(update: Update, ctx: BotContext, step: GuideStep, walk: guide.Walk) -> None:
    """Typed text in the middle of the guide: point to the buttons, re-show the step below."""
    await send(update, ctx, ctx.tr._("Please choose one of the options with the buttons. "
                                     "To look up a requirement, use /req."))
    await render(update, ctx, walk, fresh=True)


FLOW = Flow("guide", GuideStep, guide.Walk)


def current_walk(ctx: BotContext) -> guide.Walk:
    """The user's walk, if it still fits the guide (a /reload may have changed it)."""
    position = FLOW.at(ctx)
    if position is None or not guide.fits(ctx.services.library.content, position[1]):
        return guide.Walk()
    return position[1]


def question_markup(ctx: BotContext, walk: guide.Walk) -> InlineKeyboardMarkup:
    tr, content = ctx.tr, ctx.services.library.content
    question = content.questions[guide.current_node(content, walk)]
    rows = [[(guide_render.option_label(tr, content, walk, o.value),
              f"g:a:{question.id}:{o.value}")] for o in question.options]
    rows.append([(tr._("⬅️ Back"), "g:b" if walk.path else "menu"),
                 (tr._("🔄 Start over"), "g:r")])
    return keyboard(rows)


def share_link(ctx: BotContext, walk: guide.Walk) -> Url:
    """Telegram's own share dialog, with the deep link that reopens this outcome."""
    content = ctx.services.library.content
    link = f"https://t.me/{ctx.bot.username}?start={guide.encode(walk)}"
    text = guide_render.share_text(ctx.tr, content, walk)
    return Url(f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}")


def outcome_markup(ctx: BotContext, walk: guide.Walk) -> InlineKeyboardMarkup:
    tr = ctx.tr
    content = ctx.services.library.content
    shown = guide_render.answer_of(content, walk)
    sections = [(guide_render.section_button(tr, s), f"g:s:{s}") for s in shown.buttons]
    rows = [sections[i:i + 2] for i in range(0, len(sections), 2)]
    if shown.result.outcome.apply:
        rows.append([(tr._("📝 Apply with these answers"), "g:apply")])
    rows += [[(tr._("🔗 Share this result"), share_link(ctx, walk))],
             [(tr._("📄 Send as a file"), "g:f"), (tr._("⏰ Remind me in 3 days"), "g:m")],
             [(tr._("⬅️ Back"), "g:b"), (tr._("🔄 Start over"), "g:r")],
             [(tr._("⬅️ Main menu"), "menu")]]
    return keyboard(rows)


def section_markup(ctx: BotContext, section: str) -> InlineKeyboardMarkup:
    tr = ctx.tr
    rows = [[(tr._("💰 Estimate my payments"), "g:cost")]] if section == "money" else []
    rows += [[(tr._("⬅️ Back to your route"), "g:h")], [(tr._("⬅️ Main menu"), "menu")]]
    return keyboard(rows)


async def render(update: Update, ctx: BotContext, walk: guide.Walk, fresh: bool = False) -> None:
    """Show where the walk is: edit the pressed message, or send anew (fresh or typed)."""
    content = ctx.services.library.content
    node = guide.current_node(content, walk)
    put = send if fresh else show
    if node in content.questions:
        message = await put(update, ctx, guide_render.question_text(ctx.tr, content, walk),
                            question_markup(ctx, walk))
        step = GuideStep.ASKING
    else:
        message = await put(update, ctx, guide_render.first_screen(ctx.tr, content, walk),
                            outcome_markup(ctx, walk))
        step = GuideStep.RESULT
    await FLOW.go(ctx, step, walk, message.message_id if message else None)


async def show_where(update: Update, ctx: BotContext) -> None:
    await render(update, ctx, current_walk(ctx), fresh=True)


@named("guide:open")
async def open_guide(update: Update, ctx: BotContext) -> None:
    """From the menu or /guide: resume a walk in progress, else start one."""
    await answer(update, ctx)
    await render(update, ctx, current_walk(ctx), fresh=update.callback_query is None)


@named("guide:answer")
async def on_answer(update: Update, ctx: BotContext) -> None:
    walk = current_walk(ctx)
    try:
        walk = guide.answer(ctx.services.library.content, walk, ctx.matched(1), ctx.matched(2))
    except guide.StaleAnswer:
        # An old message or a double tap: show where the user really is.
        await answer(update, ctx, ctx.tr._("That question is already answered; here is where "
                                           "you are."))
        await render(update, ctx, walk)
        return
    await answer(update, ctx)
    await render(update, ctx, walk)


@named("guide:back")
async def on_back(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await render(update, ctx, guide.back(current_walk(ctx)))


@named("guide:restart")
async def on_restart(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await render(update, ctx, guide.Walk())


async def _finished(update: Update, ctx: BotContext) -> tuple[guide.Walk, guide.Result] | None:
    """The walk and its result if it has reached an outcome; otherwise the user is told to
    finish it."""
    walk = current_walk(ctx)
    result = guide.result(ctx.services.library.content, walk)
    if result is not None:
        return walk, result
    await answer(update, ctx, ctx.tr._("Finish the questions first."), alert=True)
    return None


@named("guide:section")
async def on_section(update: Update, ctx: BotContext) -> None:
    """A section of the outcome in the same message; Back returns to the first screen."""
    finished = await _finished(update, ctx)
    if finished is None:
        return
    walk, _ = finished
    await answer(update, ctx)
    section = ctx.matched()
    text = guide_render.section_text(ctx.tr, ctx.services.library.content, walk, section)
    await show(update, ctx, text, section_markup(ctx, section), preview=False)


@named("guide:home")
async def on_home(update: Update, ctx: BotContext) -> None:
    """Back from a section: the outcome's first screen again."""
    finished = await _finished(update, ctx)
    if finished is None:
        return
    await answer(update, ctx)
    await render(update, ctx, finished[0])


@named("guide:file")
async def on_file(update: Update, ctx: BotContext) -> None:
    finished = await _finished(update, ctx)
    if finished is None:
        return
    walk, result = finished
    await answer(update, ctx)
    content, tr = ctx.services.library.content, ctx.tr
    data = guide_render.checklist_file(tr, content, walk, ctx.services.clock.now().date())
    path = result.outcome.path.lower()
    await ctx.bot.send_document(chat_id(update), io.BytesIO(data),
                                filename=f"ev-certification-{path}-{tr.language}.txt",
                                caption=tr._("Your checklist. Print it or forward it to your "
                                             "broker."), parse_mode=ParseMode.HTML)


@named("guide:remind")
async def on_remind(update: Update, ctx: BotContext) -> None:
    finished = await _finished(update, ctx)
    if finished is None:
        return
    walk, _ = finished
    tr = ctx.tr
    subject = guide.encode(walk)
    due = ctx.services.clock.now() + REMIND_AFTER
    reminder = await outbox.schedule_guide(ctx.services, ctx.user.id, subject,
                                           int(due.timestamp()))
    if reminder is None:
        existing = await ctx.repos.outbox.pending(ctx.user.id, "guide", subject)
        when = _utc(existing.due_at) if existing else due
        text = tr._("A reminder about this result is already set for {when}.",
                    when=tr.datetime(when))
    else:
        text = tr._("I will remind you about this result on {when} (Almaty time). To see or "
                    "cancel it: ⏰ My reminders in the main menu.", when=tr.datetime(due))
    await answer(update, ctx, text, alert=True)


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@named("guide:apply")
async def on_apply(update: Update, ctx: BotContext) -> None:
    """Hand the guide's answers to the application form (they prefill matching fields)."""
    finished = await _finished(update, ctx)
    if finished is None:
        return
    walk, result = finished
    if not result.outcome.apply:  # an old message of a route with nothing to apply for
        await answer(update, ctx, ctx.tr._("There is no application to file for this route."),
                     alert=True)
        return
    await answer(update, ctx)
    prefill = prefill_from_guide(walk.current_answers(), result.outcome.id)
    await intake.begin(update, ctx, {**prefill, "guide_answers": walk.current_answers()})


@named("guide:cost")
async def on_cost(update: Update, ctx: BotContext) -> None:
    """The money section's button: the cost estimate, with the guide's answers filled in."""
    finished = await _finished(update, ctx)
    if finished is None:
        return
    await answer(update, ctx)
    await cost.begin(update, ctx, money.prefill_from_guide(finished[0].current_answers()))


@named("guide:reopen")
async def on_reopen(update: Update, ctx: BotContext) -> None:
    """A reminder's button: reopen that outcome."""
    await answer(update, ctx)
    await open_shared(update, ctx, ctx.matched())


async def open_shared(update: Update, ctx: BotContext, values: str) -> None:
    """Deep link /start guide_<answers>: reopen a shared outcome (if it still fits the guide)."""
    walk = guide.decode(ctx.services.library.content, values)
    if walk is None:
        await send(update, ctx, ctx.tr._("This link no longer fits the current guide. Let's go "
                                         "through the questions again."))
        walk = guide.Walk()
    await render(update, ctx, walk, fresh=True)


@named("reload")
@staff_only
async def reload_content(update: Update, ctx: BotContext) -> None:
    """Staff: reload content/*.toml; a broken file is refused and the old content stays."""
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
