"""An application's life as the application layer runs it: submission and status changes,
each committed in one transaction with its history row and everything it owes people
(the applicant's notice, reminders, alerts to staff), then the outbox sender woken."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.applications import OPEN, Application
from domain.outbox import Owed
from services import outbox
from services.container import Services


async def submit(services: Services, draft: Application, actor_id: int,
                 to_follow: Sequence[str] = ()) -> Application | None:
    """Submit a draft; None if it was submitted already (a double tap). `to_follow`: the
    required documents the applicant will send later."""
    now = services.clock.timestamp()
    year = services.clock.now().astimezone(services.settings.tz).year
    alerts = outbox.new_application_alerts(draft.id, await services.staff_ids(), now)
    submitted = await services.repos.applications.submit(draft.id, year, actor_id, now, alerts,
                                                         to_follow)
    if submitted is not None:
        outbox.wake(services)
    return submitted


async def change_status(services: Services, app: Application, expected: str, new: str,
                        actor_id: int, comment: str, **details: Any) -> bool:
    """Compare-and-set `app` from `expected` to `new`; False if someone changed it first.
    The applicant is told (unless they made the change themselves)."""
    now = services.clock.timestamp()
    if "requested_documents" in details:
        details.setdefault("requested_at", now)
    owed = [] if actor_id == app.user_id else \
        outbox.status_notice(app.id, app.user_id, new, comment, details, now)
    owed += outbox.implied_reminders(services, app.id, app.user_id, new, details,
                                     await services.staff_ids(), now)
    changed = await services.repos.applications.change_status(
        app.id, expected, new, actor_id, comment, now, owed, **details)
    if changed and owed:
        outbox.wake(services)
    return changed


async def reschedule(services: Services, app: Application, at: int, place: str,
                     actor_id: int) -> bool:
    """Move an inspection: the applicant is asked to confirm or ask for another time, and
    the reminders follow the new time (those for the old one are dropped when due)."""
    now = services.clock.timestamp()
    details = {"inspection_at": at, "inspection_place": place}
    owed = outbox.implied_reminders(services, app.id, app.user_id, "inspection", details,
                                    await services.staff_ids(), now)
    if app.user_id is not None:
        owed.insert(0, Owed(app.user_id, "inspection_moved", f"{app.id}:{at}", now,
                            {"app": app.id, "at": at, "place": place}))
    moved = await services.repos.applications.reschedule(app.id, at, place, actor_id, now,
                                                         owed)
    if moved:
        outbox.wake(services)
    return moved


async def documents_received(services: Services, app: Application, kinds: Sequence[str],
                             document_id: int, actor_id: int) -> bool:
    """The applicant sent documents staff asked for (or that were to follow the
    submission): staff are told at once (with an Open button), the history records it, and
    the queue shows it. False if they were neither (nothing to tell)."""
    if app.status not in OPEN:
        return False
    awaited = set(app.documents_to_follow)
    if app.status == "documents_requested":
        awaited |= set(app.requested_documents)
    requested = [k for k in kinds if k in awaited]
    if not requested:
        return False
    now = services.clock.timestamp()
    staff = await services.staff_ids()
    thread = await services.repos.threads.by_key(f"a:{app.id}")
    if thread is not None and thread.assignee_id in staff:
        staff = [thread.assignee_id]  # the case's owner; an unowned case tells everyone
    alerts = outbox.documents_received_alerts(app.id, document_id, staff, now)
    await services.repos.applications.documents_received(app.id, app.status, requested,
                                                         actor_id, now, alerts)
    outbox.wake(services)
    return True
