"""Language: the picker, /language, and the command menu in each language.

Commands are set per language once at start-up; after a user switches inside
the bot (which Telegram's client language doesn't know), they are also set for
that chat, so the menu button speaks the chosen language.
"""
from __future__ import annotations

import dataclasses
import logging

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from apibot import App
from handlers.base import BotContext, answer, callback, chat_id, named, show
from handlers.registry import Registry
from i18n import LANGUAGES, Catalogues, Translator
from services.container import Services
from services.keyboards import keyboard

log = logging.getLogger(__name__)


def language_name(tr: Translator) -> str:
    # TRANSLATORS: the name of your language, written in it (Қазақша, Русский, 中文).
    return tr._("English")


def picker_markup(catalogues: Catalogues) -> InlineKeyboardMarkup:
    return keyboard([[(language_name(tr), f"lang:{tr.language}") for tr in catalogues.all()]])


def picker_text(catalogues: Catalogues) -> str:
    """The picker speaks every language at once: we don't know the user's yet."""
    return "\n".join(tr._("Choose your language:") for tr in catalogues.all())


async def show_picker(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    catalogues = ctx.services.catalogues
    await show(update, ctx, picker_text(catalogues), picker_markup(catalogues))


@named("language")
async def language_command(update: Update, ctx: BotContext) -> None:
    await show_picker(update, ctx)


async def choose(update: Update, ctx: BotContext, code: str) -> None:
    """Save the user's language and give their chat the command menu in it."""
    await ctx.repos.users.set_language(ctx.user.id, code)
    ctx.user = dataclasses.replace(ctx.user, language=code)
    ctx.tr = ctx.services.catalogues.get(code)
    ctx.language_known = True
    await ctx.bot.set_my_commands(ctx.registry.bot_commands(ctx.tr, ctx.is_staff),
                                  scope=BotCommandScopeChat(chat_id(update)))


async def publish_commands(app: App, registry: Registry, services: Services) -> None:
    """Menu commands and descriptions for each language, and the default language's for
    others."""
    bot = app.bot
    for tr in services.catalogues.all():
        await bot.set_my_commands(registry.bot_commands(tr), language_code=tr.language)
        await bot.set_my_description(description(tr), language_code=tr.language)
        await bot.set_my_short_description(short_description(tr), language_code=tr.language)
    default = services.translator(None)
    await bot.set_my_commands(registry.bot_commands(default))
    await bot.set_my_description(description(default))
    await bot.set_my_short_description(short_description(default))


def description(tr: Translator) -> str:
    return tr._("Assistant of Kazakhstan's electric vehicle certification centre: which "
                "conformity document your EV needs (SBKTS or OTTS), documents, tests and costs; "
                "applications and their status. Қазақша · Русский · 中文.")


def short_description(tr: Translator) -> str:
    return tr._("EV certification in Kazakhstan: requirements, applications, status.")


def register(registry: Registry) -> None:
    registry.add(CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE))
    registry.add(CallbackQueryHandler(language_command, pattern=callback("lang:pick")))
    # Any other lang: data (a forged or outdated language): the picker again.
    registry.add(CallbackQueryHandler(language_command,
                                      pattern=f"^lang:(?!({'|'.join(LANGUAGES)})$)"))
    registry.menu_entry(50, "lang:pick", lambda tr: tr._("🌐 Language"))
    registry.command(60, "language", lambda tr: tr._("Change language"))
