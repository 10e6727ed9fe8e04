"""Role checks for staff and admin handlers: on every command and every button press,
whatever the callback data says (it is never trusted for authorization)."""
from __future__ import annotations

import functools
from typing import Any

from telegram import Update

from handlers.base import BotContext, F, answer, send


async def refuse(update: Update, ctx: BotContext, text: str) -> None:
    """As a popup for a button press, as a message for anything else."""
    if update.callback_query:
        await answer(update, ctx, text, alert=True)
    else:
        await send(update, ctx, text)


def staff_only(handler: F) -> F:
    """For staff (a command, a button, or typed input in a staff flow)."""
    @functools.wraps(handler)
    async def guarded(update: Update, ctx: BotContext, *args: Any) -> Any:
        if ctx.is_staff:
            return await handler(update, ctx, *args)
        await refuse(update, ctx, ctx.tr._("This command is for certification centre staff."))
        return None
    return guarded  # type: ignore[return-value]


def admin_only(handler: F) -> F:
    @functools.wraps(handler)
    async def guarded(update: Update, ctx: BotContext, *args: Any) -> Any:
        if ctx.services.roles.is_admin(ctx.user if ctx.has_user else None):
            return await handler(update, ctx, *args)
        await refuse(update, ctx, ctx.tr._("This command is for administrators."))
        return None
    return guarded  # type: ignore[return-value]
