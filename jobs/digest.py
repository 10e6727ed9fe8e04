"""The staff digest: once per working day at digest_time (Almaty), the applications that
have waited longer than waiting_limit_days, owed to every staff member through the outbox
(the day is marked in the same transaction, so it is owed exactly once)."""
from __future__ import annotations

from datetime import timedelta

from domain.outbox import Owed
from domain.sla import is_working_day
from services import sla
from services.container import Services


async def admin_ids(services: Services) -> list[int]:
    roles = services.roles
    return sorted(roles.admin_ids | set(await services.repos.users.with_roles(("admin",))))


async def escalate_overdue(services: Services) -> int:
    """Every case past its deadline goes to the admins, once per stay in a status (the
    stay is recorded with the notices, so a second tick or instance owes nothing)."""
    local = services.clock.now().astimezone(services.settings.tz)
    if not is_working_day(local.date()) or local.time() < services.settings.digest_time:
        return 0  # in office hours of working days, as the digest
    now = services.clock.timestamp()
    admins = await admin_ids(services)
    told = 0
    for stay in await sla.overdue(services):
        app = stay.app
        owed = [Owed(admin, "overdue", f"{app.id}:{app.status}:{stay.since}", now,
                     {"app": app.id, "status": app.status, "since": stay.since})
                for admin in admins]
        told += await services.repos.applications.escalate(app.id, app.status, stay.since,
                                                           owed, now)
    return told


async def owe_digest(services: Services) -> bool:
    settings, repos, clock = services.settings, services.repos, services.clock
    local = clock.now().astimezone(settings.tz)
    if local.weekday() >= 5 or local.time() < settings.digest_time:
        return False
    day = local.date().isoformat()
    if await repos.outbox.digest_sent(day):
        return False
    limit = clock.now() - timedelta(days=settings.waiting_limit_days)
    waiting = await repos.applications.waiting_since(int(limit.timestamp()))
    now = clock.timestamp()
    late = [s.app.id for s in await sla.overdue(services)]
    payload = {"day": day, "apps": [c.id for c in waiting], "overdue": late}
    owed = [Owed(staff_id, "digest", day, now, payload)
            for staff_id in await services.staff_ids()] if waiting or late else []
    return await repos.outbox.add_digest(day, owed, now)
