"""Reminders with a controllable clock: each fires at the right local time, quiet hours
defer it, a restart loses none and repeats none, a reminder whose reason is gone is
dropped, the staff digest goes out once per working day. No sleeping anywhere."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from jobs import outbox
from services import workflow
from tests.desk_helpers import VEHICLE, applicant_with_application, staff_member

ALMATY = timezone(timedelta(hours=5))


def almaty(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


async def request_documents(bot, case, kinds=("title",)):
    """Staff's change, through the same code path as the desk (without the buttons)."""
    repos, services = bot.runtime.repos, bot.runtime.services
    now = bot.clock.timestamp()
    await workflow.change_status(services, case, "submitted", "documents_requested", 900002,
                                 "", requested_documents=list(kinds), requested_at=now)
    await bot.runtime.outbox.deliver_due()  # the status notice, due now: out of the way
    return await repos.applications.get(case.id)


async def tick(bot) -> int:
    return await outbox.tick(bot.runtime.app)


async def test_documents_reminders_after_2_and_5_days_then_staff_flag(person, bot, client,
                                                                      clock):
    clock.set(almaty(2026, 11, 26, 11, 0))  # Thursday
    applicant, case = await applicant_with_application(person, bot, "ru")
    await staff_member(client)
    clock.set(almaty(2026, 11, 26, 11, 0))
    case = await request_documents(bot, case)
    clock.set(almaty(2026, 11, 28, 10, 59))
    assert await tick(bot) == 0
    clock.set(almaty(2026, 11, 28, 11, 0))  # 2 days later
    assert await tick(bot) == 1
    assert "всё ещё ждёт документы по заявке EV-2026-000001" in (await applicant._collect()).text
    assert await tick(bot) == 0
    clock.set(almaty(2026, 12, 1, 11, 0))  # 5 days
    assert await tick(bot) == 1
    clock.set(almaty(2026, 12, 3, 11, 0))  # 7 days: flagged to staff (two: admin, staff)
    flagged = await tick(bot)
    events = await client.events(chat_id=900002)
    assert any("запрошенные 7 дней назад, так и не поступили" in e["text"]
               for e in events["events"])
    assert flagged >= 1


async def test_documents_reminder_dropped_once_they_arrive(person, bot, clock):
    applicant, case = await applicant_with_application(person, bot, "ru")
    case = await request_documents(bot, case)
    clock.advance(hours=1)
    await applicant.press_data(f"my:k:{case.id}:title", forge=True)
    await applicant.send_file("title.pdf", b"%PDF-1.4 title", "application/pdf")
    clock.advance(days=8)
    assert await tick(bot) == 0
    rows = await bot.runtime.repos.db.fetchall(
        "SELECT status FROM outbox WHERE kind IN ('documents', 'documents_flag')")
    assert {r["status"] for r in rows} == {"dropped"}
    told = await bot.runtime.repos.db.fetchall(  # staff were told at once instead
        "SELECT chat_id FROM outbox WHERE kind = 'documents_received'")
    assert told


async def test_inspection_day_before_and_two_hours_before_with_quiet_hours(person, bot, clock):
    clock.set(almaty(2026, 11, 26, 11, 0))
    applicant, case = await applicant_with_application(person, bot, "kk")
    services = bot.runtime.services
    at = int(almaty(2026, 11, 28, 10, 30).timestamp())
    await workflow.change_status(services, case, "submitted", "inspection", 900002, "",
                                 inspection_at=at, inspection_place="Өскемен")
    await bot.runtime.outbox.deliver_due()  # the status notice, due now: out of the way
    await applicant._collect()
    clock.set(almaty(2026, 11, 27, 10, 29))
    assert await tick(bot) == 0
    clock.set(almaty(2026, 11, 27, 10, 30))  # the day before
    assert await tick(bot) == 1
    assert "Еске салу: көлігіңізді қарап тексеру" in (await applicant._collect()).text
    clock.set(almaty(2026, 11, 28, 8, 30))  # two hours before, but 08:30 is quiet
    assert await tick(bot) == 0
    clock.set(almaty(2026, 11, 28, 9, 0))  # the end of quiet hours
    assert await tick(bot) == 1


async def test_reason_gone_withdrawn_application_drops_the_reminder(person, bot, clock):
    applicant, case = await applicant_with_application(person, bot, "ru")
    repos, services = bot.runtime.repos, bot.runtime.services
    at = clock.timestamp() + 3 * 86400
    await workflow.change_status(services, case, "submitted", "inspection", 900002, "",
                                 inspection_at=at, inspection_place="Усть-Каменогорск")
    await bot.runtime.outbox.deliver_due()
    await applicant.press_data(f"my:w:{case.id}", forge=True)
    await applicant.press("Да, отозвать")
    clock.advance(days=3)
    assert await tick(bot) == 0
    rows = await repos.db.fetchall("SELECT status FROM outbox WHERE kind = 'inspection'")
    assert [r["status"] for r in rows] == ["dropped", "dropped"]


async def test_restart_between_scheduling_and_firing(person, bot, clock):
    applicant, case = await applicant_with_application(person, bot, "ru")
    await request_documents(bot, case)
    await bot.restart()
    clock.advance(days=2)
    assert await tick(bot) == 1
    await bot.restart()
    assert await tick(bot) == 0  # marked sent before the restart: never again
    clock.advance(days=3)
    assert await tick(bot) == 1
    found = await applicant._collect(expect=2)
    assert found.text.count("всё ещё ждёт документы") == 2


async def test_unfinished_draft_reminded_once_24_hours_after_the_last_change(person, bot,
                                                                             clock):
    user = await person("zh")
    await user.send("/start")
    await user.send("/apply")
    await user.press("我同意")
    clock.advance(hours=2)  # 13:00 in Almaty
    await user.press("个人")  # a change: the 24 hours count from here
    clock.advance(hours=22)
    assert await tick(bot) == 0  # 24 h after creation, 22 h after the last change
    clock.advance(hours=2)
    assert await tick(bot) == 1
    assert "您的申请尚未填写完" in (await user._collect()).text
    clock.advance(days=3)
    assert await tick(bot) == 0


async def test_muted_users_get_no_reminders_but_do_get_status_changes(person, bot, client,
                                                                      clock):
    applicant, case = await applicant_with_application(person, bot, "ru")
    assert "Напоминания выключены" in (await applicant.send("/mute")).text
    await request_documents(bot, case)
    clock.advance(days=2)
    assert await tick(bot) == 0
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Отклонить")
    await staff.send("Нет документов")
    assert "отклонена" in (await applicant._collect()).text
    assert "снова включены" in (await applicant.send("/unmute")).text


async def test_staff_digest_once_on_working_days(person, bot, client, clock):
    clock.set(almaty(2026, 11, 16, 12, 0))
    await applicant_with_application(person, bot, "ru")  # submitted 16 Nov, untouched since
    await staff_member(client)
    clock.set(almaty(2026, 11, 21, 9, 30))  # Saturday: no digest
    assert await tick(bot) == 0
    clock.set(almaty(2026, 11, 23, 8, 59))  # Monday, before 09:00
    assert await tick(bot) == 0
    clock.set(almaty(2026, 11, 23, 9, 0))
    assert await tick(bot) >= 1
    events = await client.events(chat_id=900002)
    assert "1 заявка ждёт дольше 5 дней" in events["events"][-1]["text"]
    assert "/app EV-2026-000001" in events["events"][-1]["text"]
    await bot.restart()
    clock.advance(hours=3)
    assert await tick(bot) == 0  # once a day, even across a restart


def test_vehicle_fixture_is_complete():
    from domain.applications import next_field
    assert next_field(VEHICLE) is None
