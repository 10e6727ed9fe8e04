"""First conversation: /start (with deep links), language and role, the main menu, /help,
/cancel."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers import flows, language
from handlers.base import BotContext, answer, callback, named, show
from handlers.flows import Flow
from handlers.menu import menu_markup, menu_text
from handlers.registry import Registry
from i18n import LANGUAGES, Translator
from services.keyboards import keyboard

PRIVATE = filters.ChatType.PRIVATE
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


class StartStep(StrEnum):
    PAYLOAD = "payload"  # a deep link waiting for the language and role questions


@dataclass
class StartState:
    payload: str


FLOW = Flow("start", StartStep, StartState)


@named("start")
async def start(update: Update, ctx: BotContext) -> None:
    payload = ctx.args[0] if ctx.args else ""
    if payload and PAYLOAD.fullmatch(payload):
        # Kept in the database so it survives the language and role questions.
        await FLOW.go(ctx, StartStep.PAYLOAD, StartState(payload), message_id=None)
    await continue_start(update, ctx)


async def continue_start(update: Update, ctx: BotContext) -> None:
    """Ask what is still unknown (language, then role), then open the deep link or menu."""
    if not ctx.language_known:
        await language.show_picker(update, ctx)
        return
    # ctx.user and ctx.conv were read for this update (and are kept current by the
    # handlers that change them): no second trip to the database.
    user = ctx.user
    if not user.role_chosen and not ctx.is_staff:  # staff: no need to ask
        await ask_role(update, ctx)
        return
    position = FLOW.at(ctx)
    if position is not None:
        await flows.end(ctx)
        payload = position[1].payload
        for prefix, opener in ctx.registry.deep_links.items():
            if payload.startswith(prefix):
                await opener(update, ctx, payload[len(prefix):])
                return
    await flows.park(ctx)
    await show(update, ctx, greeting(ctx) + "\n" + menu_text(ctx.tr), menu_markup(ctx))


def greeting(ctx: BotContext) -> str:
    return ctx.tr._("Hello, {name}!", name=ctx.user.first_name or "") if ctx.has_user else ""


async def ask_role(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    text = tr._("Welcome to the assistant of the electric vehicle certification centre.\n\n"
                "I explain which conformity document your vehicle needs, which documents and "
                "tests it takes, accept applications and tell you when their status changes.\n\n"
                "<b>Who are you?</b>")
    await show(update, ctx, text, keyboard([
        [(tr._("🚗 Importer: I am bringing in a vehicle"), "role:importer")],
        [(tr._("🔧 Engineer: I check technical requirements"), "role:engineer")]]))


@named("role")
async def choose_role(update: Update, ctx: BotContext) -> None:
    role = ctx.matched()
    await answer(update, ctx)
    await ctx.repos.users.set_role(ctx.user.id, role)
    ctx.user = dataclasses.replace(ctx.user, role=role, role_chosen=True)
    await continue_start(update, ctx)


@named("language:set")
async def set_language(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await language.choose(update, ctx, ctx.matched())
    await continue_start(update, ctx)


@named("menu")
async def menu(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    if not ctx.language_known:
        await language.show_picker(update, ctx)
        return
    await flows.park(ctx)
    await show(update, ctx, menu_text(ctx.tr), menu_markup(ctx))


def help_text(tr: Translator) -> str:
    return tr._(
        "<b>What I can do</b>\n"
        "📘 /guide: answer a few questions and get your exact certification path, "
        "documents, tests and costs\n"
        "🔎 /req: look up a requirement (for example /req R100 or /req battery)\n"
        "📝 /apply: file an application; 📂 /my: follow its status, add documents\n"
        "🔐 /mydata: everything stored about you; /deletemydata: delete it\n"
        "🌐 /language: switch between Қазақша, Русский and 中文\n"
        "✖️ /cancel: stop what you are doing\n\n"
        "Facts marked «to be confirmed» are not settled yet: check them with the "
        "certification centre.")


@named("help")
async def help_command(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr  # "ask the centre" in the help: its card is one press away
    await show(update, ctx, help_text(tr), keyboard([[(tr._("📍 Contacts"), "centre"),
                                                      (tr._("⬅️ Main menu"), "menu")]]))


@named("cancel")
async def cancel(update: Update, ctx: BotContext) -> None:
    flow = ctx.registry.flows.get(ctx.conv.flow) if ctx.conv else None
    if flow is not None and flow.on_cancel is not None:
        await flow.on_cancel(update, ctx)
        return
    if ctx.conv is None:
        text = ctx.tr._("There is nothing to cancel.")
    else:
        await flows.end(ctx)
        text = ctx.tr._("Cancelled.")
    await show(update, ctx, text + "\n\n" + menu_text(ctx.tr), menu_markup(ctx))


def register(registry: Registry) -> None:
    registry.flow(FLOW)
    registry.add(CommandHandler("start", start, filters=PRIVATE))
    registry.add(CommandHandler(["help"], help_command, filters=PRIVATE))
    registry.add(CommandHandler(["menu"], menu, filters=PRIVATE))
    registry.add(CommandHandler("cancel", cancel, filters=PRIVATE))
    registry.add(CallbackQueryHandler(choose_role, pattern=callback(r"role:(importer|engineer)")))
    registry.add(CallbackQueryHandler(set_language,
                                      pattern=callback(f"lang:({'|'.join(LANGUAGES)})")))
    registry.add(CallbackQueryHandler(menu, pattern=callback("menu")))
    registry.add(CallbackQueryHandler(help_command, pattern=callback("help")))
    registry.menu_entry(60, "help", lambda tr: tr._("❓ Help"))
    registry.command(10, "start", lambda tr: tr._("Main menu"))
    registry.command(70, "help", lambda tr: tr._("What this bot can do"))
    registry.command(80, "cancel", lambda tr: tr._("Stop the current action"))
