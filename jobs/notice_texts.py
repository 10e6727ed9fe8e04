"""What each kind of outbox notice says when it is sent, read afresh from the database:
a notice whose reason is gone (documents arrived, inspection moved, draft submitted) is
dropped rather than sent, and one whose reason moved (a draft edited since) waits."""
from __future__ import annotations

import dataclasses
import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from domain import guide
from domain.applications import Application
from domain.outbox import Notice
from i18n import Translator
from services import application_texts as render
from services import desk_texts, notices
from services.container import Services
from services.keyboards import keyboard
from services.outbox import NOTICE_DETAILS


@dataclass
class Message:
    text: str
    markup: InlineKeyboardMarkup | None = None
    file_id: str | None = None      # sent as this kind of file, the text as its caption
    file_type: str | None = None    # 'document' or 'photo'
    topic_of: int | None = None     # into this thread's forum topic (created when missing)
    topic_name: str = ""
    venue: dict[str, Any] | None = None  # sendVenue after the message (the centre's map)


# A message to send; None: drop the notice (its reason is gone); a datetime: not before.
Prepared = Message | datetime | None
CasePreparer = Callable[[Services, Translator, Application, Notice, datetime],
                        Awaitable[Prepared]]


async def prepare(services: Services, tr: Translator, notice: Notice, now: datetime
                  ) -> Prepared:
    if notice.kind == "guide":
        return _guide(services, tr, notice)
    if notice.kind == "digest":
        return await _digest(services, tr, notice)
    if notice.kind in THREAD_KINDS:
        return await _thread(services, tr, notice)
    preparer = CASE_KINDS.get(notice.kind)
    case = await services.repos.applications.get(int(notice.payload.get("app", 0)))
    if preparer is None or case is None:
        return None
    if notice.kind not in STAFF_CASE_KINDS and case.user_id != notice.chat_id:
        return None  # anonymised, or no longer theirs
    return await preparer(services, tr, case, notice, now)


def _guide(services: Services, tr: Translator, notice: Notice) -> Prepared:
    values = str(notice.payload.get("payload", "")).removeprefix(guide.PAYLOAD_PREFIX)
    content = services.library.content
    walk = guide.decode(content, values)
    result = guide.result(content, walk) if walk else None
    if result is None:
        return None  # the guide changed and the answers lead nowhere now
    text = tr._("⏰ You asked me to remind you about your certification path: <b>{title}</b>."
                "\nReady to continue?", title=result.outcome.title[tr.language])
    return Message(text, keyboard([[(tr._("📘 Open my result"), f"g:o:{values}")],
                                   [(tr._("⬅️ Main menu"), "menu")]]))


async def still_missing(services: Services, case: Application, requested_at: object
                        ) -> list[str]:
    """Requested kinds not uploaded since the request ([] when the reason is gone)."""
    if case.status != "documents_requested" or case.requested_at != requested_at:
        return []
    docs = await services.repos.applications.documents(case.id)
    arrived = {d.kind for d in docs if d.uploaded_at >= (case.requested_at or 0)}
    return [k for k in case.requested_documents if k not in arrived]


async def _documents(services: Services, tr: Translator, case: Application, notice: Notice,
                     now: datetime) -> Prepared:
    missing = await still_missing(services, case, notice.payload.get("requested_at"))
    if not missing:
        return None
    names = "\n".join(f"• {render.doc_label(tr, k)}" for k in missing)
    text = tr._("⏰ The certification centre is still waiting for documents for application "
                "{number}:", number=case.number) + "\n" + names
    return Message(text, keyboard([[(tr._("📎 Add a document"), f"my:a:{case.id}")]]))


async def _documents_flag(services: Services, tr: Translator, case: Application,
                          notice: Notice, now: datetime) -> Prepared:
    if not await still_missing(services, case, notice.payload.get("requested_at")):
        return None
    days = (int(now.timestamp()) - (case.requested_at or 0)) // 86400
    return Message(tr.ngettext(
        "🚩 Application {number}: documents requested {n} day ago are still missing. "
        "/app {number}", "🚩 Application {number}: documents requested {n} days ago are "
        "still missing. /app {number}", days, number=case.number))


async def _inspection(services: Services, tr: Translator, case: Application, notice: Notice,
                      now: datetime) -> Prepared:
    if case.status != "inspection" or case.inspection_at is None or \
            case.inspection_at != notice.payload.get("at"):
        return None  # rescheduled, withdrawn or already past this stage
    when = tr.datetime(datetime.fromtimestamp(case.inspection_at, tz=UTC))
    return Message(tr._("⏰ Reminder: the inspection of your vehicle (application {number}) is "
                        "on {when}, at {place}. Bring the vehicle and the original documents.",
                        number=case.number, when=when, place=case.inspection_place))


async def _draft(services: Services, tr: Translator, case: Application, notice: Notice,
                 now: datetime) -> Prepared:
    if case.status != "draft":
        return None  # submitted or deleted meanwhile
    due = case.updated_at + services.settings.draft_reminder_hours * 3600
    if due > now.timestamp():
        return datetime.fromtimestamp(due, tz=UTC)  # edited since: wait from then
    return Message(tr._("📝 Your application is not finished yet. Everything you entered is "
                        "saved: continue where you stopped?"),
                   keyboard([[(tr._("📝 Continue the draft"), "apply:new")]]))


async def _status(services: Services, tr: Translator, case: Application, notice: Notice,
                  now: datetime) -> Prepared:
    """Every change is told, in order, as it was when it was made (a later change may
    have happened since)."""
    payload = notice.payload
    told: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                            for k, v in payload.items() if k in NOTICE_DETAILS}
    then = dataclasses.replace(case, status=str(payload.get("status", case.status)), **told)
    text = notices.status_message(tr, then, str(payload.get("comment", "")))
    return Message(text, notices.status_markup(tr, then))


async def _documents_received(services: Services, tr: Translator, case: Application,
                              notice: Notice, now: datetime) -> Prepared:
    document = await services.repos.applications.document(int(notice.payload.get("document",
                                                                                  0)))
    if document is None or document.application_id != case.id:
        return None  # removed since (the applicant's data erased)
    text = tr._("📥 Application {number}: the applicant sent a requested document: {name}.",
                number=case.number, name=render.doc_label(tr, document.kind))
    return Message(text, keyboard([[(tr._("📂 Open"), f"st:v:{case.id}")]]))


async def _new_application(services: Services, tr: Translator, case: Application,
                           notice: Notice, now: datetime) -> Prepared:
    if case.status == "draft":
        return None
    same_vin = await services.repos.applications.with_vin(case.vin, case.id) if case.vin else []
    return Message(notices.new_application_text(tr, case, same_vin),
                   keyboard([[(tr._("📂 Open"), f"st:v:{case.id}")]]))


async def _overdue(services: Services, tr: Translator, case: Application, notice: Notice,
                   now: datetime) -> Prepared:
    if case.status != notice.payload.get("status"):
        return None  # it moved on meanwhile
    since = int(notice.payload.get("since", 0))
    return Message(tr._("⚠️ Application {number} is overdue: «{status}» since {when}. "
                        "/app {number}", number=case.number,
                        status=render.status_label(tr, case.status),
                        when=render.local_time(tr, since)),
                   keyboard([[(tr._("📂 Open"), f"st:v:{case.id}")]]))


async def _digest(services: Services, tr: Translator, notice: Notice) -> Prepared:
    settings, repos = services.settings, services.repos
    cases = [c for c in [await repos.applications.get(int(i))
                         for i in notice.payload.get("apps", [])] if c is not None]
    late = [c for c in [await repos.applications.get(int(i))
                        for i in notice.payload.get("overdue", [])] if c is not None]
    if not cases and not late:
        return None
    overdue_lines = [tr.ngettext("⚠️ {n} application is past its deadline:",
                                 "⚠️ {n} applications are past their deadline:", len(late))]
    overdue_lines += [f"• /app {c.number} · {render.status_label(tr, c.status)}"
                      for c in late[:30]]
    if not cases:
        return Message("\n".join(overdue_lines))
    lines = [tr.ngettext("🗂 {n} application has been waiting longer than {days} days:",
                         "🗂 {n} applications have been waiting longer than {days} days:",
                         len(cases), days=settings.waiting_limit_days)]
    lines += [f"• /app {c.number} · {render.status_label(tr, c.status)} · "
              f"{render.local_time(tr, c.updated_at)}" for c in cases[:50]]
    if late:
        lines += [""] + overdue_lines
    return Message("\n".join(lines))


THREAD_KINDS = ("reply", "question", "topic")


async def _thread(services: Services, tr: Translator, notice: Notice) -> Prepared:
    """A conversation message: to the applicant (a reply), to a staff member (a
    question), or into the staff group's topic (either, and notes)."""
    repos = services.repos
    thread = await repos.threads.get(int(notice.payload.get("thread", 0)))
    message = await repos.threads.message(int(notice.payload.get("message", 0)))
    if thread is None or message is None:
        return None  # erased meanwhile
    app = await repos.applications.get(thread.application_id) if thread.application_id \
        else None
    if notice.kind == "reply":
        if thread.user_id != notice.chat_id:
            return None
        text = desk_texts.reply_to_applicant(tr, app, message.text)
        markup = keyboard([[(tr._("✉️ Reply"), f"ask:{thread.application_id or 0}")]])
        return Message(text, markup, message.file_id, message.file_type)
    buttons = keyboard([[(tr._("✍️ Reply"), f"st:r:{thread.id}"),
                         (tr._("💬 Conversation"), f"st:th:{thread.id}")]])
    if notice.kind == "question":
        text = await desk_texts.question_to_staff(services, tr, thread, app, message)
        return Message(text, buttons, message.file_id, message.file_type)
    applicant = await repos.users.get(thread.user_id) if thread.user_id else None
    return Message(await desk_texts.topic_line(services, tr, message), None, message.file_id,
                   message.file_type, topic_of=thread.id,
                   topic_name=desk_texts.topic_name(app, applicant, thread.user_id))


async def _issued(services: Services, tr: Translator, case: Application, notice: Notice,
                  now: datetime) -> Prepared:
    document = await services.repos.applications.document(
        int(notice.payload.get("document", 0)))
    if document is None or document.application_id != case.id:
        return None
    return Message(tr._("📄 The issued document for application {number}. It is also on the "
                        "application's card.", number=case.number),
                   keyboard([[(tr._("📂 Open the application"), f"my:v:{case.id}")]]),
                   document.file_id, "document")


async def _inspection_moved(services: Services, tr: Translator, case: Application,
                            notice: Notice, now: datetime) -> Prepared:
    at = notice.payload.get("at")
    if case.status != "inspection" or case.inspection_at != at:
        return None  # moved again, or past this stage: the later notice tells
    centre = services.library.centre  # the card staff edit (content/centre.toml)
    when = tr.datetime(datetime.fromtimestamp(int(at or 0), tz=UTC))
    text = tr._("📅 The inspection for application {number} is moved to {when} (Almaty "
                "time), {place}. Please confirm, or ask for another time.",
                number=case.number, when=when, place=html.escape(case.inspection_place or ""))
    if centre.phone:
        text += "\n" + tr._("The centre's phone: {phone}", phone=centre.phone)
    venue = None
    if centre.has_map and centre.address:
        venue = {"latitude": centre.latitude, "longitude": centre.longitude,
                 "title": centre.name[tr.language], "address": centre.address[tr.language]}
    return Message(text, keyboard([[(tr._("✅ I will come"), f"insp:ok:{case.id}:{at}")],
                                   [(tr._("🕑 Ask for another time"),
                                     f"insp:no:{case.id}:{at}")]]), venue=venue)


CASE_KINDS: dict[str, CasePreparer] = {
    "documents": _documents, "documents_flag": _documents_flag, "inspection": _inspection,
    "draft": _draft, "status": _status, "new_application": _new_application,
    "overdue": _overdue, "issued": _issued, "inspection_moved": _inspection_moved,
    "documents_received": _documents_received}
STAFF_CASE_KINDS = ("documents_flag", "new_application", "overdue", "documents_received")
