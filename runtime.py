"""Builds and runs the Application: the same code path for production, local mode and tests."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from apibot import ApiBot
from config import Settings, make_request
from domain.clock import Clock
from domain.content import CONTENT_DIR
from domain.library import Library
from handlers import (apply, broadcasts, desk, edits, fallback, guide, language, lookup,
                      membership, my_applications, mydata, session, staff, start)
from handlers.base import BotContext, Services, register_all
from handlers.processing import ChatOrderedProcessor
from domain.broadcast import Pacer
from jobs import broadcast, reminders
from jobs.broadcast import InteractivePriority, Sender
from i18n import Catalogues
from storage.repos import Repos

log = logging.getLogger(__name__)
# The table of contents of the bot: each module registers its own handlers.
# session runs first (group -1), edits before any feature sees one; fallback must stay last.
FEATURES = [session, edits, membership, start, language, guide, lookup, apply, my_applications,
            mydata, desk, staff, broadcasts, fallback, reminders, broadcast]
HEARTBEAT_SECONDS = 30
SEEN_FLUSH_SECONDS = 5  # last_seen is not critical: a crash loses at most this much of it


def content_dir(settings: Settings) -> Path:
    return Path(settings.content_dir) if settings.content_dir else CONTENT_DIR


def heartbeat_path(settings: Settings) -> Path:
    return Path(settings.database_path).with_name("heartbeat")


async def heartbeat(path: Path, repos: Repos) -> None:
    """Touch a file while the event loop is alive (the container HEALTHCHECK reads it),
    write the batched last_seen times and checkpoint the database."""
    while True:
        path.touch()
        for _ in range(HEARTBEAT_SECONDS // SEEN_FLUSH_SECONDS):
            await asyncio.sleep(SEEN_FLUSH_SECONDS)
            try:
                await repos.users.flush_seen()
                await repos.db.checkpoint()  # the hot path's writes never checkpoint
            except Exception:  # both can wait; the heartbeat must not die with them
                log.exception("could not write last_seen times or checkpoint")


def build_application(services: Services, pacer: Pacer | None = None) -> Application:
    settings = services.settings
    pacer = pacer or Pacer(settings.send_rate)
    bot = ApiBot(settings.token, base_url=settings.bot_url, base_file_url=settings.file_url,
                 request=make_request(settings, settings.concurrent_updates + 8),
                 get_updates_request=make_request(settings, 1),
                 rate_limiter=InteractivePriority(pacer))
    app = (ApplicationBuilder()
           .bot(bot)
           .context_types(ContextTypes(context=BotContext))
           .concurrent_updates(ChatOrderedProcessor(settings.concurrent_updates))
           .build())
    app.bot_data["services"] = services
    register_all(app, FEATURES)
    return app


class Runtime:
    """The bot with its database, started and stopped as one."""

    def __init__(self, settings: Settings, clock: Clock | None = None):
        self.settings = settings
        self.clock = clock or Clock()
        self.app: Application | None = None
        self.repos: Repos | None = None
        self._heartbeat: asyncio.Task | None = None
        self.sender: Sender | None = None

    async def start(self) -> Application:
        try:
            return await self._start()
        except BaseException:
            await self.stop()  # close the database thread, or the process cannot exit
            raise

    async def _start(self) -> Application:
        settings = self.settings
        library = Library.open(content_dir(settings))  # broken content stops us before the db
        self.repos = await Repos.open(settings.database_path)
        services = Services(settings=settings, repos=self.repos,
                            catalogues=Catalogues(settings.tz), clock=self.clock, library=library)
        pacer = Pacer(settings.send_rate)
        self.app = app = build_application(services, pacer)
        await app.initialize()
        await language.publish_commands(app)
        await staff.publish_staff_commands(app)
        await app.start()
        if settings.webhook_url:
            path = urlparse(settings.webhook_url).path.lstrip("/")
            await app.updater.start_webhook(
                listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
                webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES)
            log.info("webhook mode: listening on %s:%s", settings.webhook_listen,
                     settings.webhook_port)
        else:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=20,
                                            poll_interval=settings.poll_interval)
            log.info("polling %s", urlparse(settings.api_base_url).netloc)
        self.sender = Sender(app, services, pacer, Pacer(settings.paid_send_rate))
        app.bot_data["broadcasts"] = self.sender
        await self.sender.start()
        self._heartbeat = asyncio.create_task(heartbeat(heartbeat_path(settings), self.repos))
        return app

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        sender, self.sender = self.sender, None
        if sender is not None:
            await sender.stop()
        app, self.app = self.app, None
        if app is not None:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        repos, self.repos = self.repos, None
        if repos is not None:
            await repos.users.flush_seen()
            await repos.close()
