"""Application intake end to end: consent, the form, every validation error, restarts,
review and edit, submission, My applications, own data, and other users' data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from domain.broadcast import Audience
from domain.outbox import Owed
from tests.desk_helpers import staff_member
from tests.test_broadcast import wait_done

PDF = b"%PDF-1.4 contract"
GOOD_VIN = "1HGCM82633A004352"
CHINA_BODY = "LRW3E7FS?NC123456"


def china_vin() -> str:
    from domain.validators import vin_check_digit
    return CHINA_BODY.replace("?", vin_check_digit(CHINA_BODY.replace("?", "0")))


async def start_form(person, lang="ru"):
    user = await person(lang)
    await user.send("/start")
    await user.press("🚗")
    replies = await user.press("📝")
    return user, replies


async def submit_anyway(user):
    """Submit; with required documents missing, confirm "documents to follow"."""
    replies = await user.press("Отправить заявку")
    if any("Подать, документы позже" in b for b in replies.buttons()):
        replies = await user.press("Подать, документы позже")
    return replies


async def start_person(user):
    await user.press("Согласен")
    await user.press("Физическое лицо")
    return await user.press("Казахстан")


async def fill_person(user, vin=GOOD_VIN):
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send_content(contact={"phone_number": "77011234567", "first_name": "A",
                                     "user_id": user.user_id})
    await user.send(vin)
    await user.send("BYD")
    await user.send("Han")
    await user.send("2024")
    await user.press("M1")
    await user.press("Электромобиль")
    await user.send("85,4")
    await user.press("LFP")
    return await user.press("CCS2")


async def test_individual_files_a_full_application_with_uploads(person, client, bot):
    await client.add_users([{"id": 900002, "first_name": "Staff", "language_code": "ru",
                             "started": True}])
    user, replies = await start_form(person)
    assert "Согласие на сбор и обработку персональных данных" in replies.text
    replies = await fill_person(user)
    assert "Документ 1 из 8: <b>" not in replies.text  # tags are parsed, not shown
    assert "Документ 1 из 8: Документ, удостоверяющий личность" in replies.text
    replies = await user.send_file("passport.pdf", b"%PDF-1.4 passport", "application/pdf")
    assert "Приложено: Документ, удостоверяющий личность" in replies.text
    assert "Документ 2 из 8: Договор купли-продажи и инвойс" in replies.text
    replies = await user.send_file("car.jpg", b"\xff\xd8jpeg", "image/jpeg", kind="photo")
    assert "Приложено: Договор купли-продажи" in replies.text
    for _ in range(6):
        replies = await user.press("Пока пропустить")
    assert "Проверьте заявку" in replies.text
    text = replies.text
    for expected in ("ФИО: Айгерим Нурланова", "ИИН: 870512300122", "Телефон: +77011234567",
                     f"VIN: {GOOD_VIN}", "Год выпуска: 2024", "Ёмкость тяговой батареи, кВт·ч: 85,4",
                     "✅ Документ, удостоверяющий личность", "⬜ Титул"):
        assert expected in text, expected
    replies = await submit_anyway(user)
    assert "Заявка EV-2026-000001 отправлена. Статус: подана." in replies.text
    staff = await client.events(chat_id=900002, wait=2)  # staff who started the bot: notified
    assert "Новая заявка EV-2026-000001: BYD Han, VIN 1HGCM82633A004352" in \
        staff["events"][0]["text"]
    replies = await user.press("Мои заявки")
    assert "1 заявка" in replies.text
    replies = await user.press("EV-2026-000001")
    assert "Статус: подана" in replies.text and "История" in replies.text


async def test_company_application_with_bin_and_typed_phone(person):
    user, _ = await start_form(person, "zh")
    await user.press("我同意")
    await user.press("公司")
    await user.press("哈萨克斯坦")
    replies = await user.send("ТОО «Электро Импорт»")
    assert "商业识别号（BIN / БИН" in replies.text  # the Russian acronym with its Latin form
    replies = await user.send("050670004323")
    assert "这不像有效的商业识别号（BIN / БИН）" in replies.text
    replies = await user.send("050640004324")
    assert "最后一位（校验位）不符" in replies.text
    await user.send("050640004323")
    await user.press("申请人本人")
    replies = await user.send("8 747 123 45 67")
    assert "电话号码已保存：+77471234567" in replies.text
    await user.send(china_vin())
    for text in ("Zeekr", "001", "2025"):
        await user.send(text)
    await user.press("N1")
    await user.press("纯电动汽车")
    await user.send("100")
    await user.press("NMC")
    replies = await user.press("GB/T")
    assert "公司注册文件" in replies.text  # a company's first document
    await user.send_file("reg.pdf", b"%PDF-1.4 company", "application/pdf")
    replies = await user.press("前往核对")
    assert "商业识别号（BIN / БИН）: 050640004323" in replies.text
    replies = await user.press("提交申请")
    assert "缺少 6 项必需材料" in replies.text
    replies = await user.press("提交，材料稍后补交")
    assert "已提交" in replies.text and "EV-2026-" in replies.text


@pytest.mark.parametrize("step_answers,bad,explanation", [
    ([], "12", "ровно 17 символов, а здесь 2"),
    ([], "1HGCM82633A00435O", "не бывает букв I, O и Q"),
    ([], "1HGCM82633A00435Ж", "только из латинских букв и цифр"),
    ([], "LRW3E7FS0NC12345X", "не проходит проверку контрольной цифры"),
])
async def test_vin_errors_are_explained(person, step_answers, bad, explanation):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send("+77011234567")
    replies = await user.send(bad)
    assert explanation in replies.text
    assert "VIN транспортного средства" in replies.texts[-1]  # the same question again


async def test_vin_check_digit_warning_can_be_confirmed(person, bot):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send("+77011234567")
    replies = await user.send("1HGCM82634A004352")
    assert "Контрольная цифра (9-й символ) в 1HGCM82634A004352 не сходится" in replies.text
    replies = await user.press("Да, всё верно")
    assert "Марка" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert draft.vin == "1HGCM82634A004352" and draft.vin_warning is True


@pytest.mark.parametrize("field_inputs,bad,explanation", [
    (["Айгерим"], "8705123001", "ровно 12 цифр"),
    (["Айгерим"], "870512700122", "7-я цифра ИИН — от 1 до 6"),
    (["Айгерим"], "871312300122", "такой даты не бывает"),
    (["Айгерим"], "870512300123", "контрольная) цифра не сходится"),
    (["Айгерим", "870512300122", "@Сам заявитель"], "8 916 123 45 67",
     "казахстанский мобильный номер"),
    (["Айгерим", "870512300122", "@Сам заявитель"], "позвоните мне",
     "в международном формате с кодом страны"),
    (["Айгерим", "870512300122", "@Сам заявитель", "+77011234567", GOOD_VIN, "BYD", "Han"],
     "в прошлом году", "четырьмя цифрами"),
    (["Айгерим", "870512300122", "@Сам заявитель", "+77011234567", GOOD_VIN, "BYD", "Han"],
     "1970", "от 1990 до следующего года"),
    (["Айгерим", "870512300122", "@Сам заявитель", "+77011234567", GOOD_VIN, "BYD", "Han",
      "2024", "@M1", "@Электромобиль"], "много", "числом в кВт·ч"),
    ([], "Ж" * 5000, "Не больше 200 символов; здесь 5000."),  # the rule, not "two letters"
    ([], "1", "не короче двух букв"),  # a one-character name
])
async def test_field_errors_are_explained(person, field_inputs, bad, explanation):
    user, _ = await start_form(person)
    await start_person(user)
    for value in field_inputs:
        if value.startswith("@"):
            await user.press(value[1:])
        else:
            await user.send(value)
    replies = await user.send(bad)
    assert explanation in replies.text, replies.text


async def test_a_sticker_where_a_number_is_asked_gets_asked_for_text(person):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    replies = await user.send_content(sticker="👍")
    assert "напишите ответ текстовым сообщением" in replies.texts[0]
    assert "Ваш ИИН (12 цифр)?" in replies.texts[-1]  # and the question again


async def test_someone_elses_contact_is_refused(person):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    replies = await user.send_content(contact={"phone_number": "+77017654321", "first_name": "B",
                                               "user_id": 12345})
    assert "Это чужой контакт" in replies.text
    replies = await user.send_content(contact={"phone_number": "+77017654321", "first_name": "B"})
    assert "Это чужой контакт" in replies.text  # not a Telegram user: not the sender either


async def test_upload_errors_are_explained(person):
    user, _ = await start_form(person)
    await fill_person(user)
    replies = await user.send_file("notes.docx", b"PK docx", "application/msword")
    assert "Отправьте фото или PDF-файл" in replies.text
    replies = await user.send_file("scan.pdf", b"", "application/pdf", size=25 * 2**20)
    assert "больше 20 МБ" in replies.text
    await user.send_file("passport.pdf", PDF, "application/pdf")
    replies = await user.send_file("passport-again.pdf", PDF, "application/pdf")
    assert "уже приложен (как «Документ, удостоверяющий личность»)" in replies.text
    replies = await user.send_content(sticker="🙂")
    assert "Отправьте фото или PDF-файл" in replies.text


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x03\x20\x00\x00\x02\x58\x08\x02"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)


async def test_uploads_are_judged_by_their_content_not_their_name(person, bot):
    user, _ = await start_form(person)
    await fill_person(user)
    replies = await user.send_file("invoice.pdf.exe", EXE, "application/pdf")
    assert "на самом деле не PDF, JPEG или PNG" in replies.text
    assert "фото или скан в формате JPEG или PNG" in replies.text  # what is accepted
    assert "Документ 1 из 8" in replies.text  # asked again for the same document
    # A file Telegram does not hand over (here: the emulator has no bytes for it) is not
    # judged at all: the user is asked to send it again.
    replies = await user.send_content(document={"file_name": "lost.pdf", "size": 1000,
                                                "mime_type": "application/pdf"})
    assert "Не удалось скачать файл из Telegram" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert await bot.runtime.repos.applications.documents(draft.id) == []
    replies = await user.send_file("passport.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                   "application/pdf")
    assert "Приложено: Документ, удостоверяющий личность" in replies.text
    replies = await user.send_file("contract.png", PNG, "image/png")  # a scan as a document
    assert "Приложено: Договор купли-продажи" in replies.text
    replies = await user.send_file("title.pdf", JPEG, "application/pdf")  # a JPEG, misnamed
    assert "Приложено: Титул" in replies.text
    docs = await bot.runtime.repos.applications.documents(draft.id)
    assert [(d.kind, d.file_name, d.mime_type) for d in docs] == [
        ("identity", "passport.pdf", "application/pdf"),
        ("contract", "contract.png", "image/png"),
        ("title", "title.pdf", "image/jpeg")]  # what the content is, not what it claimed


async def test_a_document_added_later_is_judged_by_content_too(person):
    user, _ = await start_form(person)
    await fill_person(user)
    await user.press("К проверке")
    await submit_anyway(user)
    await user.press("Мои заявки")
    await user.press("EV-2026-")
    await user.press("Добавить документ")
    await user.press("Титул")
    replies = await user.send_file("title.pdf", b"%PDF title, typed by hand", "application/pdf")
    assert "на самом деле не PDF, JPEG или PNG" in replies.text
    replies = await user.send_file("title.png", PNG, "image/png")
    assert "Приложено к заявке EV-2026-000001: Титул" in replies.text


async def test_restart_mid_form_resumes_with_every_answer(person, bot):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send("+77011234567")
    await bot.restart()
    replies = await user.send(GOOD_VIN)  # answered after the restart, at the same step
    assert "Марка" in replies.text
    await bot.restart()
    replies = await user.send("/apply")  # and the menu entry resumes there too
    assert "вопрос 8 из 15" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert (draft.applicant_name, draft.id_number, draft.phone, draft.vin) == \
        ("Айгерим Нурланова", "870512300122", "+77011234567", GOOD_VIN)


async def test_edit_from_review_changes_only_that_field(person, bot):
    user, _ = await start_form(person)
    await fill_person(user)
    await user.press("К проверке")
    before = await bot.runtime.repos.applications.draft_of(user.user_id)
    replies = await user.press("✏️ Модель")
    assert "Модель?" in replies.text and "Сейчас: Han" in replies.text
    replies = await user.send("Seal")
    assert "Проверьте заявку" in replies.text and "Модель: Seal" in replies.text
    after = await bot.runtime.repos.applications.draft_of(user.user_id)
    changed = {k for k, v in before.values().items() if after.values()[k] != v}
    assert changed == {"model"}
    replies = await user.press("✏️ Категория ТС")
    replies = await user.press("N1")
    assert "Проверьте заявку" in replies.text and "N1: фургон" in replies.text


def reply_buttons(replies) -> list[str]:
    """The labels of the reply keyboard the bot sent in these replies."""
    return [b["text"] for e in replies.events
            for row in (e.get("reply_markup") or {}).get("keyboard", []) for b in row]


async def test_the_phone_question_has_a_way_back_too(person, bot):
    """Its keyboard is a reply keyboard (to share the contact), so Back is a reply button."""
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    replies = await user.press("Сам заявитель")
    assert reply_buttons(replies) == ["📱 Поделиться номером", "⬅️ Назад"]
    replies = await user.send("⬅️ Назад")
    assert "Кто заполняет эту заявку?" in replies.text and "Сейчас: Сам заявитель" in replies.text
    await user.press("Сам заявитель")
    await fill_person_from_phone(user)
    await user.press("К проверке")
    replies = await user.press("✏️ Телефон")
    assert reply_buttons(replies) == ["📱 Поделиться номером", "⬅️ Назад к проверке"]
    replies = await user.send("⬅️ Назад к проверке")
    assert "Проверьте заявку" in replies.text and "+77011234567" in replies.text


async def fill_person_from_phone(user):
    await user.send("+77011234567")
    for value in (GOOD_VIN, "BYD", "Han", "2024", "@M1", "@Электромобиль", "85,4", "@LFP",
                  "@CCS2"):
        if value.startswith("@"):
            await user.press(value[1:])
        else:
            await user.send(value)


async def test_cancel_asks_before_discarding_the_draft(person, bot):
    user, _ = await start_form(person)
    await start_person(user)
    replies = await user.send("/cancel")
    assert "Удалить черновик" in replies.text
    replies = await user.press("Нет, продолжить")
    assert "ФИО" in replies.text
    await user.send("/cancel")
    replies = await user.press("Да, удалить")
    assert "Черновик удалён" in replies.text
    assert await bot.runtime.repos.applications.draft_of(user.user_id) is None


async def test_a_duplicate_vin_is_flagged_to_its_applicant_and_to_staff(person, client):
    """The applicant sees their own application with the VIN; another applicant's is not
    theirs to see; staff see every one, whatever its status."""
    staff = await staff_member(client)
    first, _ = await start_form(person)
    await fill_person(first)
    await first.press("К проверке")
    await submit_anyway(first)
    await first.send("/apply")
    replies = await fill_person_again(first)
    assert "У вас уже есть заявка с этим VIN: EV-2026-000001 (подана)" in replies.text
    second, _ = await start_form(person)
    await fill_person(second)
    replies = await second.press("К проверке")
    assert "EV-2026-000001" not in replies.text and "уже есть заявка" not in replies.text
    await submit_anyway(second)
    alerts = await staff._collect(expect=2)  # the first submission's alert, then this one's
    assert "Новая заявка EV-2026-000003" in alerts.text
    assert "Этот VIN есть и в заявках: EV-2026-000001 (подана)" in alerts.text
    replies = await staff.send("/app EV-2026-000003")  # (000002: the first one's new draft)
    assert "Этот VIN есть и в заявках: EV-2026-000001 (подана)" in replies.text


async def fill_person_again(user):
    """The form a second time (consent given, the answers typed again)."""
    await user.press("Физическое лицо")
    await user.press("Казахстан")
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send("+77011234567")
    await fill_vehicle(user, GOOD_VIN)
    return await user.press("К проверке")


async def fill_vehicle(user, vin, year="2003"):
    await user.send(vin)
    for value in ("BYD", "Han", year, "@M1", "@Электромобиль", "85,4", "@LFP", "@CCS2"):
        if value.startswith("@"):
            await user.press(value[1:])
        else:
            await user.send(value)


async def test_guide_answers_prefill_the_form(person, bot):
    user = await person("ru")
    await user.send("/start")
    await user.press("🚗")
    await user.press("📘")
    for label in ("Изготовитель", "N1", "Электромобиль", "Новые", "Китай"):
        await user.press(label)
    await user.press("Подать заявку с этими ответами")
    replies = await user.press("Согласен")
    assert "Где зарегистрирована компания?" in replies.text  # the type came from the guide
    replies = await user.press("Казахстан")
    assert "Название компании" in replies.text or "название компании" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert (draft.applicant_type, draft.category, draft.powertrain, draft.path) == \
        ("company", "n1", "bev", "otts")


async def test_withdraw_and_add_a_document_later(person, client):
    user, _ = await start_form(person)
    await fill_person(user)
    await user.press("К проверке")
    await submit_anyway(user)
    await user.press("Мои заявки")
    await user.press("EV-2026-")
    await user.press("Добавить документ")
    replies = await user.press("Титул")
    replies = await user.send_file("title.pdf", b"%PDF-1.4 title", "application/pdf")
    assert "Приложено к заявке EV-2026-000001: Титул" in replies.text
    assert "✅ Титул" in replies.text
    replies = await user.press("📄 Титул")  # the document is sent back to its owner
    assert replies.events[-1]["kind"] == "document"
    await user.press("Отозвать заявку")
    replies = await user.press("Да, отозвать")
    assert "Статус: отозвана" in replies.text
    assert "Отозвать заявку" not in " ".join(replies.buttons())


async def test_other_users_applications_and_documents_are_refused(person, client, bot):
    owner, _ = await start_form(person)
    await fill_person(owner)
    await owner.send_file("passport.pdf", PDF, "application/pdf")
    await owner.press("К проверке")
    await submit_anyway(owner)
    app = (await bot.runtime.repos.applications.of_user(owner.user_id))[0]
    doc = (await bot.runtime.repos.applications.documents(app.id))[0]
    intruder = await person("ru")
    await intruder.send("/start")
    for data in (f"my:v:{app.id}", f"my:a:{app.id}", f"my:k:{app.id}:title", f"my:w:{app.id}",
                 f"my:wy:{app.id}", f"my:f:{doc.id}", "my:v:abc", "my:f:"):
        replies = await intruder.press_data(data, forge=True, expect=0)
        assert replies.callback["text"] == "Заявка не найдена.", data
        assert not any(app.number in (e.get("text") or "") for e in replies.events)
        assert not any(e.get("kind") == "document" for e in replies.events)
    assert (await bot.runtime.repos.applications.get(app.id)).status == "submitted"


async def test_mydata_and_deletemydata(person, client, bot):
    user, _ = await start_form(person)
    await fill_person(user)
    await user.press("К проверке")
    await submit_anyway(user)
    repos = bot.runtime.repos
    broadcast = await repos.broadcasts.create(900002, {"ru": "Центр работает с 1 декабря"}, None,
                                              None, Audience("everyone"), False, 0, 0, None)
    await bot.runtime.sender.tick()
    await wait_done(bot, broadcast.id)
    await user._collect()  # the broadcast itself
    await bot.runtime.repos.outbox.schedule(
        Owed(user.user_id, "guide", "g1", 10**10, {"payload": "ОТТС · M1"}), 1)
    now = bot.clock.timestamp()
    thread = await repos.threads.ensure(f"u:{user.user_id}", None, user.user_id, now)
    await repos.threads.add(thread.id, "in", user.user_id, "Где мой номер?", now)
    await repos.threads.add(thread.id, "note", 900002, "внутренняя заметка", now)
    replies = await user.send("/mydata")
    raw = await client.file(replies.events[-1]["file_id"])
    data = json.loads(raw)
    assert data["user"]["id"] == user.user_id
    said = data["messages_with_the_centre"][0]["messages"]  # their words, not staff's notes
    assert [(m["from"], m["text"]) for m in said] == [("you", "Где мой номер?")]
    assert said[0]["sent_at"].endswith("+05:00")
    assert data["applications"][0]["vin"] == GOOD_VIN
    assert data["consents"][0]["version"] == "2026-12"
    assert "Айгерим Нурланова".encode() in raw  # real UTF-8, not \u escapes
    reminders = {r["kind"]: r for r in data["reminders"]}
    assert reminders["guide"]["payload"] == {"payload": "ОТТС · M1"}
    assert reminders["guide"]["status"] == "pending"
    assert reminders["guide"]["due_at"] == "2286-11-20T22:46:40+05:00"  # a date, Almaty time
    assert reminders["draft"]["payload"] == {"app": 1}  # scheduled by the form itself
    [delivery] = data["broadcast_deliveries"]
    assert (delivery["broadcast"], delivery["status"]) == (broadcast.id, "sent")
    assert delivery["sent_at"] == bot.clock.now().astimezone(bot.settings.tz).isoformat()
    assert not re.search(rb'_at": \d', raw) and b"\\u" not in raw  # no Unix times, no escapes
    await user.send("/apply")  # a new draft, to be deleted outright
    replies = await user.send("/deletemydata")
    assert "будут обезличены" in replies.text
    replies = await user.press("Да, удалить мои данные")
    assert "Ваши данные удалены" in replies.text and "1 заявка" in replies.text
    assert await repos.users.get(user.user_id) is None
    assert await repos.broadcasts.deliveries_of(user.user_id) == []
    assert await repos.outbox.of_chat(user.user_id) == []
    app = await repos.applications.get(1)
    assert (app.user_id, app.applicant_name, app.id_number, app.phone, app.vin) == \
        (None, None, None, None, GOOD_VIN)
    assert await repos.applications.draft_of(user.user_id) is None


def database_bytes(bot) -> bytes:
    """The database file and its write-ahead log, raw, as anyone with the disk reads them."""
    path = Path(bot.settings.database_path)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.sqlite_only  # SQLite's file and its log, read raw (PostgreSQL: see README)
async def test_deletemydata_leaves_no_trace_in_the_database_files(person, client, bot):
    name, iin, phone = "Айгерим Нурланова", "870512300122", "7011234567"
    comment = "Айгерим Нурланова, приложите титул с печатью"
    staff = await staff_member(client)
    user, _ = await start_form(person)
    await fill_person(user)
    await user.send_file("passport.pdf", PDF, "application/pdf")
    await user.send_file(f"{name} договор.pdf", b"%PDF-1.4 contract of sale", "application/pdf")
    await user.press("К проверке")
    await submit_anyway(user)
    assert len(await bot.runtime.repos.applications.documents(1)) == 2
    await staff.send("/app EV-2026-000001")
    await staff.press("Взять на рассмотрение")
    await staff.press("Запросить документы")
    await staff.press("Титул")
    await staff.press("Продолжить")
    await staff.send(comment)
    repos = bot.runtime.repos
    broadcast = await repos.broadcasts.create(900002, {"ru": "Объявление"}, None, None,
                                              Audience("everyone"), False, 0, 0, None)
    await bot.runtime.sender.tick()
    await wait_done(bot, broadcast.id)
    before = database_bytes(bot)
    escaped = json.dumps(name).strip('"').encode()  # as JSON with ASCII escapes stores it
    assert name.encode() in before or escaped in before  # the test looks in the right place
    await user.send("/deletemydata")
    await user.press("Да, удалить мои данные")
    after = database_bytes(bot)
    for secret in (name, escaped.decode(), iin, phone, comment, "приложите титул"):
        assert secret.encode() not in after, secret
    history = await repos.applications.history(1)
    assert [h.to_status for h in history] == ["submitted", "in_review", "documents_requested"]
    assert {h.comment for h in history} == {""}  # the history stays, without the comment
    assert await repos.applications.documents(1) == []
    app = await repos.applications.get(1)
    assert (app.status, app.vin, app.anonymised) == ("documents_requested", GOOD_VIN, True)
    assert await repos.broadcasts.deliveries_of(user.user_id) == []
    # Both connections zero what they delete (the loop-thread one writes the form's answers).
    assert (await repos.db.fetchone("PRAGMA secure_delete"))[0] == 1
    assert repos.db._quick.execute("PRAGMA secure_delete").fetchone()[0] == 1


async def test_an_edited_answer_changes_nothing_and_says_so(person, bot):
    """Telegram sends an edit as an update of its own; taken as new input, an edited name
    would have been checked as the IIN asked now."""
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("Айгерим Нурланова")
    name_message = user.last_sent
    replies = await user.edit(name_message, "Айгерим Нурлановна")
    assert replies.texts == ["Я не вижу изменений в уже отправленных сообщениях, поэтому ничего "
                             "не изменилось. Отправьте исправление новым сообщением; ответы в "
                             "заявке можно изменить на экране проверки (✏️)."]
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert draft.applicant_name == "Айгерим Нурланова"
    replies = await user.send("870512300122")  # the form goes on where it was
    assert "Кто заполняет эту заявку?" in replies.text
    await user.send("/start")
    replies = await user.edit(user.last_sent, "/apply")  # an edited command runs nothing
    assert len(replies.texts) == 1 and "не вижу изменений" in replies.text


async def test_after_leaving_for_the_menu_typing_is_not_an_answer(person, bot):
    user, _ = await start_form(person)
    await start_person(user)
    await user.send("/start")
    replies = await user.send("Айгерим Нурланова")  # meant for the form, but the form was left
    # the fallback's ways on (issue 17), not the form's next question
    assert "Главное меню" in " ".join(replies.buttons()) and "ФИО" not in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert draft.applicant_name is None
    replies = await user.send("/apply")  # the draft continues where it stopped
    assert "вопрос 3 из 15" in replies.text
    replies = await user.send("Айгерим Нурланова")
    assert "Ваш ИИН (12 цифр)?" in replies.text
