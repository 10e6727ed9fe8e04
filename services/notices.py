"""What notices say: the applicant hears about every status change, in their language,
with what to do next; staff hear about every new application. (They are owed through the
outbox, services.outbox, and sent by jobs.outbox.)"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup

from domain.applications import Application
from i18n import Translator
from services import application_texts as render
from services.keyboards import keyboard

log = logging.getLogger(__name__)


def status_message(tr: Translator, app: Application, comment: str) -> str:
    head = tr._("📬 Application {number}: the status is now <b>{status}</b>.",
                number=app.number, status=render.status_label(tr, app.status))
    if app.status == "in_review":
        body = tr._("The certification centre is checking your documents. Nothing to do for "
                    "now; I will write when something is needed.")
    elif app.status == "documents_requested":
        names = "\n".join(f"• {render.doc_label(tr, k)}" for k in app.requested_documents)
        body = tr._("Please add these documents (press the button below):") + "\n" + names
    elif app.status == "inspection" and app.inspection_at is not None:
        when = tr.datetime(datetime.fromtimestamp(app.inspection_at, tz=UTC))
        body = tr._("Inspection: {when} (Almaty time), {place}. Bring the vehicle and the "
                    "original documents. I will remind you the day before.", when=when,
                    place=app.inspection_place)
    elif app.status == "testing":
        body = tr._("The laboratory is testing the vehicle. Nothing to do for now.")
    elif app.status == "approved":
        body = tr._("Certificate number: <b>{certificate}</b>. Next: the electronic vehicle "
                    "passport (EPTS), then registration.", certificate=app.certificate_number)
    elif app.status == "rejected":
        body = tr._("Reason: {reason}\nYou may correct the issue and apply again.",
                    reason=app.rejection_reason)
    else:
        body = ""
    text = head + ("\n\n" + body if body else "")
    if comment:
        text += "\n\n" + tr._("Comment from the centre: {comment}", comment=comment)
    return text


def status_markup(tr: Translator, app: Application) -> InlineKeyboardMarkup:
    if app.status == "documents_requested":
        return keyboard([[(tr._("📎 Add a document"), f"my:a:{app.id}")],
                         [(tr._("📂 Open the application"), f"my:v:{app.id}")]])
    return keyboard([[(tr._("📂 Open the application"), f"my:v:{app.id}")]])


def new_application_text(tr: Translator, app: Application,
                         same_vin: Sequence[Application] = ()) -> str:
    text = tr._("🆕 New application {number}: {make} {model}, VIN {vin}. Open it with "
                "/app {number}.", number=app.number, make=app.make, model=app.model,
                vin=app.vin)
    if same_vin:
        text += "\n" + same_vin_text(tr, same_vin)
    if app.documents_to_follow:
        text += "\n" + tr._("⏳ Documents to follow: {names}", names=", ".join(
            render.doc_label(tr, k) for k in app.documents_to_follow))
    return text


def same_vin_text(tr: Translator, same_vin: Sequence[Application]) -> str:
    """For staff: every other application with the VIN, whoever filed it."""
    return tr._("⚠️ This VIN is also in: {numbers}", numbers=", ".join(
        f"{a.number} ({render.status_label(tr, a.status)})" for a in same_vin))
