"""Application intake: consent, then one question per message, documents, review, submit.

The draft is an `applications` row (status 'draft'), written at every answer; the
conversation row only says which step is on screen. So a restart, a detour into
the guide, or a week's pause continues at the same step with everything kept.

callback_data (all "ap:…"): c:yes / c:no consent, v:<field>:<value> a choice,
b back, e:<field> edit from review, s skip a document, r review, d documents,
go submit, vy / vn confirm or retype a VIN whose check digit fails,
x / xy / xn discard the draft (ask, yes, no).
"""
from __future__ import annotations

import logging

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from domain import applications as domain
from domain import validators
from handlers import application_render as render
from handlers import fallback, notify, start, uploads
from handlers.base import BotContext, answer, keyboard, named, send, show
from jobs import reminders
from storage.applications import Application as Draft
from storage.conversations import Conversation

log = logging.getLogger(__name__)
FLOW = "apply"
TEXT_CHECKS = {
    "applicant_name": lambda raw, today: validators.check_name(raw),
    "make": lambda raw, today: validators.check_short_text(raw),
    "model": lambda raw, today: validators.check_short_text(raw),
    "year": validators.check_year,
    "battery_kwh": lambda raw, today: validators.check_battery(raw),
    "phone": lambda raw, today: validators.check_phone(raw),
    "vin": lambda raw, today: validators.check_vin(raw),
}


# --- position ----------------------------------------------------------------------

async def goto(ctx: BotContext, step: str, **data) -> None:
    previous = ctx.conv.message_id if ctx.conv and ctx.conv.flow == FLOW else None
    conv = Conversation(ctx.user.id, FLOW, step, data, previous)
    await ctx.repos.conversations.save(conv, ctx.now())
    ctx.conv = conv


async def shown(ctx: BotContext, message) -> None:
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
    conv.message_id = message.message_id
    await ctx.repos.conversations.save(conv, ctx.now())


def step_of(ctx: BotContext) -> tuple[str, dict]:
    if ctx.conv and ctx.conv.flow == FLOW:
        return ctx.conv.step, ctx.conv.data
    return "", {}


async def draft_of(ctx: BotContext) -> Draft | None:
    return await ctx.repos.applications.draft_of(ctx.user.id)


# --- entry points ------------------------------------------------------------------

async def begin(update: Update, ctx: BotContext, prefill: dict | None = None) -> None:
    """Start or continue the user's draft (consent first)."""
    prefill = prefill or {}
    if not await ctx.repos.consents.accepted(ctx.user.id, domain.CONSENT_VERSION):
        await goto(ctx, "consent", prefill=prefill)
        await show(update, ctx, consent_text(ctx), keyboard([
            [(ctx.tr._("✅ I agree"), "ap:c:yes")], [(ctx.tr._("✖️ No, thanks"), "ap:c:no")]]))
        return
    draft = await draft_of(ctx)
    if draft is None:
        draft = await ctx.repos.applications.create_draft(ctx.user.id, prefill, ctx.now())
        await reminders.schedule_draft(ctx.services, draft)  # "unfinished" nudge, once
    elif prefill:
        await ctx.repos.applications.update_draft(draft.id, prefill, ctx.now())
        draft = await draft_of(ctx)
    await advance(update, ctx, draft)


def consent_text(ctx: BotContext) -> str:
    return ctx.tr._(
        "<b>Consent to personal data collection and processing</b>\n\n"
        "To accept your application the certification centre collects your name, IIN or "
        "BIN, phone number, your vehicle's data and the documents you upload, and processes "
        "them only to certify the vehicle, under the Law of the Republic of Kazakhstan "
        "«On personal data and their protection».\n\n"
        "You can get everything stored about you with /mydata and delete it with "
        "/deletemydata.\n\nDo you agree?")


@named("apply:new")
async def apply_entry(update: Update, ctx: BotContext) -> None:
    await answer(update)
    await begin(update, ctx)


@named("apply:consent")
async def on_consent(update: Update, ctx: BotContext) -> None:
    step, data = step_of(ctx)
    await answer(update)
    if step != "consent":
        await resume(update, ctx)
        return
    if update.callback_query.data.endswith(":no"):
        await ctx.repos.conversations.clear(ctx.user.id)
        ctx.conv = None
        await show(update, ctx, ctx.tr._("Without your consent I cannot accept an application. "
                                         "The guide and the lookup work without it.")
                   + "\n\n" + start.menu_text(ctx.tr), start.menu_markup(ctx))
        return
    await ctx.repos.consents.accept(ctx.user.id, domain.CONSENT_VERSION, ctx.tr.language,
                                    ctx.now())
    await begin(update, ctx, data.get("prefill"))


async def resume(update: Update, ctx: BotContext, fresh: bool = False) -> None:
    draft = await draft_of(ctx)
    if draft is None:
        await begin(update, ctx)
        return
    step, data = step_of(ctx)
    await ask(update, ctx, draft, step or "", data, fresh=fresh)


# --- asking ----------------------------------------------------------------------------

async def advance(update: Update, ctx: BotContext, draft: Draft, fresh: bool = False) -> None:
    """Go to the first unanswered question, then the documents, then the review."""
    field = domain.next_field(draft.values())
    if field is not None:
        await ask(update, ctx, draft, field, {}, fresh=fresh)
        return
    docs = await ctx.repos.applications.documents(draft.id)
    if not docs:  # offer the uploads once the questions are done; later, from the review
        first = render.app_checklist(draft)[0].kind
        await ask(update, ctx, draft, "documents", {"doc": first, "skipped": []}, fresh=fresh)
        return
    await ask(update, ctx, draft, "review", {}, fresh=fresh)


def next_document(draft: Draft, docs, skipped) -> str | None:
    have = {d.kind for d in docs}
    return next((i.kind for i in render.app_checklist(draft)
                 if i.kind not in have and i.kind not in skipped), None)


async def ask(update: Update, ctx: BotContext, draft: Draft, step: str, data: dict,
              fresh: bool = False) -> None:
    tr = ctx.tr
    put = send if fresh else show
    if step == "review" or not step:
        await goto(ctx, "review")
        docs = await ctx.repos.applications.documents(draft.id)
        duplicates = await ctx.repos.applications.open_with_vin(draft.vin, draft.id) \
            if draft.vin else []
        text = render.review_text(tr, draft, docs, duplicates)
        await shown(ctx, await put(update, ctx, text, review_markup(ctx, draft)))
        return
    if step == "documents":
        await goto(ctx, step, **data)
        markup = keyboard([[(tr._("⏭ Skip for now"), "ap:s")],
                           [(tr._("➡️ To the review"), "ap:r")]])
        await shown(ctx, await put(update, ctx, documents_text(ctx, draft, data["doc"]), markup))
        return
    if step == "vin_confirm":
        await goto(ctx, step, **data)
        await shown(ctx, await put(update, ctx, tr._(
            "⚠️ The check digit (9th character) of {vin} does not match. Vehicles from outside "
            "China sometimes have such VINs. Is it typed exactly as on the VIN plate?",
            vin=data["vin"]), keyboard([[(tr._("✅ Yes, it is correct"), "ap:vy")],
                                        [(tr._("✏️ Type it again"), "ap:vn")]])))
        return
    await goto(ctx, step, **data)
    text = progress(tr, step) + render.question(tr, step, draft.applicant_type)
    current = getattr(draft, step)
    if current is not None:
        text += "\n" + tr._("Now: {value}", value=render.value_text(tr, draft, step))
    if step in domain.CHOICES:
        rows = [[(render.choice_label(tr, step, v), f"ap:v:{step}:{v}")]
                for v in domain.CHOICES[step]]
        markup = keyboard(rows + [back_row(ctx, step, data)])
        await shown(ctx, await put(update, ctx, text, markup))
    elif step == "phone":
        # A reply keyboard can't share a message with inline buttons, so its way back is
        # a reply button too: the user's message is its label (see on_input).
        back_label = back_row(ctx, step, data)[0][0]
        await shown(ctx, await send(update, ctx, text, ReplyKeyboardMarkup(
            [[KeyboardButton(tr._("📱 Share my phone number"), request_contact=True)],
             [KeyboardButton(back_label)]],
            resize_keyboard=True, one_time_keyboard=True)))
    else:
        await shown(ctx, await put(update, ctx, text, keyboard([back_row(ctx, step, data)])))


def progress(tr, step: str) -> str:
    number = domain.FIELDS.index(step) + 1
    return tr._("📝 Application · question {n} of {total}", n=number,
                total=len(domain.FIELDS)) + "\n\n"


def back_row(ctx: BotContext, step: str, data: dict) -> list[tuple[str, str]]:
    if data.get("editing"):
        return [(ctx.tr._("⬅️ Back to the review"), "ap:r")]
    index = domain.FIELDS.index(step)
    return [(ctx.tr._("⬅️ Back"), "ap:b" if index else "menu")]


def documents_text(ctx: BotContext, draft: Draft, kind: str) -> str:
    tr = ctx.tr
    items = render.app_checklist(draft)
    number = [i.kind for i in items].index(kind) + 1
    return tr._("📎 Document {n} of {total}: <b>{name}</b>\nSend a photo or a PDF file (up to "
                "20 MB). You can also add documents later, from «My applications».",
                n=number, total=len(items), name=render.doc_label(tr, kind))


def review_markup(ctx: BotContext, draft: Draft):
    tr = ctx.tr
    edits = [(f"✏️ {render.field_label(tr, f, draft.applicant_type)}", f"ap:e:{f}")
             for f in domain.FIELDS]
    rows = [edits[i:i + 2] for i in range(0, len(edits), 2)]
    rows.append([(tr._("📎 Documents"), "ap:d")])
    rows.append([(tr._("✅ Submit the application"), "ap:go")])
    rows.append([(tr._("🗑 Discard the draft"), "ap:x"), (tr._("⬅️ Main menu"), "menu")])
    return keyboard(rows)


# --- answers ---------------------------------------------------------------------------

async def save_answer(update: Update, ctx: BotContext, draft: Draft, field: str,
                      value: object, extra: dict | None = None) -> None:
    editing = step_of(ctx)[1].get("editing")
    changes = {field: value, **(extra or {})}
    if field == "applicant_type" and value != draft.applicant_type:
        changes["id_number"] = None  # an IIN is not a BIN: ask again
    await ctx.repos.applications.update_draft(draft.id, changes, ctx.now())
    draft = await draft_of(ctx)
    if editing and domain.next_field(draft.values()) is None:
        await ask(update, ctx, draft, "review", {}, fresh=update.callback_query is None)
    else:
        await advance(update, ctx, draft, fresh=update.callback_query is None)


@named("apply:choice")
async def on_choice(update: Update, ctx: BotContext) -> None:
    _, _, field, value = (update.callback_query.data.split(":") + ["", ""])[:4]
    step, _ = step_of(ctx)
    draft = await draft_of(ctx)
    if draft is None or field != step or value not in domain.CHOICES.get(field, ()):
        await answer(update, ctx.tr._("That question is already answered; here is where you "
                                      "are."))
        await resume(update, ctx)
        return
    await answer(update)
    await save_answer(update, ctx, draft, field, value)


@named("apply:input")
async def on_input(update: Update, ctx: BotContext) -> None:
    """Anything typed or sent while the form is open."""
    step, data = step_of(ctx)
    draft = await draft_of(ctx)
    message = update.effective_message
    if draft is None:
        await begin(update, ctx)
        return
    if step == "documents":
        await on_upload(update, ctx, draft, data)
        return
    if step == "phone" and message.text == back_row(ctx, step, data)[0][0]:
        # the reply keyboard's way back; it hides itself once used (one_time_keyboard)
        if data.get("editing"):
            await ask(update, ctx, draft, "review", {})
        else:
            await ask(update, ctx, draft, domain.FIELDS[domain.FIELDS.index(step) - 1], {})
        return
    if step == "phone" and message.contact:
        contact = message.contact
        if contact.user_id and contact.user_id != ctx.user.id:
            await reject(update, ctx, draft, step, data, "phone_not_own")
            return
        await accept_text(update, ctx, draft, step, contact.phone_number)
        return
    if step == "consent":
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, "use_buttons"))
        await begin(update, ctx, data.get("prefill"))
        return
    if step == "discard":
        await send(update, ctx, "❗ " + render.error_text(ctx.tr, "use_buttons"))
        await ask_discard(update, ctx)
        return
    if step in TEXT_CHECKS or step == "id_number":
        if not message.text:
            # a sticker, photo or voice note where typed text is asked for
            await reject(update, ctx, draft, step, data, "not_text" if step != "phone"
                         else "phone_format")
            return
        await accept_text(update, ctx, draft, step, message.text)
        return
    await reject(update, ctx, draft, step, data, "use_buttons")


async def accept_text(update: Update, ctx: BotContext, draft: Draft, step: str, raw: str) -> None:
    today = ctx.services.clock.now().astimezone(ctx.tr.tz).date()
    if step == "id_number":
        check = validators.check_bin(raw) if draft.applicant_type == "company" \
            else validators.check_iin(raw, today)
    else:
        check = TEXT_CHECKS[step](raw, today)
    if not check.ok:
        await reject(update, ctx, draft, step, step_of(ctx)[1], check.error, check.value)
        return
    if step == "phone":
        await send(update, ctx, ctx.tr._("✅ Phone number saved: {phone}", phone=check.value),
                   ReplyKeyboardRemove())
    if check.warning == "vin_check_digit":
        await ask(update, ctx, draft, "vin_confirm",
                  {"vin": check.value, "editing": step_of(ctx)[1].get("editing")}, fresh=True)
        return
    extra = {"vin_warning": False} if step == "vin" else None
    await save_answer(update, ctx, draft, step, check.value, extra)


async def reject(update: Update, ctx: BotContext, draft: Draft, step: str, data: dict,
                 code: str, value: object = None) -> None:
    """Say what was wrong and what is expected, then ask the same question again."""
    await send(update, ctx, "❗ " + render.error_text(ctx.tr, code, value))
    if step in domain.FIELDS or step in ("documents", "review", "vin_confirm"):
        await ask(update, ctx, draft, step, data, fresh=True)


async def pressed_at(update: Update, ctx: BotContext, *steps: str):
    """(draft, step data) for a button pressed at one of `steps` (any step if none given);
    for an old message or a double tap, the user is shown where they really are: None."""
    step, data = step_of(ctx)
    draft = await draft_of(ctx)
    await answer(update)
    if draft is None or (steps and step not in steps):
        await resume(update, ctx)
        return None
    return draft, data


@named("apply:vin")
async def on_vin_confirm(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, "vin_confirm")
    if pressed is None:
        return
    draft, data = pressed
    if update.callback_query.data == "ap:vy":
        await save_answer(update, ctx, draft, "vin", data["vin"], {"vin_warning": True})
    else:
        await ask(update, ctx, draft, "vin", {"editing": data.get("editing")})


@named("apply:back")
async def on_back(update: Update, ctx: BotContext) -> None:
    step, _ = step_of(ctx)
    draft = await draft_of(ctx)
    await answer(update)
    if draft is None or step not in domain.FIELDS or domain.FIELDS.index(step) == 0:
        await resume(update, ctx)
        return
    await ask(update, ctx, draft, domain.FIELDS[domain.FIELDS.index(step) - 1], {})


@named("apply:edit")
async def on_edit(update: Update, ctx: BotContext) -> None:
    field = update.callback_query.data.split(":", 2)[2]
    draft = await draft_of(ctx)
    await answer(update)
    if draft is None or field not in domain.FIELDS:
        await resume(update, ctx)
        return
    await ask(update, ctx, draft, field, {"editing": True})


@named("apply:review")
async def on_review(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx)
    if pressed is None:
        return
    draft, _ = pressed
    if domain.next_field(draft.values()) is not None:
        await advance(update, ctx, draft)
        return
    await ask(update, ctx, draft, "review", {})


# --- documents ---------------------------------------------------------------------------

async def on_upload(update: Update, ctx: BotContext, draft: Draft, data: dict) -> None:
    check = await uploads.attach(update, ctx, draft.id, data["doc"])
    if not check.ok:
        await reject(update, ctx, draft, "documents", data, check.error, check.value)
        return
    await send(update, ctx, ctx.tr._("✅ Attached: {name}", name=render.doc_label(ctx.tr,
                                                                                data["doc"])))
    await next_document_step(update, ctx, draft, data.get("skipped", []), fresh=True)


async def next_document_step(update, ctx, draft, skipped, fresh=False) -> None:
    docs = await ctx.repos.applications.documents(draft.id)
    kind = next_document(draft, docs, skipped)
    if kind is None:
        await ask(update, ctx, draft, "review", {}, fresh=fresh)
    else:
        await ask(update, ctx, draft, "documents", {"doc": kind, "skipped": skipped}, fresh=fresh)


@named("apply:skip")
async def on_skip(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx, "documents")
    if pressed is None:
        return
    draft, data = pressed
    await next_document_step(update, ctx, draft, data.get("skipped", []) + [data["doc"]])


@named("apply:documents")
async def on_documents(update: Update, ctx: BotContext) -> None:
    pressed = await pressed_at(update, ctx)
    if pressed is None:
        return
    draft, _ = pressed
    docs = await ctx.repos.applications.documents(draft.id)
    items = render.app_checklist(draft)
    have = {d.kind for d in docs}
    kind = next((i.kind for i in items if i.kind not in have), items[0].kind)
    await ask(update, ctx, draft, "documents", {"doc": kind, "skipped": []})


# --- submit and discard ------------------------------------------------------------------

@named("apply:submit")
async def on_submit(update: Update, ctx: BotContext) -> None:
    draft = await draft_of(ctx)
    await answer(update)
    if draft is None:
        await show(update, ctx, ctx.tr._("This application was already submitted."),
                   start.back_to_menu(ctx.tr))
        return
    if domain.next_field(draft.values()) is not None:
        await advance(update, ctx, draft)
        return
    year = ctx.services.clock.now().astimezone(ctx.tr.tz).year
    submitted = await ctx.repos.applications.submit(draft.id, year, ctx.user.id, ctx.now())
    if submitted is None:  # a double tap: the first one submitted it
        return
    await ctx.repos.conversations.clear(ctx.user.id)
    ctx.conv = None
    tr = ctx.tr
    await show(update, ctx, tr._(
        "✅ Application <b>{number}</b> is submitted. Status: <b>{status}</b>.\n\nThe "
        "certification centre will review it; I will write to you here at every status "
        "change. You can follow it in «My applications».", number=submitted.number,
        status=render.status_label(tr, submitted.status)),
        keyboard([[(tr._("📂 My applications"), "my:list")], [(tr._("⬅️ Main menu"), "menu")]]))
    await notify.notify_staff(ctx.services, ctx.bot, submitted)


@named("apply:discard")
async def on_discard(update: Update, ctx: BotContext) -> None:
    data = update.callback_query.data
    await answer(update)
    draft = await draft_of(ctx)
    if draft is None:
        await show(update, ctx, start.menu_text(ctx.tr), start.menu_markup(ctx))
        return
    if data == "ap:x":
        await ask_discard(update, ctx)
    elif data == "ap:xy":
        await ctx.repos.applications.delete_draft(draft.id)
        await ctx.repos.conversations.clear(ctx.user.id)
        ctx.conv = None
        await show(update, ctx, ctx.tr._("The draft is deleted.") + "\n\n"
                   + start.menu_text(ctx.tr), start.menu_markup(ctx))
    else:
        await ask(update, ctx, draft, ctx.conv.data.get("back_to", "review") if ctx.conv else
                  "review", ctx.conv.data.get("back_data", {}) if ctx.conv else {})


async def ask_discard(update: Update, ctx: BotContext) -> None:
    step, data = step_of(ctx)
    await goto(ctx, "discard", back_to=step if step != "discard" else "review", back_data=data)
    await show(update, ctx, ctx.tr._("Delete the draft with everything entered so far?"),
               keyboard([[(ctx.tr._("🗑 Yes, delete it"), "ap:xy")],
                         [(ctx.tr._("↩️ No, continue"), "ap:xn")]]))


async def cancel_hook(update: Update, ctx: BotContext) -> None:
    """/cancel in the form: a draft is only discarded after confirmation."""
    if await draft_of(ctx) is None:
        await ctx.repos.conversations.clear(ctx.user.id)
        await send(update, ctx, ctx.tr._("Cancelled."), start.menu_markup(ctx))
        return
    await ask_discard(update, ctx)


@named("apply")
async def apply_command(update: Update, ctx: BotContext) -> None:
    await begin(update, ctx)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("apply", apply_command, filters=private))
    app.add_handler(CallbackQueryHandler(apply_entry, pattern=r"^apply:new$"))
    app.add_handler(CallbackQueryHandler(on_consent, pattern=r"^ap:c:"))
    app.add_handler(CallbackQueryHandler(on_choice, pattern=r"^ap:v:"))
    app.add_handler(CallbackQueryHandler(on_vin_confirm, pattern=r"^ap:v[yn]$"))
    app.add_handler(CallbackQueryHandler(on_back, pattern=r"^ap:b$"))
    app.add_handler(CallbackQueryHandler(on_edit, pattern=r"^ap:e:"))
    app.add_handler(CallbackQueryHandler(on_review, pattern=r"^ap:r$"))
    app.add_handler(CallbackQueryHandler(on_skip, pattern=r"^ap:s$"))
    app.add_handler(CallbackQueryHandler(on_documents, pattern=r"^ap:d$"))
    app.add_handler(CallbackQueryHandler(on_submit, pattern=r"^ap:go$"))
    app.add_handler(CallbackQueryHandler(on_discard, pattern=r"^ap:x[yn]?$"))
    fallback.FLOW_INPUT[FLOW] = on_input
    start.CANCEL_HOOKS[FLOW] = cancel_hook
