"""Broadcast rules: who is in an audience, which text each recipient gets, and pacing.

The pacer is the one budget of messages per second the bot has: a broadcast waits
for its slots, an interactive reply takes one at once and pushes the broadcast
back, and a 429 holds the broadcast (only) for Telegram's retry_after.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from domain.applications import OPEN, STATUSES

AUDIENCE_KINDS = ("all", "importer", "engineer", "language", "status")
# Paced a little under the configured rate: Telegram counts in a sliding second and
# requests jitter on the way, so spacing exactly at the limit would trip 429s.
PACE_MARGIN = 0.97


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
    def __init__(self, rate: float):
        self.interval = 1.0 / (rate * PACE_MARGIN)
        self.next = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait for the next slot. One waiter at a time, and it re-reads `next` after each
        sleep: a reply that borrowed a slot, or a 429, pushes the broadcast back at once."""
        async with self._lock:
            while True:
                now = time.monotonic()
                if now >= self.next:
                    break
                await asyncio.sleep(self.next - now)
            # Late by a loop hiccup: catch up by one slot at most, never with a burst.
            self.next = max(self.next, now - self.interval) + self.interval

    def borrow(self) -> None:
        """An interactive reply goes now; the broadcast's next slot moves back."""
        self.next = max(self.next, time.monotonic()) + self.interval

    def hold(self, seconds: float) -> None:
        """A 429: no broadcast slot before `seconds` from now."""
        self.next = max(self.next, time.monotonic() + seconds)
