"""Everything no feature claimed: flow input routing, hints, refusals, and errors.

Registered last. A user never meets silence or a stack trace: unknown text
gets the menu, unsupported content a hint, a stale or forged button a polite
refusal, a group message a pointer to the private chat.
"""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers import start
from handlers.base import BotContext, answer, named, send

log = logging.getLogger(__name__)
# flow name -> handler for a private message while the user is in that flow.
FLOW_INPUT: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {}
# Tried in order for text outside any flow; each returns True when it answered.
TEXT_FALLBACKS: list[Callable[[Update, BotContext], Awaitable[bool]]] = []


@named("input")
async def route_input(update: Update, ctx: BotContext) -> None:
    if not ctx.language_known:
        await start.continue_start(update, ctx)
        return
    handler = FLOW_INPUT.get(ctx.conv.flow) if ctx.conv and not ctx.conv.parked else None
    if handler is not None:
        await handler(update, ctx)
        return
    message = update.effective_message
    for try_text in TEXT_FALLBACKS if message.text else []:
        if await try_text(update, ctx):
            return
    tr = ctx.tr
    if message.text:
        text = tr._("I didn't understand that. Please use the buttons below, or /help.")
    else:
        text = tr._("I can't use this kind of message here. Please send text or use the "
                    "buttons below.")
    await send(update, ctx, text + "\n\n" + start.menu_text(tr), start.menu_markup(ctx))


@named("unknown-command")
async def unknown_command(update: Update, ctx: BotContext) -> None:
    command = (update.effective_message.text or "").split()[0]
    await send(update, ctx, ctx.tr._("Unknown command {command}. See /help for what I can do.",
                                     command=command))


@named("group")
async def group_message(update: Update, ctx: BotContext) -> None:
    """In groups only commands reach a bot (privacy mode): point to the private chat."""
    username = ctx.bot.username
    await send(update, ctx, ctx.tr._(
        "I work in a private chat, to keep your data private. Write to me at @{bot}.",
        bot=username))


@named("stale-button")
async def stale_button(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx.tr._("This button is no longer valid. Press /start for the menu."),
                 alert=True)


async def on_error(update: object, ctx: BotContext) -> None:
    error = ctx.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        await ctx.repos.users.mark_blocked(update.effective_user.id)
        return
    log.error("error while handling an update: %r", error, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    tr = getattr(ctx, "tr", None) or ctx.services.catalogues.get(
        ctx.services.settings.default_language)
    try:
        await answer(update)
        await send(update, ctx, tr._("Sorry, something went wrong on our side. Please try "
                                     "again; what you entered so far is saved."))
    except Exception:  # the error may be that we cannot write at all
        log.warning("could not tell the user about the error")


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(
        filters.ChatType.GROUPS & (filters.COMMAND | filters.Entity("mention")), group_message))
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, route_input))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)
