"""Edits to messages already sent.

Telegram delivers an edit as a new update, and PTB's handlers take it like a new
message by default: an edited "/apply" would start again, and an edited answer
would be taken as the answer to whatever question is asked now. Neither is what the
user meant, so an edit is answered here, before any feature sees it, with what to
do instead.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.base import BotContext, named, send
from handlers.registry import Registry


@named("edited")
async def edited_message(update: Update, ctx: BotContext) -> None:
    await send(update, ctx, ctx.tr._(
        "I don't see changes to messages already sent, so nothing has changed. Please send "
        "the correction as a new message; an application's answers can be changed from its "
        "review (✏️)."))


@named("edited-ignored")
async def ignore(update: Update, ctx: BotContext) -> None:
    """In groups and channels an edit gets no answer (nor did the original, mostly)."""


def register(registry: Registry) -> None:
    edits = filters.UpdateType.EDITED
    registry.add(MessageHandler(edits & filters.ChatType.PRIVATE, edited_message))
    registry.add(MessageHandler(edits, ignore))
