"""Update processing: different chats at once, one chat strictly in arrival order.

PTB's process_update holds its own semaphore before calling do_process_update,
so the per-chat wait happens before our concurrency slot is taken: a burst
from one user queues on that user's lock and never starves the other chats.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("bot.updates")
# The handler that took the current update writes its name here (see handlers.base).
current: contextvars.ContextVar[dict[str, str | None] | None] = contextvars.ContextVar(
    "current_update", default=None)


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int):
        # PTB's own semaphore only bounds the queue; ours bounds the work.
        super().__init__(max_concurrent_updates=max(1024, max_concurrent_updates))
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._chats: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        lock = self._chats.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await self._timed(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats: memory stays flat
                del self._waiting[key]
                self._chats.pop(key, None)

    async def _timed(self, update: object, coroutine: Awaitable[Any]) -> None:
        record: dict[str, str | None] = {"handler": None}
        current.set(record)
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                user = update.effective_user.id if update.effective_user else "-"
                log.info("update %s user %s handler %s %.1f ms", update.update_id, user,
                         record["handler"] or "none", (time.perf_counter() - started) * 1000)

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
