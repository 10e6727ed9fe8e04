"""Broadcast delivery: workers paced by the shared Pacer, one delivery row per recipient.

Each row is marked the moment its send returns, so after a crash (or SIGKILL) the
restarted bot resumes every 'sending' broadcast from its pending rows: nothing is
lost, and only messages in flight at the crash (at most WORKERS) can repeat.
A 429 holds only the broadcast; interactive replies take a slot kept free for them
(InteractivePriority). Broadcasts use their own Bot and connection pool, so a
busy broadcast never makes a user's reply wait for a connection.

With several instances on one database (db.shared), each broadcast's sender runs in one
instance at a time: the one holding its lease (renewed every RENEW_SECONDS). Every
instance's tick looks for broadcasts being sent; when the holder dies its lease runs out
(LEASE_SECONDS) and the next tick elsewhere takes the broadcast over from its rows. The
holder also follows Pause, Resume and Cancel pressed in another instance, from the
broadcast's status.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from apibot import App, says
from domain.broadcast import Broadcast, text_for
from domain.outbox import backoff
from services.broadcast_texts import control_markup, progress_text
from services.container import Services
from services.pacing import Pacer, retry_seconds
from transport import make_request

log = logging.getLogger(__name__)
WORKERS = 16          # sends in flight at most (and so the most a crash can repeat)
BATCH = 500           # pending rows read per query
PROGRESS_SECONDS = 3  # how often the progress message is edited
RESTART_SECONDS = 5   # a broadcast task that died is restarted after this
MAX_ATTEMPTS = 8      # network failures before a recipient is given up (with backoff)
LEASE_SECONDS = 6     # a sender that stopped renewing is taken over after this (shared db)
RENEW_SECONDS = 2     # how often the holder renews its lease and reads the status
Row = tuple[int, str | None, bool]  # a pending recipient: user id, language, gone


@dataclass
class Run:
    """A broadcast being sent: its control state and live counters."""
    broadcast: Broadcast
    resume: asyncio.Event = field(default_factory=asyncio.Event)
    paused: bool = False
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)
    sent_now: int = 0
    lost: bool = False  # another instance holds the lease now: stop at once


class Sender:
    """Runs broadcasts (services.container.BroadcastControl for the staff's buttons)."""

    def __init__(self, app: App, services: Services, pacer: Pacer, paid_pacer: Pacer):
        self.app, self.services = app, services
        self.pacer, self.paid_pacer = pacer, paid_pacer
        settings = services.settings
        self.bot = Bot(settings.token, base_url=settings.bot_url, base_file_url=settings.file_url,
                       request=make_request(settings, WORKERS + 4))
        self.runs: dict[int, Run] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.shared = services.repos.db.shared

    async def start(self) -> None:
        await self.bot.initialize()
        for broadcast in await self.services.repos.broadcasts.in_status("sending"):
            self.launch(broadcast)  # a restart resumes where the rows say it stopped

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        for task in list(self.tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.bot.shutdown()

    async def tick(self) -> None:
        """Start broadcasts whose time has come."""
        repos, now = self.services.repos, self.services.clock.timestamp()
        for broadcast in await repos.broadcasts.due(now):
            if await repos.broadcasts.start(broadcast, now):
                started = await repos.broadcasts.get(broadcast.id)
                if started is not None:
                    self.launch(started)
        if self.shared:  # one whose sender died in another instance is taken over
            for broadcast in await repos.broadcasts.in_status("sending"):
                self.launch(broadcast)

    def launch(self, broadcast: Broadcast) -> None:
        if broadcast.id in self.tasks and not self.tasks[broadcast.id].done():
            return
        run = Run(broadcast)
        self.runs[broadcast.id] = run
        task = asyncio.create_task(self._run(run))
        task.add_done_callback(lambda done: self._supervise(broadcast.id, done))
        self.tasks[broadcast.id] = task

    def _supervise(self, broadcast_id: int, task: asyncio.Task[None]) -> None:
        """A broadcast's task that died of an error is restarted (its rows say where it
        was), instead of leaving the broadcast "sending" until the bot restarts."""
        if task.cancelled() or task.exception() is None:
            return
        log.error("broadcast %s stopped by an error; restarting it in %s s", broadcast_id,
                  RESTART_SECONDS, exc_info=task.exception())
        asyncio.get_running_loop().call_later(
            RESTART_SECONDS, lambda: asyncio.ensure_future(self._restart(broadcast_id)))

    async def _restart(self, broadcast_id: int) -> None:
        try:
            broadcast = await self.services.repos.broadcasts.get(broadcast_id)
        except Exception:  # the database may be what failed: try again later
            log.exception("broadcast %s: could not read it to restart", broadcast_id)
            asyncio.get_running_loop().call_later(
                RESTART_SECONDS, lambda: asyncio.ensure_future(self._restart(broadcast_id)))
            return
        if broadcast is not None and broadcast.status == "sending":
            self.launch(broadcast)

    # --- control (from the staff's buttons) -----------------------------------------------
    async def pause(self, broadcast_id: int) -> bool:
        ok = await self.services.repos.broadcasts.set_status(broadcast_id, "paused", ("sending",),
                                                             self.services.clock.timestamp())
        if ok and broadcast_id in self.runs:
            self.runs[broadcast_id].paused = True
        return ok

    async def resume(self, broadcast_id: int) -> bool:
        ok = await self.services.repos.broadcasts.set_status(broadcast_id, "sending", ("paused",),
                                                             self.services.clock.timestamp())
        if ok:
            run = self.runs.get(broadcast_id)
            if run is not None and not self.tasks[broadcast_id].done():
                run.paused = False
                run.resume.set()
            else:
                broadcast = await self.services.repos.broadcasts.get(broadcast_id)
                if broadcast is not None:
                    self.launch(broadcast)
        return ok

    async def cancel(self, broadcast_id: int) -> bool:
        ok = await self.services.repos.broadcasts.set_status(
            broadcast_id, "cancelled", ("scheduled", "sending", "paused"),
            self.services.clock.timestamp())
        run = self.runs.get(broadcast_id)
        if ok and run is not None:
            run.cancelled = True
            run.resume.set()
        return ok

    # --- sending ---------------------------------------------------------------------------
    def _lease_name(self, run: Run) -> str:
        return f"broadcast:{run.broadcast.id}"

    async def _leased(self, run: Run) -> bool:
        db = self.services.repos.db
        return await db.lease(self._lease_name(run), self.holder, LEASE_SECONDS,
                              self.services.clock.timestamp())

    async def _keep_lease(self, run: Run) -> None:
        """Renew the lease while sending, and follow the status set by other instances."""
        repos = self.services.repos.broadcasts
        while not run.lost:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                if not await self._leased(run):
                    log.warning("broadcast %s: lease lost, another instance sends it",
                                run.broadcast.id)
                    run.lost = True
                    run.resume.set()
                    return
                current = await repos.get(run.broadcast.id)
            except Exception:  # the database away a moment: the lease has seconds left
                log.exception("broadcast %s: could not renew the lease", run.broadcast.id)
                continue
            if current is None or current.status == "cancelled":
                run.cancelled = True
                run.resume.set()
            elif current.status == "paused":
                run.paused = True
            elif current.status == "sending" and run.paused:
                run.paused = False
                run.resume.set()

    async def _run(self, run: Run) -> None:
        keeper: asyncio.Task[None] | None = None
        if self.shared:
            if not await self._leased(run):
                return  # another instance sends it; the next tick looks again
            keeper = asyncio.create_task(self._keep_lease(run))
        try:
            await self._send_all(run)
        finally:
            if keeper is not None:
                keeper.cancel()
                if not run.lost:
                    with contextlib.suppress(Exception):
                        await self.services.repos.db.release(self._lease_name(run),
                                                             self.holder)

    async def _send_all(self, run: Run) -> None:
        broadcast = run.broadcast
        repos = self.services.repos.broadcasts
        pacer = self.paid_pacer if broadcast.paid else self.pacer
        queue: asyncio.Queue[Row] = asyncio.Queue(maxsize=WORKERS * 2)
        workers = [asyncio.create_task(self._worker(run, queue, pacer)) for _ in range(WORKERS)]
        progress = asyncio.create_task(self._progress_loop(run))
        try:
            while not (run.cancelled or run.lost):
                if run.paused:
                    await queue.join()
                    run.resume.clear()
                    await self._show_progress(run)
                    await run.resume.wait()
                    continue
                fed = await self._feed(run, queue)
                await queue.join()  # nothing in flight: a new pass can't queue anyone twice
                if not fed and not run.paused:
                    due = await repos.waiting(broadcast.id)
                    if due is None:
                        break  # everyone done
                    wait = due - self.services.clock.timestamp()  # recipients retried later
                    await asyncio.sleep(min(max(wait, 0.05), 1.0))
            if not (run.cancelled or run.lost):
                await repos.set_status(broadcast.id, "done", ("sending",),
                                       self.services.clock.timestamp())
        finally:
            for task in (*workers, progress):
                task.cancel()
        if not run.lost:
            await self._show_progress(run, final=True)

    async def _feed(self, run: Run, queue: asyncio.Queue[Row]) -> int:
        """One pass over the pending rows; returns how many were queued."""
        repos, after, fed = self.services.repos.broadcasts, 0, 0
        while not (run.paused or run.cancelled or run.lost):
            rows = await repos.pending(run.broadcast.id, after, BATCH,
                                       self.services.clock.timestamp())
            if not rows:
                break
            for row in rows:
                await queue.put(row)
            after = rows[-1][0]
            fed += len(rows)
        return fed

    async def _worker(self, run: Run, queue: asyncio.Queue[Row], pacer: Pacer) -> None:
        repos = self.services.repos.broadcasts
        while True:
            user_id, language, gone = await queue.get()
            try:
                if run.paused or run.cancelled or run.lost:
                    continue  # left pending: sent after Resume, or reported as remaining
                if gone:  # blocked the bot (or erased their data) since the start: skip
                    await repos.mark(run.broadcast.id, user_id, "blocked",
                                     self.services.clock.timestamp())
                    continue
                await pacer.take()
                if run.paused or run.cancelled or run.lost:  # changed meanwhile
                    continue
                outcome = await self._send(run, pacer, user_id, language)
                if outcome is not None:
                    await repos.mark(run.broadcast.id, user_id, outcome,
                                     self.services.clock.timestamp())
                    run.sent_now += outcome == "sent"
            except Exception:  # one recipient's surprise must not stop the broadcast
                log.exception("broadcast %s: recipient %s", run.broadcast.id, user_id)
            finally:
                queue.task_done()

    async def _send(self, run: Run, pacer: Pacer, user_id: int, language: str | None
                    ) -> str | None:
        broadcast, settings = run.broadcast, self.services.settings
        text = text_for(broadcast.texts, language, settings.default_language)
        paid = True if broadcast.paid else None  # left out of the request unless paid
        try:
            if broadcast.media_kind == "photo" and broadcast.media_file_id:
                await self.bot.send_photo(user_id, broadcast.media_file_id, caption=text,
                                          parse_mode=ParseMode.HTML, allow_paid_broadcast=paid)
            elif broadcast.media_kind == "document" and broadcast.media_file_id:
                await self.bot.send_document(user_id, broadcast.media_file_id, caption=text,
                                             parse_mode=ParseMode.HTML,
                                             allow_paid_broadcast=paid)
            else:
                await self.bot.send_message(user_id, text, parse_mode=ParseMode.HTML,
                                            allow_paid_broadcast=paid)
            return "sent"
        except RetryAfter as exc:
            seconds = retry_seconds(exc.retry_after)
            if self.pacer.busy(user_id):  # that chat's own limit (it was just answered)
                await self.services.repos.broadcasts.later(
                    broadcast.id, user_id, self.services.clock.timestamp() + int(seconds) + 1)
            else:  # the bot as a whole: only the broadcast waits (replies go on)
                pacer.hold(seconds)
            return None
        except Forbidden:
            await self.services.repos.users.mark_blocked(user_id)
            return "blocked"
        except BadRequest as exc:
            return "not_found" if says(exc, "chat not found") else "failed"
        except TelegramError as exc:  # network trouble: retried on the next pass, a few times
            log.info("broadcast %s to %s: %r", broadcast.id, user_id, exc)
            return await self._attempt_failed(broadcast.id, user_id)

    async def _attempt_failed(self, broadcast_id: int, user_id: int) -> str | None:
        """Network trouble: this recipient is tried again later, with backoff (a short
        outage is ridden out), MAX_ATTEMPTS times at most."""
        repos, now = self.services.repos.broadcasts, self.services.clock.timestamp()
        attempts = await repos.attempts(broadcast_id, user_id) + 1
        await repos.attempt_failed(broadcast_id, user_id, now + backoff(attempts))
        return "failed" if attempts >= MAX_ATTEMPTS else None

    # --- progress -------------------------------------------------------------------------
    async def _progress_loop(self, run: Run) -> None:
        while True:
            await self._show_progress(run)
            await asyncio.sleep(PROGRESS_SECONDS)

    async def _show_progress(self, run: Run, final: bool = False) -> None:
        repos = self.services.repos
        broadcast = await repos.broadcasts.get(run.broadcast.id)
        if broadcast is None or broadcast.progress_chat_id is None:
            return
        tr = await self.services.translator_for(broadcast.author_id)
        figures = await repos.broadcasts.figures(broadcast.id)
        elapsed = max(time.monotonic() - run.started, 0.001)
        rate = run.sent_now / elapsed
        text = progress_text(tr, broadcast, figures, rate)
        markup = None if final else control_markup(tr, broadcast)
        try:
            if broadcast.progress_message_id:
                await self.app.bot.edit_message_text(text, broadcast.progress_chat_id,
                                                     broadcast.progress_message_id,
                                                     parse_mode=ParseMode.HTML,
                                                     reply_markup=markup)
                return
            message = await self.app.bot.send_message(broadcast.progress_chat_id, text,
                                                      parse_mode=ParseMode.HTML,
                                                      reply_markup=markup)
            await repos.broadcasts.set_progress_message(broadcast.id, message.message_id)
        except BadRequest as exc:
            if not says(exc, "not modified"):
                log.info("broadcast %s progress: %s", broadcast.id, exc.message)
        except TelegramError as exc:
            log.info("broadcast %s progress: %r", broadcast.id, exc)


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data["services"]
    if services.broadcasts is not None:
        await services.broadcasts.tick()


def install(app: App, services: Services) -> None:
    interval = services.settings.reminder_tick_seconds
    if interval > 0 and app.job_queue is not None:
        app.job_queue.run_repeating(_job, interval=min(interval, 5), first=1, name="broadcasts")
