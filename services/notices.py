"""Notifications: the applicant hears about every status change at once, in their
language, with what to do next (reminders wait for the morning; this does not);
staff hear about every new application."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from domain.applications import Application
from i18n import Translator
from services import application_texts as render
from services.container import Services
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


async def notify_applicant(services: Services, bot: Bot, app: Application,
                           comment: str) -> bool:
    """Send at once; a user who blocked the bot is marked and skipped."""
    if app.user_id is None:
        return False  # anonymised
    user = await services.repos.users.get(app.user_id)
    if user is None or user.blocked:
        return False
    tr = services.translator(user.language)
    markup = status_markup(tr, app)
    try:
        await bot.send_message(user.id, status_message(tr, app, comment),
                               parse_mode=ParseMode.HTML, reply_markup=markup)
    except Forbidden:
        await services.repos.users.mark_blocked(user.id)
        return False
    except TelegramError as exc:  # 429 or network: the reminder outbox retries it
        log.warning("status notification for %s queued for retry: %r", app.number, exc)
        await services.repos.reminders.schedule(
            user.id, "status", f"{app.id}:{app.status}", services.clock.timestamp(),
            {"app": app.id, "status": app.status, "comment": comment},
            services.clock.timestamp())
        return False
    return True


def status_markup(tr: Translator, app: Application) -> InlineKeyboardMarkup:
    if app.status == "documents_requested":
        return keyboard([[(tr._("📎 Add a document"), f"my:a:{app.id}")],
                         [(tr._("📂 Open the application"), f"my:v:{app.id}")]])
    return keyboard([[(tr._("📂 Open the application"), f"my:v:{app.id}")]])


async def notify_staff(services: Services, bot: Bot, app: Application) -> None:
    """Tell every staff member, each in their own language (best effort)."""
    for staff_id in await services.staff_ids():
        tr = await services.translator_for(staff_id)
        text = tr._("🆕 New application {number}: {make} {model}, VIN {vin}. Open it with "
                    "/app {number}.", number=app.number, make=app.make, model=app.model,
                    vin=app.vin)
        try:
            await bot.send_message(staff_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # a staff member who never started the bot
            log.info("could not notify staff %s: %s", staff_id, exc)
