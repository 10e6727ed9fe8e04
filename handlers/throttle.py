"""A user flooding the bot (a stuck key, a script) is told once to slow down, and is not
answered message by message meanwhile: each answer costs a request, and their chat's own
limit (about one message a second) would refuse most anyway. An album (several photos
sent at once share a media_group_id) counts as one message. Runs before everything else,
without touching the database."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.base import BotContext, answer, send
from handlers.processing import current
from handlers.registry import Registry
from i18n import negotiate

WINDOW = 10.0   # seconds (the configured flood_limit counts updates in this window)


@dataclass
class Flood:
    times: deque[float] = field(default_factory=deque)
    groups: set[str] = field(default_factory=set)   # albums already counted
    warned: bool = False


class Throttle:
    """Per-user counts of recent updates (in memory: a flood is a matter of seconds)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.users: dict[int, Flood] = {}

    def over(self, user_id: int, now: float, group: str | None) -> tuple[bool, bool]:
        """(over the limit, and this is the first update over it: warn once)."""
        flood = self.users.setdefault(user_id, Flood())
        while flood.times and now - flood.times[0] > WINDOW:
            flood.times.popleft()
        if not flood.times:
            flood.groups.clear()
        if group is not None:
            if group in flood.groups:
                return False, False
            flood.groups.add(group)
        flood.times.append(now)
        if len(flood.times) <= self.limit:
            flood.warned = False
            return False, False
        first, flood.warned = not flood.warned, True
        if len(self.users) > 10_000:  # forget users who went quiet: memory stays flat
            self.users = {u: f for u, f in self.users.items()
                          if f.times and now - f.times[-1] <= WINDOW}
        return True, first


async def check(update: Update, ctx: BotContext) -> None:
    user, limit = update.effective_user, ctx.services.settings.flood_limit
    if user is None or user.is_bot or not limit:
        return
    throttle: Throttle = ctx.application.bot_data.setdefault("throttle", Throttle(limit))
    message = update.effective_message
    group = message.media_group_id if message is not None else None
    # Counted by arrival, not by when its turn comes: a flood queued behind a slow chat
    # must not trickle through a window at a time.
    record = current.get()
    arrived = record.received if record is not None and record.received \
        else ctx.services.clock.monotonic()
    over, first = throttle.over(user.id, arrived, group)
    if not over:
        return
    language = await ctx.repos.users.language_of(user.id) or negotiate(user.language_code)
    tr = ctx.services.translator(language)
    text = tr._("You are sending messages very fast. I will answer again in a few seconds; "
                "please send one message at a time.")
    if update.callback_query is not None:
        await answer(update, ctx, text if first else None)
    elif first and update.effective_chat is not None:
        await send(update, ctx, text)
    raise ApplicationHandlerStop


def register(registry: Registry) -> None:
    registry.add(TypeHandler(Update, check), group=-2)
