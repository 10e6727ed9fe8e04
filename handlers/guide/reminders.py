"""The reminders a user set from guide results: listed from the main menu, each with its
result to open and a button to cancel it.

callback_data: g:rl (the list), g:rx:<notice id> (cancel that reminder: only the user's own
pending one is touched, whatever id a forged press carries).
"""
from __future__ import annotations

import html
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update

from domain import guide
from domain.outbox import Notice
from handlers.base import BotContext, answer, named, show
from services.keyboards import keyboard

KIND = "guide"
SHOWN = 20  # reminders listed at most (two buttons each)


def _values(notice: Notice) -> str:
    return str(notice.payload.get("payload", notice.subject)).removeprefix(guide.PAYLOAD_PREFIX)


def _title(ctx: BotContext, notice: Notice) -> str | None:
    """The outcome a reminder is about, or None if the guide has changed under it."""
    content = ctx.services.library.content
    walk = guide.decode(content, _values(notice))
    result = guide.result(content, walk) if walk else None
    return result.outcome.title[ctx.tr.language] if result else None


def _when(ctx: BotContext, notice: Notice) -> str:
    return ctx.tr.datetime(datetime.fromtimestamp(notice.due_at, tz=UTC))


def list_view(ctx: BotContext, notices: list[Notice]) -> tuple[str, InlineKeyboardMarkup]:
    tr = ctx.tr
    if not notices:
        text = tr._("<b>⏰ My reminders</b>\n\nNo reminders are set. On a guide result, "
                    "press ⏰ Remind me in 3 days.")
        return text, keyboard([[(tr._("📘 Certification guide"), "g:menu")],
                               [(tr._("⬅️ Main menu"), "menu")]])
    lines = [tr._("<b>⏰ My reminders</b>"), ""]
    rows = []
    for n, notice in enumerate(notices[:SHOWN], 1):
        title = _title(ctx, notice)
        about = html.escape(title) if title else tr._("a result the guide no longer has")
        lines.append(f"{n}. {_when(ctx, notice)} — {about}")
        row = [(tr._("📘 Open {n}", n=n), f"g:o:{_values(notice)}")] if title else []
        row.append((tr._("✖️ Cancel {n}", n=n), f"g:rx:{notice.id}"))
        rows.append(row)
    if len(notices) > SHOWN:
        lines.append(tr._("…and {count} more.", count=len(notices) - SHOWN))
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    return "\n".join(lines), keyboard(rows)


@named("guide:reminders")
async def show_list(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    notices = await ctx.repos.outbox.pending_of(ctx.user.id, KIND, limit=SHOWN + 1)
    text, markup = list_view(ctx, notices)
    await show(update, ctx, text, markup)


@named("guide:reminder-cancel")
async def cancel(update: Update, ctx: BotContext) -> None:
    """Cancel one reminder: the user's own, still pending; the list again either way."""
    cancelled = await ctx.repos.outbox.cancel(int(ctx.matched()), ctx.user.id, KIND, ctx.now())
    await answer(update, ctx, ctx.tr._("Reminder cancelled.") if cancelled else
                 ctx.tr._("That reminder is no longer set."))
    notices = await ctx.repos.outbox.pending_of(ctx.user.id, KIND, limit=SHOWN + 1)
    text, markup = list_view(ctx, notices)
    await show(update, ctx, text, markup)
