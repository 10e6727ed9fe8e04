"""What every handler shares: the per-update context, the services, replies and keyboards.

An update's user, language and conversation are loaded once (handlers.session)
and carried on BotContext, so handlers stay short: read the context, let the
domain decide, reply through `ctx.tr`.
"""
from __future__ import annotations

import functools
import logging
from collections import deque
from dataclasses import dataclass
from typing import Awaitable, Callable, NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext

from apibot import ApiBot
from config import Settings
from domain.clock import Clock
from domain.library import Library
from handlers.processing import current
from i18n import Catalogues, Translator
from storage.conversations import Conversation
from storage.repos import Repos
from storage.users import User

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Long-lived things handlers use; one per Application (bot_data["services"])."""
    settings: Settings
    repos: Repos
    catalogues: Catalogues
    clock: Clock
    library: Library  # the guide and reference content


class BotContext(CallbackContext[ApiBot, dict, dict, dict]):
    """PTB creates one per update and passes it to every handler group."""

    user: User | None = None
    tr: Translator
    language_known: bool = False
    conv: Conversation | None = None

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    @property
    def repos(self) -> Repos:
        return self.services.repos

    def now(self) -> int:
        return self.services.clock.timestamp()


Handler = Callable[[Update, BotContext], Awaitable[object]]


def named(name: str) -> Callable[[Handler], Handler]:
    """Name a handler for the one-line-per-update log."""
    def wrap(func: Handler) -> Handler:
        @functools.wraps(func)
        async def run(update: Update, ctx: BotContext):
            record = current.get()
            if record is not None:
                record["handler"] = name
            return await func(update, ctx)
        return run
    return wrap


async def park_flow(ctx: BotContext) -> None:
    """The user left their flow for the main menu or a lookup: what they type next is no
    longer its answer. The flow is kept, so /guide or /apply picks it up again."""
    if ctx.conv is not None and not ctx.conv.parked:
        await ctx.repos.conversations.park(ctx.user.id)
        ctx.conv.parked = True


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback_data). callback_data stays compact: ≤ 64 bytes.

    The same few keyboards (a menu, a question in one language) are shown over and
    over, so each is built once: building PTB's objects and turning them back into
    JSON every time cost 7 % of the updates a second (BENCHMARKS.md)."""
    return _keyboard(tuple(tuple(row) for row in rows))


class _Keyboard(InlineKeyboardMarkup):
    """An InlineKeyboardMarkup that keeps its JSON: PTB's objects are frozen, so the
    dict made once stays right."""
    __slots__ = ("_wire",)

    def to_dict(self, recursive: bool = True) -> dict:
        return self._wire


@functools.lru_cache(maxsize=4096)
def _keyboard(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    for row in rows:
        for _, data in row:
            assert 0 < len(data.encode()) <= 64, data
    markup = _Keyboard([[InlineKeyboardButton(label, callback_data=data)
                         for label, data in row] for row in rows])
    with markup._unfrozen():
        markup._wire = InlineKeyboardMarkup.to_dict(markup)
    return markup


class Sent(NamedTuple):
    """What the bot keeps of a message it sent or edited."""
    message_id: int
    chat_id: int


async def send(update: Update, ctx: BotContext, text: str,
               markup: InlineKeyboardMarkup | None = None) -> Sent:
    result = await ctx.bot.call("sendMessage", chat_id=update.effective_chat.id, text=text,
                                parse_mode=ParseMode.HTML, reply_markup=markup)
    return Sent(result["message_id"], result["chat"]["id"])


async def show(update: Update, ctx: BotContext, text: str,
               markup: InlineKeyboardMarkup | None = None) -> Sent | None:
    """Edit the message a button was pressed on, or send a new one for a typed message.

    A double tap edits to identical content: Telegram says "message is not
    modified", which is harmless and ignored.
    """
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            result = await ctx.bot.call(
                "editMessageText", chat_id=query.message.chat_id,
                message_id=query.message.message_id, text=text,
                parse_mode=ParseMode.HTML, reply_markup=markup)
            return Sent(result["message_id"], result["chat"]["id"]) \
                if isinstance(result, dict) else None
        except BadRequest as exc:
            if "not modified" in exc.message:
                return None
            if "message to edit not found" not in exc.message:
                raise
    return await send(update, ctx, text, markup)


# Recent callback query ids already answered (the set for lookups, the deque to forget).
_answered: set[str] = set()
_answered_order: deque[str] = deque()


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Answer the callback query exactly once (Telegram shows a spinner until then).

    Idempotent: handlers can call it wherever they are sure the query is handled,
    and a second call (from a helper they use) does nothing.
    """
    query = update.callback_query
    if query is None or query.id in _answered:
        return
    _answered.add(query.id)
    _answered_order.append(query.id)
    if len(_answered_order) > 10_000:
        _answered.discard(_answered_order.popleft())
    try:
        await query.get_bot().call("answerCallbackQuery", callback_query_id=query.id, text=text,
                                  show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message:
            raise


def callback_args(update: Update) -> list[str]:
    """callback_data "prefix:a:b" -> ["a", "b"]."""
    return (update.callback_query.data or "").split(":")[1:]


def register_all(app: Application, modules: list) -> None:
    for module in modules:
        module.register(app)
