"""The application queue: counts per status, and a status's applications page by page.

callback_data: st:q (the queue), st:q:<status>:<page> a page.
"""
from __future__ import annotations

from telegram import Update

from domain.applications import OPEN, Application
from handlers.base import BotContext, answer, named, show
from handlers.guards import staff_only
from services import application_texts as render
from services.keyboards import Button, keyboard

PAGE = 8


@named("desk:queue")
@staff_only
async def queue(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    counts = await ctx.repos.applications.counts()
    lines = [tr._("<b>Application queue</b>")]
    lines += [f"{render.status_label(tr, s)}: {counts.get(s, 0)}" for s in
              (*OPEN, "approved", "rejected", "withdrawn")]
    rows = [[(f"{render.status_label(tr, s)} ({counts.get(s, 0)})", f"st:q:{s}:0")]
            for s in OPEN if counts.get(s)]
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    await show(update, ctx, "\n".join(lines), keyboard(rows))


@named("desk:page")
@staff_only
async def queue_page(update: Update, ctx: BotContext) -> None:
    status, page = ctx.matched(1), int(ctx.matched(2))
    await answer(update, ctx)
    tr = ctx.tr
    cases = await ctx.repos.applications.page(status, page * PAGE, PAGE + 1)
    rows: list[list[Button]] = [
        [(f"{received_mark(c)}{c.number} · {c.make or ''} {c.model or ''} · "
          f"{render.local_time(tr, c.updated_at)}"[:60], f"st:v:{c.id}")] for c in cases[:PAGE]]
    nav: list[Button] = []
    if page:
        nav.append(("◀️", f"st:q:{status}:{page - 1}"))
    if len(cases) > PAGE:
        nav.append(("▶️", f"st:q:{status}:{page + 1}"))
    rows += [nav] if nav else []
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    text = tr._("<b>{status}</b>, page {page}", status=render.status_label(tr, status),
                page=page + 1)
    if any(received_mark(c) for c in cases[:PAGE]):
        text += "\n" + tr._("📥 documents received")
    await show(update, ctx, text, keyboard(rows))


def received_mark(case: Application) -> str:
    """📥 on an application whose requested documents arrived after the request."""
    received = case.documents_received_at
    return "📥 " if case.status == "documents_requested" and received is not None and \
        received >= (case.requested_at or 0) else ""
