"""What the form shows at each step: the consent, a question, the VIN warning, a
document to upload, the review and the discard question."""
from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from domain import applications as domain
from domain import validators
from domain.applications import Application, Document
from handlers.base import BotContext, chat_id, send, show
from handlers.intake.common import IntakeState, IntakeStep, goto, shown
from i18n import Translator
from services import application_texts as render
from services.countries import country_name
from services.keyboards import Button, keyboard
from services.texts import clip

# A screen shows its step: (update, ctx, draft, step, state, fresh). `fresh` sends a
# new message instead of editing the one a button was pressed on.
Screen = Callable[[Update, BotContext, Application, IntakeStep, IntakeState, bool],
                  Awaitable[None]]


def consent_text(tr: Translator) -> str:
    return tr._(
        "<b>Consent to personal data collection and processing</b>\n\n"
        "To accept your application the certification centre collects your name, your "
        "identity number (IIN or BIN, or a passport or company registration number), country "
        "and phone number, a representative's name and identity number if one acts for you, "
        "your vehicle's data, the documents you upload and your messages to the centre, and "
        "processes them only to certify the vehicle, under the Law of the Republic of Kazakhstan "
        "«On personal data and their protection».\n\n"
        "You can get everything stored about you with /mydata and delete it with "
        "/deletemydata.\n\nDo you agree?")


async def consent(update: Update, ctx: BotContext, state: IntakeState) -> None:
    await goto(ctx, IntakeStep.CONSENT, state)
    await show(update, ctx, consent_text(ctx.tr), keyboard([
        [(ctx.tr._("✅ I agree"), "ap:c:yes")], [(ctx.tr._("✖️ No, thanks"), "ap:c:no")]]))


def progress(tr: Translator, step: IntakeStep, draft: Application) -> str:
    fields = domain.form_fields(draft.values())
    number = fields.index(step.value) + 1 if step.value in fields else 1
    return tr._("📝 Application · question {n} of {total}", n=number,
                total=len(fields)) + "\n\n"


def back_row(tr: Translator, step: IntakeStep, state: IntakeState, draft: Application
             ) -> list[Button]:
    if state.editing:
        return [(tr._("⬅️ Back to the review"), "ap:r")]
    first = domain.previous_field(draft.values(), step.value) is None
    return [(tr._("⬅️ Back"), "menu" if first else "ap:b")]


def choice_rows(tr: Translator, name: str) -> list[list[Button]]:
    if name == "country":  # two a row, by their names in the user's language
        buttons = [(country_name(tr.language, v), f"ap:v:{name}:{v}")
                   for v in domain.CHOICES[name]]
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return [[(render.choice_label(tr, name, v), f"ap:v:{name}:{v}")]
            for v in domain.CHOICES[name]]


async def question(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                   state: IntakeState, fresh: bool) -> None:
    tr, name = ctx.tr, step.value
    put = send if fresh else show
    await goto(ctx, step, state)
    kind = domain.id_kind(draft.values())
    text = progress(tr, step, draft) + render.question(tr, name, draft.applicant_type, kind)
    if getattr(draft, name) not in (None, ""):
        text += "\n" + tr._("Now: {value}", value=render.value_text(tr, draft, name))
    back = back_row(tr, step, state, draft)
    if name in domain.CHOICES:
        rows = choice_rows(tr, name)
        await shown(ctx, await put(update, ctx, text, keyboard(rows + [back])))
    elif step is IntakeStep.IIN:
        await shown(ctx, await put(update, ctx, text, keyboard(
            [[(tr._("➡️ I have no IIN"), "ap:ni")], back])))
    elif step is IntakeStep.ID_NUMBER and kind in ("iin", "bin"):
        # The way through for someone with no IIN or BIN who pressed "Kazakhstan" before.
        await shown(ctx, await put(update, ctx, text, keyboard(
            [[(tr._("🌍 Not registered in Kazakhstan"), "ap:nr")], back])))
    elif step is IntakeStep.PHONE:
        # A reply keyboard can't share a message with inline buttons, so its way back is
        # a reply button too: the user's message is its label (answers.on_phone).
        back_label = back[0][0]
        await shown(ctx, await send(update, ctx, text, ReplyKeyboardMarkup(
            [[KeyboardButton(tr._("📱 Share my phone number"), request_contact=True)],
             [KeyboardButton(back_label)]],
            resize_keyboard=True, one_time_keyboard=True)))
    else:
        await shown(ctx, await put(update, ctx, text, keyboard([back])))


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


def documents_text(tr: Translator, draft: Application, kind: str, docs: list[Document]
                   ) -> str:
    items = render.app_checklist(draft)
    kinds = [i.kind for i in items]
    item = items[kinds.index(kind)] if kind in kinds else items[0]
    text = tr._("📎 Document {n} of {total}: <b>{name}</b>\nSend a photo or a PDF file (up to "
                "20 MB). You can also add documents later, from «My applications».",
                n=kinds.index(item.kind) + 1, total=len(items),
                name=render.doc_label(tr, item.kind))
    mine = [d for d in docs if d.kind == item.kind]
    if item.expected > 1:
        text += "\n" + tr.ngettext(
            "This item takes about {n} file: send them one by one or as an album, then press "
            "«Done with this item».", "This item takes about {n} files: send them one by one "
            "or as an album, then press «Done with this item».", item.expected)
    if mine:
        text += "\n\n" + tr.ngettext("Attached: {n} file", "Attached: {n} files", len(mine))
        if item.expected > 1:
            text += f" ({len(mine)}/{item.expected})"
        text += "\n" + "\n".join(f"{i}. {html.escape(file_title(tr, d))}"
                                  for i, d in enumerate(mine[:domain.MAX_FILES], 1))
        text += "\n" + tr._("To replace a file, remove it (🗑) and send the new one.")
    return text


def file_title(tr: Translator, doc: Document) -> str:
    name = doc.file_name or (tr._("photo") if doc.sent_as == "photo" else tr._("file"))
    return f"{clip(name, 40)} · {render.local_time(tr, doc.uploaded_at)}"


def document_markup(tr: Translator, kind: str, docs: list[Document]) -> InlineKeyboardMarkup:
    mine = [d for d in docs if d.kind == kind]
    rows: list[list[Button]] = []
    numbered = [(f"🗑 {i}", f"ap:rm:{d.id}") for i, d in enumerate(mine, 1)]
    rows += [numbered[i:i + 5] for i in range(0, len(numbered), 5)]
    if mine:
        rows.append([(tr._("↪️ Move a file to another item"), "ap:mv")])
        rows.append([(tr._("✅ Done with this item"), "ap:dn")])
    else:
        rows.append([(tr._("⏭ Skip for now"), "ap:s")])
    rows.append([(tr._("📋 All items"), "ap:dl"), (tr._("➡️ To the review"), "ap:r")])
    return keyboard(rows)


async def document(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                   state: IntakeState, fresh: bool) -> None:
    await document_screen(update, ctx, draft, state, "send" if fresh else "show")


async def document_screen(update: Update, ctx: BotContext, draft: Application,
                          state: IntakeState, how: str, note: str = "") -> None:
    """The item on screen with what is attached to it. `how`: "show" (edit the pressed
    message), "send" (a new one), "edit" (edit the form's message in place: the rest of an
    album, so nine photos do not make nine messages)."""
    tr = ctx.tr
    await goto(ctx, IntakeStep.DOCUMENTS, state)
    docs = await ctx.repos.applications.documents(draft.id)
    kind = state.doc or render.app_checklist(draft)[0].kind
    text = (note + "\n\n" if note else "") + documents_text(tr, draft, kind, docs)
    markup = document_markup(tr, kind, docs)
    if how == "edit" and ctx.conv is not None and ctx.conv.message_id:
        try:
            await ctx.bot.call("editMessageText", chat_id=chat_id(update),
                               message_id=ctx.conv.message_id, text=text,
                               parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest:
            pass  # gone or unchanged: a new message then
    put = show if how == "show" else send
    await shown(ctx, await put(update, ctx, text, markup))


async def items(update: Update, ctx: BotContext, draft: Application, prefix: str, text: str,
                back: Button) -> None:
    """The checklist as buttons (with how many files each has), for `prefix`:<kind>."""
    tr = ctx.tr
    docs = await ctx.repos.applications.documents(draft.id)
    counts = {i.kind: sum(d.kind == i.kind for d in docs) for i in render.app_checklist(draft)}
    rows = [[(clip(("✅ " if n else "") + render.doc_label(tr, kind) + (f" ({n})" if n else ""),
                   60), f"{prefix}:{kind}")] for kind, n in counts.items()]
    await shown(ctx, await show(update, ctx, text, keyboard(rows + [[back]])))


async def stray(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                state: IntakeState, fresh: bool) -> None:
    """Files sent while the form asked something else: which item are they for?"""
    tr = ctx.tr
    await goto(ctx, IntakeStep.STRAY, state)
    text = tr.ngettext("📎 You sent {n} file. Which document is it?",
                       "📎 You sent {n} files. Which document are they?", len(state.stray))
    docs = await ctx.repos.applications.documents(draft.id)
    counts = {i.kind: sum(d.kind == i.kind for d in docs) for i in render.app_checklist(draft)}
    rows = [[(clip(("✅ " if n else "") + render.doc_label(tr, kind) + (f" ({n})" if n else ""),
                   60), f"ap:p:{kind}")] for kind, n in counts.items()]
    rows.append([(tr._("✖️ Do not attach"), "ap:p:-")])
    markup = keyboard(rows)
    if not fresh and ctx.conv is not None and ctx.conv.message_id:
        try:
            await ctx.bot.call("editMessageText", chat_id=chat_id(update),
                               message_id=ctx.conv.message_id, text=text,
                               parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest:
            pass
    await shown(ctx, await send(update, ctx, text, markup))


async def submit_confirm(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                         state: IntakeState, fresh: bool) -> None:
    tr = ctx.tr
    await goto(ctx, IntakeStep.SUBMIT_CONFIRM, state)
    docs = await ctx.repos.applications.documents(draft.id)
    missing = render.missing_items(draft, docs)
    text = tr.ngettext("⚠️ {n} required document is missing:",
                       "⚠️ {n} required documents are missing:", len(missing)) + "\n" + \
        "\n".join(f"⬜ {html.escape(render.doc_label(tr, k))}" for k in missing) + "\n\n" + \
        tr._("You can submit now and send them later from «My applications»: the centre will "
             "see them as «documents to follow» and may wait for them before it starts.")
    await shown(ctx, await (send if fresh else show)(update, ctx, text, keyboard([
        [(tr._("📎 Add the documents now"), "ap:d")],
        [(tr._("✅ Submit, documents to follow"), "ap:gf")],
        [(tr._("⬅️ Back to the review"), "ap:r")]])))


def review_markup(tr: Translator, draft: Application) -> InlineKeyboardMarkup:
    kind = domain.id_kind(draft.values())
    edits = [(clip(f"✏️ {render.field_label(tr, f, draft.applicant_type, kind)}", 40),
              f"ap:e:{f}") for f in domain.form_fields(draft.values())]
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
    same_vin = await ctx.repos.applications.with_vin(draft.vin, draft.id) if draft.vin else []
    own = [f"{a.number} ({render.status_label(ctx.tr, a.status)})" for a in same_vin
           if a.user_id == ctx.user.id]  # others' applications are not the applicant's to see
    years = validators.vin_year_mismatch(draft.vin, draft.year) \
        if draft.vin and draft.year else ()
    text = render.review_text(ctx.tr, draft, docs, own, years)
    await shown(ctx, await put(update, ctx, text, review_markup(ctx.tr, draft)))


async def discard(update: Update, ctx: BotContext, draft: Application, step: IntakeStep,
                  state: IntakeState, fresh: bool) -> None:
    """Ask before deleting the draft; "No" returns to the step in `state.back_to`."""
    tr = ctx.tr
    await goto(ctx, IntakeStep.DISCARD, state)
    await show(update, ctx, tr._("Delete the draft with everything entered so far?"),
               keyboard([[(tr._("🗑 Yes, delete it"), "ap:xy")],
                         [(tr._("↩️ No, continue"), "ap:xn")]]))
