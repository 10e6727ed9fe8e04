"""Everything no feature claimed: flow input routing, hints, refusals, and errors.

Registered last. A user never meets silence or a stack trace: unknown text
gets the lookup's nearest entries and the ways on (guide, estimate, lookup, the centre),
unsupported content a hint, a stale or forged button a polite
refusal, a group message a pointer to the private chat.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers import start
from handlers.base import BotContext, answer, message_of, named, send
from handlers.guards import staff_only
from handlers.lookup import label, options_rows
from handlers.menu import menu_markup, menu_text
from handlers.registry import Registry
from i18n import Translator, negotiate
from services.keyboards import Button, keyboard
from services.texts import clip
from storage.conversations import StaleConversation

log = logging.getLogger(__name__)
STAFF_PREFIXES = ("st", "x", "xp", "bs", "bc")  # a forged staff button meets the role check


@named("input")
async def route_input(update: Update, ctx: BotContext) -> None:
    if not ctx.language_known:
        await start.continue_start(update, ctx)
        return
    conv = ctx.conv
    flow = ctx.registry.flows.get(conv.flow) if conv and not conv.parked else None
    if flow is not None and await flow.dispatch(update, ctx):
        return
    message = message_of(update)
    for route in ctx.registry.text_routes if message.text else []:
        if await route(update, ctx):
            return
    if message.text:
        await offer_options(update, ctx, message.text)
        return
    tr = ctx.tr
    text = tr._("I can't use this kind of message here. Please send text or use the "
                "buttons below.")
    await send(update, ctx, text + "\n\n" + menu_text(tr), menu_markup(ctx))


SUGGESTIONS = 3
SUGGESTION_SCORE = 25  # of 100: a word or so of the text names the entry


async def offer_options(update: Update, ctx: BotContext, text: str) -> None:
    """Text nothing claimed: the lookup's nearest entries, the guide, the estimate, a new
    search and the centre, instead of "I did not understand"."""
    tr = ctx.tr
    near = ctx.services.library.index.search(text[:200], limit=SUGGESTIONS,
                                             minimum=SUGGESTION_SCORE)
    rows: list[list[Button]] = [[(label(m.entry.title[tr.language]), f"req:e:{m.entry.id}")]
                                for m in near]
    if near:
        reply = tr._("I'm not sure what you are looking for. Perhaps one of these entries, or "
                     "one of the ways below:")
    else:
        reply = tr._("I'm not sure what you are looking for. Here is where to find it: the "
                     "guide for your vehicle's path, the cost estimate, the requirement "
                     "lookup, or a question to the centre.")
    await send(update, ctx, reply, keyboard(rows + options_rows(ctx)))


@named("unknown-command")
async def unknown_command(update: Update, ctx: BotContext) -> None:
    command = (message_of(update).text or "").split()[0]
    await send(update, ctx, ctx.tr._("Unknown command {command}. See /help for what I can do.",
                                     command=clip(command, 64)))


@named("group")
async def group_message(update: Update, ctx: BotContext) -> None:
    """In groups only commands reach a bot (privacy mode): point to the private chat."""
    username = ctx.bot.username
    await send(update, ctx, ctx.tr._(
        "I work in a private chat, to keep your data private. Write to me at @{bot}.",
        bot=username))


@named("stale-button")
async def stale_button(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx, ctx.tr._("This button is no longer valid. Press /start for the "
                                       "menu."), alert=True)


@named("stale-staff-button")
@staff_only
async def stale_staff_button(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)


async def translator_for(update: Update, ctx: BotContext) -> Translator:
    """The user's language for an error reply: PTB gives error handlers a fresh context,
    without what the session loaded, so it is looked up again (the saved choice, else
    Telegram's language_code, else the default)."""
    user = update.effective_user
    language = None
    if user is not None:
        try:
            language = await ctx.repos.users.language_of(user.id)
        except Exception:  # the error may be the database itself
            log.warning("could not read the language of user %s", user.id)
        language = language or negotiate(user.language_code)
    return ctx.services.translator(language)


async def on_error(update: object, ctx: BotContext) -> None:
    error = ctx.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        await ctx.repos.users.mark_blocked(update.effective_user.id)
        return
    if isinstance(error, StaleConversation) and isinstance(update, Update):
        log.info("stale conversation of user %s: the update is dropped", error)
        tr = await translator_for(update, ctx)
        await answer(update, ctx, tr._("This button is no longer valid."))
        return
    log.error("error while handling an update: %r", error, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    tr = await translator_for(update, ctx)
    try:
        await answer(update, ctx)
        await send(update, ctx, tr._("Sorry, something went wrong on our side. Please try "
                                     "again; what you entered so far is saved."))
    except Exception:  # the error may be that we cannot write at all
        log.warning("could not tell the user about the error")


def register(registry: Registry) -> None:
    private = filters.ChatType.PRIVATE
    registry.add(MessageHandler(
        filters.ChatType.GROUPS & (filters.COMMAND | filters.Entity("mention")), group_message))
    registry.add(MessageHandler(private & filters.COMMAND, unknown_command))
    registry.add(MessageHandler(private & ~filters.StatusUpdate.ALL, route_input))
    registry.add(CallbackQueryHandler(stale_staff_button,
                                      pattern=f"^({'|'.join(STAFF_PREFIXES)}):"))
    registry.add(CallbackQueryHandler(stale_button))
    registry.on_error(on_error)
