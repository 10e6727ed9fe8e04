"""The staff digest: once per working day at digest_time (Almaty), the applications that
have waited longer than waiting_limit_days, owed to every staff member through the outbox
(the day is marked in the same transaction, so it is owed exactly once)."""
from __future__ import annotations

from datetime import timedelta

from domain.outbox import Owed
from services.container import Services


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
    payload = {"day": day, "apps": [c.id for c in waiting]}
    owed = [Owed(staff_id, "digest", day, now, payload)
            for staff_id in await services.staff_ids()] if waiting else []
    return await repos.outbox.add_digest(day, owed, now)
