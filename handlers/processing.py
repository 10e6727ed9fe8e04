"""Update processing: different chats at once, one chat strictly in arrival order.

PTB's process_update holds its own semaphore before calling do_process_update,
so the per-chat wait happens before our concurrency slot is taken: a burst
from one user queues on that user's lock and never starves the other chats.

With several instances on one database, `chat_lock` (the database's advisory lock on the
chat id) is held too while an update is handled: an update of the same chat that reached
another instance waits for it, and then sees it recorded as handled if it is a repeat.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("bot.updates")


@dataclass
class UpdateRecord:
    """What is known of the update being handled, shared by its handlers and the error
    handler (PTB gives the error handler a fresh context; this stays the same)."""
    handler: str | None = None   # the handler that took it (handlers.base.named)
    answered: bool = False       # its callback query has been answered
    received: float = 0.0        # when it arrived (monotonic), before waiting for its chat


current: contextvars.ContextVar[UpdateRecord | None] = contextvars.ContextVar(
    "current_update", default=None)


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int,
                 on_handled: Callable[[Update], Awaitable[None]] | None = None,
                 chat_lock: Callable[[int], AbstractAsyncContextManager[None]] | None = None):
        """`on_handled` is called once each update has been handled (it records the update
        as handled, so a re-delivery of it is recognised)."""
        # PTB's own semaphore only bounds the queue; ours bounds the work.
        super().__init__(max_concurrent_updates=max(1024, max_concurrent_updates))
        self._on_handled = on_handled
        self._chat_lock = chat_lock
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._chats: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        received = time.monotonic()
        key = _chat_key(update)
        lock = self._chats.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                if self._chat_lock is None:
                    await self._timed(update, coroutine, received)
                else:
                    async with self._chat_lock(key):
                        await self._timed(update, coroutine, received)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats: memory stays flat
                del self._waiting[key]
                self._chats.pop(key, None)

    async def _timed(self, update: object, coroutine: Awaitable[Any], received: float) -> None:
        record = UpdateRecord(received=received)
        current.set(record)
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                user = update.effective_user.id if update.effective_user else "-"
                log.info("update %s user %s handler %s %.1f ms", update.update_id, user,
                         record.handler or "none", (time.perf_counter() - started) * 1000)
        if isinstance(update, Update) and self._on_handled is not None:
            try:
                await self._on_handled(update)
            except Exception:  # a failed record risks a repeat, not a loss: carry on
                log.exception("could not record update %s as handled", update.update_id)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat:
            return update.effective_chat.id
        if update.effective_user:
            return update.effective_user.id
    return 0
