"""The one budget of messages per second the bot has, shared by broadcasts and replies.

A broadcast waits for its slots, an interactive reply takes a reserved one at once,
and a 429 holds the broadcast (only) for Telegram's retry_after.
"""
from __future__ import annotations

import asyncio
from collections import deque
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from services.clock import Clock

# Telegram counts messages in a sliding second, and requests jitter on their way: our
# own count uses a slightly longer second, and lateness is made up only by so much.
GUARD = 0.005
SLACK = 0.010
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
                          "copyMessage", "forwardMessage"})


class Pacer:
    """Keeps our own log of sends in the last second, as Telegram counts them.

    A broadcast sends only while the log has room for one more message besides a
    reserved slot, evenly spaced; an interactive reply never waits: it takes the
    reserved slot, and beyond that the broadcast waits for it. The log's second
    is a little longer than Telegram's (GUARD), so requests jittering on their way
    don't make 31 in Telegram's second.
    """

    def __init__(self, rate: float, reserve: int = 1, clock: Clock | None = None):
        self.clock = clock or Clock()
        self.window = 1.0 + GUARD
        self.capacity = max(1, int(rate))
        self.broadcast_capacity = max(1, self.capacity - reserve)
        self.spacing = self.window / self.broadcast_capacity
        self.sent: deque[float] = deque()
        self.next = 0.0
        self.hold_until = 0.0
        self._lock = asyncio.Lock()

    def _trim(self, now: float) -> None:
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()

    async def take(self) -> None:
        """Wait for the broadcast's next slot (one waiter at a time)."""
        async with self._lock:
            while True:
                now = self.clock.monotonic()
                self._trim(now)
                wait = max(self.next - now, self.hold_until - now, 0.0)
                if len(self.sent) >= self.broadcast_capacity:
                    wait = max(wait, self.sent[0] + self.window - now)
                if wait <= 0:
                    break
                await self.clock.sleep(wait)
            self.sent.append(now)
            # On a grid, so a late wake-up is made up, but by SLACK at most (no bursts).
            self.next = max(self.next, now - SLACK) + self.spacing

    def interactive(self) -> None:
        """A reply to a user goes now, never waiting (Telegram's ~30/s is for bulk sending):
        it is only counted, so the broadcast makes room for it."""
        now = self.clock.monotonic()
        self._trim(now)
        self.sent.append(now)

    def hold(self, seconds: float) -> None:
        """A 429: no broadcast slot before `seconds` from now."""
        self.hold_until = max(self.hold_until, self.clock.monotonic() + seconds)


def retry_seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class InteractivePriority(BaseRateLimiter[Any]):
    """The main bot's requests: a send takes the shared Pacer's reserved slot at once (the
    broadcast leaves it free), and a rare 429 is waited out once instead of losing the
    reply."""

    def __init__(self, pacer: Pacer):
        self.pacer = pacer

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str,
                              data: dict[str, Any], rate_limit_args: Any) -> Any:
        if endpoint in SEND_METHODS:
            self.pacer.interactive()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_seconds(exc.retry_after)
            self.pacer.hold(seconds)
            await self.pacer.clock.sleep(seconds)
            return await callback(*args, **kwargs)
