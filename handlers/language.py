"""Language: the picker, /language, and the command menu in each language.

Commands are set per language once at start-up; after a user switches inside
the bot (which Telegram's client language doesn't know), they are also set for
that chat, so the menu button speaks the chosen language.
"""
from __future__ import annotations

import dataclasses
import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain.roles import is_staff
from handlers.base import BotContext, answer, keyboard, named, show
from i18n import LANGUAGES, Catalogues, Translator

log = logging.getLogger(__name__)


def language_name(tr: Translator) -> str:
    # TRANSLATORS: the name of your language, written in it (Қазақша, Русский, 中文).
    return tr._("English")


def picker_markup(catalogues: Catalogues):
    return keyboard([[(language_name(tr), f"lang:{tr.language}") for tr in catalogues.all()]])


def picker_text(catalogues: Catalogues) -> str:
    """The picker speaks every language at once: we don't know the user's yet."""
    return "\n".join(tr._("Choose your language:") for tr in catalogues.all())


async def show_picker(update: Update, ctx: BotContext) -> None:
    await answer(update)
    catalogues = ctx.services.catalogues
    await show(update, ctx, picker_text(catalogues), picker_markup(catalogues))


@named("language")
async def language_command(update: Update, ctx: BotContext) -> None:
    await show_picker(update, ctx)


@named("language:set")
async def set_language(update: Update, ctx: BotContext) -> None:
    code = update.callback_query.data.split(":")[1]
    if code not in LANGUAGES:
        await show_picker(update, ctx)
        return
    await answer(update)
    await ctx.repos.users.set_language(ctx.user.id, code)
    ctx.user = dataclasses.replace(ctx.user, language=code)
    ctx.tr = ctx.services.catalogues.get(code)
    ctx.language_known = True
    staff = is_staff(ctx.services.settings, ctx.user)
    await ctx.bot.set_my_commands(commands(ctx.tr, staff),
                                  scope=BotCommandScopeChat(update.effective_chat.id))
    from handlers import start  # start imports this module for the picker
    await start.continue_start(update, ctx)


def commands(tr: Translator, staff: bool = False) -> list[BotCommand]:
    """The command menu; staff see their tools too (set only in their chats)."""
    extra = [BotCommand("queue", tr._("Staff: the application queue")),
             BotCommand("app", tr._("Staff: open an application, /app EV-2026-000001")),
             BotCommand("export", tr._("Staff: export applications (CSV, Excel)")),
             BotCommand("broadcast", tr._("Staff: send an announcement")),
             BotCommand("broadcasts", tr._("Staff: recent announcements"))] if staff else []
    return extra + [BotCommand("start", tr._("Main menu")),
            BotCommand("guide", tr._("Which certification my vehicle needs")),
            BotCommand("req", tr._("Look up a requirement: /req R100")),
            BotCommand("apply", tr._("Apply for certification")),
            BotCommand("my", tr._("My applications and their status")),
            BotCommand("language", tr._("Change language")),
            BotCommand("help", tr._("What this bot can do")),
            BotCommand("cancel", tr._("Stop the current action"))]


async def publish_commands(app: Application) -> None:
    """Menu commands and descriptions for each language, and the default language's for others."""
    services = app.bot_data["services"]
    bot = app.bot
    for tr in services.catalogues.all():
        await bot.set_my_commands(commands(tr), language_code=tr.language)
        await bot.set_my_description(description(tr), language_code=tr.language)
        await bot.set_my_short_description(short_description(tr), language_code=tr.language)
    default = services.catalogues.get(services.settings.default_language)
    await bot.set_my_commands(commands(default))
    await bot.set_my_description(description(default))
    await bot.set_my_short_description(short_description(default))


def description(tr: Translator) -> str:
    return tr._("Assistant of Kazakhstan's electric vehicle certification centre: which "
                "conformity document your EV needs (SBKTS or OTTS), documents, tests and costs; "
                "applications and their status. Қазақша · Русский · 中文.")


def short_description(tr: Translator) -> str:
    return tr._("EV certification in Kazakhstan: requirements, applications, status.")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(language_command, pattern=r"^lang:pick$"))
    app.add_handler(CallbackQueryHandler(set_language, pattern=r"^lang:"))
