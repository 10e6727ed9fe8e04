"""What the bot owes, as outbox rows: built here, written with the change that causes
them, delivered by jobs.outbox (woken at once by `wake`)."""
from __future__ import annotations

from typing import Any

from domain.applications import Application
from domain.outbox import Notice, Owed
from services.container import Services


def wake(services: Services) -> None:
    """Tell the sender there is something to deliver now (it also looks on its own)."""
    services.outbox_ready.set()


# The decision's data a notice tells (as it was at the change: a later change must not
# rewrite an earlier notice still waiting to go out).
NOTICE_DETAILS = ("requested_documents", "inspection_at", "inspection_place",
                  "certificate_number", "rejection_reason")


def status_notice(app_id: int, user_id: int | None, status: str, comment: str,
                  details: dict[str, Any], now: int) -> list[Owed]:
    """The applicant hears of every status change (an anonymised application has nobody to
    tell): one notice per change, delivered in order."""
    if user_id is None:
        return []
    told = {k: list(v) if isinstance(v, (list, tuple)) else v
            for k, v in details.items() if k in NOTICE_DETAILS}
    return [Owed(user_id, "status", f"{app_id}:{status}:{now}", now,
                 {"app": app_id, "status": status, "comment": comment, **told})]


def implied_reminders(services: Services, app_id: int, user_id: int | None, new: str,
                      details: dict[str, Any], staff: list[int], now: int) -> list[Owed]:
    """The reminders a status change implies: documents requested (after N days each,
    then a flag to staff), an inspection booked (the day before, hours before)."""
    settings, owed = services.settings, []
    if user_id is None:
        return []
    if new == "documents_requested":
        requested_at = int(details["requested_at"])
        payload = {"app": app_id, "requested_at": requested_at}
        owed += [Owed(user_id, "documents", f"{app_id}:{requested_at}:{days}",
                      requested_at + days * 86400, payload)
                 for days in settings.documents_reminder_days]
        owed += [Owed(staff_id, "documents_flag", f"{app_id}:{requested_at}",
                      requested_at + settings.documents_flag_days * 86400, payload)
                 for staff_id in staff]
    elif new == "inspection":
        at = int(details["inspection_at"])
        owed += [Owed(user_id, "inspection", f"{app_id}:{at}:{hours}", at - hours * 3600,
                      {"app": app_id, "at": at})
                 for hours in settings.inspection_reminder_hours if at - hours * 3600 > now]
    return owed


def documents_received_alerts(app_id: int, document_id: int, staff: list[int], now: int
                              ) -> list[Owed]:
    """The given staff (the case's owner, or everyone) hear of each file that answers a
    request."""
    return [Owed(staff_id, "documents_received", f"{app_id}:{document_id}", now,
                 {"app": app_id, "document": document_id}) for staff_id in staff]


def new_application_alerts(app_id: int, staff: list[int], now: int) -> list[Owed]:
    return [Owed(staff_id, "new_application", str(app_id), now, {"app": app_id})
            for staff_id in staff]


async def schedule_draft(services: Services, app: Application) -> None:
    """An unfinished draft: one nudge, draft_reminder_hours after its last change."""
    if app.user_id is None:
        return
    hours = services.settings.draft_reminder_hours
    await services.repos.outbox.schedule(
        Owed(app.user_id, "draft", str(app.id), app.updated_at + hours * 3600, {"app": app.id}),
        services.clock.timestamp())


async def schedule_guide(services: Services, user_id: int, payload: str, due_at: int
                         ) -> Notice | None:
    """"Remind me about this result": None if the same reminder is already pending."""
    return await services.repos.outbox.schedule(
        Owed(user_id, "guide", payload, due_at, {"payload": payload}),
        services.clock.timestamp())
