"""Staff roles and tools: /grant and /revoke (admins), the staff command menu, /export.

Staff commands show only in staff members' chats (chat-scoped commands); the
handlers check the role anyway, on every use.

callback_data: x:<status|all> choose what to export, xp:<status|all>:<days> the period.
"""
from __future__ import annotations

import io
import logging
from datetime import timedelta

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain import export
from domain.applications import FIELDS, STATUSES
from domain.roles import is_admin, is_staff, staff_ids
from handlers import application_render as render
from handlers import language
from handlers.base import BotContext, answer, keyboard, named, send, show
from handlers.desk import staff_only
from i18n import Translator

log = logging.getLogger(__name__)
PERIODS = (7, 30, 365, 0)  # days back; 0 = everything


async def publish_staff_commands(app: Application, user_id: int | None = None) -> None:
    """The staff menu in each staff member's chat (or one user's, after /grant /revoke)."""
    services = app.bot_data["services"]
    settings = services.settings
    ids = [user_id] if user_id else await staff_ids(settings, services.repos.users)
    for staff_id in ids:
        user = await services.repos.users.get(staff_id)
        tr = services.catalogues.get((user and user.language) or settings.default_language)
        staff = staff_id in settings.admin_ids or staff_id in settings.staff_ids or \
            is_staff(settings, user)
        try:
            await app.bot.set_my_commands(language.commands(tr, staff),
                                          scope=BotCommandScopeChat(staff_id))
        except TelegramError as exc:  # they never opened the bot: nothing to set yet
            log.info("staff commands for %s not set: %s", staff_id, exc)


@named("grant")
async def grant(update: Update, ctx: BotContext) -> None:
    await change_role(update, ctx, "staff")


@named("revoke")
async def revoke(update: Update, ctx: BotContext) -> None:
    await change_role(update, ctx, "importer")


async def change_role(update: Update, ctx: BotContext, role: str) -> None:
    tr = ctx.tr
    if not is_admin(ctx.services.settings, ctx.user):
        await send(update, ctx, tr._("This command is for administrators."))
        return
    arg = (ctx.args or [""])[0]
    target = await ctx.repos.users.get(int(arg)) if arg.isdigit() else None
    if target is None:
        await send(update, ctx, tr._("Usage: /grant USER_ID or /revoke USER_ID. The user must "
                                     "have started the bot first."))
        return
    if role == "importer" and target.id in ctx.services.settings.staff_ids + \
            ctx.services.settings.admin_ids:
        await send(update, ctx, tr._("This user is staff by the configuration file; change it "
                                     "there."))
        return
    await ctx.repos.users.grant(target.id, role, ctx.user.id, ctx.now())
    await publish_staff_commands(ctx.application, target.id)
    text = tr._("{name} ({id}) is now staff.", name=target.first_name, id=str(target.id)) \
        if role == "staff" else tr._("{name} ({id}) is no longer staff.",
                                     name=target.first_name, id=str(target.id))
    await send(update, ctx, text)


# --- export --------------------------------------------------------------------------------

@named("export")
async def export_command(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await answer(update)
    tr = ctx.tr
    rows = [[(tr._("All statuses"), "x:all")]]
    options = [(render.status_label(tr, s), f"x:{s}") for s in STATUSES if s != "draft"]
    rows += [options[i:i + 2] for i in range(0, len(options), 2)]
    await send(update, ctx, tr._("Export applications: which status?"), keyboard(rows))


@named("export:status")
async def export_status(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await answer(update)
    tr = ctx.tr
    status = update.callback_query.data.split(":", 1)[1]
    labels = {7: tr._("Last 7 days"), 30: tr._("Last 30 days"), 365: tr._("Last 365 days"),
              0: tr._("All time")}
    await show(update, ctx, tr._("Submitted when?"),
               keyboard([[(labels[d], f"xp:{status}:{d}")] for d in PERIODS]))


@named("export:send")
async def export_send(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    parts = update.callback_query.data.split(":")
    status = parts[1] if len(parts) == 3 and parts[1] in STATUSES else None
    days = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0
    await answer(update)
    tr, clock = ctx.tr, ctx.services.clock
    since = int((clock.now() - timedelta(days=days)).timestamp()) if days else None
    cases = await ctx.repos.applications.export(status, since, None)
    header, rows = table(tr, cases)
    stamp = clock.now().astimezone(tr.tz).strftime("%Y%m%d-%H%M")
    name = f"applications-{parts[1]}-{stamp}"
    await ctx.bot.send_document(update.effective_chat.id, io.BytesIO(export.to_csv(header, rows)),
                                filename=f"{name}.csv")
    await ctx.bot.send_document(update.effective_chat.id,
                                io.BytesIO(export.to_xlsx(header, rows, tr._("Applications"))),
                                filename=f"{name}.xlsx",
                                caption=tr.ngettext("{n} application exported.",
                                                    "{n} applications exported.", len(rows)))


def table(tr: Translator, cases) -> tuple[list[str], list[list[object]]]:
    """Header and rows in the staff member's language; same for CSV and Excel."""
    header = [tr._("Number"), tr._("Status"), tr._("Submitted")] + \
        [render.field_label(tr, f) for f in FIELDS if f not in ("applicant_name", "id_number")] + \
        [tr._("Applicant name"), tr._("IIN/BIN"), tr._("Certificate"), tr._("Last change")]
    rows = []
    for case in cases:
        fields = [render.value_text(tr, case, f) for f in FIELDS
                  if f not in ("applicant_name", "id_number")]
        rows.append([case.number, render.status_label(tr, case.status),
                     render.local_time(tr, case.submitted_at) if case.submitted_at else "",
                     *fields, case.applicant_name or "", case.id_number or "",
                     case.certificate_number or "", render.local_time(tr, case.updated_at)])
    return header, rows


async def on_startup(app: Application) -> None:
    await publish_staff_commands(app)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("grant", grant, filters=private))
    app.add_handler(CommandHandler("revoke", revoke, filters=private))
    app.add_handler(CommandHandler("export", export_command, filters=private))
    app.add_handler(CallbackQueryHandler(export_status, pattern=r"^x:"))
    app.add_handler(CallbackQueryHandler(export_send, pattern=r"^xp:"))
