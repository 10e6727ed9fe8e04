"""/stats: submitted and decided per week, median days per stage, overdue now, per staff
member; with a chart (PNG) drawn on a worker thread."""
from __future__ import annotations

import asyncio
import io

from telegram import Update

from handlers.base import BotContext, chat_id, named, send
from handlers.guards import staff_only
from services import stats


@named("desk:stats")
@staff_only
async def stats_command(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    figures, overdue = await stats.gather(ctx.services)
    await send(update, ctx, await stats.text(ctx.services, tr, figures, overdue))
    # Drawing takes a good fraction of a second: off the event loop.
    png, numbered = await asyncio.to_thread(stats.chart, tr, figures)
    caption = tr._("Submitted and decided per week; median days per stage.")
    if numbered:
        caption += "\n" + "; ".join(f"{n} — {name}" for n, name in enumerate(numbered, 1))
        caption += "\n" + tr._("Bars: 1 — submitted, 2 — decided.")
    await ctx.bot.send_photo(chat_id(update), io.BytesIO(png), caption=caption[:1000])
