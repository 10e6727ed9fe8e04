"""The outbox sender: delivers everything the bot owes, at a sensible local hour.

Notices are written with the change that causes them (services.outbox); the sender is
woken at once (services.outbox_ready) and also looks every reminder_tick_seconds. Each
due row is claimed before it is sent (so two senders, or a sender and a manual tick,
never send one row), marked the moment its send returns, and on a transient failure
(network, 5xx, 429) retried with backoff, MAX_ATTEMPTS times at most. A crash between
the send and the mark repeats at most the notices in flight. Quiet hours postpone
reminders to the morning (news, URGENT_KINDS, goes at once); a muted user gets no
reminders. The staff digest is owed once per working day (jobs.digest).
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from datetime import datetime
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import CallbackContext

from apibot import ApiBot, App
from domain.outbox import (
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    ORDERED_KINDS,
    STAFF_KINDS,
    URGENT_KINDS,
    Notice,
    backoff,
)
from domain.quiet import next_allowed
from i18n import strip_tags
from jobs import digest
from jobs.notice_texts import Message, prepare
from services.container import Services
from services.pacing import retry_seconds
from transport import make_request

log = logging.getLogger(__name__)
CAPTION = 1024


def clip_caption(text: str) -> str:
    """A caption is at most 1,024 characters of visible text. A longer one is cut as plain
    text: cutting the HTML itself could split a tag or an entity (&amp;), which Telegram
    refuses ("can't parse entities"), and the notice would be lost."""
    if len(strip_tags(text)) <= CAPTION - 24:
        return text
    return html.escape(strip_tags(text)[:CAPTION - 25] + "…", quote=False)


def _at(moment: datetime) -> int:
    return int(moment.timestamp())


class OutboxSender:
    def __init__(self, app: App, services: Services):
        self.app, self.services = app, services
        settings = services.settings
        # Its own Bot: a notice's failures are retried by the outbox, with backoff, not by
        # the replies' rate limiter (which would hold the claim through an outage), and a
        # busy outbox never makes a user's reply wait for a connection.
        self.bot = ApiBot(settings.token, base_url=settings.bot_url,
                          base_file_url=settings.file_url, request=make_request(settings, 4))
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bot.initialize()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.bot.shutdown()

    async def _run(self) -> None:
        """Deliver whenever woken, and every tick (if configured); never dies."""
        ready, interval = self.services.outbox_ready, self.services.settings.reminder_tick_seconds
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ready.wait(), timeout=interval or None)
            ready.clear()
            try:
                await self.deliver_due()
            except Exception:  # the database or Telegram may be away: look again later
                log.exception("outbox delivery failed; retrying at the next wake or tick")

    async def deliver_due(self) -> int:
        """Send what is due now; returns how many messages went out."""
        sent = 0
        async with self._lock:
            while True:
                now = self.services.clock.now()
                claimed = await self.services.repos.outbox.claim(_at(now), LEASE_SECONDS)
                if not claimed:
                    return sent
                for notice in claimed:
                    sent += await self._deliver(notice, now)

    async def _deliver(self, notice: Notice, now: datetime) -> int:
        services, outbox = self.services, self.services.repos.outbox
        settings = services.settings
        allowed = next_allowed(now, settings.quiet_hours_start, settings.quiet_hours_end,
                               settings.tz)
        if allowed > now and notice.kind not in URGENT_KINDS:  # quiet hours: the morning
            await outbox.postpone(notice.id, _at(allowed))
            return 0
        if notice.kind in ORDERED_KINDS and await outbox.earlier_undelivered(notice):
            await outbox.postpone(notice.id, _at(now) + 1)  # after the earlier one
            self._retry_later(1)
            return 0
        user = await services.repos.users.get(notice.chat_id)
        staff = notice.kind in STAFF_KINDS
        if not staff and (user is None or user.blocked or
                          (user.muted and notice.kind not in URGENT_KINDS)):
            await outbox.finish(notice.id, "dropped", _at(now))
            return 0
        tr = services.translator(user.language if user else None)
        prepared = await prepare(services, tr, notice, now)
        if isinstance(prepared, datetime):  # the reason moved (a draft edited since)
            await outbox.postpone(notice.id, _at(prepared))
            return 0
        if prepared is None:
            await outbox.finish(notice.id, "dropped", _at(now))
            return 0
        return await self._send(notice, prepared, now)

    async def _post(self, chat_id: int, message: Message) -> None:
        """One message: text, or a file with the text as its caption; into a forum topic
        when it belongs to one (the topic is made on first use, and again if deleted)."""
        extra: dict[str, Any] = {}
        if message.topic_of is not None:
            extra["message_thread_id"] = await self._topic(chat_id, message)
        try:
            await self._call(chat_id, message, extra)
        except BadRequest as exc:
            if message.topic_of is None or "thread not found" not in exc.message.lower():
                raise
            await self.services.repos.threads.set_topic(message.topic_of, None)
            extra["message_thread_id"] = await self._topic(chat_id, message)
            await self._call(chat_id, message, extra)
        if message.venue:
            try:
                await self.bot.call("sendVenue", chat_id=chat_id, **message.venue)
            except TelegramError as exc:  # the map is a courtesy: the message itself went
                log.warning("venue to %s not sent: %r", chat_id, exc)

    async def _call(self, chat_id: int, message: Message, extra: dict[str, Any]) -> None:
        if message.file_id and message.file_type in ("document", "photo"):
            method = "sendDocument" if message.file_type == "document" else "sendPhoto"
            await self.bot.call(method, chat_id=chat_id,
                                **{message.file_type: message.file_id},
                                caption=clip_caption(message.text), parse_mode=ParseMode.HTML,
                                reply_markup=message.markup, **extra)
            return
        await self.bot.call("sendMessage", chat_id=chat_id, text=message.text,
                            parse_mode=ParseMode.HTML, reply_markup=message.markup, **extra)

    async def _topic(self, chat_id: int, message: Message) -> int:
        threads = self.services.repos.threads
        thread = await threads.get(message.topic_of or 0)
        if thread is not None and thread.topic_id:
            return thread.topic_id
        topic = await self.bot.call("createForumTopic", chat_id=chat_id,
                                    name=message.topic_name or "?")
        topic_id = int(topic["message_thread_id"])
        await threads.set_topic(message.topic_of or 0, topic_id)
        return topic_id

    async def _send(self, notice: Notice, message: Message, now: datetime) -> int:
        outbox = self.services.repos.outbox
        try:
            await self._post(notice.chat_id, message)
        except Forbidden:
            await self.services.repos.users.mark_blocked(notice.chat_id)
            await outbox.finish(notice.id, "dropped", _at(now))
            return 0
        except BadRequest as exc:  # chat not found (a staff id that never wrote to us)…
            log.warning("notice %s (%s) to %s refused: %s", notice.id, notice.kind,
                        notice.chat_id, exc.message)
            await outbox.finish(notice.id, "failed", _at(now))
            return 0
        except TelegramError as exc:  # network, 5xx, 429: later, with backoff
            attempts = notice.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.error("notice %s (%s) to %s given up after %s attempts: %r", notice.id,
                          notice.kind, notice.chat_id, attempts, exc)
                await outbox.finish(notice.id, "failed", _at(now))
                return 0
            wait = retry_seconds(exc.retry_after) if isinstance(exc, RetryAfter) \
                else backoff(attempts)
            log.info("notice %s (%s) to %s not sent (%r); retrying in %s s", notice.id,
                     notice.kind, notice.chat_id, exc, wait)
            await outbox.postpone(notice.id, _at(now) + int(wait) + 1, failed=True)
            self._retry_later(wait + 1)
            return 0
        await outbox.finish(notice.id, "sent", _at(now))
        return 1

    def _retry_later(self, seconds: float) -> None:
        """Wake the sender when a retry is due, even with no periodic tick configured."""
        loop = asyncio.get_running_loop()
        loop.call_later(seconds, self.services.outbox_ready.set)


async def tick(app: App) -> int:
    """The periodic work: owe the day's digest when due, then deliver what is due. Returns
    how many messages went out."""
    sender: OutboxSender = app.bot_data["outbox"]
    await digest.owe_digest(sender.services)
    await digest.escalate_overdue(sender.services)
    return await sender.deliver_due()


async def _job(context: CallbackContext[ApiBot, Any, Any, Any]) -> None:
    await tick(context.application)


def install(app: App, services: Services) -> None:
    app.bot_data["outbox"] = OutboxSender(app, services)
    interval = services.settings.reminder_tick_seconds
    if interval > 0 and app.job_queue is not None:
        # APScheduler (PTB's JobQueue) drives the periodic tick; the database holds the rest.
        app.job_queue.run_repeating(_job, interval=interval, first=min(5, interval),
                                    name="outbox")
