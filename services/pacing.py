"""The one budget of messages per second the bot has, shared by broadcasts and replies.

A broadcast waits for its slots, an interactive reply takes a reserved one at once. A
429 on a reply is about that chat (a user flooding the bot gets more than one reply a
second): only that reply waits. A 429 on a broadcast send is the bot as a whole over its
limit, and holds the broadcast, unless the recipient's chat was just being answered
(then it is that chat's, and only that recipient waits).
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from services.clock import Clock

log = logging.getLogger(__name__)

# Telegram counts messages in a sliding second, and requests jitter on their way: our
# own count uses a slightly longer second, and lateness is made up only by so much.
GUARD = 0.005
SLACK = 0.010
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
                          "copyMessage", "forwardMessage"})
# Replies worth retrying through a short outage (network errors, 5xx): what the user waits
# for. Not getUpdates (the updater retries it) nor file downloads (the user resends).
RETRIED = SEND_METHODS | {"editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
                          "deleteMessage", "sendChatAction", "setMyCommands"}
RETRY_FOR = 30.0        # seconds a reply keeps being retried through an outage
MAX_REPLY_WAIT = 60.0   # a longer 429 on one reply is given up rather than held
BUSY_SECONDS = 3.0      # a chat answered this recently is "busy" (its own 429s are its own)


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
        self._replied: dict[int, float] = {}  # chat id -> when it was last answered

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

    def interactive(self, chat_id: int | None = None) -> None:
        """A reply to a user goes now, never waiting (Telegram's ~30/s is for bulk sending):
        it is only counted, so the broadcast makes room for it."""
        now = self.clock.monotonic()
        self._trim(now)
        self.sent.append(now)
        if chat_id is not None:
            self._replied[chat_id] = now
            if len(self._replied) > 10_000:  # forget the quiet chats: memory stays flat
                self._replied = {c: t for c, t in self._replied.items()
                                 if now - t < BUSY_SECONDS}

    def busy(self, chat_id: int) -> bool:
        """Whether the chat was answered in the last few seconds."""
        last = self._replied.get(chat_id)
        return last is not None and self.clock.monotonic() - last < BUSY_SECONDS

    def hold(self, seconds: float) -> None:
        """A 429: no broadcast slot before `seconds` from now."""
        self.hold_until = max(self.hold_until, self.clock.monotonic() + seconds)


def retry_seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class InteractivePriority(BaseRateLimiter[Any]):
    """The main bot's requests: a send takes the shared Pacer's reserved slot at once (the
    broadcast leaves it free). A 429 is waited out by that request alone (the broadcast
    is not held: it is that chat's limit). A reply that meets a network error or a 5xx is
    retried with backoff for up to RETRY_FOR seconds, so a short outage loses no reply."""

    def __init__(self, pacer: Pacer):
        self.pacer = pacer

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str,
                              data: dict[str, Any], rate_limit_args: Any) -> Any:
        chat_id = data.get("chat_id")
        if endpoint in SEND_METHODS:
            self.pacer.interactive(chat_id if isinstance(chat_id, int) else None)
        clock, delay = self.pacer.clock, 0.5
        deadline = clock.monotonic() + RETRY_FOR
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc.retry_after)
                if seconds > MAX_REPLY_WAIT:
                    raise
                await clock.sleep(seconds)
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or endpoint not in RETRIED or \
                        clock.monotonic() + delay > deadline:
                    raise
                log.info("%s failed (%r); retrying in %.1f s", endpoint, exc, delay)
                await clock.sleep(delay)
                delay = min(delay * 2, 8.0)
