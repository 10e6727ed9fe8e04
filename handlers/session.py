"""Runs first for every update: who is writing, in which language, and where they are.

The language comes from the user's saved choice, else from Telegram's
language_code (saved on first contact), else it is unknown and /start asks.
One database read on the hot path (user and conversation joined); last_seen is
written in batches (storage.users.flush_seen), a new or renamed user at once.
"""
from __future__ import annotations

import dataclasses

from telegram import Update
from telegram.ext import TypeHandler

from handlers.base import BotContext
from handlers.registry import Registry
from i18n import negotiate
from storage import conversations


async def load_session(update: Update, ctx: BotContext) -> None:
    tg_user = update.effective_user
    services = ctx.services
    # A block or unblock is not the user writing to us: handlers.membership alone sees it.
    if tg_user is None or tg_user.is_bot or update.my_chat_member is not None:
        ctx.tr = services.translator(None)
        return
    repos = services.repos
    user, row = await repos.users.load(tg_user.id, tg_user.first_name or "", tg_user.username,
                                       ctx.now())
    language = user.language
    if language is None:
        language = negotiate(tg_user.language_code)
        if language is not None:
            await repos.users.set_language(user.id, language)
            user = dataclasses.replace(user, language=language)
    ctx.user = user
    ctx.language_known = language is not None
    ctx.tr = services.translator(language)
    ctx.conv = conversations.from_joined(row)


def register(registry: Registry) -> None:
    registry.add(TypeHandler(Update, load_session), group=-1)
