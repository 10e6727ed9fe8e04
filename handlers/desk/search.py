"""/find: an application by its number, VIN (whole or the last 6 characters), name, id
number (IIN, BIN, passport, USCC) or phone; the results as buttons to their cards."""
from __future__ import annotations

from telegram import Update

from handlers.base import BotContext, named, send
from handlers.guards import staff_only
from services import application_texts as render
from services.keyboards import keyboard
from services.texts import clip


@named("desk:find")
@staff_only
async def find_command(update: Update, ctx: BotContext) -> None:
    tr = ctx.tr
    query = " ".join(ctx.args or []).strip()
    if not query:
        await send(update, ctx, tr._("Usage: /find followed by an application number, a VIN "
                                     "(or its last 6 characters), a name, an IIN/BIN, "
                                     "passport or USCC number, or a phone."))
        return
    found = await ctx.repos.applications.search(query[:64])
    if not found:
        await send(update, ctx, tr._("Nothing found for «{query}».",
                                     query=clip(query, 64)))
        return
    rows = [[(clip(f"{a.number} · {a.applicant_name or '—'} · {a.make or ''} {a.model or ''}"
                   f" · {render.status_label(tr, a.status)}", 60), f"st:v:{a.id}")]
            for a in found]
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    await send(update, ctx, tr.ngettext("Found {n} application:", "Found {n} applications:",
                                        len(found)), keyboard(rows))
