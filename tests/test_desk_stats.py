"""/stats against a seeded database: weekly submitted and decided, median days per stage,
overdue now, per staff member; the chart arrives as a PNG."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import stats
from services import workflow
from tests.desk_helpers import VEHICLE, staff_member

TZ = ZoneInfo("Asia/Almaty")


def almaty(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


async def seed(bot, person, clock) -> None:
    """Four applications (times in Almaty): see the expected figures in the test."""
    repos, services = bot.runtime.repos, bot.runtime.services
    plan: list[list[tuple[datetime, str, int]]] = [
        [(almaty(11, 16, 10), "submitted", 0), (almaty(11, 18, 10), "in_review", 900002),
         (almaty(11, 19, 10), "rejected", 900002)],
        [(almaty(11, 17, 10), "submitted", 0), (almaty(11, 17, 22), "in_review", 900001),
         (almaty(11, 23, 10), "rejected", 900001)],
        [(almaty(11, 23, 10), "submitted", 0), (almaty(11, 24, 10), "rejected", 900002)],
        [(almaty(11, 20, 10), "submitted", 0)],
    ]
    for steps in plan:
        user = await person("ru")
        await user.send("/start")
        clock.set(steps[0][0])
        draft = await repos.applications.create_draft(user.user_id, VEHICLE,
                                                      clock.timestamp())
        case = await repos.applications.submit(draft.id, 2026, user.user_id,
                                               clock.timestamp())
        for moment, status, actor in steps[1:]:
            clock.set(moment)
            details = {"rejection_reason": "VIN"} if status == "rejected" else {}
            assert await workflow.change_status(services, case, case.status, status, actor,
                                                "", **details)
            case = await repos.applications.get(case.id)
    clock.set(almaty(11, 26, 11))  # Thursday


async def test_stats_figures_and_chart(person, bot, client, clock):
    await seed(bot, person, clock)
    staff = await staff_member(client)
    await staff_member(client, 900001)
    replies = await staff.send("/stats", expect=2)
    text = replies.texts[0]
    assert "16.11.2026: 3 / 1" in text and "23.11.2026: 1 / 2" in text
    assert "09.11.2026: 0 / 0" in text
    assert "подана: 1 (n=3)" in text            # 2.0, 0.5 and 1.0 days
    assert "на рассмотрении: 3,2 (n=2)" in text  # 1.0 and 5.5 days
    assert "Просрочено сейчас: 1" in text        # submitted Friday, 2 working days
    assert "Staff: 3 / 2" in text and "Staff: 2 / 1" in text
    photo = replies.events[-1]
    assert photo["kind"] == "photo"
    png = await client.file(photo["file_id"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


async def test_stats_chart_in_chinese_numbers_what_the_font_cannot_draw(person, bot, client,
                                                                        clock):
    await seed(bot, person, clock)
    staff = await staff_member(client, lang="zh")
    replies = await staff.send("/stats", expect=2)
    photo = replies.events[-1]
    assert photo["kind"] == "photo" and "1 — " in photo["text"]
    assert (await client.file(photo["file_id"])).startswith(b"\x89PNG")


def test_compute_ignores_the_applicants_own_changes():
    changes = [stats.Change(1, "submitted", 7, 0), stats.Change(1, "withdrawn", 7, 86400)]
    figures = stats.compute(changes, {1: 7}, date(1970, 1, 5), TZ, weeks=2)
    assert figures.per_staff == {} and figures.stage_days == {"submitted": 1.0}
