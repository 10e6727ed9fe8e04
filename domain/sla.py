"""Deadlines (SLA) in working days: a status may last so many working days (Monday to
Friday, Kazakhstan's public holidays excepted, as the `holidays` library keeps them);
counted from the day after the status was entered, due at the end of the last one."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

# Working days a status may last before the case is overdue (config: sla_days).
DEFAULT = "submitted=2,in_review=5,documents_requested=10,inspection=10,testing=15"


class SlaError(ValueError):
    """sla_days is not "status=days,…" with known statuses and whole days above zero."""


def parse(spec: str, statuses: tuple[str, ...]) -> dict[str, int]:
    limits: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        status, _, days = part.partition("=")
        status = status.strip()
        if status not in statuses or not days.strip().isdigit() or int(days) < 1:
            raise SlaError(f"expected status=days (days ≥ 1, status one of "
                           f"{', '.join(statuses)}), got {part!r}")
        limits[status] = int(days)
    return limits


@functools.lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KZ", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def working_days_after(start: date, end: date,
                       working: Callable[[date], bool] = is_working_day) -> int:
    """Working days d with start < d <= end (0 when end is not after start)."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += working(day)
        day += timedelta(days=1)
    return count


def due_day(start: date, days: int, working: Callable[[date], bool] = is_working_day) -> date:
    """The last day allowed: the `days`-th working day after `start`."""
    day, left = start, days
    while left:
        day += timedelta(days=1)
        left -= working(day)
    return day


def overdue(since: int, now: int, days: int, tz: ZoneInfo) -> bool:
    """Whether a status entered at `since` and allowed `days` working days is overdue at
    `now` (Unix seconds; days are Almaty's)."""
    start = datetime.fromtimestamp(since, tz).date()
    today = datetime.fromtimestamp(now, tz).date()
    return today > due_day(start, days)
