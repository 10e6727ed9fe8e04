"""Dates and times as staff type them: DD.MM.YYYY HH:MM, local time."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

WHEN = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})\s*")


def parse_when(text: str, tz: tzinfo) -> datetime | None:
    """The moment typed as DD.MM.YYYY HH:MM in `tz`, or None if it is not one."""
    match = WHEN.fullmatch(text)
    if not match:
        return None
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


# The centre's working hours (local time): inspections are booked within them.
WORK_START, WORK_END = 9, 18


def example_slot(now: datetime, tz: tzinfo) -> datetime:
    """An example for "DD.MM.YYYY HH:MM" that is itself a valid answer: the next working
    day (Monday to Friday) at 10:30, local time."""
    day = now.astimezone(tz).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 30, tzinfo=tz)


def outside_hours(moment: datetime, tz: tzinfo) -> bool:
    """A weekend, or outside WORK_START-WORK_END: worth a second look, not a refusal."""
    local = moment.astimezone(tz)
    return local.weekday() >= 5 or not WORK_START <= local.hour + local.minute / 60 <= WORK_END


def format_when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")
