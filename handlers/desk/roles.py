"""Staff roles: /grant and /revoke (admins), and the staff command menu in staff chats.

Staff commands show only in staff members' chats (chat-scoped commands); the
handlers check the role anyway, on every use.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from telegram import BotCommandScopeChat, Message, MessageOriginUser, Update
from telegram.error import TelegramError

from apibot import App
from domain.users import User
from handlers import flows
from handlers.base import BotContext, message_of, named, send
from handlers.flows import Flow
from handlers.guards import admin_only
from handlers.registry import Registry
from services.container import Services

log = logging.getLogger(__name__)
USER_ID = re.compile(r"[0-9]{1,15}")  # Telegram ids fit in 52 bits; ASCII digits only
USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


async def publish_staff_commands(app: App, registry: Registry, services: Services,
                                 user_id: int | None = None) -> None:
    """The staff menu in each staff member's chat (or one user's, after /grant /revoke)."""
    ids = [user_id] if user_id else await services.staff_ids()
    for staff_id in ids:
        user = await services.repos.users.get(staff_id)
        tr = services.translator(user.language if user else None)
        staff = services.roles.configured(staff_id) or services.roles.is_staff(user)
        try:
            await app.bot.set_my_commands(registry.bot_commands(tr, staff),
                                          scope=BotCommandScopeChat(staff_id))
        except TelegramError as exc:  # they never opened the bot: nothing to set yet
            log.info("staff commands for %s not set: %s", staff_id, exc)


@named("grant")
@admin_only
async def grant(update: Update, ctx: BotContext) -> None:
    await change_role(update, ctx, "staff")


@named("revoke")
@admin_only
async def revoke(update: Update, ctx: BotContext) -> None:
    await change_role(update, ctx, "importer")


async def who(ctx: BotContext, message: Message, arg: str) -> User | None:
    """The person meant: an id or @username typed, or (in the message itself or the one
    replied to) a forwarded message from them or their shared contact. They must have
    started the bot."""
    users = ctx.repos.users
    if USER_ID.fullmatch(arg):
        return await users.get(int(arg))
    if USERNAME.fullmatch(arg):
        return await users.by_username(arg.lstrip("@"))
    for source in (message, message.reply_to_message):
        if source is None:
            continue
        origin = source.forward_origin
        if isinstance(origin, MessageOriginUser):
            return await users.get(origin.sender_user.id)
        if source.contact is not None and source.contact.user_id:
            return await users.get(source.contact.user_id)
    return None


async def change_role(update: Update, ctx: BotContext, role: str) -> None:
    tr = ctx.tr
    arg = (ctx.args or [""])[0]
    target = await who(ctx, message_of(update), arg)
    if target is None:
        if not arg and role == "staff":
            await GRANT.go(ctx, GrantStep.WHO, GrantState())
            await send(update, ctx, tr._("Whom? Forward a message from them, share their "
                                         "contact, or type their id or @username. They must "
                                         "have started the bot."))
            return
        await send(update, ctx, tr._("Usage: /grant USER_ID or /revoke USER_ID. The user must "
                                     "have started the bot first."))
        return
    await set_role(update, ctx, target, role)


class GrantStep(StrEnum):
    WHO = "who"  # waiting for a forwarded message, a contact, an id or a @username


@dataclass
class GrantState:
    pass


GRANT = Flow("grant", GrantStep, GrantState)


@admin_only
async def on_who(update: Update, ctx: BotContext, step: GrantStep, state: GrantState
                 ) -> None:
    message = message_of(update)
    target = await who(ctx, message, (message.text or "").strip())
    if target is None:
        hidden = message.forward_origin is not None
        await send(update, ctx, ctx.tr._(
            "This person hides their account in forwarded messages: ask them to share their "
            "contact, or type their id.") if hidden else ctx.tr._(
            "I don't know this person yet: they must start the bot first. Forward a message "
            "from them, share their contact, or type their id or @username."))
        return
    await flows.end(ctx)
    await set_role(update, ctx, target, "staff")


async def set_role(update: Update, ctx: BotContext, target: User, role: str) -> None:
    tr = ctx.tr
    if role == "importer" and ctx.services.roles.configured(target.id):
        await send(update, ctx, tr._("This user is staff by the configuration file; change it "
                                     "there."))
        return
    await ctx.repos.users.grant(target.id, role, ctx.user.id, ctx.now())
    await publish_staff_commands(ctx.application, ctx.registry, ctx.services, target.id)
    text = tr._("{name} ({id}) is now staff.", name=target.first_name, id=str(target.id)) \
        if role == "staff" else tr._("{name} ({id}) is no longer staff.",
                                     name=target.first_name, id=str(target.id))
    await send(update, ctx, text)
