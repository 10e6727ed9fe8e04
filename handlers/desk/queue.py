"""The application queue: counts per status, and a status's applications page by page.

callback_data: st:q (the queue), st:q:<status>:<page> a page.
"""
from __future__ import annotations

from telegram import Update

from domain.applications import OPEN, Application
from handlers.base import BotContext, answer, named, show
from handlers.guards import staff_only
from services import application_texts as render
from services import sla
from services.keyboards import Button, keyboard
from services.texts import clip

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
    waiting = await ctx.repos.threads.count_unanswered()
    mine = await ctx.repos.threads.of_assignee(ctx.user.id)
    late = await sla.overdue(ctx.services)
    lines.insert(1, tr._("💬 Unanswered conversations: {n}", n=waiting))
    lines.insert(2, tr._("⚠️ Overdue now: {n}", n=len(late)))
    rows = [[(tr._("💬 Unanswered ({n})", n=waiting), "st:u:0"),
             (tr._("🙋 My cases ({n})", n=len(mine)), "st:my")]]
    rows += [[(f"{render.status_label(tr, s)} ({counts.get(s, 0)})", f"st:q:{s}:0")]
             for s in OPEN if counts.get(s)]
    rows.append([(tr._("⬅️ Main menu"), "menu")])
    await show(update, ctx, "\n".join(lines), keyboard(rows))


@named("desk:page")
@staff_only
async def queue_page(update: Update, ctx: BotContext) -> None:
    status, page = ctx.matched(1), int(ctx.matched(2))
    await answer(update, ctx)
    tr = ctx.tr
    # Oldest in its status first; each with working days waited of those allowed.
    stays = [s for s in await sla.stays(ctx.services) if s.app.status == status]
    cases = stays[page * PAGE:(page + 1) * PAGE + 1]
    rows: list[list[Button]] = [
        [(clip(f"{'⚠️ ' if s.overdue else ''}{received_mark(s.app)}{s.app.number} · "
               f"{s.app.make or ''} {s.app.model or ''} · ⏱ {s.waited}/{s.limit or '∞'}", 60),
          f"st:v:{s.app.id}")] for s in cases[:PAGE]]
    nav: list[Button] = []
    if page:
        nav.append(("◀️", f"st:q:{status}:{page - 1}"))
    if len(cases) > PAGE:
        nav.append(("▶️", f"st:q:{status}:{page + 1}"))
    rows += [nav] if nav else []
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    text = tr._("<b>{status}</b>, page {page}", status=render.status_label(tr, status),
                page=page + 1) + "\n" + tr._("⏱ working days waiting / allowed; ⚠️ overdue")
    if any(received_mark(s.app) for s in cases[:PAGE]):
        text += "\n" + tr._("📥 documents received")
    await show(update, ctx, text, keyboard(rows))


def received_mark(case: Application) -> str:
    """📥 on an application whose requested documents arrived after the request."""
    received = case.documents_received_at
    return "📥 " if case.status == "documents_requested" and received is not None and \
        received >= (case.requested_at or 0) else ""
