"""Writing to the certification centre: about one's application (from its card, or
"Reply" under a staff member's answer) or a general question (main menu). Text, photos
and documents; each message goes to the centre at once, until "Done".

callback_data: ask:<application id, 0 for a general question>, ask:x done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler

from handlers import flows
from handlers.base import BotContext, answer, callback, message_of, named, send
from handlers.flows import Flow
from handlers.menu import menu_markup, menu_text
from handlers.registry import Registry
from services import threads
from services.keyboards import keyboard
from services.texts import clip

LIMIT = 3500    # characters of one message (a reply's header and the text fit in 4,096)
CAPTION = 900   # a file's caption travels as a caption (1,024)


class AskStep(StrEnum):
    WRITE = "write"


@dataclass
class AskState:
    app: int = 0  # 0: a general question


FLOW = Flow("ask", AskStep, AskState)


@named("ask:start")
async def start(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    app_id = int(ctx.matched())
    app = await ctx.repos.applications.get_owned(app_id, ctx.user.id) if app_id else None
    if app_id and (app is None or app.status == "draft"):
        await answer(update, ctx, tr._("Application not found."), alert=True)
        return
    await answer(update, ctx)
    await FLOW.go(ctx, AskStep.WRITE, AskState(app_id))
    if app is not None:
        text = tr._("✉️ Write to the certification centre about application {number}: text, "
                    "a photo or a document. The answer comes in this chat.", number=app.number)
    else:
        text = tr._("✉️ Write your question to the certification centre: text, a photo or a "
                    "document. The answer comes in this chat.")
    await send(update, ctx, text, keyboard([[(tr._("✖️ Cancel"), "ask:x")]]))


async def on_write(update: Update, ctx: BotContext, step: AskStep, state: AskState) -> None:
    tr = ctx.tr
    message = message_of(update)
    file_id = file_type = None
    if message.document is not None:
        file_id, file_type = message.document.file_id, "document"
    elif message.photo:
        file_id, file_type = message.photo[-1].file_id, "photo"
    text = " ".join((message.text or message.caption or "").split(" ")).strip()
    other_media = file_id is None and message.effective_attachment is not None
    if other_media or (not text and file_id is None):  # a video or voice would arrive bare
        await send(update, ctx, tr._("Please send text, a photo or a document."))
        return
    app = await ctx.repos.applications.get_owned(state.app, ctx.user.id) if state.app else None
    if state.app and app is None:  # erased or no longer theirs
        await flows.end(ctx)
        await send(update, ctx, tr._("Application not found.") + "\n\n" + menu_text(tr),
                   menu_markup(ctx))
        return
    thread = await threads.thread_of(ctx.services, app, ctx.user.id)
    await threads.ask(ctx.services, thread, ctx.user.id,
                      clip(text, CAPTION if file_id else LIMIT), file_id, file_type)
    await send(update, ctx, tr._("✅ Sent to the certification centre. The answer will come "
                                 "in this chat. You can write more, or press Done."),
               keyboard([[(tr._("✅ Done"), "ask:x")]]))


@named("ask:done")
async def done(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    if FLOW.at(ctx) is not None:
        await flows.end(ctx)
    await send(update, ctx, menu_text(ctx.tr), menu_markup(ctx))


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, menu_text(ctx.tr), menu_markup(ctx))


@named("ask:inspection")
async def inspection_answer(update: Update, ctx: BotContext) -> None:
    """The applicant's answer to a moved inspection: recorded in the case's conversation
    (staff see it, unanswered, in their language of work)."""
    tr = ctx.tr
    choice, app_id, at = ctx.matched(1), int(ctx.matched(2)), int(ctx.matched(3))
    app = await ctx.repos.applications.get_owned(app_id, ctx.user.id)
    if app is None or app.status != "inspection" or app.inspection_at != at:
        await answer(update, ctx, tr._("This time is no longer current: see the latest "
                                       "message about the inspection."), alert=True)
        return
    await answer(update, ctx)
    services = ctx.services
    desk = services.translator(services.settings.default_language)
    when = desk.datetime(datetime.fromtimestamp(at, tz=UTC))
    said = desk._("✅ Confirmed the inspection on {when}.", when=when) if choice == "ok" \
        else desk._("🕑 Asks for another time than {when}.", when=when)
    thread = await threads.thread_of(services, app, ctx.user.id)
    await threads.ask(services, thread, ctx.user.id, said)
    if choice == "ok":
        text = tr._("✅ Thank you: the centre knows you will come.")
    else:
        text = tr._("The centre will offer another time. You can write which times suit you:")
        await FLOW.go(ctx, AskStep.WRITE, AskState(app.id))
    await send(update, ctx, text, keyboard([[(tr._("✅ Done"), "ask:x")]])
               if choice != "ok" else None)


def register(registry: Registry) -> None:
    registry.flow(FLOW, {AskStep.WRITE: on_write}, on_cancel=on_cancel)
    registry.add(CallbackQueryHandler(start, pattern=callback(r"ask:(\d{1,12})")))
    registry.add(CallbackQueryHandler(done, pattern=callback("ask:x")))
    registry.add(CallbackQueryHandler(inspection_answer,
                                      pattern=callback(r"insp:(ok|no):(\d{1,12}):(\d{1,12})")))
    registry.menu_entry(55, "ask:0", lambda tr: tr._("✉️ Write to the centre"))
