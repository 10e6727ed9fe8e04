"""The user blocked or unblocked the bot: Telegram says so with a my_chat_member update.

Knowing it at once lets broadcasts and reminders skip the user without first
spending a send on a 403 (which stays the fallback: such an update can be lost).
Nothing is sent in reply: a user who blocked the bot cannot receive it.
"""
from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ChatMemberHandler

from handlers.base import BotContext, named
from handlers.registry import Registry


@named("membership")
async def on_membership(update: Update, ctx: BotContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return  # added to or removed from a group: not a user
    user, users = change.from_user, ctx.repos.users
    if change.new_chat_member.status == ChatMember.BANNED:
        await users.mark_blocked(user.id)
    elif change.new_chat_member.status == ChatMember.MEMBER:
        await users.touch(user.id, user.first_name or "", user.username, ctx.now())


def register(registry: Registry) -> None:
    registry.add(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
