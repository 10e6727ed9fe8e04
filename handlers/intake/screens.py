"""What the form shows at each step: the consent, a question, the VIN warning, a
document to upload, the review and the discard question."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update

from domain import applications as domain
from domain.applications import Application
from handlers.base import BotContext, send, show
from handlers.intake.common import IntakeState, IntakeStep, goto, shown
from i18n import Translator
from services import application_texts as render
from services.keyboards import Button, keyboard

# A screen shows its step: (update, ctx, draft, step, state, fresh). `fresh` sends a
# new message instead of editing the one a button was pressed on.
Screen = Callable[[Update, BotContext, Application, IntakeStep, IntakeState, bool],
                  Awaitable[None]]


def consent_text(tr: Translator) -> str:
    return tr._(
        "<b>Consent to personal data collection and processing</b>\n\n"
        "To accept your application the certification centre collects your name, IIN or "
        "BIN, phone number, your vehicle's data and the documents you upload, and processes "
        "them only to certify the vehicle, under the Law of the Republic of Kazakhstan "
        "«On personal data and their protection».\n\n"
        "You can get everything stored about you with /mydata and delete it with "
        "/deletemydata.\n\nDo you agree?")


async def consent(update: Update, ctx: BotContext, state: IntakeState) -> None:
    await goto(ctx, IntakeStep.CONSENT, state)
    await show(update, ctx, consent_text(ctx.tr), keyboard([
        [(ctx.tr._("✅ I agree"), "ap:c:yes")], [(ctx.tr._("✖️ No, thanks"), "ap:c:no")]]))


def progress(tr: Translator, step: IntakeStep) -> str:
    number = domain.FIELDS.index(step.value) + 1
    return tr._("📝 Application · question {n} of {total}", n=number,
                total=len(domain.FIELDS)) + "\n\n"


def back_row(tr: Translator, step: IntakeStep, state: IntakeState) -> list[Button]:
    if state.editing:
        return [(tr._("⬅️ Back to the review"), "ap:r")]
    index = domain.FIELDS.index(step.value)
    return [(tr._("⬅️ Back"), "ap:b" if index else "menu")]


async def question(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                   state: IntakeState, fresh: bool) -> None:
    tr, name = ctx.tr, step.value
    put = send if fresh else show
    await goto(ctx, step, state)
    text = progress(tr, step) + render.question(tr, name, draft.applicant_type)
    if getattr(draft, name) is not None:
        text += "\n" + tr._("Now: {value}", value=render.value_text(tr, draft, name))
    if name in domain.CHOICES:
        rows = [[(render.choice_label(tr, name, v), f"ap:v:{name}:{v}")]
                for v in domain.CHOICES[name]]
        await shown(ctx, await put(update, ctx, text, keyboard(rows + [back_row(tr, step, state)])))
    elif step is IntakeStep.PHONE:
        # A reply keyboard can't share a message with inline buttons, so its way back is
        # a reply button too: the user's message is its label (answers.on_phone).
        back_label = back_row(tr, step, state)[0][0]
        await shown(ctx, await send(update, ctx, text, ReplyKeyboardMarkup(
            [[KeyboardButton(tr._("📱 Share my phone number"), request_contact=True)],
             [KeyboardButton(back_label)]],
            resize_keyboard=True, one_time_keyboard=True)))
    else:
        await shown(ctx, await put(update, ctx, text, keyboard([back_row(tr, step, state)])))


async def vin_confirm(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                      state: IntakeState, fresh: bool) -> None:
    tr = ctx.tr
    put = send if fresh else show
    await goto(ctx, step, state)
    await shown(ctx, await put(update, ctx, tr._(
        "⚠️ The check digit (9th character) of {vin} does not match. Vehicles from outside "
        "China sometimes have such VINs. Is it typed exactly as on the VIN plate?",
        vin=state.vin), keyboard([[(tr._("✅ Yes, it is correct"), "ap:vy")],
                                  [(tr._("✏️ Type it again"), "ap:vn")]])))


def documents_text(tr: Translator, draft: Application, kind: str) -> str:
    items = render.app_checklist(draft)
    number = [i.kind for i in items].index(kind) + 1
    return tr._("📎 Document {n} of {total}: <b>{name}</b>\nSend a photo or a PDF file (up to "
                "20 MB). You can also add documents later, from «My applications».",
                n=number, total=len(items), name=render.doc_label(tr, kind))


async def document(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                   state: IntakeState, fresh: bool) -> None:
    tr = ctx.tr
    put = send if fresh else show
    await goto(ctx, step, state)
    markup = keyboard([[(tr._("⏭ Skip for now"), "ap:s")],
                       [(tr._("➡️ To the review"), "ap:r")]])
    await shown(ctx, await put(update, ctx, documents_text(tr, draft, state.doc or ""), markup))


def review_markup(tr: Translator, draft: Application) -> InlineKeyboardMarkup:
    edits = [(f"✏️ {render.field_label(tr, f, draft.applicant_type)}", f"ap:e:{f}")
             for f in domain.FIELDS]
    rows = [edits[i:i + 2] for i in range(0, len(edits), 2)]
    rows.append([(tr._("📎 Documents"), "ap:d")])
    rows.append([(tr._("✅ Submit the application"), "ap:go")])
    rows.append([(tr._("🗑 Discard the draft"), "ap:x"), (tr._("⬅️ Main menu"), "menu")])
    return keyboard(rows)


async def review(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                 state: IntakeState, fresh: bool) -> None:
    put = send if fresh else show
    await goto(ctx, IntakeStep.REVIEW, IntakeState())
    docs = await ctx.repos.applications.documents(draft.id)
    duplicates = await ctx.repos.applications.open_with_vin(draft.vin, draft.id) \
        if draft.vin else []
    text = render.review_text(ctx.tr, draft, docs, duplicates)
    await shown(ctx, await put(update, ctx, text, review_markup(ctx.tr, draft)))


async def discard(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                  state: IntakeState, fresh: bool) -> None:
    """Ask before deleting the draft; "No" returns to the step in `state.back_to`."""
    tr = ctx.tr
    await goto(ctx, IntakeStep.DISCARD, state)
    await show(update, ctx, tr._("Delete the draft with everything entered so far?"),
               keyboard([[(tr._("🗑 Yes, delete it"), "ap:xy")],
                         [(tr._("↩️ No, continue"), "ap:xn")]]))
