"""The application form's declaration: its steps, its state, and what every step uses.

The draft is an `applications` row (status 'draft'), written at every answer; the
conversation row only says which step is on screen. So a restart, a detour into
the guide, or a week's pause continues at the same step with everything kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from telegram.error import TelegramError

from domain import applications as domain
from domain.applications import Application
from handlers.base import BotContext, Sent
from handlers.flows import Flow, remember_message


class IntakeStep(StrEnum):
    CONSENT = "consent"
    APPLICANT_TYPE = "applicant_type"
    RESIDENCY = "residency"
    APPLICANT_NAME = "applicant_name"
    COUNTRY = "country"
    ID_NUMBER = "id_number"
    IIN = "iin"
    ACTING = "acting"
    AGENT_NAME = "agent_name"
    AGENT_ID = "agent_id"
    PHONE = "phone"
    VIN = "vin"
    MAKE = "make"
    MODEL = "model"
    YEAR = "year"
    CATEGORY = "category"
    POWERTRAIN = "powertrain"
    BATTERY_KWH = "battery_kwh"
    CHEMISTRY = "chemistry"
    INLET = "inlet"
    VIN_CONFIRM = "vin_confirm"  # the VIN's check digit failed: confirm or retype
    DOCUMENTS = "documents"
    STRAY = "stray"            # a file sent at another step: which item is it for?
    REVIEW = "review"
    SUBMIT_CONFIRM = "submit_confirm"  # required items missing: submit anyway?
    DISCARD = "discard"


# One question per form field, in the form's order (domain.applications.FIELDS).
FIELD_STEPS = tuple(IntakeStep(name) for name in domain.FIELDS)
CHOICE_STEPS = tuple(step for step in FIELD_STEPS if step.value in domain.CHOICES
                     and step.value not in domain.TYPED_CHOICES)
TEXT_STEPS = tuple(step for step in FIELD_STEPS
                   if step not in CHOICE_STEPS and step is not IntakeStep.PHONE)


@dataclass
class IntakeState:
    editing: bool = False              # a field opened from the review returns there
    prefill: dict[str, Any] = field(default_factory=dict)  # consent: the guide's answers
    doc: str | None = None             # documents: the checklist item asked for
    skipped: list[str] = field(default_factory=list)  # documents: skipped this time
    vin: str | None = None             # vin_confirm: the VIN as typed
    back_to: str | None = None         # discard, stray: the step to return to
    back_state: dict[str, Any] = field(default_factory=dict)
    group: str | None = None           # documents: the album (media group) being received
    group_doc: str | None = None       # … and the item its files go to
    stray: list[dict[str, Any]] = field(default_factory=list)  # stray: the files sent
    moving: int | None = None          # documents: the file being moved to another item


FLOW = Flow("apply", IntakeStep, IntakeState)


def position(ctx: BotContext) -> tuple[IntakeStep | None, IntakeState]:
    """The step on screen (None outside the form) and its state."""
    at = FLOW.at(ctx)
    return (at[0], at[1]) if at else (None, IntakeState())


async def draft_of(ctx: BotContext) -> Application | None:
    return await ctx.repos.applications.draft_of(ctx.user.id)


async def goto(ctx: BotContext, step: IntakeStep, state: IntakeState) -> None:
    await FLOW.go(ctx, step, state)


async def shown(ctx: BotContext, message: Sent | None) -> None:
    """Remember the question on screen; the previous one loses its buttons, so old
    Back buttons don't pile up in the chat."""
    conv = ctx.conv
    if message is None or conv is None:
        return
    if conv.message_id and conv.message_id != message.message_id:
        try:
            await ctx.bot.edit_message_reply_markup(message.chat_id, conv.message_id)
        except TelegramError:
            pass  # already without buttons, or deleted: nothing to tidy
    await remember_message(ctx, message.message_id)
