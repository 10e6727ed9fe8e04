"""Composing broadcasts (staff): a text per language, an optional photo or document, the
audience, a preview of each version with the recipient count, then send now or at a
chosen time. Also the controls (pause, resume, cancel) and the list of past ones.

callback_data: bs:skip (no text in this language / no attachment), bs:a:<kind>[:<value>]
audience, bs:now, bs:at, bs:paid, bs:x (drop the draft); bc:p|r|c:<id> pause, resume,
cancel a broadcast.
"""
from __future__ import annotations

from datetime import datetime, timezone

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain.applications import OPEN
from domain.broadcast import Audience, text_for
from handlers import application_render as render
from handlers import fallback, language, start
from handlers.base import BotContext, answer, keyboard, named, send, show
from handlers.desk import parse_when, staff_only
from i18n import LANGUAGES
from jobs.broadcast import control_markup, progress_text
from storage.conversations import Conversation

FLOW = "broadcast"


async def save(ctx: BotContext, step: str, data: dict) -> None:
    conv = Conversation(ctx.user.id, FLOW, step, data)
    await ctx.repos.conversations.save(conv, ctx.now())
    ctx.conv = conv


def language_name(ctx: BotContext, lang: str) -> str:
    return language.language_name(ctx.services.catalogues.get(lang))


async def ask(update: Update, ctx: BotContext, step: str, data: dict) -> None:
    await save(ctx, step, data)
    tr = ctx.tr
    skip = [(tr._("⏭ Skip"), "bs:skip")]
    drop = [(tr._("✖️ Cancel"), "bs:x")]
    if step.startswith("text:"):
        lang = step.split(":")[1]
        note = tr._(" (required: users without their own language version get this one)") \
            if lang == ctx.services.settings.default_language else ""
        await send(update, ctx, tr._("📣 New broadcast. Send the text in {language}{note}. "
                                     "Formatting (bold, links) is kept.",
                                     language=language_name(ctx, lang), note=note),
                   keyboard([skip, drop]))
    elif step == "media":
        await send(update, ctx, tr._("Attach a photo or a document? Send it, or skip."),
                   keyboard([skip, drop]))
    elif step == "audience":
        rows = [[(tr._("Everyone"), "bs:a:all")],
                [(tr._("Importers"), "bs:a:importer"), (tr._("Engineers"), "bs:a:engineer")],
                [(language_name(ctx, lang), f"bs:a:language:{lang}") for lang in LANGUAGES]]
        rows += [[(tr._("Applicants: {status}", status=render.status_label(tr, s)),
                   f"bs:a:status:{s}")] for s in OPEN]
        await send(update, ctx, tr._("Who receives it?"), keyboard(rows + [drop]))
    elif step == "when":
        await send(update, ctx, tr._("Send at what time, Almaty, as DD.MM.YYYY HH:MM?"),
                   keyboard([drop]))


@named("broadcast:new")
async def new(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await ask(update, ctx, f"text:{LANGUAGES[0]}", {"texts": {}, "paid": False})


async def next_text_step(update: Update, ctx: BotContext, data: dict, lang: str) -> None:
    index = LANGUAGES.index(lang)
    if index + 1 < len(LANGUAGES):
        await ask(update, ctx, f"text:{LANGUAGES[index + 1]}", data)
        return
    default = ctx.services.settings.default_language
    if default not in data["texts"]:
        await send(update, ctx, ctx.tr._("The {language} text is required: it is what everyone "
                                         "without their own version gets.",
                                         language=language_name(ctx, default)))
        await ask(update, ctx, f"text:{default}", data)
        return
    await ask(update, ctx, "media", data)


async def on_input(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        await ctx.repos.conversations.clear(ctx.user.id)
        return
    step, data, message, tr = ctx.conv.step, ctx.conv.data, update.effective_message, ctx.tr
    if step.startswith("text:"):
        if not message.text:
            await send(update, ctx, tr._("Please send the text as a message."))
            return
        data["texts"][step.split(":")[1]] = message.text_html
        await next_text_step(update, ctx, data, step.split(":")[1])
    elif step == "media":
        if message.photo:
            data["media"] = {"kind": "photo", "file_id": message.photo[-1].file_id}
        elif message.document:
            data["media"] = {"kind": "document", "file_id": message.document.file_id}
        else:
            await send(update, ctx, tr._("Please send a photo or a document, or press Skip."))
            return
        too_long = [lang for lang, text in data["texts"].items() if len(text) > 1024]
        if too_long:
            await send(update, ctx, tr._("With an attachment the text is a caption, at most 1024 "
                                         "characters; the {language} text is longer. Send it "
                                         "again, shorter.", language=language_name(
                                             ctx, too_long[0])))
            data.pop("media")
            await ask(update, ctx, f"text:{too_long[0]}", data)
            return
        await ask(update, ctx, "audience", data)
    elif step == "when":
        when = parse_when(message.text or "", tr.tz)
        if when is None or when.timestamp() <= ctx.now():
            await send(update, ctx, tr._("Please give a future date and time as DD.MM.YYYY HH:MM, "
                                         "for example 28.11.2026 10:30."))
            return
        await create(update, ctx, data, int(when.timestamp()))
    else:
        await send(update, ctx, render.error_text(tr, "use_buttons"))


@named("broadcast:skip")
async def skip(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await answer(update)
    conv = ctx.conv
    if not conv or conv.flow != FLOW:
        return
    if conv.step.startswith("text:"):
        await next_text_step(update, ctx, conv.data, conv.step.split(":")[1])
    elif conv.step == "media":
        await ask(update, ctx, "audience", conv.data)


@named("broadcast:audience")
async def choose_audience(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    parts = update.callback_query.data.split(":")
    audience = Audience(parts[2], parts[3] if len(parts) > 3 else None)
    conv = ctx.conv
    if not conv or conv.flow != FLOW or not audience.valid():
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update)
    conv.data["audience"] = {"kind": audience.kind, "value": audience.value}
    await preview(update, ctx, conv.data)


async def preview(update: Update, ctx: BotContext, data: dict) -> None:
    """Each language version as recipients will see it, the count, and the choices."""
    await save(ctx, "confirm", data)
    tr, settings = ctx.tr, ctx.services.settings
    for lang in LANGUAGES:
        text = text_for(data["texts"], lang, settings.default_language)
        head = tr._("Preview for {language}:", language=language_name(ctx, lang))
        await send(update, ctx, f"<i>{head}</i>\n\n{text}")
    audience = Audience(**data["audience"])
    count = await ctx.repos.broadcasts.count_audience(audience)
    rows = [[(tr._("📤 Send now"), "bs:now"), (tr._("🕐 At a set time"), "bs:at")]]
    if settings.paid_broadcast:
        label = tr._("💰 Paid fast mode: on") if data.get("paid") else tr._(
            "💰 Paid fast mode: off")
        rows.append([(label, "bs:paid")])
    rows.append([(tr._("✖️ Cancel"), "bs:x")])
    await send(update, ctx, tr.ngettext("{n} recipient. Send it?", "{n} recipients. Send it?",
                                        count), keyboard(rows))


@named("broadcast:confirm")
async def confirm(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    conv, choice = ctx.conv, update.callback_query.data
    if not conv or conv.flow != FLOW or conv.step != "confirm":
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update)
    if choice == "bs:paid" and ctx.services.settings.paid_broadcast:
        conv.data["paid"] = not conv.data.get("paid")
        await preview(update, ctx, conv.data)
    elif choice == "bs:at":
        await ask(update, ctx, "when", conv.data)
    elif choice == "bs:now":
        await create(update, ctx, conv.data, ctx.now())


async def create(update: Update, ctx: BotContext, data: dict, at: int) -> None:
    media = data.get("media") or {}
    broadcast = await ctx.repos.broadcasts.create(
        ctx.user.id, data["texts"], media.get("kind"), media.get("file_id"),
        Audience(**data["audience"]), bool(data.get("paid")), at, ctx.now(),
        update.effective_chat.id)
    await ctx.repos.conversations.clear(ctx.user.id)
    tr = ctx.tr
    if at > ctx.now():
        when = tr.datetime(datetime.fromtimestamp(at, tz=timezone.utc))
        await send(update, ctx, tr._("🕐 Broadcast #{id} will go out on {when} (Almaty time).",
                                     id=str(broadcast.id), when=when),
                   keyboard([[(tr._("✖️ Cancel"), f"bc:c:{broadcast.id}")]]))
        return
    await ctx.application.bot_data["broadcasts"].tick()  # starts it now; progress follows


@named("broadcast:drop")
async def drop(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await answer(update)
    await ctx.repos.conversations.clear(ctx.user.id)
    await show(update, ctx, ctx.tr._("Cancelled."))


@named("broadcast:control")
async def control(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    parts = update.callback_query.data.split(":")
    sender = ctx.application.bot_data["broadcasts"]
    action = {"p": sender.pause, "r": sender.resume, "c": sender.cancel}.get(parts[1])
    broadcast_id = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0
    if action is None or not await action(broadcast_id):
        await answer(update, ctx.tr._("The broadcast is not in a state for that any more."))
        return
    await answer(update)
    broadcast = await ctx.repos.broadcasts.get(broadcast_id)
    figures = await ctx.repos.broadcasts.figures(broadcast_id)
    await show(update, ctx, progress_text(ctx.tr, broadcast, figures, 0),
               control_markup(ctx.tr, broadcast))


@named("broadcasts")
async def history(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    tr, repos = ctx.tr, ctx.repos.broadcasts
    lines = [tr._("<b>Recent broadcasts</b>")]
    for broadcast in await repos.recent():
        lines.append("")
        lines.append(progress_text(tr, broadcast, await repos.figures(broadcast.id), 0))
    if len(lines) == 1:
        lines.append(tr._("None yet. /broadcast composes one."))
    await send(update, ctx, "\n".join(lines))


async def cancel_hook(update: Update, ctx: BotContext) -> None:
    await ctx.repos.conversations.clear(ctx.user.id)
    await send(update, ctx, ctx.tr._("Cancelled."))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("broadcast", new, filters=private))
    app.add_handler(CommandHandler("broadcasts", history, filters=private))
    app.add_handler(CallbackQueryHandler(skip, pattern=r"^bs:skip$"))
    app.add_handler(CallbackQueryHandler(choose_audience, pattern=r"^bs:a:"))
    app.add_handler(CallbackQueryHandler(confirm, pattern=r"^bs:(now|at|paid)$"))
    app.add_handler(CallbackQueryHandler(drop, pattern=r"^bs:x$"))
    app.add_handler(CallbackQueryHandler(control, pattern=r"^bc:"))
    fallback.FLOW_INPUT[FLOW] = on_input
    start.CANCEL_HOOKS[FLOW] = cancel_hook
