"""Staff's side of the conversations: a thread with its messages and notes, replying
(typed, a file, or a canned reply in the applicant's language), internal notes, taking,
assigning and releasing a case, "my cases" and the unanswered threads, oldest first.

callback_data: st:th:<thread> the conversation, st:r:<thread> reply, st:n:<thread> note,
st:cn:<thread>:<key> a canned reply's preview, st:cs:<thread>:<key> send it,
st:as:<thread>:<new owner, 0 = nobody>:<owner seen, 0 = nobody> (compare-and-set),
st:al:<thread> pick a colleague, st:my my cases, st:u:<page> unanswered.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from telegram import Update

from domain.applications import Application
from domain.threads import Thread
from handlers import flows
from handlers.base import BotContext, answer, message_of, named, send, show
from handlers.flows import Flow
from handlers.guards import staff_only
from services import application_texts as render
from services import canned, desk_texts, threads
from services.keyboards import Button, keyboard
from services.texts import clip

LIMIT = 3500
CAPTION = 900
PAGE = 8


class MessageStep(StrEnum):
    REPLY = "reply"   # what to send the applicant
    NOTE = "note"     # an internal note


@dataclass
class MessageState:
    thread: int


FLOW = Flow("desk_message", MessageStep, MessageState)


async def load(ctx: BotContext, thread_id: int) -> tuple[Thread, Application | None] | None:
    thread = await ctx.repos.threads.get(thread_id)
    if thread is None:
        return None
    app = await ctx.repos.applications.get(thread.application_id) \
        if thread.application_id else None
    return thread, app


async def not_found(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx, ctx.tr._("Conversation not found."), alert=True)


async def pressed_thread(update: Update, ctx: BotContext
                         ) -> tuple[Thread, Application | None] | None:
    """The conversation a button names, its press answered; None (told) if it is gone."""
    found = await load(ctx, int(ctx.matched()))
    if found is None:
        await not_found(update, ctx)
        return None
    await answer(update, ctx)
    return found


def owner_buttons(ctx: BotContext, thread: Thread) -> list[Button]:
    tr, me, owner = ctx.tr, ctx.user.id, thread.assignee_id or 0
    row: list[Button] = []
    if owner != me:
        row.append((tr._("🙋 Take"), f"st:as:{thread.id}:{me}:{owner}"))
    if owner:
        row.append((tr._("↩️ Release"), f"st:as:{thread.id}:0:{owner}"))
    row.append((tr._("👥 Hand over"), f"st:al:{thread.id}"))
    return row


async def show_thread(update: Update, ctx: BotContext, thread: Thread,
                      app: Application | None, fresh: bool = False) -> None:
    tr, repos = ctx.tr, ctx.repos
    messages = await repos.threads.messages(thread.id, desk_texts.SHOWN)
    total = len(await repos.threads.messages(thread.id))
    text = await desk_texts.thread_text(ctx.services, tr, thread, app, messages, total)
    rows: list[list[Button]] = []
    if thread.user_id is not None:
        rows.append([(tr._("✍️ Reply"), f"st:r:{thread.id}"),
                     (tr._("🔒 Note"), f"st:n:{thread.id}")])
    else:
        rows.append([(tr._("🔒 Note"), f"st:n:{thread.id}")])
    rows.append(owner_buttons(ctx, thread))
    back = (tr._("⬅️ Application"), f"st:v:{app.id}") if app else (tr._("⬅️ Queue"), "st:q")
    rows.append([back])
    await (send if fresh else show)(update, ctx, text, keyboard(rows))


@named("desk:thread")
@staff_only
async def thread_view(update: Update, ctx: BotContext) -> None:
    found = await pressed_thread(update, ctx)
    if found is None:
        return
    if FLOW.at(ctx) is not None:  # "Cancel" on a reply or note lands here
        await flows.end(ctx)
    await show_thread(update, ctx, *found)


@named("desk:reply")
@staff_only
async def reply_start(update: Update, ctx: BotContext) -> None:
    found = await load(ctx, int(ctx.matched()))
    if found is None or found[0].user_id is None:
        await not_found(update, ctx)
        return
    await answer(update, ctx)
    thread, app = found
    tr = ctx.tr
    applicant = await ctx.repos.users.get(thread.user_id or 0)
    language = desk_texts.language_label(ctx.services, applicant.language if applicant else None)
    await FLOW.go(ctx, MessageStep.REPLY, MessageState(thread.id))
    text = tr._("✍️ Reply to the applicant. They read {language}: what you type goes as "
                "written; a canned reply goes in their language. Send text, a photo or a "
                "document, or pick a canned reply.", language=language)
    options = [(c.title.get(tr.language) or c.title["ru"], f"st:cn:{thread.id}:{c.key}")
               for c in canned.replies(ctx.services)]
    rows = [options[i:i + 2] for i in range(0, len(options), 2)]
    rows.append([(tr._("✖️ Cancel"), f"st:th:{thread.id}")])
    await send(update, ctx, text, keyboard(rows))


@named("desk:note")
@staff_only
async def note_start(update: Update, ctx: BotContext) -> None:
    found = await pressed_thread(update, ctx)
    if found is None:
        return
    thread = found[0]
    await FLOW.go(ctx, MessageStep.NOTE, MessageState(thread.id))
    await send(update, ctx, ctx.tr._("🔒 Type an internal note: only staff see it, never the "
                                     "applicant."),
               keyboard([[(ctx.tr._("✖️ Cancel"), f"st:th:{thread.id}")]]))


@staff_only
async def on_message(update: Update, ctx: BotContext, step: MessageStep,
                     state: MessageState) -> None:
    tr = ctx.tr
    found = await load(ctx, state.thread)
    if found is None:
        await flows.end(ctx)
        await send(update, ctx, tr._("Conversation not found."))
        return
    thread, app = found
    message = message_of(update)
    file_id = file_type = None
    if step is MessageStep.REPLY and message.document is not None:
        file_id, file_type = message.document.file_id, "document"
    elif step is MessageStep.REPLY and message.photo:
        file_id, file_type = message.photo[-1].file_id, "photo"
    text = (message.text or message.caption or "").strip()
    if not text and file_id is None:
        await send(update, ctx, tr._("Please type it as text.") if step is MessageStep.NOTE
                   else tr._("Please send text, a photo or a document."))
        return
    await flows.end(ctx)
    if step is MessageStep.NOTE:
        await threads.note(ctx.services, thread, ctx.user.id, clip(text, LIMIT))
        done = tr._("🔒 Note saved. The applicant does not see it.")
    else:
        await threads.reply(ctx.services, thread, ctx.user.id,
                            clip(text, CAPTION if file_id else LIMIT), file_id, file_type)
        done = tr._("✅ Sent to the applicant.")
    await send(update, ctx, done)
    fresh = await ctx.repos.threads.get(thread.id) or thread
    await show_thread(update, ctx, fresh, app, fresh=True)


@named("desk:canned")
@staff_only
async def canned_preview(update: Update, ctx: BotContext) -> None:
    found = await load(ctx, int(ctx.matched(1)))
    reply = canned.find(ctx.services, ctx.matched(2))
    if found is None or found[0].user_id is None or reply is None:
        await not_found(update, ctx)
        return
    await answer(update, ctx)
    thread = found[0]
    tr = ctx.tr
    applicant = await ctx.repos.users.get(thread.user_id or 0)
    language = applicant.language if applicant else None
    text = tr._("The applicant will receive ({language}):",
                language=desk_texts.language_label(ctx.services, language)) + "\n\n" + \
        reply.in_language(language, ctx.services.settings.default_language)
    await show(update, ctx, text, keyboard([
        [(tr._("📤 Send"), f"st:cs:{thread.id}:{reply.key}")],
        [(tr._("⬅️ Back"), f"st:r:{thread.id}")]]))


@named("desk:canned-send")
@staff_only
async def canned_send(update: Update, ctx: BotContext) -> None:
    found = await load(ctx, int(ctx.matched(1)))
    reply = canned.find(ctx.services, ctx.matched(2))
    if found is None or found[0].user_id is None or reply is None:
        await not_found(update, ctx)
        return
    await answer(update, ctx)
    thread, app = found
    applicant = await ctx.repos.users.get(thread.user_id or 0)
    text = reply.in_language(applicant.language if applicant else None,
                             ctx.services.settings.default_language)
    if FLOW.at(ctx) is not None:
        await flows.end(ctx)
    await threads.reply(ctx.services, thread, ctx.user.id, text)
    await show(update, ctx, ctx.tr._("✅ Sent to the applicant."))
    fresh = await ctx.repos.threads.get(thread.id) or thread
    await show_thread(update, ctx, fresh, app, fresh=True)


@named("desk:assign")
@staff_only
async def assign(update: Update, ctx: BotContext) -> None:
    thread_id, new, seen = (int(ctx.matched(i)) for i in (1, 2, 3))
    found = await load(ctx, thread_id)
    staff = await ctx.services.staff_ids()
    if found is None or (new and new not in staff):
        await not_found(update, ctx)
        return
    tr = ctx.tr
    changed = await ctx.repos.threads.assign(thread_id, new or None, ctx.user.id, ctx.now(),
                                             seen or None)
    if not changed:
        await answer(update, ctx, tr._("Someone changed the owner first; here it is now."),
                     alert=True)
    else:
        await answer(update, ctx)
    thread, app = await load(ctx, thread_id) or found
    await show_thread(update, ctx, thread, app)


@named("desk:assign-list")
@staff_only
async def assign_list(update: Update, ctx: BotContext) -> None:
    found = await pressed_thread(update, ctx)
    if found is None:
        return
    thread = found[0]
    owner = thread.assignee_id or 0
    rows: list[list[Button]] = []
    for staff_id in await ctx.services.staff_ids():
        name = await desk_texts.name_of(ctx.services, staff_id)
        mark = "✅ " if staff_id == owner else ""
        rows.append([(clip(mark + html.unescape(name), 60),  # a label is plain text
                       f"st:as:{thread.id}:{staff_id}:{owner}")])
    rows.append([(ctx.tr._("⬅️ Back"), f"st:th:{thread.id}")])
    await show(update, ctx, ctx.tr._("Assign the case to:"), keyboard(rows[:40]))


async def thread_button(ctx: BotContext, thread: Thread) -> Button:
    tr = ctx.tr
    app = await ctx.repos.applications.get(thread.application_id) \
        if thread.application_id else None
    label = (app.number or "?") if app else tr._("General question")
    if app and app.applicant_name:
        label += f" · {app.applicant_name}"
    elif thread.user_id:
        user = await ctx.repos.users.get(thread.user_id)
        label += f" · {user.first_name if user else thread.user_id}"
    if thread.waiting_since is not None:
        label = "⏳ " + label + " · " + render.local_time(tr, thread.waiting_since)
    return (clip(label, 60), f"st:th:{thread.id}")


@named("desk:unanswered")
@staff_only
async def unanswered(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    page = int(ctx.matched() or 0)
    tr, repos = ctx.tr, ctx.repos
    found = await repos.threads.unanswered(page * PAGE, PAGE + 1)
    total = await repos.threads.count_unanswered()
    rows = [[await thread_button(ctx, t)] for t in found[:PAGE]]
    nav: list[Button] = []
    if page:
        nav.append(("◀️", f"st:u:{page - 1}"))
    if len(found) > PAGE:
        nav.append(("▶️", f"st:u:{page + 1}"))
    rows += [nav, [(tr._("⬅️ Queue"), "st:q")]]
    text = tr.ngettext("<b>Unanswered</b>: {n} conversation waits for an answer, the longest "
                       "wait first.", "<b>Unanswered</b>: {n} conversations wait for an "
                       "answer, the longest wait first.", total)
    await show(update, ctx, text, keyboard(rows))


@named("desk:mine")
@staff_only
async def mine(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    found = await ctx.repos.threads.of_assignee(ctx.user.id)
    rows = [[await thread_button(ctx, t)] for t in found[:40]]
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    text = tr.ngettext("<b>My cases</b>: {n} open case.", "<b>My cases</b>: {n} open cases.",
                       len(found))
    await show(update, ctx, text, keyboard(rows))


@staff_only
async def use_buttons(update: Update, ctx: BotContext, step: MessageStep,
                      state: MessageState) -> None:
    await send(update, ctx, render.error_text(ctx.tr, "use_buttons"))


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, ctx.tr._("Cancelled."))
