"""Deadlines on the desk, with the clock moved: the queue shows waiting working days and
overdue cases across a weekend and a public holiday; an overdue case goes to admins once,
and into the morning digest."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jobs import outbox
from tests.desk_helpers import applicant_with_application, staff_member

ALMATY = ZoneInfo("Asia/Almaty")


def almaty(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


async def queue_line(staff) -> str:
    await staff.send("/queue")
    replies = await staff.press("подана (1)")
    return next(b for b in replies.buttons() if "EV-2026-000001" in b)


async def test_overdue_across_a_weekend_and_a_holiday_escalates_once(person, bot, client,
                                                                     clock):
    clock.set(almaty(2026, 12, 11, 10, 0))  # Friday; submitted=2 working days
    applicant, case = await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    admin = await staff_member(client, 900001)
    clock.set(almaty(2026, 12, 13, 18, 0))  # Sunday: no working day has passed
    assert "⏱ 0/2" in await queue_line(staff)
    clock.set(almaty(2026, 12, 15, 17, 0))  # Tuesday: Monday and Tuesday, due today
    line = await queue_line(staff)
    assert "⏱ 2/2" in line and "⚠️" not in line
    clock.set(almaty(2026, 12, 16, 10, 0))  # Independence Day: not a working day, but due
    line = await queue_line(staff)       # was Tuesday: overdue now
    assert "⚠️" in line and "⏱ 2/2" in line
    assert "Просрочено сейчас: 1" in (await staff.send("/queue")).text
    # A holiday: no escalation yet; the next working day, once, to the admin only.
    await outbox.tick(bot.runtime.app)
    assert not [e for e in (await client.events(chat_id=900001))["events"]
                if "просрочена" in (e["text"] or "")]
    clock.set(almaty(2026, 12, 17, 9, 5))
    await outbox.tick(bot.runtime.app)
    await outbox.tick(bot.runtime.app)
    told = [e for e in (await client.events(chat_id=900001))["events"]
            if "просрочена" in (e["text"] or "")]
    assert len(told) == 1 and "EV-2026-000001" in told[0]["text"]
    assert not [e for e in (await client.events(chat_id=applicant.user_id))["events"]
                if "просрочена" in (e["text"] or "")]
    digest = [e for e in (await client.events(chat_id=staff.user_id))["events"]
              if "срок" in (e["text"] or "")]
    assert digest and "/app EV-2026-000001" in digest[-1]["text"]
    del admin
