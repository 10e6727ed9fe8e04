"""Case tools: the new-application notice opens the case, all files as one zip, and /grant
by a forwarded message, a shared contact or a @username."""
from __future__ import annotations

import io
import shutil
import zipfile

from domain.content import CONTENT_DIR
from emulator.client import Person
from tests.desk_helpers import applicant_with_application, staff_member


async def test_new_application_notice_has_an_open_button(person, bot, client):
    staff = await staff_member(client)
    applicant = await person("ru")
    await applicant.send("/start")
    repos, services = bot.runtime.repos, bot.runtime.services
    from services import workflow
    draft = await repos.applications.create_draft(
        applicant.user_id, {"make": "BYD", "model": "Han", "vin": "1HGCM82633A004352"},
        bot.clock.timestamp())
    await workflow.submit(services, draft, applicant.user_id)
    notice = await staff._collect()
    assert "EV-2026-000001" in notice.text
    card = await staff.press("Открыть")
    assert "Заявка EV-2026-000001" in card.text


async def test_all_files_as_one_zip(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "ru")
    await applicant.send("/my")
    await applicant.press("EV-2026-000001")
    for name, kind in (("title.pdf", "Титул"), ("contract.pdf", "Договор")):
        await applicant.press("Добавить документ")
        await applicant.press(kind)
        await applicant.send_file(name, b"%PDF-1.4 " + name.encode(), "application/pdf")
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    replies = await staff.press("zip")
    sent = replies.events[-1]
    assert sent["kind"] == "document" and "2" in sent["text"]
    archive = zipfile.ZipFile(io.BytesIO(await client.file(sent["file_id"])))
    names = sorted(archive.namelist())
    assert names == ["01-title-title.pdf", "02-contract-contract.pdf"]
    assert archive.read("01-title-title.pdf") == b"%PDF-1.4 title.pdf"


async def test_grant_by_forwarded_message_contact_and_username(person, bot, client):
    admin = await staff_member(client, 900001)
    first = await Person(client, language_code="ru", first_name="Dana").join()
    await first.send("/start")
    replies = await admin.send("/grant")
    assert "Перешлите" in replies.text
    forwarded = await admin._act(client.send(admin.user_id, text="привет",
                                             forward_from=first.user_id))
    assert "теперь сотрудник" in forwarded.text
    assert (await bot.runtime.repos.users.get(first.user_id)).role == "staff"

    second = await Person(client, language_code="ru", first_name="Erlan").join()
    await second.send("/start")
    await admin.send("/grant")
    shared = await admin.send_content(contact={"phone_number": "+77010000000",
                                               "first_name": "Erlan",
                                               "user_id": second.user_id})
    assert "теперь сотрудник" in shared.text

    await client.add_users([{"id": 4242, "first_name": "Aru", "username": "aru_kz",
                             "language_code": "ru"}])
    third = Person(client, user_id=4242)
    await third.send("/start")
    assert "теперь сотрудник" in (await admin.send("/grant @ARU_kz")).text
    await admin.send("/grant")
    stranger = await admin.send("12345678")
    assert "должен сначала запустить бота" in stranger.text


async def test_issued_pdf_attached_on_approval_reaches_the_applicant(person, bot, client):
    applicant, case = await applicant_with_application(person, bot, "zh")
    repos, services = bot.runtime.repos, bot.runtime.services
    from services import workflow
    for status, details in (("in_review", {}), ("inspection", {"inspection_at": 1900000000,
                                                              "inspection_place": "Almaty"}),
                            ("testing", {}), ("approved", {"certificate_number": "KZ-1"})):
        case = await repos.applications.get(case.id)
        assert await workflow.change_status(services, case, case.status, status, 900002, "",
                                            **details)
    await bot.runtime.outbox.deliver_due()
    await applicant._collect(expect=0)
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Приложить выданный документ")
    refused = await staff.send_file("photo.png", b"\x89PNG data", "image/png")
    assert "PDF" in refused.text
    done = await staff.send_file("sbkts.pdf", b"%PDF-1.4 issued", "application/pdf")
    assert "✅" in done.text
    got = await applicant._collect()
    sent = got.events[0]
    assert sent["kind"] == "document" and "EV-2026-000001" in sent["text"]
    assert await client.file(sent["file_id"]) == b"%PDF-1.4 issued"
    docs = await repos.applications.documents(case.id)
    assert [d.kind for d in docs] == ["issued"]


async def test_reschedule_inspection_with_venue_confirm_and_another_time(person, bot, client,
                                                                      tmp_path):
    content = tmp_path / "content"  # the centre's card as staff fill it in
    shutil.copytree(CONTENT_DIR, content)
    centre = content / "centre.toml"
    centre.write_text(centre.read_text(encoding="utf-8") + """
phone = "+7 7172 000 000"
latitude = 51.0890
longitude = 71.4160
address.kk = "Астана, Мәңгілік Ел 55"
address.ru = "Астана, Мангилик Ел 55"
address.zh = "阿斯塔纳，Mangilik El 55"
""", encoding="utf-8")
    await bot.stop()
    await bot.start(content_dir=str(content))
    applicant, case = await applicant_with_application(person, bot, "zh")
    repos, services = bot.runtime.repos, bot.runtime.services
    from services import workflow
    for status, details in (("in_review", {}), ("inspection", {"inspection_at": 1796450400,
                                                              "inspection_place": "Astana"})):
        case = await repos.applications.get(case.id)
        assert await workflow.change_status(services, case, case.status, status, 900002, "",
                                            **details)
    await bot.runtime.outbox.deliver_due()
    await applicant._collect(expect=0)
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Перенести осмотр")
    await staff.send("15.12.2026 11:00")
    replies = await staff.send("Astana, Mangilik El 55, gate 2")
    assert "Осмотр перенесён" in replies.text
    got = await applicant._collect(expect=2)
    kinds = [e["kind"] for e in got.events]
    assert kinds == ["text", "venue"]
    assert "2026年12月15日, 11:00" in got.events[0]["text"]
    assert "+7 7172 000 000" in got.events[0]["text"]
    assert "Mangilik El 55" in got.events[1]["text"]
    assert (await repos.applications.get(case.id)).inspection_place == \
        "Astana, Mangilik El 55, gate 2"
    # Ask for another time: staff see it in the conversation, unanswered.
    answered = await applicant.press("另约时间")
    assert answered.events
    await applicant.send("下午更方便")
    thread = await repos.threads.by_key(f"a:{case.id}")
    texts = [m.text for m in await repos.threads.messages(thread.id)]
    assert texts[0].startswith("🕑") and texts[1] == "下午更方便"
    assert thread.waiting_since is not None
    # The old time's buttons are stale after another move.
    stale = await applicant.press_data(
        f"insp:ok:{case.id}:1796450400", forge=True, expect=0)
    assert stale.callback is not None and stale.callback["show_alert"]
