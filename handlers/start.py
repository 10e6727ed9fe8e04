"""First conversation: /start (with deep links), role choice, the main menu, /help, /cancel."""
from __future__ import annotations

import dataclasses
import re
from typing import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain.roles import is_staff
from handlers import language
from handlers.base import BotContext, answer, keyboard, named, park_flow, show
from i18n import Translator
from storage.conversations import Conversation

PRIVATE = filters.ChatType.PRIVATE
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Deep-link payload prefix -> handler(update, ctx, rest of payload); features add theirs.
DEEP_LINKS: dict[str, Callable[[Update, BotContext, str], Awaitable[None]]] = {}
# flow -> what /cancel does in it (default: clear the conversation at once).
CANCEL_HOOKS: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {}
# Main-menu entries features fill in: callback_data -> label function. Order is the menu's.
MENU: list[tuple[str, Callable[[Translator], str]]] = [
    ("g:menu", lambda tr: tr._("📘 Certification guide")),
    ("req:menu", lambda tr: tr._("🔎 Look up a requirement")),
    ("apply:new", lambda tr: tr._("📝 Apply for certification")),
    ("my:list", lambda tr: tr._("📂 My applications")),
    ("lang:pick", lambda tr: tr._("🌐 Language")),
    ("help", lambda tr: tr._("❓ Help")),
]


def main_menu(tr: Translator, staff: bool = False):
    buttons = [(label(tr), data) for data, label in MENU]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if staff:  # their daily work one tap away (handlers.desk checks the role again)
        rows.append([(tr._("🗂 Application queue"), "st:q")])
    return keyboard(rows)


def menu_markup(ctx: BotContext):
    """The main menu for this user: staff get their queue in it too."""
    return main_menu(ctx.tr, is_staff(ctx.services.settings, ctx.user))


def menu_text(tr: Translator) -> str:
    return tr._("<b>Main menu</b>\nChoose what you need. You can come back here any time "
                "with /start.")


def back_to_menu(tr: Translator):
    return keyboard([[(tr._("⬅️ Main menu"), "menu")]])


@named("start")
async def start(update: Update, ctx: BotContext) -> None:
    payload = ctx.args[0] if ctx.args else ""
    if payload and not PAYLOAD.fullmatch(payload):
        payload = ""
    if payload:
        # Kept in the database so it survives the language and role questions.
        ctx.conv = Conversation(ctx.user.id, "start", "payload", {"payload": payload})
        await ctx.repos.conversations.save(ctx.conv, ctx.now())
    await continue_start(update, ctx)


async def continue_start(update: Update, ctx: BotContext) -> None:
    """Ask what is still unknown (language, then role), then open the deep link or menu."""
    if not ctx.language_known:
        await language.show_picker(update, ctx)
        return
    # ctx.user and ctx.conv were read for this update (and are kept current by the
    # handlers that change them): no second trip to the database.
    user, conv = ctx.user, ctx.conv
    if not user.role_chosen and not is_staff(ctx.services.settings, user):  # staff: no need
        await ask_role(update, ctx)
        return
    if conv and conv.flow == "start" and conv.data.get("payload"):
        await ctx.repos.conversations.clear(user.id)
        ctx.conv = None
        payload = conv.data["payload"]
        for prefix, opener in DEEP_LINKS.items():
            if payload.startswith(prefix):
                await opener(update, ctx, payload[len(prefix):])
                return
    await park_flow(ctx)
    await show(update, ctx, greeting(ctx) + "\n" + menu_text(ctx.tr), menu_markup(ctx))


def greeting(ctx: BotContext) -> str:
    return ctx.tr._("Hello, {name}!", name=ctx.user.first_name or "") if ctx.user else ""


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
    role = update.callback_query.data.split(":")[1]
    if role not in ("importer", "engineer"):
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update)
    await ctx.repos.users.set_role(ctx.user.id, role)
    ctx.user = dataclasses.replace(ctx.user, role=role, role_chosen=True)
    await continue_start(update, ctx)


@named("menu")
async def menu(update: Update, ctx: BotContext) -> None:
    await answer(update)
    if not ctx.language_known:
        await language.show_picker(update, ctx)
        return
    await park_flow(ctx)
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
    await answer(update)
    await show(update, ctx, help_text(ctx.tr), back_to_menu(ctx.tr))


@named("cancel")
async def cancel(update: Update, ctx: BotContext) -> None:
    hook = CANCEL_HOOKS.get(ctx.conv.flow) if ctx.conv else None
    if hook is not None:
        await hook(update, ctx)
        return
    if ctx.conv is None:
        text = ctx.tr._("There is nothing to cancel.")
    else:
        await ctx.repos.conversations.clear(ctx.user.id)
        text = ctx.tr._("Cancelled.")
    await show(update, ctx, text + "\n\n" + menu_text(ctx.tr), menu_markup(ctx))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(CommandHandler(["help"], help_command, filters=PRIVATE))
    app.add_handler(CommandHandler(["menu"], menu, filters=PRIVATE))
    app.add_handler(CommandHandler("cancel", cancel, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(choose_role, pattern=r"^role:"))
    app.add_handler(CallbackQueryHandler(menu, pattern=r"^menu$"))
    app.add_handler(CallbackQueryHandler(help_command, pattern=r"^help$"))
