"""The staff supergroup (settings.staff_group_id, a forum): each conversation has its own
topic (made by the outbox sender on its first message). A message staff write in a topic
goes to the applicant; /note, /take and /release act on the case; nothing else is taken."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from domain.threads import Thread
from handlers.base import BotContext, message_of, named
from handlers.guards import staff_only
from services import desk_texts, threads
from services.texts import clip

LIMIT = 3500
CAPTION = 900


async def say(ctx: BotContext, thread_id: int, text: str) -> None:
    """A short answer into the topic the staff member wrote in."""
    await ctx.bot.call("sendMessage", chat_id=ctx.services.settings.staff_group_id,
                       message_thread_id=thread_id, text=text, parse_mode=ParseMode.HTML)


@named("desk:topic")
async def topic_message(update: Update, ctx: BotContext) -> None:
    message = message_of(update)
    group = ctx.services.settings.staff_group_id
    if not group or message.chat.id != group or message.message_thread_id is None \
            or not ctx.has_user:
        return  # another group, or the group's general chat: staff talk among themselves
    await in_topic(update, ctx)


@staff_only
async def in_topic(update: Update, ctx: BotContext) -> None:
    message = message_of(update)
    topic_id = int(message.message_thread_id or 0)
    tr = ctx.tr
    thread = await ctx.repos.threads.by_topic(topic_id)
    if thread is None:
        await say(ctx, topic_id, tr._("This topic is not a conversation with an applicant."))
        return
    text = (message.text or message.caption or "").strip()
    if text.startswith("/"):
        await command(ctx, thread, topic_id, text)
        return
    file_id = file_type = None
    if message.document is not None:
        file_id, file_type = message.document.file_id, "document"
    elif message.photo:
        file_id, file_type = message.photo[-1].file_id, "photo"
    if thread.user_id is None:
        await say(ctx, topic_id, tr._("The applicant erased their data: nothing can reach "
                                      "them."))
        return
    if (not text and file_id is None) or \
            (file_id is None and message.effective_attachment is not None):
        await say(ctx, topic_id, tr._("Please send text, a photo or a document."))
        return
    await threads.reply(ctx.services, thread, ctx.user.id,
                        clip(text, CAPTION if file_id else LIMIT), file_id, file_type,
                        from_topic=True)
    await say(ctx, topic_id, tr._("✅ Sent to the applicant."))


async def command(ctx: BotContext, thread: Thread, topic_id: int, text: str) -> None:
    tr, services = ctx.tr, ctx.services
    name, _, rest = text.partition(" ")
    name = name.split("@")[0].lower()
    rest = rest.strip()
    if name == "/note" and rest:
        await threads.note(services, thread, ctx.user.id, clip(rest, LIMIT), from_topic=True)
        await say(ctx, topic_id, tr._("🔒 Note saved. The applicant does not see it."))
    elif name in ("/take", "/release"):
        new = ctx.user.id if name == "/take" else None
        await ctx.repos.threads.assign(thread.id, new, ctx.user.id, ctx.now(),
                                       thread.assignee_id)
        fresh = await ctx.repos.threads.get(thread.id) or thread
        owner = await desk_texts.name_of(services, fresh.assignee_id) if fresh.assignee_id \
            else tr._("nobody yet")
        await say(ctx, topic_id, tr._("Owner: {name}", name=owner))
    else:
        await say(ctx, topic_id, tr._(
            "In this topic: a message goes to the applicant; /note TEXT saves an internal "
            "note; /take and /release change the owner. Unknown: {command}",
            command=clip(name, 32)))
