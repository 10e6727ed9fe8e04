"""Status changes: what each needs (asked for first, in the staff member's flow), then a
compare-and-set change, the applicant told, and the reminders it implies.

callback_data: st:t:<id>:<from>:<to> a change (from = the status the staff member saw: a
concurrent change makes it fail), st:rd:<kind> toggle a requested document, st:rdok the
list is done, st:nc no comment.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from domain import status as machine
from domain.dates import WORK_END, WORK_START, example_slot, format_when, outside_hours, parse_when
from handlers import flows
from handlers.base import BotContext, answer, message_of, named, send, show
from handlers.desk.case import card, changed_meanwhile
from handlers.desk.common import FLOW, ChangeState, DeskStep
from handlers.guards import staff_only
from services import application_texts as render
from services import workflow
from services.keyboards import keyboard

RESCHEDULE = "reschedule"  # ChangeState.to for moving an inspection (not a status change)


@named("desk:transition")
@staff_only
async def transition(update: Update, ctx: BotContext) -> None:
    app_id, expected, new = int(ctx.matched(1)), ctx.matched(2), ctx.matched(3)
    case = await ctx.repos.applications.get(app_id)
    if case is None or not machine.staff_may(expected, new):
        await answer(update, ctx, ctx.tr._("This change is not allowed."), alert=True)
        return
    await answer(update, ctx)
    if case.status != expected:
        await changed_meanwhile(update, ctx, case)
        return
    need = machine.NEEDS.get(new)
    if need is None:
        await apply_change(update, ctx, case.id, expected, new, "")
        return
    state = ChangeState(case.id, expected, new)
    if new == "documents_requested":  # the required items not uploaded yet, pre-ticked
        uploaded = {d.kind for d in await ctx.repos.applications.documents(case.id)}
        state.items = [i.kind for i in render.app_checklist(case)
                       if i.required and i.kind not in uploaded]
    await ask(update, ctx, DeskStep(need), state)


@named("desk:reschedule")
@staff_only
async def reschedule_start(update: Update, ctx: BotContext) -> None:
    case = await ctx.repos.applications.get(int(ctx.matched()))
    if case is None or case.status != "inspection":
        await answer(update, ctx, ctx.tr._("This change is not allowed."), alert=True)
        return
    await answer(update, ctx)
    await ask(update, ctx, DeskStep.SCHEDULE, ChangeState(case.id, "inspection", RESCHEDULE))


# --- asking for what a change needs (the answers wait in the conversation row) ----------

Asker = Callable[[Update, BotContext, ChangeState], Awaitable[Any]]


async def ask_documents(update: Update, ctx: BotContext, state: ChangeState) -> None:
    tr = ctx.tr
    case = await ctx.repos.applications.get(state.app)
    items = render.app_checklist(case) if case else []
    rows = [[((("✅ " if i.kind in state.items else "") + render.doc_label(tr, i.kind))[:60],
              f"st:rd:{i.kind}")] for i in items]
    rows.append([(tr._("➡️ Continue"), "st:rdok")])
    rows.append(cancel_row(ctx, state))
    await show(update, ctx, tr._("Which documents are missing? Press to mark, then Continue."),
               keyboard(rows))


async def ask_comment(update: Update, ctx: BotContext, state: ChangeState) -> None:
    tr = ctx.tr
    await show(update, ctx, tr._("A comment for the applicant (what exactly is wrong or "
                                 "missing)? Type it, or:"),
               keyboard([[(tr._("➡️ No comment"), "st:nc")], cancel_row(ctx, state)]))


async def ask_schedule(update: Update, ctx: BotContext, state: ChangeState) -> None:
    await show(update, ctx, ctx.tr._("Inspection date and time, Almaty time, as DD.MM.YYYY "
                                     "HH:MM (for example {example})?", example=example(ctx)),
               keyboard([cancel_row(ctx, state)]))


async def ask_place(update: Update, ctx: BotContext, state: ChangeState) -> None:
    await send(update, ctx, ctx.tr._("Where is the inspection (address)?"),
               keyboard([cancel_row(ctx, state)]))


async def ask_certificate(update: Update, ctx: BotContext, state: ChangeState) -> None:
    await show(update, ctx, ctx.tr._("The certificate number?"),
               keyboard([cancel_row(ctx, state)]))


async def ask_reason(update: Update, ctx: BotContext, state: ChangeState) -> None:
    await show(update, ctx, ctx.tr._("The reason for the rejection (the applicant will read "
                                     "it)?"), keyboard([cancel_row(ctx, state)]))


ASKERS: dict[DeskStep, Asker] = {
    DeskStep.DOCUMENTS: ask_documents, DeskStep.COMMENT: ask_comment,
    DeskStep.SCHEDULE: ask_schedule, DeskStep.PLACE: ask_place,
    DeskStep.CERTIFICATE: ask_certificate, DeskStep.REASON: ask_reason,
}


def cancel_row(ctx: BotContext, state: ChangeState) -> list[tuple[str, str]]:
    return [(ctx.tr._("✖️ Cancel"), f"st:v:{state.app}")]


async def ask(update: Update, ctx: BotContext, step: DeskStep, state: ChangeState) -> None:
    await FLOW.go(ctx, step, state, message_id=None)
    await ASKERS[step](update, ctx, state)


async def pending(update: Update, ctx: BotContext, step: DeskStep) -> ChangeState | None:
    """The staff member's change waiting at `step`, or None (refused or stale, answered)."""
    position = FLOW.at(ctx)
    if position is None or position[0] is not step:
        await answer(update, ctx, ctx.tr._("This button is no longer valid."), alert=True)
        return None
    return position[1]


@named("desk:toggle")
@staff_only
async def toggle_document(update: Update, ctx: BotContext) -> None:
    state = await pending(update, ctx, DeskStep.DOCUMENTS)
    if state is None:
        return
    await answer(update, ctx)
    kind = ctx.matched()
    state.items = [k for k in state.items if k != kind] if kind in state.items \
        else state.items + [kind]
    await ask(update, ctx, DeskStep.DOCUMENTS, state)


@named("desk:documents-done")
@staff_only
async def documents_done(update: Update, ctx: BotContext) -> None:
    state = await pending(update, ctx, DeskStep.DOCUMENTS)
    if state is None:
        return
    if not state.items:
        await answer(update, ctx, ctx.tr._("Mark at least one document."), alert=True)
        return
    await answer(update, ctx)
    await ask(update, ctx, DeskStep.COMMENT, state)


@named("desk:no-comment")
@staff_only
async def no_comment(update: Update, ctx: BotContext) -> None:
    state = await pending(update, ctx, DeskStep.COMMENT)
    if state is None:
        return
    await answer(update, ctx)
    await finish(update, ctx, state, "")


# --- typed answers, by step (the table is in handlers.desk.register) ---------------------

def example(ctx: BotContext) -> str:
    """A date example that is a valid answer today: the next working day, 10:30."""
    return format_when(example_slot(ctx.services.clock.now(), ctx.tr.tz), ctx.tr.tz)


def typed(update: Update) -> str:
    return " ".join((message_of(update).text or "").split())


@staff_only
async def on_schedule(update: Update, ctx: BotContext, step: DeskStep, state: ChangeState
                      ) -> None:
    when = parse_when(typed(update), ctx.tr.tz)
    if when is None or when.timestamp() <= ctx.now():
        await send(update, ctx, ctx.tr._("Please give a future date and time as DD.MM.YYYY "
                                         "HH:MM, for example {example}.", example=example(ctx)))
        return
    if outside_hours(when, ctx.tr.tz):  # booked anyway: staff may mean it
        await send(update, ctx, ctx.tr._("⚠️ {when} is outside the centre's working hours "
                                         "(Monday to Friday, {start}:00 to {end}:00). Kept; "
                                         "change it with Cancel if it is a typo.",
                                         when=format_when(when, ctx.tr.tz), start=WORK_START,
                                         end=WORK_END))
    state.at = int(when.timestamp())
    await ask(update, ctx, DeskStep.PLACE, state)


@staff_only
async def on_place(update: Update, ctx: BotContext, step: DeskStep, state: ChangeState) -> None:
    text = typed(update)
    if not text:
        await send(update, ctx, ctx.tr._("Please type it as text."))
        return
    state.place = text[:200]
    await finish(update, ctx, state, "")


@staff_only
async def on_text(update: Update, ctx: BotContext, step: DeskStep, state: ChangeState) -> None:
    """The comment, the certificate number or the reason."""
    text = typed(update)[:500]
    if not text:
        await send(update, ctx, ctx.tr._("Please type it as text."))
        return
    await finish(update, ctx, state, text)


@staff_only
async def use_buttons(update: Update, ctx: BotContext, step: DeskStep, state: ChangeState
                      ) -> None:
    await send(update, ctx, render.error_text(ctx.tr, "use_buttons"))


async def finish(update: Update, ctx: BotContext, state: ChangeState, text: str) -> None:
    """Make the change with what was given; `text` is the last answer typed."""
    details: dict[str, Any] = {}
    comment = text
    if state.to == "documents_requested":
        details = {"requested_documents": state.items, "requested_at": ctx.now()}
    elif state.to == "inspection":
        details = {"inspection_at": state.at, "inspection_place": state.place}
    elif state.to == "approved":
        details, comment = {"certificate_number": text}, ""
    elif state.to == "rejected":
        details, comment = {"rejection_reason": text}, ""
    await flows.end(ctx)
    if state.to == RESCHEDULE:
        await moved(update, ctx, state)
        return
    await apply_change(update, ctx, state.app, state.expected, state.to, comment, **details)


async def moved(update: Update, ctx: BotContext, state: ChangeState) -> None:
    case = await ctx.repos.applications.get(state.app)
    if case is None:
        return
    if state.at is None or not await workflow.reschedule(ctx.services, case, state.at,
                                                          state.place or "", ctx.user.id):
        await changed_meanwhile(update, ctx, case)
        return
    await send(update, ctx, ctx.tr._("📅 Inspection moved; the applicant is asked to confirm."))
    await card(update, ctx, await ctx.repos.applications.get(case.id) or case, fresh=True)


async def apply_change(update: Update, ctx: BotContext, app_id: int, expected: str, new: str,
                       comment: str, **details: Any) -> None:
    """Compare-and-set the status, with the applicant's notice and the reminders it implies
    (one transaction; the notice goes out at once, through the outbox)."""
    repos = ctx.repos.applications
    case = await repos.get(app_id)
    if case is None:
        return
    changed = await workflow.change_status(ctx.services, case, expected, new, ctx.user.id,
                                           comment, **details)
    case = await repos.get(app_id) or case
    if not changed:
        await changed_meanwhile(update, ctx, case)
        return
    tr = ctx.tr
    note = tr._("Status changed to «{status}».", status=render.status_label(tr, new))
    applicant = await ctx.repos.users.get(case.user_id) if case.user_id else None
    if applicant is None or applicant.blocked:
        note += " " + tr._("The applicant cannot be notified (blocked the bot, or the "
                           "application is anonymised).")
    await send(update, ctx, note)
    await card(update, ctx, case, fresh=True)


async def on_cancel(update: Update, ctx: BotContext) -> None:
    await flows.end(ctx)
    await send(update, ctx, ctx.tr._("Cancelled."))
