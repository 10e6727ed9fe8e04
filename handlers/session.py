"""Runs first for every update: who is writing, in which language, and where they are.

The language comes from the user's saved choice, else from Telegram's
language_code (saved on first contact), else it is unknown and /start asks.
One database read on the hot path (user and conversation joined); last_seen is
written in batches (storage.users.flush_seen), a new or renamed user at once.
"""
from __future__ import annotations

import dataclasses
import logging

from telegram import Update, User
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.base import BotContext, answer, send
from handlers.registry import Registry
from i18n import negotiate
from storage import conversations

log = logging.getLogger(__name__)
# Telegram re-delivers an update for a day at most, and after a week without updates it
# may start the ids again from a random number: an older saved id proves nothing.
REPEAT_WINDOW = 2 * 86400


async def load_session(update: Update, ctx: BotContext) -> None:
    tg_user = update.effective_user
    services = ctx.services
    # A block or unblock is not the user writing to us: handlers.membership alone sees it.
    if tg_user is None or tg_user.is_bot or update.my_chat_member is not None:
        ctx.tr = services.translator(None)
        return
    query = update.callback_query
    if query is not None and not query.data:
        # No data (none of our buttons is so): PTB would hand it to the first button
        # handler whatever its pattern, so it is answered here.
        ctx.tr = services.translator(negotiate(tg_user.language_code))
        await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)
        raise ApplicationHandlerStop
    if query is not None and query.message is None:
        # A button on an inline-mode message (sent through @bot in another chat): there is
        # no chat of ours to answer in, and this bot offers no inline mode.
        ctx.tr = services.translator(negotiate(tg_user.language_code))
        await answer(update, ctx, ctx.tr._("This button works only in the chat with the bot."),
                     alert=True)
        raise ApplicationHandlerStop
    try:
        await load(update, ctx, tg_user)
        repeat = await is_repeat(update, ctx)
    except Exception:
        # Without the user and their conversation no feature can answer correctly: say so
        # once, in the user's language as Telegram gives it, and stop here.
        log.exception("could not load the session of user %s", tg_user.id)
        ctx.tr = services.translator(negotiate(tg_user.language_code))
        await answer(update, ctx)
        if update.effective_chat is not None:
            await send(update, ctx, ctx.tr._("Sorry, something went wrong on our side. Please "
                                             "try again; what you entered so far is saved."))
        raise ApplicationHandlerStop from None
    if repeat:
        raise ApplicationHandlerStop


async def is_repeat(update: Update, ctx: BotContext) -> bool:
    """An update handled before (re-delivered after a crash or a late webhook answer) is
    not handled again: an answer must never fill the next question. If it was cut off
    after its change was saved but before it was recorded as handled, the user is shown
    where they are, as its reply may never have gone out."""
    if await ctx.repos.updates.handled(update.update_id):
        log.info("update %s was handled before: skipped", update.update_id)
        await answer(update, ctx)
        return True
    conv = ctx.conv
    if conv is None or conv.update_id is None or update.update_id > conv.update_id or \
            ctx.now() - conv.updated_at > REPEAT_WINDOW:
        return False
    log.info("update %s already changed the conversation: skipped", update.update_id)
    await answer(update, ctx)
    route = ctx.registry.flows.get(conv.flow)
    if conv.update_id == update.update_id and route is not None and route.resume is not None:
        await route.resume(update, ctx)
    return True


async def load(update: Update, ctx: BotContext, tg_user: User) -> None:
    services = ctx.services
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
    ctx.update_id = update.update_id


def register(registry: Registry) -> None:
    registry.add(TypeHandler(Update, load_session), group=-1)
