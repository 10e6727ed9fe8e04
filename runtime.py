"""Builds and runs the Application: the same code path for production, local mode and tests."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import ApplicationBuilder, ContextTypes

from apibot import ApiBot, App
from config import Settings
from domain.content import CONTENT_DIR
from domain.library import Library
from handlers import (
    ask,
    broadcasts,
    contacts,
    cost,
    desk,
    edits,
    fallback,
    guide,
    intake,
    language,
    lookup,
    membership,
    my_applications,
    mydata,
    session,
    start,
    throttle,
    typed,
)
from handlers.base import BotContext
from handlers.desk.roles import publish_staff_commands
from handlers.processing import ChatOrderedProcessor
from handlers.registry import Registry
from i18n import Catalogues
from jobs import broadcast, outbox, rates
from jobs.broadcast import Sender
from jobs.outbox import OutboxSender
from services.clock import Clock
from services.container import Services
from services.pacing import InteractivePriority, Pacer
from storage.repos import Repos
from transport import make_request
from webhook import WebhookServer

log = logging.getLogger(__name__)


class Feature(Protocol):
    def register(self, registry: Registry) -> None: ...


# The table of contents of the bot: each module registers its own handlers, flows, menu
# entries and commands. throttle runs first (group -2), then session (group -1); edits before
# any feature sees one; fallback must stay last.
FEATURES: list[Feature] = [throttle, session, edits, membership, start, language, typed, guide,
                           cost, contacts, lookup, intake, my_applications, mydata, ask, desk,
                           broadcasts, fallback]
JOBS = [outbox, broadcast, rates]
HEARTBEAT_SECONDS = 30
MAX_RETRY_SECONDS = 60  # the longest wait between attempts to reach the Bot API at start
SEEN_FLUSH_SECONDS = 5  # last_seen is not critical: a crash loses at most this much of it
HANDLED_UPDATES_KEPT = 2 * 86400  # Telegram keeps an unconfirmed update for 24 hours


def content_dir(settings: Settings) -> Path:
    return Path(settings.content_dir) if settings.content_dir else CONTENT_DIR


def heartbeat_path(settings: Settings) -> Path:
    return Path(settings.database_path).with_name("heartbeat")


async def heartbeat(path: Path, repos: Repos, clock: Clock) -> None:
    """Touch a file while the event loop is alive (the container HEALTHCHECK reads it),
    write the batched last_seen times, checkpoint the database, and forget handled
    update ids older than Telegram keeps updates."""
    path.parent.mkdir(parents=True, exist_ok=True)  # PostgreSQL: no database file made it
    while True:
        path.touch()
        try:
            await repos.updates.forget_before(clock.timestamp() - HANDLED_UPDATES_KEPT)
        except Exception:
            log.exception("could not forget old handled updates")
        for _ in range(HEARTBEAT_SECONDS // SEEN_FLUSH_SECONDS):
            await asyncio.sleep(SEEN_FLUSH_SECONDS)
            try:
                await repos.users.flush_seen()
                await repos.db.checkpoint()  # the hot path's writes never checkpoint
            except Exception:  # both can wait; the heartbeat must not die with them
                log.exception("could not write last_seen times or checkpoint")


async def initialize(target: App | Bot, settings: Settings) -> None:
    """Initialize the Application or a sender's Bot (its first call is getMe). A Bot API
    that cannot be reached yet (network down, a Bot API server still starting, a restart
    in the middle of an outage) is retried with backoff, one log line each time; a refused
    token (InvalidToken) is not worth retrying."""
    delay = 1.0
    while True:
        try:
            await target.initialize()
            return
        except NetworkError as exc:  # TimedOut is one; InvalidToken is not
            log.warning("the Bot API at %s cannot be reached (%s); retrying in %.0f s",
                        urlparse(settings.api_base_url).netloc, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)


def handled_by(services: Services) -> Callable[[Update], Awaitable[None]]:
    async def record(update: Update) -> None:
        await services.repos.updates.mark_handled(update.update_id, services.clock.timestamp())
    return record


def build_registry() -> Registry:
    registry = Registry()
    for feature in FEATURES:
        feature.register(registry)
    return registry


def build_application(services: Services, pacer: Pacer | None = None) -> App:
    settings = services.settings
    pacer = pacer or Pacer(settings.send_rate, clock=services.clock)
    bot = ApiBot(settings.token, base_url=settings.bot_url, base_file_url=settings.file_url,
                 request=make_request(settings, settings.concurrent_updates + 8),
                 get_updates_request=make_request(settings, 1),
                 rate_limiter=InteractivePriority(pacer))
    db = services.repos.db
    processor = ChatOrderedProcessor(settings.concurrent_updates, on_handled=handled_by(services),
                                     chat_lock=db.chat_lock if db.shared else None)
    app: App = (ApplicationBuilder()
                .bot(bot)
                .context_types(ContextTypes(context=BotContext))
                .concurrent_updates(processor)
                .build())
    registry = build_registry()
    app.bot_data["services"] = services
    app.bot_data["registry"] = registry
    registry.install(app)
    for job in JOBS:
        job.install(app, services)
    return app


class Runtime:
    """The bot with its database, started and stopped as one."""

    def __init__(self, settings: Settings, clock: Clock | None = None):
        self.settings = settings
        self.clock = clock or Clock()
        self.app: App | None = None
        self.repos: Repos | None = None
        self.services: Services | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self.webhook: WebhookServer | None = None
        self.outbox: OutboxSender | None = None
        self.sender: Sender | None = None

    async def start(self) -> App:
        try:
            return await self._start()
        except BaseException:
            await self.stop()  # close the database thread, or the process cannot exit
            raise

    async def _start(self) -> App:
        settings = self.settings
        library = Library.open(content_dir(settings))  # broken content stops us before the db
        self.repos = await Repos.open(settings.database)
        self.services = services = Services(settings=settings, repos=self.repos,
                                            catalogues=Catalogues(settings.tz), clock=self.clock,
                                            library=library)
        pacer = Pacer(settings.send_rate, clock=self.clock)
        self.app = app = build_application(services, pacer)
        registry: Registry = app.bot_data["registry"]
        await initialize(app, settings)
        await language.publish_commands(app, registry, services)
        await publish_staff_commands(app, registry, services)
        await app.start()
        if settings.webhook_url:
            self.webhook = WebhookServer(app, urlparse(settings.webhook_url).path,
                                         settings.webhook_secret)
            await self.webhook.start(settings.webhook_listen, settings.webhook_port)
            await app.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                      allowed_updates=Update.ALL_TYPES)
            log.info("webhook mode: listening on %s:%s", settings.webhook_listen,
                     settings.webhook_port)
        elif app.updater is not None:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=20,
                                            poll_interval=settings.poll_interval)
            log.info("polling %s", urlparse(settings.api_base_url).netloc)
        self.sender = Sender(app, services, pacer,
                             Pacer(settings.paid_send_rate, clock=self.clock))
        services.broadcasts = self.sender
        await initialize(self.sender.bot, settings)
        await self.sender.start()
        self.outbox = app.bot_data["outbox"]
        await initialize(self.outbox.bot, settings)
        await self.outbox.start()
        self._heartbeat = asyncio.create_task(heartbeat(heartbeat_path(settings), self.repos,
                                                          self.clock))
        return app

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        webhook, self.webhook = self.webhook, None
        if webhook is not None:
            await webhook.stop()
        sender_of_notices, self.outbox = self.outbox, None
        if sender_of_notices is not None:
            await sender_of_notices.stop()
        sender, self.sender = self.sender, None
        if sender is not None:
            await sender.stop()
        app, self.app = self.app, None
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        repos, self.repos = self.repos, None
        if repos is not None:
            await repos.users.flush_seen()
            await repos.close()
