"""Staff roles: /grant and /revoke (admins), and the staff command menu in staff chats.

Staff commands show only in staff members' chats (chat-scoped commands); the
handlers check the role anyway, on every use.
"""
from __future__ import annotations

import logging
import re

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError

from apibot import App
from handlers.base import BotContext, named, send
from handlers.guards import admin_only
from handlers.registry import Registry
from services.container import Services

log = logging.getLogger(__name__)
USER_ID = re.compile(r"[0-9]{1,15}")  # Telegram ids fit in 52 bits; ASCII digits only


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


async def change_role(update: Update, ctx: BotContext, role: str) -> None:
    tr = ctx.tr
    arg = (ctx.args or [""])[0]
    target = await ctx.repos.users.get(int(arg)) if USER_ID.fullmatch(arg) else None
    if target is None:
        await send(update, ctx, tr._("Usage: /grant USER_ID or /revoke USER_ID. The user must "
                                     "have started the bot first."))
        return
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
