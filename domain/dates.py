"""Dates and times as staff type them: DD.MM.YYYY HH:MM, local time."""
from __future__ import annotations

import re
from datetime import datetime, tzinfo

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
