"""/export: applications as CSV and Excel (the same rows), by status and period.

callback_data: x:<status|all> choose what to export, xp:<status|all>:<days> the period.
"""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta

from telegram import Update

from domain import export
from domain.applications import FIELDS, STATUSES, Application
from handlers.base import BotContext, answer, chat_id, named, send, show
from handlers.guards import staff_only
from i18n import Translator
from services import application_texts as render
from services.keyboards import keyboard

PERIODS = (7, 30, 365, 0)  # days back; 0 = everything


@named("export")
@staff_only
async def export_command(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    rows = [[(tr._("All statuses"), "x:all")]]
    options = [(render.status_label(tr, s), f"x:{s}") for s in STATUSES if s != "draft"]
    rows += [options[i:i + 2] for i in range(0, len(options), 2)]
    await send(update, ctx, tr._("Export applications: which status?"), keyboard(rows))


@named("export:status")
@staff_only
async def export_status(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    tr = ctx.tr
    status = ctx.matched()
    labels = {7: tr._("Last 7 days"), 30: tr._("Last 30 days"), 365: tr._("Last 365 days"),
              0: tr._("All time")}
    await show(update, ctx, tr._("Submitted when?"),
               keyboard([[(labels[d], f"xp:{status}:{d}")] for d in PERIODS]))


@named("export:send")
@staff_only
async def export_send(update: Update, ctx: BotContext) -> None:
    which, days = ctx.matched(1), int(ctx.matched(2))
    status = which if which in STATUSES else None
    await answer(update, ctx)
    tr, clock = ctx.tr, ctx.services.clock
    since = int((clock.now() - timedelta(days=days)).timestamp()) if days else None
    cases = await ctx.repos.applications.export(status, since, None)
    now = clock.now()
    stamp = now.astimezone(tr.tz).strftime("%Y%m%d-%H%M")
    name = f"applications-{which}-{stamp}"
    # Thousands of rows take a second or more to format and pack (openpyxl above all):
    # on a worker thread, so that other chats are answered meanwhile.
    csv_bytes, xlsx_bytes = await asyncio.to_thread(build, tr, cases, tr._("Applications"), now)
    await ctx.bot.send_document(chat_id(update), io.BytesIO(csv_bytes), filename=f"{name}.csv")
    await ctx.bot.send_document(chat_id(update), io.BytesIO(xlsx_bytes),
                                filename=f"{name}.xlsx",
                                caption=tr.ngettext("{n} application exported.",
                                                    "{n} applications exported.", len(cases)))


def build(tr: Translator, cases: list[Application], title: str, now: datetime
          ) -> tuple[bytes, bytes]:
    """The CSV and Excel files of these applications (pure: safe on a worker thread, since
    the translator is only read)."""
    header, rows = table(tr, cases)
    return export.to_csv(header, rows), export.to_xlsx(header, rows, title, now)


def table(tr: Translator, cases: list[Application]) -> tuple[list[str], list[list[object]]]:
    """Header and rows in the staff member's language; same for CSV and Excel."""
    header = [tr._("Number"), tr._("Status"), tr._("Submitted")] + \
        [render.field_label(tr, f) for f in FIELDS if f not in ("applicant_name", "id_number")] + \
        [tr._("Applicant name"), tr._("IIN/BIN"), tr._("Certificate"), tr._("Last change")]
    rows: list[list[object]] = []
    for case in cases:
        fields = [render.value_text(tr, case, f) for f in FIELDS
                  if f not in ("applicant_name", "id_number")]
        rows.append([case.number, render.status_label(tr, case.status),
                     render.local_time(tr, case.submitted_at) if case.submitted_at else "",
                     *fields, case.applicant_name or "", case.id_number or "",
                     case.certificate_number or "", render.local_time(tr, case.updated_at)])
    return header, rows
