"""Answers to the form's questions: buttons pressed, text typed, a contact shared; Back,
Edit, and the VIN confirmation.

callback_data (all "ap:…"): c:yes / c:no consent, v:<field>:<value> a choice, b back,
e:<field> edit from review, vy / vn confirm or retype a VIN whose check digit fails.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from telegram import ReplyKeyboardRemove, Update

from domain import applications as domain
from domain import validators
from domain.applications import Application
from handlers import flows
from handlers.base import BotContext, answer, message_of, named, send, show
from handlers.intake import navigate, screens
from handlers.intake.common import FIELD_STEPS, IntakeState, IntakeStep, draft_of, position
from handlers.menu import menu_markup, menu_text
from services import application_texts as render

TextCheck = Callable[[str, date], validators.Check]
TEXT_CHECKS: dict[IntakeStep, TextCheck] = {
    IntakeStep.APPLICANT_NAME: lambda raw, today: validators.check_name(raw),
    IntakeStep.MAKE: lambda raw, today: validators.check_short_text(raw),
    IntakeStep.MODEL: lambda raw, today: validators.check_short_text(raw),
    IntakeStep.YEAR: validators.check_year,
    IntakeStep.BATTERY_KWH: lambda raw, today: validators.check_battery(raw),
    IntakeStep.PHONE: lambda raw, today: validators.check_phone(raw),
    IntakeStep.VIN: lambda raw, today: validators.check_vin(raw),
}


def check_identity(draft: Application) -> TextCheck:
    """An IIN for a person, a BIN for a company."""
    if draft.applicant_type == "company":
        return lambda raw, today: validators.check_bin(raw)
    return validators.check_iin


# --- entry points ----------------------------------------------------------------------

@named("apply")
async def apply_command(update: Update, ctx: BotContext) -> None:
    await navigate.begin(update, ctx)


@named("apply:new")
async def apply_entry(update: Update, ctx: BotContext) -> None:
    await answer(update, ctx)
    await navigate.begin(update, ctx)


@named("apply:consent")
async def on_consent(update: Update, ctx: BotContext) -> None:
    step, state = position(ctx)
    await answer(update, ctx)
    if step is not IntakeStep.CONSENT:
        await navigate.resume(update, ctx)
        return
    if ctx.matched() == "no":
        await flows.end(ctx)
        await show(update, ctx, ctx.tr._("Without your consent I cannot accept an application. "
                                         "The guide and the lookup work without it.")
                   + "\n\n" + menu_text(ctx.tr), menu_markup(ctx))
        return
    await ctx.repos.consents.accept(ctx.user.id, domain.CONSENT_VERSION, ctx.tr.language,
                                    ctx.now())
    await navigate.begin(update, ctx, state.prefill)


async def show_where(update: Update, ctx: BotContext) -> None:
    await navigate.resume(update, ctx, fresh=True)


# --- saving an answer ------------------------------------------------------------------

async def save_answer(update: Update, ctx: BotContext, draft: Application, name: str,
                      value: Any, extra: dict[str, Any] | None = None) -> None:
    _, state = position(ctx)
    changes = {name: value, **(extra or {})}
    if name == "applicant_type" and value != draft.applicant_type:
        changes["id_number"] = None  # an IIN is not a BIN: ask again
    await ctx.repos.applications.update_draft(draft.id, changes, ctx.now())
    draft = await draft_of(ctx) or draft
    fresh = update.callback_query is None
    if state.editing and domain.next_field(draft.values()) is None:
        await navigate.ask(update, ctx, draft, IntakeStep.REVIEW, fresh=fresh)
    else:
        await navigate.advance(update, ctx, draft, fresh=fresh)


async def reject(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                 state: IntakeState, code: str, value: object = None) -> None:
    """Say what was wrong and what is expected, then ask the same question again."""
    await send(update, ctx, "❗ " + render.error_text(ctx.tr, code, value))
    if step is not IntakeStep.CONSENT and step is not IntakeStep.DISCARD:
        await navigate.ask(update, ctx, draft, step, state, fresh=True)


async def accept_text(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                      state: IntakeState, raw: str) -> None:
    today = ctx.services.clock.now().astimezone(ctx.tr.tz).date()
    check = (check_identity(draft) if step is IntakeStep.ID_NUMBER else TEXT_CHECKS[step])
    result = check(raw, today)
    if not result.ok:
        await reject(update, ctx, draft, step, state, result.error or "", result.value)
        return
    if step is IntakeStep.PHONE:
        await send(update, ctx, ctx.tr._("✅ Phone number saved: {phone}", phone=result.value),
                   ReplyKeyboardRemove())
    if result.warning == "vin_check_digit":
        await navigate.ask(update, ctx, draft, IntakeStep.VIN_CONFIRM,
                           IntakeState(vin=str(result.value), editing=state.editing), fresh=True)
        return
    extra = {"vin_warning": False} if step is IntakeStep.VIN else None
    await save_answer(update, ctx, draft, step.value, result.value, extra)


# --- typed input, by step (the table is in handlers.intake.register) ----------------------

async def _draft_or_begin(update: Update, ctx: BotContext) -> Application | None:
    draft = await draft_of(ctx)
    if draft is None:
        await navigate.begin(update, ctx)
    return draft


async def on_text(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState) -> None:
    """A question answered by typing (a name, an IIN, the VIN…)."""
    draft = await _draft_or_begin(update, ctx)
    if draft is None:
        return
    text = message_of(update).text
    if not text:  # a sticker, photo or voice note where typed text is asked for
        await reject(update, ctx, draft, step, state, "not_text")
        return
    await accept_text(update, ctx, draft, step, state, text)


async def on_phone(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                   ) -> None:
    """The phone: shared with Telegram's contact button, typed, or the reply keyboard's
    way back (its label arrives as text; the keyboard hides itself once used)."""
    draft = await _draft_or_begin(update, ctx)
    if draft is None:
        return
    message = message_of(update)
    if message.text == screens.back_row(ctx.tr, step, state)[0][0]:
        if state.editing:
            await navigate.ask(update, ctx, draft, IntakeStep.REVIEW)
        else:
            await navigate.ask(update, ctx, draft, FIELD_STEPS[FIELD_STEPS.index(step) - 1])
        return
    if message.contact:
        contact = message.contact
        if contact.user_id and contact.user_id != ctx.user.id:
            await reject(update, ctx, draft, step, state, "phone_not_own")
            return
        await accept_text(update, ctx, draft, step, state, contact.phone_number)
        return
    if not message.text:
        await reject(update, ctx, draft, step, state, "phone_format")
        return
    await accept_text(update, ctx, draft, step, state, message.text)


async def use_buttons(update: Update, ctx: BotContext, step: IntakeStep, state: IntakeState
                      ) -> None:
    """A step answered with buttons: say so and show it again."""
    if step is IntakeStep.CONSENT:
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, "use_buttons"))
        await navigate.begin(update, ctx, state.prefill)
        return
    draft = await _draft_or_begin(update, ctx)
    if draft is None:
        return
    if step is IntakeStep.DISCARD:
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, "use_buttons"))
        await navigate.ask_discard(update, ctx, draft)
        return
    await reject(update, ctx, draft, step, state, "use_buttons")


# --- buttons ---------------------------------------------------------------------------

async def pressed_at(update: Update, ctx: BotContext, *steps: IntakeStep
                     ) -> tuple[Application, IntakeState] | None:
    """(draft, state) for a button pressed at one of `steps` (any step if none given);
    for an old message or a double tap, the user is shown where they really are: None."""
    step, state = position(ctx)
    draft = await draft_of(ctx)
    await answer(update, ctx)
    if draft is None or (steps and step not in steps):
        await navigate.resume(update, ctx)
        return None
    return draft, state


@named("apply:choice")
async def on_choice(update: Update, ctx: BotContext) -> None:
    name, value = ctx.matched(1), ctx.matched(2)
    step, _ = position(ctx)
    draft = await draft_of(ctx)
    if draft is None or step is None or name != step.value or \
            value not in domain.CHOICES.get(name, ()):
        await answer(update, ctx, ctx.tr._("That question is already answered; here is where "
                                           "you are."))
        await navigate.resume(update, ctx)
        return
    await answer(update, ctx)
    await save_answer(update, ctx, draft, name, value)


@named("apply:vin")
async def on_vin_confirm(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, IntakeStep.VIN_CONFIRM)
    if pressed is None:
        return
    draft, state = pressed
    if ctx.matched() == "y":
        await save_answer(update, ctx, draft, "vin", state.vin, {"vin_warning": True})
    else:
        await navigate.ask(update, ctx, draft, IntakeStep.VIN, IntakeState(editing=state.editing))


@named("apply:back")
async def on_back(update: Update, ctx: BotContext) -> None:
    step, _ = position(ctx)
    draft = await draft_of(ctx)
    await answer(update, ctx)
    if draft is None or step not in FIELD_STEPS or step is FIELD_STEPS[0]:
        await navigate.resume(update, ctx)
        return
    await navigate.ask(update, ctx, draft, FIELD_STEPS[FIELD_STEPS.index(step) - 1])


@named("apply:edit")
async def on_edit(update: Update, ctx: BotContext) -> None:
    name = ctx.matched()
    draft = await draft_of(ctx)
    await answer(update, ctx)
    if draft is None or name not in domain.FIELDS:
        await navigate.resume(update, ctx)
        return
    await navigate.ask(update, ctx, draft, IntakeStep(name), IntakeState(editing=True))
