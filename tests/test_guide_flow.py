"""The guide and the lookup, end to end through the emulator, as importers and engineers."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs import outbox as reminders


async def open_guide(person, lang):
    user = await person(lang)
    await user.send("/start")
    await user.press("🚗")
    return user, await user.press("📘")


async def answer_all(user, labels):
    replies = None
    for label in labels:
        replies = await user.press(label)
    return replies


async def test_chinese_importer_of_used_bev_car_gets_sbkts_with_ev_checks(person):
    user, replies = await open_guide(person, "zh")
    assert "第 1 步，共 6 步" in replies.text and "车辆由谁进口？" in replies.text
    wizard = replies.last["message_id"]
    replies = await answer_all(user, ["个人，自用", "M1：乘用车", "纯电动汽车", "二手车", "中国", "单辆车"])
    assert replies.events[0]["message_id"] == wizard  # the same message, edited in place
    text = replies.text
    assert "您的认证途径：车辆结构安全证书（СБКТС）" in text
    assert "GB/T 20234" in text and "CCS2" in text          # the inlet check
    assert "紧急呼叫（“SOS”）装置" in text                    # the SOS device
    assert "UN R100" in text and "UN R13-H" in text
    assert "回收利用费（俗称报废税）：纯电动汽车（BEV）为 0 坚戈（2026 年）" in text
    assert "待认证中心确认" in text                            # unconfirmed facts flagged
    assert "规则最近审核日期：2026年11月26日" in text             # the review date
    assert "来源" in text and "[1]" in text
    assert "📄 以文件发送" in replies.buttons()


async def test_company_importing_series_of_electric_vans_gets_otts(person):
    user, _ = await open_guide(person, "ru")
    replies = await answer_all(user, ["Компания", "N1", "Электромобиль (BEV)", "Новое", "Китай",
                                      "Серия"])
    assert "Ваш путь: Одобрение типа транспортного средства (ОТТС)" in replies.text
    assert "аудит соответствия производства" in replies.text
    assert "СБКТС" not in replies.text.split("Ваши ответы")[0]


async def test_e_scooter_is_outside_tr_cu_018(person):
    user, _ = await open_guide(person, "kk")
    replies = await answer_all(user, ["Жеке тұлға", "Электросамокат"])
    assert "КО ТР 018/2011 қолданылмайды" in replies.text
    assert "18 жастан" in replies.text


async def test_step_counter_back_and_previous_answer_shown(person):
    user, _ = await open_guide(person, "ru")
    await user.press("Физическое лицо")
    replies = await user.press("M1")
    assert "шаг 3 из 6" in replies.text and "Какой тип силовой установки?" in replies.text
    replies = await user.press("Назад")
    assert "шаг 2 из 6" in replies.text and "Какая категория" in replies.text
    assert "✓ M1: легковой автомобиль (до 8 мест помимо водителя)" in replies.buttons()
    replies = await user.press("Назад")
    assert "✓ Физическое лицо, для личного пользования" in replies.buttons()
    replies = await user.press("Назад")  # from the first step: back to the main menu
    assert "Главное меню" in replies.text


async def test_start_over_and_a_double_tap(person, client, bot):
    user, replies = await open_guide(person, "ru")
    wizard, data = user.find_button("Компания")
    # A fast double tap: both presses reach the bot before its first answer arrives.
    first = await client.press(user.user_id, wizard, data)
    second = await client.press(user.user_id, wizard, data)
    replies = await user._collect()
    assert "шаг 2 из 6" in replies.texts[-1]
    conv = await bot.runtime.repos.conversations.get(user.user_id)
    assert conv.data["path"] == ["who"]  # answered once
    assert "уже ответили" in (await client.callback(second["callback_query_id"]))["text"]
    assert (await client.callback(first["callback_query_id"]))["answered"]
    replies = await user.press("Начать заново")
    assert "шаг 1 из 6" in replies.text


async def test_restart_mid_guide_resumes_at_the_same_step(person, bot):
    user, _ = await open_guide(person, "ru")
    await answer_all(user, ["Физическое лицо", "N1", "Гибрид"])
    await bot.restart()
    replies = await user.send("/guide")
    assert "шаг 4 из 6" in replies.text and "новое или бывшее" in replies.text
    replies = await user.press("Назад")
    assert "✓ Гибрид или подключаемый гибрид (HEV/PHEV)" in replies.buttons()


async def test_typing_during_the_guide_gets_pointed_to_the_buttons(person):
    user, _ = await open_guide(person, "ru")
    replies = await user.send("а если машина из Грузии?")
    assert "выберите один из вариантов кнопками" in replies.text
    assert "шаг 1 из 6" in replies.texts[-1]


async def test_send_as_file_in_the_user_language(person, client):
    user, _ = await open_guide(person, "kk")
    await answer_all(user, ["Жеке тұлға", "M1", "Электромобиль (BEV)", "Пайдаланылған", "Қытай",
                            "Бір көлік"])
    replies = await user.press("Файлмен жіберу")
    document = [e for e in replies.events if e["kind"] == "document"][0]
    data = (await client.file(document["file_id"])).decode("utf-8-sig")
    assert data.startswith("Электромобильді сертификаттау бойынша тексеру парағы")
    assert "☐ Жеке басты куәландыратын құжат" in data
    assert "<b>" not in data and "&amp;" not in data


async def test_remind_in_three_days_fires_then_not_again(person, bot, client, clock):
    user, _ = await open_guide(person, "ru")
    await answer_all(user, ["Физическое лицо", "M1", "Электромобиль", "Новое", "Другая", "Одно"])
    replies = await user.press("Напомнить через 3 дня", expect=0)
    assert "29 ноября 2026" in replies.callback["text"]  # 3 days after 26 November, Almaty time
    replies = await user.press("Напомнить через 3 дня", expect=0)
    assert "уже назначено" in replies.callback["text"]
    app = bot.runtime.app
    clock.advance(days=2, hours=23)
    assert await reminders.tick(app) == 0
    clock.advance(hours=2)  # 29 November, 13:00 in Almaty
    assert await reminders.tick(app) == 1
    replies = await user._collect()
    assert "Вы просили напомнить" in replies.text
    assert await reminders.tick(app) == 0  # marked sent: never twice
    replies = await user.press("Открыть мой результат")
    assert "Ваш путь: Свидетельство о безопасности конструкции ТС (СБКТС)" in replies.text


async def test_reminder_due_at_night_waits_for_the_morning(person, bot, clock):
    user, _ = await open_guide(person, "ru")
    clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # 22:00 in Almaty
    await answer_all(user, ["Физическое лицо", "Электросамокат"])
    await user.press("Напомнить", expect=0)
    clock.advance(days=3)  # due at 22:00: quiet hours
    assert await reminders.tick(bot.runtime.app) == 0
    clock.advance(hours=10, minutes=30)  # 08:30 next day: still quiet
    assert await reminders.tick(bot.runtime.app) == 0
    clock.advance(minutes=31)  # 09:01
    assert await reminders.tick(bot.runtime.app) == 1


async def test_shared_deep_link_reopens_the_outcome(person):
    user, _ = await open_guide(person, "ru")
    replies = await answer_all(user, ["Компания", "M1", "Электромобиль", "Бывшее", "Страна ЕАЭС",
                                      "Одно"])
    link = [b["url"] for row in user.last_message["reply_markup"]["inline_keyboard"] for b in row
            if "url" in b][0]
    payload = link.split("?start=")[1]
    assert payload == "guide_company-m1-bev-used-eaeu-one"
    friend = await person("zh")
    await friend.send("/start")
    await friend.press("进口商")
    replies = await friend.send(f"/start {payload}")
    assert "车辆结构安全证书（СБКТС）" in replies.text
    assert "其他欧亚经济联盟成员国配额" in replies.text
    replies = await friend.send("/start guide_company-xx")
    assert "此链接已不适用于当前指南" in replies.text and "第 1 步" in replies.text


@pytest.mark.parametrize("query,lang,title", [
    ("r100", "ru", "UN R100: безопасность электрической силовой установки"),
    ("电池", "zh", "UN R100：电动动力系统安全"),
    ("UN R-100", "kk", "UN R100: электр жетегінің қауіпсіздігі"),
    ("батарея қауіпсіздігі", "kk", "UN R100: электр жетегінің қауіпсіздігі"),
])
async def test_req_finds_r100(person, query, lang, title):
    user = await person(lang)
    replies = await user.send(f"/req {query}")
    if title not in replies.text:  # several matches: R100 must be the first button
        assert replies.buttons()[0] == title
        replies = await user.press(title)
    assert title in replies.text
    assert "1500" in replies.text  # the body, with the high-voltage range


async def test_req_multiple_results_back_and_typos(person):
    user = await person("ru")
    replies = await user.send("/req GB/T")  # an exact identifier opens its entry at once
    assert "GB/T 20234: китайские зарядные разъёмы" in replies.text
    replies = await user.press("См. также: GB/T 27930")
    assert "CAN" in replies.text and "требует проверки" not in replies.text
    replies = await user.press("К результатам")
    assert [b[:10] for b in replies.buttons()[:2]] == ["GB/T 20234", "GB/T 27930"]
    replies = await user.send("/req батарея")  # a word: the best matches as buttons
    assert replies.buttons()[0] == "UN R100: безопасность электрической силовой установки"
    replies = await user.send("/req тормаза")  # a typo
    assert "UN R13-H" in replies.text


async def test_req_marks_facts_to_verify(person):
    user = await person("ru")
    replies = await user.send("/req R138")
    assert "AVAS" in replies.text and "⚠️ требует проверки" in replies.text


async def test_req_nothing_found_and_plain_text_lookup(person):
    user = await person("ru")
    await user.send("/start")
    await user.press("Инженер")
    replies = await user.send("/req абракадабра")
    assert "ничего не найдено" in replies.text
    replies = await user.send("ЭПТС")  # plain text outside a flow is a lookup
    assert "Электронный паспорт ТС (ЭПТС)" in replies.text
    replies = await user.press("Найти требование")
    replies = await user.press("Главное меню")
    assert "Главное меню" in replies.text


async def test_reload_is_staff_only_and_keeps_old_content_when_broken(client, bot, tmp_path):
    import shutil

    from domain.content import CONTENT_DIR
    from emulator.client import Person
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    await bot.stop()
    await bot.start(content_dir=str(content))
    outsider = await Person(client, language_code="ru").join()
    assert "только для сотрудников" in (await outsider.send("/reload")).text
    staff = await Person(client, user_id=900002, language_code="ru").join()
    guide_file = content / "guide.toml"
    guide_file.write_text(guide_file.read_text(encoding="utf-8").replace(
        'next = "quantity"', 'next = "who"', 1), encoding="utf-8")
    replies = await staff.send("/reload")
    assert "прежняя версия" in replies.text and "cycle: who -> category" in replies.text
    replies = await staff.send("/guide")  # the old content still works
    assert "шаг 1 из 6" in replies.text
    guide_file.write_text(guide_file.read_text(encoding="utf-8").replace(
        'next = "who"', 'next = "quantity"', 1).replace(
        "Кто ввозит транспортное средство?", "Кто ввозит ТС?"), encoding="utf-8")
    replies = await staff.send("/reload")
    assert "Содержание перезагружено: вопросов — 6" in replies.text
    replies = await staff.send("/guide")
    assert "Кто ввозит ТС?" in replies.text


async def test_after_leaving_for_the_menu_typing_looks_up_and_guide_resumes(person, bot):
    """Once the user has gone to the main menu (or asked for a lookup), what they type is
    no longer taken as an answer to the guide; /guide still resumes where they were."""
    user, _ = await open_guide(person, "ru")
    await user.press("Физическое лицо")
    await user.send("/start")
    replies = await user.send("r100")
    assert "UN R100: безопасность электрической силовой установки" in replies.text
    assert "выберите один из вариантов кнопками" not in replies.text
    replies = await user.send("/guide")
    assert "шаг 2 из 6" in replies.text
    await user.send("/req")  # the lookup's prompt: the next text is the query
    replies = await user.send("r100")
    assert "UN R100: безопасность электрической силовой установки" in replies.text
    replies = await user.press("Назад")  # the guide's own Back still works
    assert "шаг 1 из 6" in replies.text
    assert "✓ Физическое лицо, для личного пользования" in replies.buttons()
