"""Moving through the form: which screen each step shows (a table), where a user resumes,
and what comes after an answer."""
from __future__ import annotations

from typing import Any

from telegram import Update

from domain import applications as domain
from domain.applications import Application, Document
from handlers.base import BotContext
from handlers.flows import decode, encode
from handlers.intake import screens
from handlers.intake.common import FIELD_STEPS, IntakeState, IntakeStep, draft_of, position
from services import application_texts as render
from services import outbox

SCREENS: dict[IntakeStep, screens.Screen] = {
    **{step: screens.question for step in FIELD_STEPS},
    IntakeStep.VIN_CONFIRM: screens.vin_confirm,
    IntakeStep.DOCUMENTS: screens.document,
    IntakeStep.STRAY: screens.stray,
    IntakeStep.REVIEW: screens.review,
    IntakeStep.SUBMIT_CONFIRM: screens.submit_confirm,
    IntakeStep.DISCARD: screens.discard,
}


async def ask(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
              state: IntakeState | None = None, fresh: bool = False) -> None:
    """Show `step` (the consent is asked by begin() alone: it comes before any draft)."""
    screen = SCREENS.get(step, screens.review)
    await screen(update, ctx, draft, step, state or IntakeState(), fresh)


async def begin(update: Update, ctx: BotContext, prefill: dict[str, Any] | None = None) -> None:
    """Start or continue the user's draft (consent first)."""
    prefill = prefill or {}
    if not await ctx.repos.consents.accepted(ctx.user.id, domain.CONSENT_VERSION):
        await screens.consent(update, ctx, IntakeState(prefill=prefill))
        return
    draft = await draft_of(ctx)
    if draft is None:
        draft = await ctx.repos.applications.create_draft(ctx.user.id, prefill, ctx.now())
        await outbox.schedule_draft(ctx.services, draft)  # "unfinished" nudge, once
    elif prefill:
        await ctx.repos.applications.update_draft(draft.id, prefill, ctx.now())
        draft = await draft_of(ctx) or draft
    await advance(update, ctx, draft)


async def resume(update: Update, ctx: BotContext, fresh: bool = False) -> None:
    """Show the user where they are in the form."""
    draft = await draft_of(ctx)
    if draft is None:
        await begin(update, ctx)
        return
    step, state = position(ctx)
    await ask(update, ctx, draft, step or IntakeStep.REVIEW, state, fresh=fresh)


async def advance(update: Update, ctx: BotContext, draft: Application, fresh: bool = False
                  ) -> None:
    """Go to the first unanswered question, then the documents, then the review."""
    name = domain.next_field(draft.values())
    if name is not None:
        await ask(update, ctx, draft, IntakeStep(name), fresh=fresh)
        return
    docs = await ctx.repos.applications.documents(draft.id)
    if not docs:  # offer the uploads once the questions are done; later, from the review
        first = render.app_checklist(draft)[0].kind
        await ask(update, ctx, draft, IntakeStep.DOCUMENTS, IntakeState(doc=first), fresh=fresh)
        return
    await ask(update, ctx, draft, IntakeStep.REVIEW, fresh=fresh)


def next_document(draft: Application, docs: list[Document], skipped: list[str],
                  after: str | None = None) -> str | None:
    """The next item without files, after `after` first (then from the top)."""
    have = {d.kind for d in docs}
    kinds = [i.kind for i in render.app_checklist(draft)]
    start = kinds.index(after) + 1 if after in kinds else 0
    return next((k for k in kinds[start:] + kinds[:start]
                 if k not in have and k not in skipped), None)


async def next_document_step(update: Update, ctx: BotContext, draft: Application,
                             skipped: list[str], fresh: bool = False,
                             after: str | None = None) -> None:
    docs = await ctx.repos.applications.documents(draft.id)
    kind = next_document(draft, docs, skipped, after)
    if kind is None:
        await ask(update, ctx, draft, IntakeStep.REVIEW, fresh=fresh)
    else:
        await ask(update, ctx, draft, IntakeStep.DOCUMENTS,
                  IntakeState(doc=kind, skipped=skipped), fresh=fresh)


async def ask_discard(update: Update, ctx: BotContext, draft: Application) -> None:
    """Ask before deleting the draft; "No" returns to where the user was."""
    step, state = position(ctx)
    if step is IntakeStep.DISCARD:
        back = IntakeState(back_to=state.back_to, back_state=state.back_state)
    else:
        back = IntakeState(back_to=(step or IntakeStep.REVIEW).value, back_state=encode(state))
    await ask(update, ctx, draft, IntakeStep.DISCARD, back)


def returned_from_discard(state: IntakeState) -> tuple[IntakeStep, IntakeState]:
    """Where "No, continue" goes back to."""
    steps = {step.value: step for step in IntakeStep}
    return (steps.get(state.back_to or "", IntakeStep.REVIEW),
            decode(IntakeState, state.back_state))
