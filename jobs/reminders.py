"""The reminder outbox: a short tick sends what is due, at a sensible local hour.

The database holds every reminder; the tick reads due rows, checks that the reason
still holds (documents still missing, inspection still booked…), sends, and marks
the row the moment the send succeeds. A restart reloads nothing by hand and
repeats nothing that was marked. Quiet hours postpone reminders to the morning;
a muted user gets none. The staff digest goes out once per working day.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackContext

from apibot import ApiBot, App
from domain import guide
from domain.applications import Application as Case
from domain.quiet import next_allowed
from domain.reminders import STAFF_KINDS, URGENT_KINDS, Reminder
from i18n import Translator
from services import application_texts as render
from services import notices
from services.container import Services
from services.keyboards import keyboard

log = logging.getLogger(__name__)


@dataclass
class Message:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None = None


def _at(moment: datetime) -> int:
    return int(moment.timestamp())


# --- the tick ----------------------------------------------------------------------------

async def tick(app: App) -> int:
    """Send every due reminder (and the digest when due); returns how many messages went
    out. One tick at a time."""
    lock = app.bot_data.setdefault("reminders_lock", asyncio.Lock())
    async with lock:
        return await _tick(app) + await digest(app)


async def _tick(app: App) -> int:
    services: Services = app.bot_data["services"]
    settings, repos = services.settings, services.repos
    now = services.clock.now()
    allowed = next_allowed(now, settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)
    sent = 0
    for reminder in await repos.reminders.due(_at(now)):
        if allowed > now and reminder.kind not in URGENT_KINDS:  # quiet hours: wait
            await repos.reminders.postpone(reminder.id, _at(allowed))
            continue
        outcome = await prepare(services, reminder, now)
        if isinstance(outcome, datetime):  # the reason moved (a draft edited since)
            await repos.reminders.postpone(reminder.id, _at(outcome))
            continue
        if not outcome:
            await repos.reminders.finish(reminder.id, "dropped", _at(now))
            continue
        delivered = await _send_all(app, services, outcome)
        if delivered is None:
            continue  # a transient error: the next tick tries again
        await repos.reminders.finish(reminder.id, "sent", _at(now))
        sent += delivered
    return sent


async def _send_all(app: App, services: Services, messages: list[Message]) -> int | None:
    delivered = 0
    for message in messages:
        try:
            await app.bot.send_message(message.chat_id, message.text, parse_mode=ParseMode.HTML,
                                       reply_markup=message.markup)
            delivered += 1
        except Forbidden:
            await services.repos.users.mark_blocked(message.chat_id)
        except BadRequest as exc:  # chat not found (a staff id that never wrote to us)
            log.warning("reminder to %s not sent: %s", message.chat_id, exc.message)
        except TelegramError as exc:  # 429, network: the whole reminder waits for a retry
            log.info("reminder postponed: %r", exc)
            if len(messages) == 1:
                return None
    return delivered


Prepared = list[Message] | datetime | None
# The message for a reminder about an application: (services, tr, the application, its
# owner's id, the reminder, now) -> the messages, None to drop it, or a time to try again.
CasePreparer = Callable[[Services, Translator, Case, int, Reminder, datetime],
                        Awaitable[Prepared]]


async def prepare(services: Services, reminder: Reminder, now: datetime) -> Prepared:
    """The messages to send, None to drop (reason gone, user blocked or muted), or a
    later time to try again."""
    if reminder.kind in STAFF_KINDS:
        return await _staff_flag(services, reminder)
    user = await services.repos.users.get(reminder.user_id)
    if user is None or user.blocked or (user.muted and reminder.kind not in URGENT_KINDS):
        return None
    tr = services.translator(user.language)
    if reminder.kind == "guide":
        return _guide(services, tr, user.id, reminder)
    preparer = CASE_KINDS.get(reminder.kind)
    if preparer is None:
        log.warning("reminder %s of unknown kind %s dropped", reminder.id, reminder.kind)
        return None
    case = await services.repos.applications.get(reminder.payload.get("app", 0))
    if case is None or case.user_id != user.id:
        return None
    return await preparer(services, tr, case, user.id, reminder, now)


def _guide(services: Services, tr: Translator, user_id: int, reminder: Reminder) -> Prepared:
    values = reminder.payload["payload"].removeprefix(guide.PAYLOAD_PREFIX)
    content = services.library.content
    walk = guide.decode(content, values)
    result = guide.result(content, walk) if walk else None
    if result is None:
        return None  # the guide changed and the answers lead nowhere now
    text = tr._("⏰ You asked me to remind you about your certification path: <b>{title}</b>."
                "\nReady to continue?", title=result.outcome.title[tr.language])
    return [Message(user_id, text, keyboard([[(tr._("📘 Open my result"), f"g:o:{values}")],
                                             [(tr._("⬅️ Main menu"), "menu")]]))]


async def _still_missing(services: Services, case: Case, reminder: Reminder) -> list[str]:
    """Requested kinds not uploaded since the request ([] when the reason is gone)."""
    if case.status != "documents_requested" or \
            case.requested_at != reminder.payload.get("requested_at"):
        return []
    docs = await services.repos.applications.documents(case.id)
    arrived = {d.kind for d in docs if d.uploaded_at >= (case.requested_at or 0)}
    return [k for k in case.requested_documents if k not in arrived]


async def _documents(services: Services, tr: Translator, case: Case, user_id: int,
                     reminder: Reminder, now: datetime) -> Prepared:
    missing = await _still_missing(services, case, reminder)
    if not missing:
        return None
    names = "\n".join(f"• {render.doc_label(tr, k)}" for k in missing)
    text = tr._("⏰ The certification centre is still waiting for documents for application "
                "{number}:", number=case.number) + "\n" + names
    return [Message(user_id, text, keyboard([[(tr._("📎 Add a document"),
                                                f"my:a:{case.id}")]]))]


async def _staff_flag(services: Services, reminder: Reminder) -> Prepared:
    case = await services.repos.applications.get(reminder.payload.get("app", 0))
    if case is None or not await _still_missing(services, case, reminder):
        return None
    days = (services.clock.timestamp() - (case.requested_at or 0)) // 86400
    messages = []
    for staff_id in await services.staff_ids():
        tr = await services.translator_for(staff_id)
        messages.append(Message(staff_id, tr.ngettext(
            "🚩 Application {number}: documents requested {n} day ago are still missing. "
            "/app {number}", "🚩 Application {number}: documents requested {n} days ago are "
            "still missing. /app {number}", days, number=case.number)))
    return messages


async def _inspection(services: Services, tr: Translator, case: Case, user_id: int,
                      reminder: Reminder, now: datetime) -> Prepared:
    if case.status != "inspection" or case.inspection_at is None or \
            case.inspection_at != reminder.payload.get("at"):
        return None  # rescheduled, withdrawn or already past this stage
    when = tr.datetime(datetime.fromtimestamp(case.inspection_at, tz=UTC))
    text = tr._("⏰ Reminder: the inspection of your vehicle (application {number}) is on "
                "{when}, at {place}. Bring the vehicle and the original documents.",
                number=case.number, when=when, place=case.inspection_place)
    return [Message(user_id, text)]


async def _draft(services: Services, tr: Translator, case: Case, user_id: int,
                 reminder: Reminder, now: datetime) -> Prepared:
    if case.status != "draft":
        return None  # submitted or deleted meanwhile
    due = case.updated_at + services.settings.draft_reminder_hours * 3600
    if due > _at(now):
        return datetime.fromtimestamp(due, tz=UTC)  # edited since: wait from then
    text = tr._("📝 Your application is not finished yet. Everything you entered is saved: "
                "continue where you stopped?")
    return [Message(user_id, text, keyboard([[(tr._("📝 Continue the draft"),
                                                "apply:new")]]))]


async def _status(services: Services, tr: Translator, case: Case, user_id: int,
                  reminder: Reminder, now: datetime) -> Prepared:
    """A status notification whose first send failed."""
    if case.status != reminder.payload.get("status"):
        return None  # a newer change has been (or will be) notified instead
    text = notices.status_message(tr, case, reminder.payload.get("comment", ""))
    return [Message(user_id, text, notices.status_markup(tr, case))]


CASE_KINDS: dict[str, CasePreparer] = {"documents": _documents, "inspection": _inspection,
                                       "draft": _draft, "status": _status}


# --- the staff digest ----------------------------------------------------------------------

async def digest(app: App) -> int:
    """Once per working day at digest_time (Almaty): applications waiting too long."""
    services: Services = app.bot_data["services"]
    settings, repos = services.settings, services.repos
    local = services.clock.now().astimezone(settings.tz)
    if local.weekday() >= 5 or local.time() < settings.digest_time:
        return 0
    day = local.date().isoformat()
    if await repos.reminders.digest_sent(day):
        return 0
    limit = services.clock.now() - timedelta(days=settings.waiting_limit_days)
    waiting = await repos.applications.waiting_since(_at(limit))
    messages = []
    for staff_id in await services.staff_ids() if waiting else []:
        tr = await services.translator_for(staff_id)
        lines = [tr.ngettext("🗂 {n} application has been waiting longer than {days} days:",
                             "🗂 {n} applications have been waiting longer than {days} days:",
                             len(waiting), days=settings.waiting_limit_days)]
        lines += [f"• /app {c.number} · {render.status_label(tr, c.status)} · "
                  f"{render.local_time(tr, c.updated_at)}" for c in waiting[:50]]
        messages.append(Message(staff_id, "\n".join(lines)))
    sent = await _send_all(app, services, messages) or 0
    # Marked after sending: a crash re-sends it, never loses it.
    await repos.reminders.mark_digest(day, services.clock.timestamp())
    return sent


async def _job(context: CallbackContext[ApiBot, Any, Any, Any]) -> None:
    await tick(context.application)


def install(app: App, services: Services) -> None:
    interval = services.settings.reminder_tick_seconds
    if interval > 0 and app.job_queue is not None:
        # APScheduler (PTB's JobQueue) drives the tick; the database holds the rest.
        app.job_queue.run_repeating(_job, interval=interval, first=min(5, interval),
                                    name="reminders")
