"""Composing a broadcast (staff): a text per language, an optional photo or document, the
audience, a preview of each version with the recipient count, then send now or at a
chosen time.

callback_data: bs:skip (no text in this language / no attachment), bs:a:<kind>[:<value>]
audience, bs:now, bs:at, bs:paid, bs:x (drop the draft).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from telegram import Update

from domain.applications import OPEN
from domain.broadcast import Audience, text_for
from domain.dates import example_slot, format_when, parse_when
from handlers import flows, language
from handlers.base import BotContext, answer, chat_id, message_of, named, send, show
from handlers.flows import Flow
from handlers.guards import staff_only
from i18n import LANGUAGES
from services import application_texts as render
from services.keyboards import Button, keyboard
from services.texts import MESSAGE_LIMIT, visible_length


class ComposeStep(StrEnum):
    TEXT = "text"            # the text in `language`
    MEDIA = "media"          # a photo or document, or skip
    AUDIENCE = "audience"    # who receives it
    CONFIRM = "confirm"      # previews shown: now, at a time, paid mode, cancel
    WHEN = "when"            # the time, typed


@dataclass
class ComposeState:
    language: str = LANGUAGES[0]
    texts: dict[str, str] = field(default_factory=dict)
    media: dict[str, str] | None = None     # {"kind": photo|document, "file_id": …}
    audience: dict[str, Any] | None = None  # {"kind": …, "value": …}
    paid: bool = False


FLOW = Flow("broadcast", ComposeStep, ComposeState)


def language_name(ctx: BotContext, lang: str) -> str:
    return language.language_name(ctx.services.catalogues.get(lang))


def skip_row(ctx: BotContext) -> list[Button]:
    return [(ctx.tr._("⏭ Skip"), "bs:skip")]


def drop_row(ctx: BotContext) -> list[Button]:
    return [(ctx.tr._("✖️ Cancel"), "bs:x")]


async def ask_text(update: Update, ctx: BotContext, state: ComposeState) -> None:
    tr = ctx.tr
    note = tr._(" (required: users without their own language version get this one)") \
        if state.language == ctx.services.settings.default_language else ""
    await send(update, ctx, tr._("📣 New broadcast. Send the text in {language}{note}. "
                                 "Formatting (bold, links) is kept.",
                                 language=language_name(ctx, state.language), note=note),
               keyboard([skip_row(ctx), drop_row(ctx)]))


async def ask_media(update: Update, ctx: BotContext, state: ComposeState) -> None:
    await send(update, ctx, ctx.tr._("Attach a photo or a document? Send it, or skip."),
               keyboard([skip_row(ctx), drop_row(ctx)]))


async def ask_audience(update: Update, ctx: BotContext, state: ComposeState) -> None:
    tr = ctx.tr
    rows: list[list[Button]] = [
        [(tr._("Everyone"), "bs:a:all")],
        [(tr._("Importers"), "bs:a:importer"), (tr._("Engineers"), "bs:a:engineer")],
        [(language_name(ctx, lang), f"bs:a:language:{lang}") for lang in LANGUAGES]]
    rows += [[(tr._("Applicants: {status}", status=render.status_label(tr, s)),
               f"bs:a:status:{s}")] for s in OPEN]
    await send(update, ctx, tr._("Who receives it?"), keyboard(rows + [drop_row(ctx)]))


async def ask_confirm(update: Update, ctx: BotContext, state: ComposeState) -> None:
    """Each language version as recipients will see it, the count, and the choices."""
    tr, settings = ctx.tr, ctx.services.settings
    for lang in LANGUAGES:
        head = tr._("Preview for {language}:", language=language_name(ctx, lang))
        text = text_for(state.texts, lang, settings.default_language)
        together = f"<i>{head}</i>\n\n{text}"
        if visible_length(together) <= MESSAGE_LIMIT:
            await send(update, ctx, together)
        else:  # the text takes a whole message, as it will for the recipients
            await send(update, ctx, f"<i>{head}</i>")
            await send(update, ctx, text)
    count = await ctx.repos.broadcasts.count_audience(Audience(**(state.audience or {})))
    rows = [[(tr._("📤 Send now"), "bs:now"), (tr._("🕐 At a set time"), "bs:at")]]
    if settings.paid_broadcast:
        label = tr._("💰 Paid fast mode: on") if state.paid else tr._("💰 Paid fast mode: off")
        rows.append([(label, "bs:paid")])
    rows.append(drop_row(ctx))
    await send(update, ctx, tr.ngettext("{n} recipient. Send it?", "{n} recipients. Send it?",
                                        count), keyboard(rows))


async def ask_when(update: Update, ctx: BotContext, state: ComposeState) -> None:
    await send(update, ctx, ctx.tr._("Send at what time, Almaty, as DD.MM.YYYY HH:MM?"),
               keyboard([drop_row(ctx)]))


ASKERS: dict[ComposeStep, Callable[[Update, BotContext, ComposeState], Awaitable[None]]] = {
    ComposeStep.TEXT: ask_text, ComposeStep.MEDIA: ask_media,
    ComposeStep.AUDIENCE: ask_audience, ComposeStep.CONFIRM: ask_confirm,
    ComposeStep.WHEN: ask_when,
}


async def ask(update: Update, ctx: BotContext, step: ComposeStep, state: ComposeState) -> None:
    await FLOW.go(ctx, step, state, message_id=None)
    await ASKERS[step](update, ctx, state)


@named("broadcast:new")
@staff_only
async def new(update: Update, ctx: BotContext) -> None:
    await ask(update, ctx, ComposeStep.TEXT, ComposeState())


async def after_text(update: Update, ctx: BotContext, state: ComposeState) -> None:
    """The next language's text; once all are asked, the default one must be there."""
    index = LANGUAGES.index(state.language)
    if index + 1 < len(LANGUAGES):
        state.language = LANGUAGES[index + 1]
        await ask(update, ctx, ComposeStep.TEXT, state)
        return
    default = ctx.services.settings.default_language
    if default not in state.texts:
        await send(update, ctx, ctx.tr._("The {language} text is required: it is what everyone "
                                         "without their own version gets.",
                                         language=language_name(ctx, default)))
        state.language = default
        await ask(update, ctx, ComposeStep.TEXT, state)
        return
    await ask(update, ctx, ComposeStep.MEDIA, state)


# --- typed or sent input, by step (the table is in register) ---------------------------------

@staff_only
async def on_text(update: Update, ctx: BotContext, step: ComposeStep, state: ComposeState
                  ) -> None:
    message = message_of(update)
    if not message.text:
        await send(update, ctx, ctx.tr._("Please send the text as a message."))
        return
    state.texts[state.language] = message.text_html
    await after_text(update, ctx, state)


@staff_only
async def on_media(update: Update, ctx: BotContext, step: ComposeStep, state: ComposeState
                   ) -> None:
    message, tr = message_of(update), ctx.tr
    if message.photo:
        state.media = {"kind": "photo", "file_id": message.photo[-1].file_id}
    elif message.document:
        state.media = {"kind": "document", "file_id": message.document.file_id}
    else:
        await send(update, ctx, tr._("Please send a photo or a document, or press Skip."))
        return
    too_long = [lang for lang, text in state.texts.items() if len(text) > 1024]
    if too_long:
        await send(update, ctx, tr._("With an attachment the text is a caption, at most 1024 "
                                     "characters; the {language} text is longer. Send it "
                                     "again, shorter.", language=language_name(
                                         ctx, too_long[0])))
        state.media, state.language = None, too_long[0]
        await ask(update, ctx, ComposeStep.TEXT, state)
        return
    await ask(update, ctx, ComposeStep.AUDIENCE, state)


@staff_only
async def on_when(update: Update, ctx: BotContext, step: ComposeStep, state: ComposeState
                  ) -> None:
    when = parse_when(message_of(update).text or "", ctx.tr.tz)
    if when is None or when.timestamp() <= ctx.now():
        example = format_when(example_slot(ctx.services.clock.now(), ctx.tr.tz), ctx.tr.tz)
        await send(update, ctx, ctx.tr._("Please give a future date and time as DD.MM.YYYY "
                                         "HH:MM, for example {example}.", example=example))
        return
    await create(update, ctx, state, int(when.timestamp()))


@staff_only
async def use_buttons(update: Update, ctx: BotContext, step: ComposeStep, state: ComposeState
                      ) -> None:
    await send(update, ctx, render.error_text(ctx.tr, "use_buttons"))


# --- buttons -----------------------------------------------------------------------------

@named("broadcast:skip")
@staff_only
async def skip(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    position = FLOW.at(ctx)
    if position is None:
        return
    step, state = position
    if step is ComposeStep.TEXT:
        await after_text(update, ctx, state)
    elif step is ComposeStep.MEDIA:
        await ask(update, ctx, ComposeStep.AUDIENCE, state)


@named("broadcast:audience")
@staff_only
async def choose_audience(update: Update, ctx: BotContext) -> None:
    audience = Audience(ctx.matched(1), ctx.matched(2) or None)
    position = FLOW.at(ctx)
    if position is None or not audience.valid():
        await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update, ctx)
    state = position[1]
    state.audience = {"kind": audience.kind, "value": audience.value}
    await ask(update, ctx, ComposeStep.CONFIRM, state)


@named("broadcast:confirm")
@staff_only
async def confirm(update: Update, ctx: BotContext) -> None:
    choice, position = ctx.matched(), FLOW.at(ctx)
    if position is None or position[0] is not ComposeStep.CONFIRM:
        await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)
        return
    await answer(update, ctx)
    state = position[1]
    if choice == "paid" and ctx.services.settings.paid_broadcast:
        state.paid = not state.paid
        await ask(update, ctx, ComposeStep.CONFIRM, state)
    elif choice == "at":
        await ask(update, ctx, ComposeStep.WHEN, state)
    elif choice == "now":
        await create(update, ctx, state, ctx.now())


async def create(update: Update, ctx: BotContext, state: ComposeState, at: int) -> None:
    media = state.media or {}
    broadcast = await ctx.repos.broadcasts.create(
        ctx.user.id, state.texts, media.get("kind"), media.get("file_id"),
        Audience(**(state.audience or {})), state.paid, at, ctx.now(), chat_id(update))
    await flows.end(ctx)
    tr = ctx.tr
    if at > ctx.now():
        when = tr.datetime(datetime.fromtimestamp(at, tz=UTC))
        await send(update, ctx, tr._("🕐 Broadcast #{id} will go out on {when} (Almaty time).",
                                     id=str(broadcast.id), when=when),
                   keyboard([[(tr._("✖️ Cancel"), f"bc:c:{broadcast.id}")]]))
        return
    if ctx.services.broadcasts is not None:
        await ctx.services.broadcasts.tick()  # starts it now; progress follows


@named("broadcast:drop")
@staff_only
async def drop(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    if FLOW.at(ctx) is not None:
        await flows.end(ctx)
    await show(update, ctx, ctx.tr._("Cancelled."))


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, ctx.tr._("Cancelled."))
