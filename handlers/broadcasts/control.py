"""A broadcast on its way: pause, resume, cancel (from its progress message), and the list
of recent ones.

callback_data: bc:p|r|c:<id> pause, resume, cancel a broadcast.
"""
from __future__ import annotations

from telegram import Update

from handlers.base import BotContext, answer, named, send, show
from handlers.guards import staff_only
from services.broadcast_texts import control_markup, progress_text


@named("broadcast:control")
@staff_only
async def control(update: Update, ctx: BotContext) -> None:
    sender = ctx.services.broadcasts
    broadcast_id = int(ctx.matched(2))
    if sender is None:
        return
    action = {"p": sender.pause, "r": sender.resume, "c": sender.cancel}[ctx.matched(1)]
    broadcast = await ctx.repos.broadcasts.get(broadcast_id)
    if broadcast is None or not await action(broadcast_id):
        await answer(update, ctx, ctx.tr._("The broadcast is not in a state for that any more."))
        return
    await answer(update, ctx)
    broadcast = await ctx.repos.broadcasts.get(broadcast_id) or broadcast
    figures = await ctx.repos.broadcasts.figures(broadcast_id)
    await show(update, ctx, progress_text(ctx.tr, broadcast, figures, 0),
               control_markup(ctx.tr, broadcast))


@named("broadcasts")
@staff_only
async def history(update: Update, ctx: BotContext) -> None:
    tr, repos = ctx.tr, ctx.repos.broadcasts
    lines = [tr._("<b>Recent broadcasts</b>")]
    for broadcast in await repos.recent():
        lines.append("")
        lines.append(progress_text(tr, broadcast, await repos.figures(broadcast.id), 0))
    if len(lines) == 1:
        lines.append(tr._("None yet. /broadcast composes one."))
    await send(update, ctx, "\n".join(lines))
