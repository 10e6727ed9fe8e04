"""Scheduling reminders: what handlers call when something happens that deserves a
message later (the jobs.reminders tick sends them when due)."""
from __future__ import annotations

from domain.applications import Application
from domain.reminders import Reminder
from services.container import Services


async def schedule_documents(services: Services, app: Application, requested_at: int) -> None:
    """After staff request documents: remind after N days (each), then flag to staff."""
    repos, settings, now = services.repos, services.settings, services.clock.timestamp()
    if app.user_id is None:
        return
    payload = {"app": app.id, "requested_at": requested_at}
    for days in settings.documents_reminder_days:
        await repos.reminders.schedule(app.user_id, "documents", f"{app.id}:{requested_at}:{days}",
                                       requested_at + days * 86400, payload, now)
    await repos.reminders.schedule(app.user_id, "documents_flag", f"{app.id}:{requested_at}",
                                   requested_at + settings.documents_flag_days * 86400, payload,
                                   now)


async def schedule_inspection(services: Services, app: Application, inspection_at: int) -> None:
    repos, now = services.repos, services.clock.timestamp()
    if app.user_id is None:
        return
    for hours in services.settings.inspection_reminder_hours:
        due = inspection_at - hours * 3600
        if due > now:
            await repos.reminders.schedule(
                app.user_id, "inspection", f"{app.id}:{inspection_at}:{hours}", due,
                {"app": app.id, "at": inspection_at}, now)


async def schedule_draft(services: Services, app: Application) -> None:
    """An unfinished draft: one nudge, draft_reminder_hours after its last change."""
    if app.user_id is None:
        return
    hours = services.settings.draft_reminder_hours
    await services.repos.reminders.schedule(
        app.user_id, "draft", str(app.id), app.updated_at + hours * 3600, {"app": app.id},
        services.clock.timestamp())


async def schedule_guide(services: Services, user_id: int, payload: str, due_at: int
                         ) -> Reminder | None:
    """"Remind me about this result": None if the same reminder is already pending."""
    return await services.repos.reminders.schedule(user_id, "guide", payload, due_at,
                                                   {"payload": payload},
                                                   services.clock.timestamp())
