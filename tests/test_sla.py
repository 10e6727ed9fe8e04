"""Working-day deadlines with Kazakhstan's public holidays (domain.sla)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import sla
from domain.applications import OPEN

TZ = ZoneInfo("Asia/Almaty")


def at(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=TZ).timestamp())


def test_weekends_and_public_holidays_are_not_working_days():
    assert sla.is_working_day(date(2026, 11, 27))          # a Friday
    assert not sla.is_working_day(date(2026, 11, 28))      # Saturday
    assert not sla.is_working_day(date(2026, 12, 16))      # Independence Day, a Wednesday
    assert not sla.is_working_day(date(2026, 3, 23))       # Nauryz, a Monday
    assert not sla.is_working_day(date(2027, 1, 1))


def test_a_deadline_crosses_a_weekend():
    # Entered on Thursday 26 Nov; 2 working days: Friday 27 and Monday 30.
    assert sla.due_day(date(2026, 11, 26), 2) == date(2026, 11, 30)
    since = at(2026, 11, 26, 11)
    assert not sla.overdue(since, at(2026, 11, 29, 23), 2, TZ)   # Sunday: still in time
    assert not sla.overdue(since, at(2026, 11, 30, 23), 2, TZ)
    assert sla.overdue(since, at(2026, 12, 1, 9), 2, TZ)


def test_a_deadline_crosses_a_public_holiday():
    # Entered Monday 14 Dec; Wednesday 16 Dec is Independence Day: 3 working days are
    # Tue 15, Thu 17, Fri 18.
    assert sla.due_day(date(2026, 12, 14), 3) == date(2026, 12, 18)
    assert sla.working_days_after(date(2026, 12, 14), date(2026, 12, 20)) == 3
    assert not sla.overdue(at(2026, 12, 14, 10), at(2026, 12, 18, 17), 3, TZ)
    assert sla.overdue(at(2026, 12, 14, 10), at(2026, 12, 21, 9), 3, TZ)


def test_config_spec():
    assert sla.parse(sla.DEFAULT, OPEN)["documents_requested"] == 10
    with pytest.raises(sla.SlaError):
        sla.parse("submitted=0", OPEN)
    with pytest.raises(sla.SlaError):
        sla.parse("drafted=2", OPEN)
