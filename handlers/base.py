"""What every handler shares: the per-update context, replies, and callback matching.

An update's user, language and conversation are loaded once (handlers.session)
and carried on BotContext, so handlers stay short: read the context, let the
domain decide, reply through `ctx.tr`.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackContext

from apibot import ApiBot, says
from domain.users import User
from handlers.processing import current
from i18n import Translator
from services.container import Services
from services.texts import MESSAGE_LIMIT, split_message, visible_length
from storage.conversations import Conversation
from storage.repos import Repos

if TYPE_CHECKING:
    from handlers.registry import Registry

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class NoUser(Exception):
    """A handler needed the user, and this update has none (a channel post…)."""


class BotContext(CallbackContext[ApiBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB creates one per update and passes it to every handler group."""

    tr: Translator
    language_known: bool = False
    conv: Conversation | None = None
    answered: bool = False  # the callback query of this update has been answered
    update_id: int | None = None  # saved with the conversation it changes
    _user: User | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def registry(self) -> Registry:
        registry: Registry = self.application.bot_data["registry"]
        return registry

    @property
    def repos(self) -> Repos:
        return self.services.repos

    @property
    def user(self) -> User:
        if self._user is None:
            raise NoUser()
        return self._user

    @user.setter
    def user(self, user: User | None) -> None:
        self._user = user

    @property
    def has_user(self) -> bool:
        return self._user is not None

    @property
    def is_staff(self) -> bool:
        return self.services.roles.is_staff(self._user)

    def now(self) -> int:
        return self.services.clock.timestamp()

    def matched(self, group: int = 1) -> str:
        """A group of the callback pattern that selected this handler."""
        match = self.match
        return match.group(group) if match is not None else ""


Handler = Callable[[Update, BotContext], Awaitable[Any]]
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def named(name: str) -> Callable[[F], F]:
    """Name a handler for the one-line-per-update log."""
    def wrap(func: F) -> F:
        @functools.wraps(func)
        async def run(update: Update, ctx: BotContext, *args: Any) -> Any:
            record = current.get()
            if record is not None:
                record.handler = name
            return await func(update, ctx, *args)
        return run  # type: ignore[return-value]
    return wrap


def callback(pattern: str) -> re.Pattern[str]:
    """A callback_data pattern matched whole: anything else never reaches the handler."""
    return re.compile(f"^(?:{pattern})$")


def message_of(update: Update) -> Message:
    message = update.effective_message
    if message is None:
        raise ValueError("this update carries no message")
    return message


def chat_id(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("this update has no chat")
    return chat.id


class Sent(NamedTuple):
    """What the bot keeps of a message it sent or edited."""
    message_id: int
    chat_id: int


# Messages that cite sources by links: no preview card of the first link under them.
NO_PREVIEW = {"is_disabled": True}


async def send(update: Update, ctx: BotContext, text: str, markup: Markup | None = None,
               preview: bool = True) -> Sent:
    """A new message; one too long for Telegram goes as several, the buttons on the last."""
    parts = split_message(text)
    options = None if preview else NO_PREVIEW
    for part in parts[:-1]:
        await ctx.bot.call("sendMessage", chat_id=chat_id(update), text=part,
                           parse_mode=ParseMode.HTML, link_preview_options=options)
    result = await ctx.bot.call("sendMessage", chat_id=chat_id(update), text=parts[-1],
                                parse_mode=ParseMode.HTML, reply_markup=markup,
                                link_preview_options=options)
    return Sent(result["message_id"], result["chat"]["id"])


async def show(update: Update, ctx: BotContext, text: str,
               markup: InlineKeyboardMarkup | None = None, preview: bool = True) -> Sent | None:
    """Edit the message a button was pressed on, or send a new one for a typed message.

    A double tap edits to identical content: Telegram says "message is not
    modified", which is harmless and ignored.
    """
    query = update.callback_query
    if query is not None and query.message is not None and \
            visible_length(text) <= MESSAGE_LIMIT:  # (too long for an edit: send() splits it)
        try:
            result = await ctx.bot.call(
                "editMessageText", chat_id=query.message.chat.id,
                message_id=query.message.message_id, text=text,
                parse_mode=ParseMode.HTML, reply_markup=markup,
                link_preview_options=None if preview else NO_PREVIEW)
            return Sent(result["message_id"], result["chat"]["id"]) \
                if isinstance(result, dict) else None
        except BadRequest as exc:
            if says(exc, "not modified"):
                return None
            if not says(exc, "message to edit not found"):
                raise
    return await send(update, ctx, text, markup, preview)


async def answer(update: Update, ctx: BotContext, text: str | None = None,
                 alert: bool = False) -> None:
    """Answer the callback query exactly once (Telegram shows a spinner until then).

    Idempotent within an update: handlers can call it wherever they are sure the
    query is handled, and a second call (from a helper they use) does nothing.
    """
    query = update.callback_query
    record = current.get()
    if query is None or ctx.answered or (record is not None and record.answered):
        return
    ctx.answered = True
    if record is not None:
        record.answered = True
    try:
        await ctx.bot.call("answerCallbackQuery", callback_query_id=query.id, text=text,
                           show_alert=alert)
    except BadRequest as exc:
        if not says(exc, "query is too old"):
            raise
