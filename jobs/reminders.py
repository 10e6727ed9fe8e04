"""The reminder outbox: a short tick sends what is due, at a sensible local hour.

The database holds every reminder; the tick reads due rows, sends each, and marks
it the moment the send succeeds. A restart reloads nothing by hand and repeats
nothing that was marked. Quiet hours postpone a reminder to the morning.
"""
from __future__ import annotations

import asyncio
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from domain import guide
from domain.quiet import next_allowed
from handlers.base import Services, keyboard
from storage.reminders import Reminder

log = logging.getLogger(__name__)
TICK_SECONDS = 30


async def tick(app: Application) -> int:
    """Send every due reminder; returns how many were sent. One tick at a time."""
    lock = app.bot_data.setdefault("reminders_lock", asyncio.Lock())
    async with lock:
        return await _tick(app)


async def _tick(app: Application) -> int:
    services: Services = app.bot_data["services"]
    settings, repos = services.settings, services.repos
    now = services.clock.now()
    allowed = next_allowed(now, settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)
    sent = 0
    for reminder in await repos.reminders.due(int(now.timestamp())):
        if allowed > now:  # quiet hours: everything due waits for the morning
            await repos.reminders.postpone(reminder.id, int(allowed.timestamp()))
            continue
        status = await _deliver(app, services, reminder)
        if status is not None:
            await repos.reminders.finish(reminder.id, status, int(now.timestamp()))
            sent += status == "sent"
    return sent


async def _deliver(app: Application, services: Services, reminder: Reminder) -> str | None:
    """'sent', 'dropped' (reason gone, user blocked), or None to retry on the next tick."""
    user = await services.repos.users.get(reminder.user_id)
    if user is None or user.blocked:
        return "dropped"
    tr = services.catalogues.get(user.language or services.settings.default_language)
    rendered = render(services, tr, reminder)
    if rendered is None:
        return "dropped"
    text, markup = rendered
    try:
        await app.bot.send_message(user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except Forbidden:
        await services.repos.users.mark_blocked(user.id)
        return "dropped"
    except BadRequest as exc:
        log.warning("reminder %s dropped: %s", reminder.id, exc.message)
        return "dropped"
    except TelegramError as exc:  # 429, network: try again on the next tick
        log.info("reminder %s postponed: %r", reminder.id, exc)
        return None
    return "sent"


def render(services: Services, tr, reminder: Reminder):
    if reminder.kind == "guide":
        values = reminder.payload["payload"].removeprefix(guide.PAYLOAD_PREFIX)
        content = services.library.content
        walk = guide.decode(content, values)
        result = guide.result(content, walk) if walk else None
        if result is None:
            return None  # the guide changed and the answers lead nowhere now
        text = tr._("⏰ You asked me to remind you about your certification path: <b>{title}</b>."
                    "\nReady to continue?", title=result.outcome.title[tr.language])
        return text, keyboard([[(tr._("📘 Open my result"), f"g:o:{values}")],
                               [(tr._("⬅️ Main menu"), "menu")]])
    log.warning("reminder %s of unknown kind %s dropped", reminder.id, reminder.kind)
    return None


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await tick(context.application)


def register(app: Application) -> None:
    app.job_queue.run_repeating(_job, interval=TICK_SECONDS, first=5, name="reminders")

