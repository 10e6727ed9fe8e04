"""/export: applications as CSV and Excel (the same rows), by status and period.

callback_data: x:<status|all> choose what to export, xp:<status|all>:<days> the period.
"""
from __future__ import annotations

import asyncio
import html
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update

from domain import export
from domain import stats as domain_stats
from domain.applications import FIELDS, OPEN, STATUSES, Application
from handlers.base import BotContext, answer, chat_id, named, send, show
from handlers.guards import staff_only
from i18n import Translator
from services import application_texts as render
from services import desk_texts, sla, stats
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
    tr, clock, services = ctx.tr, ctx.services.clock, ctx.services
    since = int((clock.now() - timedelta(days=days)).timestamp()) if days else None
    cases = await ctx.repos.applications.export(status, since, None)
    now = clock.now()
    stamp = now.astimezone(tr.tz).strftime("%Y%m%d-%H%M")
    name = f"applications-{which}-{stamp}"
    extras = await gather_extras(ctx)
    figures, overdue = await stats.gather(services)
    summary = stats_sheet(tr, figures, overdue)
    # Thousands of rows take a second or more to format and pack (openpyxl above all):
    # on a worker thread, so that other chats are answered meanwhile.
    csv_bytes, xlsx_bytes = await asyncio.to_thread(build, tr, cases, tr._("Applications"),
                                                    now, extras, summary)
    await ctx.bot.send_document(chat_id(update), io.BytesIO(csv_bytes), filename=f"{name}.csv")
    await ctx.bot.send_document(chat_id(update), io.BytesIO(xlsx_bytes),
                                filename=f"{name}.xlsx",
                                caption=tr.ngettext("{n} application exported.",
                                                    "{n} applications exported.", len(cases)))


@dataclass(frozen=True)
class Extra:
    """What the desk knows of a case beyond its row: its owner and its deadline."""
    assignee: str = ""
    waited: int | None = None   # working days in its current status (open cases)
    overdue: bool = False


async def gather_extras(ctx: BotContext) -> dict[int, Extra]:
    services = ctx.services
    stays = {s.app.id: s for s in await sla.stays(services)}
    owners = await ctx.repos.threads.assignees()
    names = {uid: plain_name(await desk_texts.name_of(services, uid))
             for uid in set(owners.values())}
    return {app_id: Extra(names.get(owners.get(app_id, 0), ""),
                          stays[app_id].waited if app_id in stays else None,
                          stays[app_id].overdue if app_id in stays else False)
            for app_id in set(stays) | set(owners)}


def plain_name(text: str) -> str:
    return html.unescape(text)


def stats_sheet(tr: Translator, figures: domain_stats.Stats, overdue: int) -> export.Sheet:
    """The /stats figures as a sheet: one row per week, then the stages."""
    header = [export.no_emoji(tr._("Week from")), tr._("submitted"), tr._("decided"),
              export.no_emoji(tr._("Median days per stage")), tr._("Days")]
    stages = [s for s in OPEN if s in figures.stage_days]
    rows: list[list[object]] = []
    for n, monday in enumerate(figures.weeks):
        stage = stages[n] if n < len(stages) else None
        rows.append([datetime(monday.year, monday.month, monday.day), figures.submitted[n],
                     figures.decided[n], render.status_label(tr, stage) if stage else None,
                     round(figures.stage_days[stage], 2) if stage else None])
    rows.append([export.no_emoji(tr._("⚠️ Overdue now: {n}", n=overdue)), overdue])
    return export.no_emoji(tr._("Statistics")), header, rows


def build(tr: Translator, cases: list[Application], title: str, now: datetime,
          extras: dict[int, Extra] | None = None, summary: export.Sheet | None = None
          ) -> tuple[bytes, bytes]:
    """The CSV and Excel files of these applications (pure: safe on a worker thread, since
    the translator is only read)."""
    header, rows = table(tr, cases, extras or {})
    return export.to_csv(header, rows), export.to_xlsx(header, rows, title, now,
                                                       (summary,) if summary else ())


def local(tr: Translator, seconds: int | None) -> datetime | None:
    """A moment as a date cell: Almaty's wall clock (spreadsheets have no time zones)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tr.tz).replace(tzinfo=None)


def cell(tr: Translator, case: Application, key: str) -> object:
    """Typed: numbers as numbers, labels as words (no pictographs), nothing as empty."""
    value = getattr(case, key)
    if value is None:
        return None
    if key in ("year", "battery_kwh"):
        return value
    return export.no_emoji(render.value_text(tr, case, key))


def route_label(tr: Translator, path: str) -> str:
    return tr._("OTTS (vehicle type)") if path == "otts" else tr._("SBKTS (one vehicle)")


def table(tr: Translator, cases: list[Application], extras: dict[int, Extra] | None = None
          ) -> tuple[list[str], list[list[object]]]:
    """Header and rows in the staff member's language; same for CSV and Excel."""
    extras = extras or {}
    fields = [f for f in FIELDS if f not in ("applicant_name", "id_number")]
    header = [tr._("Number"), tr._("Status"), tr._("Submitted")] + \
        [export.no_emoji(render.field_label(tr, f)) for f in fields] + \
        [tr._("Applicant name"), tr._("IIN/BIN"), tr._("Certificate"), tr._("Last change"),
         tr._("Route"), tr._("Assigned staff"), tr._("Inspection"), tr._("Inspection place"),
         tr._("Working days waiting"), tr._("Overdue")]
    rows: list[list[object]] = []
    for case in cases:
        extra = extras.get(case.id, Extra())
        rows.append([case.number, render.status_label(tr, case.status),
                     local(tr, case.submitted_at), *[cell(tr, case, f) for f in fields],
                     case.applicant_name, case.id_number, case.certificate_number,
                     local(tr, case.updated_at), route_label(tr, case.path),
                     extra.assignee or None, local(tr, case.inspection_at),
                     case.inspection_place, extra.waited, extra.overdue])
    return header, rows
