"""Deadlines as the desk uses them: which open cases are overdue now, and how long each
has waited in working days (domain.sla with the configured limits)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from domain import sla
from domain.applications import OPEN, Application
from services.container import Services


@dataclass(frozen=True)
class Stay:
    app: Application
    since: int          # when it entered its status
    waited: int         # working days since then (the day it entered not counted)
    limit: int | None   # working days allowed (None: no deadline for this status)
    overdue: bool


@functools.lru_cache(maxsize=4)
def limits(spec: str) -> dict[str, int]:
    return sla.parse(spec, OPEN)


def stay(services: Services, app: Application, since: int, now: int) -> Stay:
    tz = services.settings.tz
    limit = limits(services.settings.sla_days).get(app.status)
    waited = sla.working_days_after(datetime.fromtimestamp(since, tz).date(),
                                    datetime.fromtimestamp(now, tz).date())
    late = limit is not None and sla.overdue(since, now, limit, tz)
    return Stay(app, since, waited, limit, late)


async def stays(services: Services) -> list[Stay]:
    now = services.clock.timestamp()
    return [stay(services, app, since, now)
            for app, since in await services.repos.applications.open_with_since()]


async def overdue(services: Services) -> list[Stay]:
    return [s for s in await stays(services) if s.overdue]
