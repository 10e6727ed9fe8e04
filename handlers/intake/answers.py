"""Answers to the form's questions: buttons pressed, text typed, a contact shared; Back,
Edit, and the VIN confirmation.

callback_data (all "ap:…"): c:yes / c:no consent, v:<field>:<value> a choice, b back,
e:<field> edit from review, vy / vn confirm or retype a VIN whose check digit fails, nr
"not registered in Kazakhstan" at the IIN/BIN, ni "I have no IIN" (a non-resident).
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
from handlers.intake.common import IntakeState, IntakeStep, draft_of, position
from handlers.menu import menu_markup, menu_text
from services import application_texts as render
from services.countries import find_country

# Answers that make the identity number asked another kind of number: ask it again.
IDENTITY_DECIDERS = ("applicant_type", "residency", "country")

TextCheck = Callable[[str, date], validators.Check]


def check_country(raw: str, today: date) -> validators.Check:
    if len(raw) > 60:
        return validators.Check(error="text_too_long", value=(60, len(raw)))
    code = find_country(raw)
    return validators.Check(value=code) if code else validators.Check(error="country_unknown")


TEXT_CHECKS: dict[IntakeStep, TextCheck] = {
    IntakeStep.APPLICANT_NAME: lambda raw, today: validators.check_name(raw),
    IntakeStep.AGENT_NAME: lambda raw, today: validators.check_name(raw),
    IntakeStep.AGENT_ID: validators.check_person_id,
    IntakeStep.IIN: validators.check_iin,
    IntakeStep.COUNTRY: check_country,
    IntakeStep.MAKE: lambda raw, today: validators.check_short_text(raw),
    IntakeStep.MODEL: lambda raw, today: validators.check_short_text(raw),
    IntakeStep.YEAR: validators.check_year,
    IntakeStep.BATTERY_KWH: lambda raw, today: validators.check_battery(raw),
    IntakeStep.PHONE: lambda raw, today: validators.check_phone(raw),
    IntakeStep.VIN: lambda raw, today: validators.check_vin(raw),
}


def check_identity(draft: Application) -> TextCheck:
    """An IIN or a passport for a person, a BIN, a Chinese USCC or another country's
    registration number for a company."""
    kind = domain.id_kind(draft.values())
    return {
        "iin": validators.check_iin,
        "bin": lambda raw, today: validators.check_bin(raw),
        "passport": lambda raw, today: validators.check_passport(raw, draft.country),
        "uscc": lambda raw, today: validators.check_uscc(raw),
        "registration": lambda raw, today: validators.check_foreign_registration(raw),
    }[kind]


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
    before = domain.id_kind(draft.values())
    if name in IDENTITY_DECIDERS and value != getattr(draft, name) and \
            domain.id_kind({**draft.values(), **changes}) != before:
        changes["id_number"] = None  # an IIN is not a BIN, nor a passport: ask again
    if name == "country" and draft.id_number and domain.id_kind(draft.values()) == "passport":
        changes["id_number"] = None  # a passport's format depends on its country
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
    await save_checked(update, ctx, draft, step, state, check(raw, today))


async def save_checked(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                       state: IntakeState, result: validators.Check) -> None:
    if not result.ok:
        await reject(update, ctx, draft, step, state, result.error or "", result.value)
        return
    if step is IntakeStep.PHONE:
        await send(update, ctx, ctx.tr._("✅ Phone number saved: {phone}", phone=result.value),
                   ReplyKeyboardRemove())
    vin = str(result.value) if step is IntakeStep.VIN else draft.vin
    year = result.value if step is IntakeStep.YEAR else draft.year
    if step in (IntakeStep.VIN, IntakeStep.YEAR) and vin and isinstance(year, int):
        years = validators.vin_year_mismatch(vin, year)
        if years:  # a warning: makers outside China may use the 10th character otherwise
            await send(update, ctx, render.vin_year_text(ctx.tr, vin, year, years))
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
    if message.text == screens.back_row(ctx.tr, step, state, draft)[0][0]:
        previous = domain.previous_field(draft.values(), step.value)
        if state.editing or previous is None:
            await navigate.ask(update, ctx, draft, IntakeStep.REVIEW)
        else:
            await navigate.ask(update, ctx, draft, IntakeStep(previous))
        return
    if message.contact:
        contact = message.contact
        if contact.user_id != ctx.user.id:  # one's own contact always carries one's id
            await reject(update, ctx, draft, step, state, "phone_not_own")
            return
        await save_checked(update, ctx, draft, step, state,
                           validators.check_shared_phone(contact.phone_number))
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
    previous = domain.previous_field(draft.values(), step.value) \
        if draft is not None and step is not None else None
    if draft is None or previous is None:
        await navigate.resume(update, ctx)
        return
    await navigate.ask(update, ctx, draft, IntakeStep(previous))


@named("apply:no_iin")
async def on_no_iin(update: Update, ctx: BotContext) -> None:
    """A non-resident without an IIN (the usual case): recorded as none."""
    pressed = await pressed_at(update, ctx, IntakeStep.IIN)
    if pressed is None:
        return
    draft, _ = pressed
    await save_answer(update, ctx, draft, "iin", "")


@named("apply:not_resident")
async def on_not_resident(update: Update, ctx: BotContext) -> None:
    """"No IIN or BIN": the applicant is not registered in Kazakhstan after all."""
    pressed = await pressed_at(update, ctx, IntakeStep.ID_NUMBER)
    if pressed is None:
        return
    draft, state = pressed
    await save_answer(update, ctx, draft, "residency", "foreign")


@named("apply:edit")
async def on_edit(update: Update, ctx: BotContext) -> None:
    name = ctx.matched()
    draft = await draft_of(ctx)
    await answer(update, ctx)
    if draft is None or name not in domain.FIELDS:
        await navigate.resume(update, ctx)
        return
    await navigate.ask(update, ctx, draft, IntakeStep(name), IntakeState(editing=True))
