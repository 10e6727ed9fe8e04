"""The staff desk: /queue, /app N, status changes with what each needs, and re-sending
documents. Every command and every callback checks the staff role on each use;
callback data is never trusted for authorization.

callback_data (all "st:…"): q:<status>:<page> a queue page, v:<id> an application,
f:<doc> re-send a document, t:<id>:<from>:<to> a status change (from = the status
the staff member saw: a concurrent change makes it fail), rd:<kind> toggle a
requested document, rdok requested list done, nc no comment.
"""
from __future__ import annotations

import re
from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain import status as machine
from domain.applications import OPEN
from domain.roles import is_staff
from handlers import application_render as render
from handlers import fallback, notify, start
from handlers.base import BotContext, answer, keyboard, named, send, show
from jobs import reminders
from storage.applications import Application as Case
from storage.conversations import Conversation

FLOW = "desk"
PAGE = 8
WHEN = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})\s*")


async def staff_only(update: Update, ctx: BotContext) -> bool:
    """True for staff; everyone else gets a refusal (as a message or a button popup)."""
    if is_staff(ctx.services.settings, ctx.user):
        return True
    refusal = ctx.tr._("This command is for certification centre staff.")
    if update.callback_query:
        await answer(update, refusal, alert=True)
    else:
        await send(update, ctx, refusal)
    return False


def action_label(tr, new: str) -> str:
    return {
        "in_review": tr._("▶️ Take into review"),
        "documents_requested": tr._("📎 Request documents"),
        "inspection": tr._("📅 Schedule inspection"),
        "testing": tr._("🔬 Start testing"),
        "approved": tr._("✅ Approve"),
        "rejected": tr._("⛔ Reject"),
    }[new]


# --- the queue -----------------------------------------------------------------------------

@named("desk:queue")
async def queue(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    await answer(update)
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
async def queue_page(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    parts = update.callback_query.data.split(":")
    status, page = parts[2], int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 0
    await answer(update)
    tr = ctx.tr
    cases = await ctx.repos.applications.page(status, page * PAGE, PAGE + 1)
    rows = [[(f"{c.number} · {c.make or ''} {c.model or ''} · "
              f"{render.local_time(tr, c.updated_at)}"[:60], f"st:v:{c.id}")]
            for c in cases[:PAGE]]
    nav = []
    if page:
        nav.append(("◀️", f"st:q:{status}:{page - 1}"))
    if len(cases) > PAGE:
        nav.append(("▶️", f"st:q:{status}:{page + 1}"))
    rows += [nav] if nav else []
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    await show(update, ctx, tr._("<b>{status}</b>, page {page}", status=render.status_label(
        tr, status), page=page + 1), keyboard(rows))


# --- one application -------------------------------------------------------------------------

async def card(update: Update, ctx: BotContext, case: Case, fresh: bool = False) -> None:
    tr = ctx.tr
    docs = await ctx.repos.applications.documents(case.id)
    history = await ctx.repos.applications.history(case.id)
    text = render.card_text(tr, case, docs, history)
    details = []
    if case.inspection_at:
        details.append(tr._("Inspection: {when}, {place}", when=render.local_time(
            tr, case.inspection_at), place=case.inspection_place))
    if case.certificate_number:
        details.append(tr._("Certificate: {number}", number=case.certificate_number))
    if case.rejection_reason:
        details.append(tr._("Reason: {reason}", reason=case.rejection_reason))
    if details:
        text += "\n\n" + "\n".join(details)
    rows = [[(f"📄 {render.doc_label(tr, d.kind)}"[:60], f"st:f:{d.id}")] for d in docs]
    actions = [(action_label(tr, new), f"st:t:{case.id}:{case.status}:{new}")
               for new in machine.staff_actions(case.status)]
    rows += [actions[i:i + 2] for i in range(0, len(actions), 2)]
    rows.append([(tr._("⬅️ Queue"), "st:q")])
    put = send if fresh else show
    await put(update, ctx, text, keyboard(rows))


@named("desk:app")
async def app_command(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    ref = (ctx.args or [""])[0].strip().upper()
    repos = ctx.repos.applications
    case = await repos.by_number(ref) if ref.startswith("EV-") else \
        await repos.get(int(ref)) if ref.isdigit() else None
    if case is None or case.status == "draft":
        await send(update, ctx, ctx.tr._("No application {ref}. Usage: /app EV-2026-000001",
                                         ref=ref or "—"))
        return
    await card(update, ctx, case, fresh=True)


@named("desk:view")
async def view(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    case = await ctx.repos.applications.get(_int(update, 2))
    if case is None or case.status == "draft":
        await answer(update, ctx.tr._("Application not found."), alert=True)
        return
    await answer(update)
    if ctx.conv and ctx.conv.flow == FLOW:  # "Cancel" on a pending change lands here
        await ctx.repos.conversations.clear(ctx.user.id)
    await card(update, ctx, case)


@named("desk:file")
async def resend_file(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    row = await ctx.repos.db.fetchone("SELECT file_id, kind FROM documents WHERE id = ?",
                                      (_int(update, 2),))
    if row is None:
        await answer(update, ctx.tr._("Document not found."), alert=True)
        return
    await answer(update)
    await ctx.bot.send_document(update.effective_chat.id, row["file_id"],
                                caption=render.doc_label(ctx.tr, row["kind"]))


def _int(update: Update, position: int) -> int:
    parts = update.callback_query.data.split(":")
    return int(parts[position]) if len(parts) > position and parts[position].isdigit() else 0


# --- status changes --------------------------------------------------------------------------

@named("desk:transition")
async def transition(update: Update, ctx: BotContext) -> None:
    if not await staff_only(update, ctx):
        return
    parts = update.callback_query.data.split(":")
    if len(parts) != 5:
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
        return
    case = await ctx.repos.applications.get(_int(update, 2))
    expected, new = parts[3], parts[4]
    if case is None or not machine.staff_may(expected, new):
        await answer(update, ctx.tr._("This change is not allowed."), alert=True)
        return
    if case.status != expected:
        await answer(update)
        await changed_meanwhile(update, ctx, case)
        return
    await answer(update)
    need = machine.NEEDS.get(new)
    if need is None:
        await apply_change(update, ctx, case.id, expected, new, "")
        return
    await ask(update, ctx, need, {"app": case.id, "from": expected, "to": new, "items": []})


async def ask(update: Update, ctx: BotContext, step: str, data: dict) -> None:
    """Ask for what a change needs; the answers wait in the conversation row."""
    await ctx.repos.conversations.save(Conversation(ctx.user.id, FLOW, step, data), ctx.now())
    tr = ctx.tr
    cancel = [(tr._("✖️ Cancel"), f"st:v:{data['app']}")]
    if step == "documents":
        case = await ctx.repos.applications.get(data["app"])
        rows = [[((("✅ " if i.kind in data["items"] else "") + render.doc_label(tr, i.kind))[:60],
                   f"st:rd:{i.kind}")] for i in render.app_checklist(case)]
        rows.append([(tr._("➡️ Continue"), "st:rdok")])
        await show(update, ctx, tr._("Which documents are missing? Press to mark, then "
                                     "Continue."), keyboard(rows + [cancel]))
    elif step == "comment":
        await show(update, ctx, tr._("A comment for the applicant (what exactly is wrong or "
                                     "missing)? Type it, or:"),
                   keyboard([[(tr._("➡️ No comment"), "st:nc")], cancel]))
    elif step == "schedule":
        await show(update, ctx, tr._("Inspection date and time, Almaty time, as DD.MM.YYYY HH:MM "
                                     "(for example 28.11.2026 10:30)?"), keyboard([cancel]))
    elif step == "place":
        await send(update, ctx, tr._("Where is the inspection (address)?"), keyboard([cancel]))
    elif step == "certificate":
        await show(update, ctx, tr._("The certificate number?"), keyboard([cancel]))
    elif step == "reason":
        await show(update, ctx, tr._("The reason for the rejection (the applicant will read "
                                     "it)?"), keyboard([cancel]))


async def pending(update: Update, ctx: BotContext, step: str) -> Conversation | None:
    """The staff member's change waiting at `step`, or None (refused or stale, answered)."""
    if not await staff_only(update, ctx):
        return None
    conv = ctx.conv
    if not conv or conv.flow != FLOW or conv.step != step:
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
        return None
    return conv


@named("desk:toggle")
async def toggle_document(update: Update, ctx: BotContext) -> None:
    conv = await pending(update, ctx, "documents")
    if conv is None:
        return
    await answer(update)
    kind = update.callback_query.data.split(":", 2)[2]
    items = conv.data["items"]
    conv.data["items"] = [k for k in items if k != kind] if kind in items else items + [kind]
    await ask(update, ctx, "documents", conv.data)


@named("desk:documents-done")
async def documents_done(update: Update, ctx: BotContext) -> None:
    conv = await pending(update, ctx, "documents")
    if conv is None:
        return
    if not conv.data["items"]:
        await answer(update, ctx.tr._("Mark at least one document."), alert=True)
        return
    await answer(update)
    await ask(update, ctx, "comment", conv.data)


@named("desk:no-comment")
async def no_comment(update: Update, ctx: BotContext) -> None:
    conv = await pending(update, ctx, "comment")
    if conv is None:
        return
    await answer(update)
    await finish(update, ctx, conv.data, "")


async def on_text(update: Update, ctx: BotContext) -> None:
    """Typed answers for a status change in progress."""
    if not await staff_only(update, ctx):
        await ctx.repos.conversations.clear(ctx.user.id)
        return
    conv, tr = ctx.conv, ctx.tr
    text = " ".join((update.effective_message.text or "").split())
    if not text:
        await send(update, ctx, tr._("Please type it as text."))
        return
    data = conv.data
    if conv.step == "schedule":
        when = parse_when(text, ctx.tr.tz)
        if when is None or when.timestamp() <= ctx.now():
            await send(update, ctx, tr._("Please give a future date and time as DD.MM.YYYY HH:MM, "
                                         "for example 28.11.2026 10:30."))
            return
        await ask(update, ctx, "place", {**data, "at": int(when.timestamp())})
    elif conv.step == "place":
        await finish(update, ctx, {**data, "place": text[:200]}, "")
    elif conv.step in ("comment", "certificate", "reason"):
        await finish(update, ctx, {**data, conv.step: text[:500]},
                     text[:500] if conv.step == "comment" else "")
    else:
        await send(update, ctx, render.error_text(tr, "use_buttons"))


def parse_when(text: str, tz) -> datetime | None:
    match = WHEN.fullmatch(text)
    if not match:
        return None
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


async def finish(update: Update, ctx: BotContext, data: dict, comment: str) -> None:
    details: dict = {}
    new = data["to"]
    if new == "documents_requested":
        details = {"requested_documents": data["items"], "requested_at": ctx.now()}
    elif new == "inspection":
        details = {"inspection_at": data["at"], "inspection_place": data["place"]}
    elif new == "approved":
        details = {"certificate_number": data["certificate"]}
        comment = ""
    elif new == "rejected":
        details = {"rejection_reason": data["reason"]}
    await ctx.repos.conversations.clear(ctx.user.id)
    await apply_change(update, ctx, data["app"], data["from"], new, comment, **details)


async def apply_change(update: Update, ctx: BotContext, app_id: int, expected: str, new: str,
                       comment: str, **details) -> None:
    """Compare-and-set the status; tell the applicant; schedule the reminders it implies."""
    repos, services = ctx.repos.applications, ctx.services
    changed = await repos.change_status(app_id, expected, new, ctx.user.id, comment, ctx.now(),
                                        **details)
    case = await repos.get(app_id)
    if not changed:
        await changed_meanwhile(update, ctx, case)
        return
    if new == "documents_requested":
        await reminders.schedule_documents(services, case, case.requested_at)
    elif new == "inspection":
        await reminders.schedule_inspection(services, case, case.inspection_at)
    delivered = await notify.notify_applicant(services, ctx.bot, case, comment)
    tr = ctx.tr
    note = tr._("Status changed to «{status}».", status=render.status_label(tr, new))
    if not delivered:
        note += " " + tr._("The applicant could not be notified right now (blocked the bot, "
                           "anonymised, or a retry is queued).")
    await send(update, ctx, note)
    await card(update, ctx, case, fresh=True)


async def changed_meanwhile(update: Update, ctx: BotContext, case: Case) -> None:
    await send(update, ctx, ctx.tr._("Someone changed this application first: it is now «{status}"
                                     "». Nothing was changed by you.",
                                     status=render.status_label(ctx.tr, case.status)))
    await card(update, ctx, case, fresh=True)


async def cancel_hook(update: Update, ctx: BotContext) -> None:
    await ctx.repos.conversations.clear(ctx.user.id)
    await send(update, ctx, ctx.tr._("Cancelled."))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("queue", queue, filters=private))
    app.add_handler(CommandHandler("app", app_command, filters=private))
    app.add_handler(CallbackQueryHandler(queue, pattern=r"^st:q$"))
    app.add_handler(CallbackQueryHandler(queue_page, pattern=r"^st:q:"))
    app.add_handler(CallbackQueryHandler(view, pattern=r"^st:v:"))
    app.add_handler(CallbackQueryHandler(resend_file, pattern=r"^st:f:"))
    app.add_handler(CallbackQueryHandler(transition, pattern=r"^st:t:"))
    app.add_handler(CallbackQueryHandler(toggle_document, pattern=r"^st:rd:"))
    app.add_handler(CallbackQueryHandler(documents_done, pattern=r"^st:rdok$"))
    app.add_handler(CallbackQueryHandler(no_comment, pattern=r"^st:nc$"))
    # Any other st: callback (forged or stale) still meets the staff check first.
    app.add_handler(CallbackQueryHandler(staff_stale, pattern=r"^st:"))
    fallback.FLOW_INPUT[FLOW] = on_text
    start.CANCEL_HOOKS[FLOW] = cancel_hook


@named("desk:stale")
async def staff_stale(update: Update, ctx: BotContext) -> None:
    if await staff_only(update, ctx):
        await answer(update, ctx.tr._("This button is no longer valid."), alert=True)
