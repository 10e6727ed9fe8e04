"""Broadcast rules: who is in an audience, which text each recipient gets, and pacing.

The pacer is the one budget of messages per second the bot has: a broadcast waits
for its slots, an interactive reply takes a reserved one at once, and a 429 holds
the broadcast (only) for Telegram's retry_after.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from domain.applications import OPEN, STATUSES

AUDIENCE_KINDS = ("all", "importer", "engineer", "language", "status")
# Telegram counts messages in a sliding second, and requests jitter on their way: our
# own count uses a slightly longer second, and lateness is made up only by so much.
GUARD = 0.005
SLACK = 0.010


@dataclass(frozen=True)
class Audience:
    kind: str
    value: str | None = None

    def valid(self) -> bool:
        if self.kind == "language":
            return self.value in ("kk", "ru", "zh")
        if self.kind == "status":
            return self.value in STATUSES and self.value != "draft"
        return self.kind in AUDIENCE_KINDS and self.value is None

    def sql(self) -> tuple[str, tuple]:
        """A WHERE clause over `users u` selecting the recipients (blocked ones never)."""
        base = "u.blocked = 0"
        if self.kind in ("importer", "engineer"):
            return f"{base} AND u.role = ?", (self.kind,)
        if self.kind == "language":
            return f"{base} AND u.language = ?", (self.value,)
        if self.kind == "status":
            return (f"{base} AND u.id IN (SELECT user_id FROM applications WHERE status = ?)",
                    (self.value,))
        return base, ()


def text_for(texts: dict[str, str], language: str | None, default: str) -> str:
    """The recipient's language version, else the default language's."""
    return texts.get(language or default) or texts[default]


def open_statuses() -> tuple[str, ...]:
    return OPEN


class Pacer:
    """Keeps our own log of sends in the last second, as Telegram counts them.

    A broadcast sends only while the log has room for one more message besides a
    reserved slot, evenly spaced; an interactive reply never waits: it takes the
    reserved slot, and beyond that the broadcast waits for it. The log's second
    is a little longer than Telegram's (GUARD), so requests jittering on their way
    don't make 31 in Telegram's second.
    """

    def __init__(self, rate: float, reserve: int = 1):
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
                now = time.monotonic()
                self._trim(now)
                wait = max(self.next - now, self.hold_until - now, 0.0)
                if len(self.sent) >= self.broadcast_capacity:
                    wait = max(wait, self.sent[0] + self.window - now)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self.sent.append(now)
            # On a grid, so a late wake-up is made up, but by SLACK at most (no bursts).
            self.next = max(self.next, now - SLACK) + self.spacing

    def interactive(self) -> None:
        """A reply to a user goes now, never waiting (Telegram's ~30/s is for bulk sending):
        it is only counted, so the broadcast makes room for it."""
        now = time.monotonic()
        self._trim(now)
        self.sent.append(now)

    def hold(self, seconds: float) -> None:
        """A 429: no broadcast slot before `seconds` from now."""
        self.hold_until = max(self.hold_until, time.monotonic() + seconds)
