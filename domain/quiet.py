"""Quiet hours: reminders are not sent at night, local time; they wait for the morning."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(moment: datetime, start: time, end: time, tz: ZoneInfo) -> bool:
    local = moment.astimezone(tz).time()
    if start == end:
        return False
    if start < end:  # e.g. 13:00–15:00
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00–09:00


def next_allowed(moment: datetime, start: time, end: time, tz: ZoneInfo) -> datetime:
    """`moment` itself outside quiet hours, else the quiet period's end (local), as UTC."""
    if not in_quiet_hours(moment, start, end, tz):
        return moment
    local = moment.astimezone(tz)
    morning = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if morning <= local:
        morning = (local + timedelta(days=1)).replace(hour=end.hour, minute=end.minute,
                                                      second=0, microsecond=0)
    return morning.astimezone(moment.tzinfo)
