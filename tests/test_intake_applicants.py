"""Issue 14: every real applicant can apply. A Chinese company (USCC, +86 phone typed and
shared) in zh, a non-resident with a passport in ru; albums of photos into one item; a stray
file asked about; Submit with missing items; requested documents close the loop with staff;
re-sends by file kind; VIN year and duplicate flags; honest privacy screens."""
from __future__ import annotations

import asyncio

from domain.validators import vin_check_digit
from tests.desk_helpers import applicant_with_application, staff_member
from tests.test_intake import (
    PDF,
    database_bytes,
    fill_person,
    start_form,
    submit_anyway,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
BYD_BODY = "LGXCE4CB?N0123456"  # a Chinese VIN (L…), model year N: 2022


def byd_vin() -> str:
    return BYD_BODY.replace("?", vin_check_digit(BYD_BODY.replace("?", "0")))


async def fill_vehicle_zh(user, year="2022"):
    await user.send(byd_vin())
    for value in ("BYD", "Seal", year, "@M1", "@纯电动汽车", "82.5", "@LFP", "@GB/T"):
        if value.startswith("@"):
            replies = await user.press(value[1:])
        else:
            replies = await user.send(value)
    return replies


async def test_a_chinese_company_applies_in_chinese(person, bot, client):
    await client.add_users([{"id": 900002, "first_name": "Staff", "language_code": "ru",
                             "started": True}])
    user, replies = await start_form(person, "zh")
    await user.press("我同意")
    await user.press("公司")
    replies = await user.press("其他国家")
    assert "公司的全称" in replies.text or "公司" in replies.text
    replies = await user.send("比亚迪汽车工业有限公司")
    assert "公司在哪个国家注册" in replies.text and "中国" in replies.buttons()
    replies = await user.press("中国")
    assert "统一社会信用代码" in replies.text
    replies = await user.send("91440300192317458G")  # last character mistyped
    assert "校验码" in replies.text and "营业执照" in replies.text
    replies = await user.send("9144030019231745")
    assert "统一社会信用代码共 18 位；这里有 16 位" in replies.text
    await user.send("9144 0300 1923 1745 8F")
    replies = await user.press("申请人本人")
    assert "+86 138 0013 8000" in replies.text  # the example fits a Chinese phone
    replies = await user.send("+86 138 0013 8000")
    assert "电话号码已保存：+8613800138000" in replies.text
    replies = await fill_vehicle_zh(user)
    assert "公司注册文件" in replies.text
    await user.send_file("营业执照.pdf", b"%PDF-1.4 licence", "application/pdf")
    replies = await user.press("前往核对")
    for expected in ("统一社会信用代码: 91440300192317458F", "国家: 中国", "+8613800138000",
                     "比亚迪汽车工业有限公司"):
        assert expected in replies.text, expected
    assert "型年份" not in replies.text and "车型年份" not in replies.text  # N fits 2022
    await user.press("✏️ 电话")  # now shared with Telegram's own button
    replies = await user.send_content(contact={"phone_number": "8613900139000",
                                               "first_name": "李", "user_id": user.user_id})
    assert "电话号码已保存：+8613900139000" in replies.text
    assert "请检查您的申请" in replies.text or "核对" in replies.text
    replies = await user.press("提交申请")
    assert "缺少" in replies.text and "⬜" in replies.text  # what is missing, before submitting
    replies = await user.press("提交，材料稍后补交")
    assert "已提交" in replies.text and "EV-2026-000001" in replies.text
    app = await bot.runtime.repos.applications.get(1)
    assert (app.applicant_type, app.residency, app.country, app.id_number, app.phone) == \
        ("company", "foreign", "cn", "91440300192317458F", "+8613900139000")
    assert "power_of_attorney" not in app.documents_to_follow and "photos" in \
        app.documents_to_follow


async def test_no_iin_is_a_way_through_not_a_dead_end(person, bot):
    """"没有" at the IIN gets the rule and a way on: not registered in Kazakhstan."""
    user, _ = await start_form(person, "zh")
    await user.press("我同意")
    await user.press("个人")
    await user.press("哈萨克斯坦")
    await user.send("李伟")
    replies = await user.send("没有")
    assert "12 位数字" in replies.text and "未在哈萨克斯坦登记" in replies.text
    replies = await user.press("未在哈萨克斯坦登记")
    assert "您的护照由哪个国家签发" in replies.text
    await user.press("中国")
    replies = await user.send("E1234567")
    assert "中国护照号码为 E 加 8 位数字" in replies.text
    replies = await user.send("e12345678")
    assert "您是否也有哈萨克斯坦个人识别号" in replies.text  # optional for a non-resident
    replies = await user.send("870512300123")
    assert "校验位" in replies.text  # checked when given
    replies = await user.press("我没有个人识别号")
    assert "谁在填写本申请" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert (draft.residency, draft.country, draft.id_number, draft.iin) == \
        ("foreign", "cn", "E12345678", "")


async def test_a_non_resident_with_a_passport_applies_in_russian(person, bot):
    user, _ = await start_form(person, "ru")
    await user.press("Согласен")
    await user.press("Физическое лицо")
    replies = await user.press("Другая страна")
    assert "ФИО" in replies.text
    await user.send("Ли Вэй")
    replies = await user.send("Атлантида")
    assert "Не знаю такой страны" in replies.text
    replies = await user.send("Китай")  # typed, not pressed
    assert "Номер вашего паспорта" in replies.text
    replies = await user.send("Е12345678")  # a Cyrillic Е
    assert "только из латинских букв и цифр" in replies.text
    await user.send("E12345678")
    replies = await user.send("000101500011")  # an IIN too: this one has one
    assert "Кто заполняет эту заявку?" in replies.text, replies.text
    replies = await user.press("Представитель по доверенности")
    assert "ФИО представителя" in replies.text
    await user.send("Айгерим Нурланова")
    replies = await user.send("870512300122")
    assert "Контактный телефон" in replies.text
    await user.send("+86 138 0013 8000")
    await user.send(byd_vin())
    for value in ("BYD", "Seal", "2022", "@M1", "@Электромобиль", "82,5", "@LFP", "@GB/T"):
        if value.startswith("@"):
            replies = await user.press(value[1:])
        else:
            replies = await user.send(value)
    assert "Документ 1 из 8" in replies.text
    await user.send_file("passport.pdf", PDF, "application/pdf")
    replies = await user.press("К проверке")
    for expected in ("Номер паспорта: E12345678", "Страна: Китай", "Представитель: Айгерим",
                     "ИИН (если есть): 000101500011",
                     "ИИН или паспорт представителя: 870512300122", "Телефон: +8613800138000"):
        assert expected in replies.text, expected
    replies = await user.press("Отправить заявку")
    assert "⬜ Доверенность" in replies.text  # required now that a representative acts
    replies = await user.press("Подать, документы позже")
    assert "отправлена" in replies.text
    app = (await bot.runtime.repos.applications.of_user(user.user_id))[0]
    assert (app.residency, app.country, app.id_number, app.acting, app.agent_id) == \
        ("foreign", "cn", "E12345678", "agent", "870512300122")


async def kinds_once_filed(bot, app_id: int, count: int) -> list[str]:
    """The kinds of the application's documents once `count` are filed: an album's reply
    comes with its first file, the rest are filed after it (one by one, per chat)."""
    for _ in range(100):
        docs = await bot.runtime.repos.applications.documents(app_id)
        if len(docs) >= count:
            break
        await asyncio.sleep(0.05)
    return [d.kind for d in docs]


async def at_documents(person, lang="ru"):
    user, _ = await start_form(person, lang)
    await fill_person(user)
    return user


async def test_nine_photos_as_an_album_go_to_the_photos_item(person, bot):
    user = await at_documents(person)
    await user.press("Все пункты")
    replies = await user.press("Фото:")
    assert "примерно 9 файлов" in replies.text and "альбомом" in replies.text
    photos = [(f"{i}.jpg", JPEG + bytes([i]), "image/jpeg") for i in range(9)]
    replies = await user.send_album(photos)
    assert len([e for e in replies.events if e["type"] == "send"]) == 1  # not nine messages
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    docs = await bot.runtime.repos.applications.documents(draft.id)
    assert [d.kind for d in docs] == ["photos"] * 9  # all nine there, none elsewhere
    assert all(d.sent_as == "photo" for d in docs)
    assert "Документ 6 из 8" in user.last_message["text"]  # moved on after the ninth
    # Remove one, move one: nothing is stuck where it landed.
    await user.press("Все пункты")
    replies = await user.press("Фото:")
    assert "Приложено: 9 файлов (9/9)" in replies.text
    replies = await user.press("🗑 9")
    assert "Приложено: 8 файлов (8/9)" in replies.text
    await user.press("Перенести файл")
    await user.press("1.")
    replies = await user.press("Данные батареи")
    assert "Приложено: 7 файлов" in replies.text
    docs = await bot.runtime.repos.applications.documents(draft.id)
    assert sorted(d.kind for d in docs) == ["battery"] + ["photos"] * 7


async def test_photos_one_by_one_stay_until_done(person, bot):
    user = await at_documents(person)
    await user.press("Все пункты")
    await user.press("Фото:")
    await user.send_file("a.jpg", JPEG + b"a", "image/jpeg", kind="photo")
    replies = await user.send_file("b.jpg", JPEG + b"b", "image/jpeg", kind="photo")
    assert "Фото: четыре стороны" in replies.text and "(2/9)" in replies.text
    replies = await user.press("Готово с этим пунктом")
    assert "Данные батареи" in replies.text


async def test_a_stray_file_is_asked_where_it_belongs(person, bot):
    user, _ = await start_form(person)
    await user.press("Согласен")
    await user.press("Физическое лицо")
    await user.press("Казахстан")
    await user.send("Айгерим Нурланова")
    replies = await user.send_file("contract.pdf", PDF, "application/pdf")
    assert "Вы отправили 1 файл. Какой это документ?" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert await bot.runtime.repos.applications.documents(draft.id) == []  # not guessed
    replies = await user.press("Договор купли-продажи")
    assert "Приложено: Договор купли-продажи" in replies.text
    assert "Ваш ИИН (12 цифр)?" in replies.text  # and the question it interrupted
    docs = await bot.runtime.repos.applications.documents(draft.id)
    assert [d.kind for d in docs] == ["contract"]
    replies = await user.send_file("photo.jpg", JPEG, "image/jpeg", kind="photo")
    replies = await user.press("Не прикладывать")
    assert "Не приложено" in replies.text and "Ваш ИИН" in replies.text
    assert len(await bot.runtime.repos.applications.documents(draft.id)) == 1


async def test_submit_with_a_missing_item_warns_and_lists_it(person, bot, client):
    staff = await staff_member(client)
    user = await at_documents(person)
    await user.send_file("passport.pdf", PDF, "application/pdf")
    await user.press("К проверке")
    replies = await user.press("Отправить заявку")
    assert "Не хватает 6 обязательных документов" in replies.text
    for missing in ("⬜ Титул", "⬜ Фото", "⬜ Данные батареи"):
        assert missing in replies.text, missing
    assert "Удостоверяющий" not in replies.text and "Доверенность" not in replies.text
    assert await bot.runtime.repos.applications.of_user(user.user_id) == []  # not yet
    replies = await user.press("Подать, документы позже")
    assert "EV-2026-000001 отправлена" in replies.text
    alert = await staff._collect()
    assert "Документы будут позже: Договор" in alert.text
    replies = await staff.send("/app EV-2026-000001")
    assert "⏳ Документы будут позже: Договор купли-продажи и инвойс" in replies.text
    await user.press("Мои заявки")
    await user.press("EV-2026-000001")
    await user.press("Добавить документ")
    await user.press("Договор")
    await user.send_file("contract.pdf", b"%PDF-1.4 contract of sale", "application/pdf")
    notice = await staff._collect()  # what was to follow has come: staff hear at once
    assert "заявитель прислал запрошенный документ: Договор" in notice.text
    replies = await staff.send("/app EV-2026-000001")
    assert "Документы будут позже: Титул" in replies.text  # the contract is no longer awaited
    assert "📥 получены документы: Договор" in replies.text


async def test_a_requested_document_tells_staff_and_the_history(person, bot, client):
    staff = await staff_member(client)
    user = await at_documents(person)
    await user.press("К проверке")
    await submit_anyway(user)
    await staff._collect()
    await staff.send("/app EV-2026-000001")
    await staff.press("Взять на рассмотрение")
    await staff.press("Запросить документы")
    await staff.press("Титул")
    await staff.press("Продолжить")
    await staff.press("Без комментария")
    await user._collect()  # the request
    admin = await staff_member(client, user_id=900001)
    repos, now = bot.runtime.repos, bot.clock.timestamp()
    thread = await repos.threads.ensure("a:1", 1, user.user_id, now)
    assert await repos.threads.assign(thread.id, 900002, 900002, now, None)  # staff owns it
    await user.press("Добавить документ")
    await user.press("Титул")
    await user.send_file("title.pdf", b"%PDF-1.4 title", "application/pdf")
    notice = await staff._collect()
    assert "Заявка EV-2026-000001: заявитель прислал запрошенный документ: Титул" in notice.text
    assert not (await admin._collect(expect=0)).events  # only the case's owner is told
    assert "📂 Открыть" in notice.buttons()
    replies = await staff.press("📂 Открыть")
    assert "📥 получены документы: Титул" in replies.text  # in the history
    history = await bot.runtime.repos.applications.history(1)
    assert [(h.event, h.kinds) for h in history][-1] == ("documents_received", ("title",))
    await staff.press("Очередь")
    replies = await staff.press("запрошены документы")
    assert "📥 EV-2026-000001" in replies.buttons()[0]


async def test_photos_and_documents_are_resent_by_their_kind(person, bot, client):
    staff = await staff_member(client)
    user = await at_documents(person)
    await user.send_file("passport.jpg", JPEG, "image/jpeg", kind="photo")
    await user.send_file("contract.pdf", PDF, "application/pdf")
    await user.press("Все пункты")
    await user.press("Фото:")
    await user.send_album([(f"{i}.jpg", JPEG + bytes([i]), "image/jpeg") for i in range(3)])
    await user.press("К проверке")
    await submit_anyway(user)
    await staff._collect()
    await staff.send("/app EV-2026-000001")
    replies = await staff.press("📄 Документ, удостоверяющий личность")
    assert [e["kind"] for e in replies.events] == ["photo"]
    replies = await staff.press("📄 Договор")
    assert [e["kind"] for e in replies.events] == ["document"]
    replies = await staff.press("📄 Фото", expect=3)
    assert [e["kind"] for e in replies.events] == ["photo"] * 3  # one album
    await user.press("Мои заявки")
    await user.press("EV-2026-000001")
    replies = await user.press("📄 Документ, удостоверяющий личность")
    assert [e["kind"] for e in replies.events] == ["photo"]
    stats = await client.stats()
    assert not any("mismatch" in k for k in stats.get("refusals", {})), stats


async def test_a_vin_year_mismatch_is_flagged(person, bot):
    user, _ = await start_form(person)
    await user.press("Согласен")
    await user.press("Физическое лицо")
    await user.press("Казахстан")
    await user.send("Айгерим Нурланова")
    await user.send("870512300122")
    await user.press("Сам заявитель")
    await user.send("+77011234567")
    await user.send(byd_vin())
    await user.send("BYD")
    await user.send("Seal")
    replies = await user.send("2024")
    assert "10-й символ VIN (N) означает модельный год 1992 / 2022, а год выпуска — 2024" in \
        replies.text
    assert "Категория ТС" in replies.text  # a warning: the form goes on


async def test_deletemydata_says_what_is_kept_and_keeps_only_that(person, bot):
    user, case = await applicant_with_application(person, bot, "ru")
    repos = bot.runtime.repos
    assert await repos.applications.change_status(
        case.id, "submitted", "approved", 900002, "", bot.clock.timestamp(),
        certificate_number="KZ-SBKTS-2026-0042")
    await repos.applications.add_document(case.id, "contract", "F1", "U1", "договор.pdf",
                                          "application/pdf", 10, bot.clock.timestamp())
    replies = await user.send("/deletemydata")
    text = replies.text
    assert text.index("Сохраняется, как требует закон") < text.index("Удалить ваши данные") \
        if "Удалить ваши данные" in text else "Сохраняется, как требует закон" in text
    assert "EV-2026-000001: KZ-SBKTS-2026-0042" in text  # noted before it is gone from /my
    assert await repos.users.get(user.user_id) is not None  # nothing done yet
    await user.press_data("del:yes")
    app = await repos.applications.get(case.id)
    assert (app.applicant_name, app.id_number, app.phone, app.user_id) == \
        ("Айгерим Нурланова", "870512300122", None, None)
    assert await repos.applications.documents(case.id) == []
    if bot.settings.database_url.startswith("postgres"):
        return  # PostgreSQL's files keep erased bytes until vacuum (README, "Erasure")
    raw = database_bytes(bot)
    assert b"7011234567" not in raw and "договор.pdf".encode() not in raw


async def test_mydata_is_readable_and_lists_every_file(person, bot, client):
    user, case = await applicant_with_application(person, bot, "kk")
    repos = bot.runtime.repos
    for name, data, kind in (("паспорт.pdf", PDF, "document"), ("car.jpg", JPEG, "photo")):
        sent = await client.send(user.user_id, **{kind: {
            "file_name": name, "mime_type": "image/jpeg" if kind == "photo" else
            "application/pdf", "content": __import__("base64").b64encode(data).decode()}})
        message = sent["message"]
        file = message["document"] if kind == "document" else message["photo"][-1]
        await repos.applications.add_document(
            case.id, "identity" if kind == "document" else "photos", file["file_id"],
            file["file_unique_id"], name if kind == "document" else None, None, 10,
            bot.clock.timestamp(), kind)
    await user._collect(expect=0)
    replies = await user.send("/mydata")
    summary = replies.texts[0]
    assert "Бот сақтаған сіздің деректеріңіз" in summary
    assert "паспорт.pdf" in summary and "фотосурет" in summary  # every file, with its name
    assert "2 жүктелген файл" in summary
    assert "\\u" not in summary and "1796" not in summary  # words and dates, not raw values
    assert replies.events[-1]["kind"] == "document"  # and the machine-readable file
    replies = await user.press("Файлдарымды жіберу", expect=2)
    assert sorted(e["kind"] for e in replies.events) == ["document", "photo"]


async def test_inspection_prompt_gives_a_future_example_and_warns_of_a_weekend(person, bot,
                                                                                client):
    from domain.dates import example_slot, format_when
    applicant, case = await applicant_with_application(person, bot, "ru")
    staff = await staff_member(client)
    await staff.send("/app EV-2026-000001")
    await staff.press("Взять на рассмотрение")
    replies = await staff.press("Назначить осмотр")
    tz = bot.settings.tz
    example = format_when(example_slot(bot.clock.now(), tz), tz)
    assert f"например, {example}" in replies.text
    assert "28.11.2026" not in replies.text or example.startswith("28.11.2026")
    replies = await staff.send("28.11.2026 10:30")  # a Saturday
    assert "вне рабочего времени центра (понедельник–пятница, 9:00–18:00)" in replies.text


async def test_a_stray_album_is_asked_about_once_and_filed_together(person, bot):
    user, _ = await start_form(person)
    await user.press("Согласен")
    await user.press("Физическое лицо")
    await user.press("Казахстан")
    replies = await user.send_album([(f"{i}.jpg", JPEG + bytes([i]), "image/jpeg")
                                     for i in range(3)])
    questions = [e for e in replies.events if e["type"] == "send"]
    assert len(questions) == 1 and "Вы отправили 3 файла" in user.last_message["text"]
    replies = await user.press("Фото:")
    assert replies.text.count("Приложено: Фото") == 3 and "ФИО" in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    docs = await bot.runtime.repos.applications.documents(draft.id)
    assert [d.kind for d in docs] == ["photos"] * 3


async def test_an_album_filling_the_last_item_stays_together(person, bot):
    """The review comes after the album, not in the middle of it (the rest would stray)."""
    user = await at_documents(person)
    for _ in range(7):
        replies = await user.press("Пока пропустить")
    assert "Документ 8 из 8: Доверенность" in replies.text
    replies = await user.send_album([(f"{i}.jpg", JPEG + bytes([i]), "image/jpeg")
                                     for i in range(2)])
    assert "Какой это документ" not in replies.text
    draft = await bot.runtime.repos.applications.draft_of(user.user_id)
    assert await kinds_once_filed(bot, draft.id, 2) == ["power_of_attorney"] * 2
    replies = await user.press("Готово с этим пунктом")
    assert "Проверьте заявку" in replies.text


async def test_an_album_added_later_from_my_applications(person, bot):
    user, case = await applicant_with_application(person, bot, "ru")
    await user.press_data(f"my:k:{case.id}:photos", forge=True)
    replies = await user.send_album([(f"{i}.jpg", JPEG + bytes([i]), "image/jpeg")
                                     for i in range(4)])
    assert replies.text.count("Приложено к заявке EV-2026-000001") == 1  # one reply
    assert await kinds_once_filed(bot, case.id, 4) == ["photos"] * 4
    replies = await user.send_file("5.jpg", JPEG + b"5", "image/jpeg", kind="photo")
    assert "Приложено к заявке EV-2026-000001: Фото" in replies.text and "(5)" in replies.text
    await user.press("Мои заявки")  # leaves "send the file"
    replies = await user.send("привет")
    assert "Приложено" not in replies.text and "Отправьте фото" not in replies.text
