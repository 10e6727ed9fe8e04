"""The guide and the lookup, end to end through the emulator, as importers and engineers."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

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


def url_buttons(message: dict) -> dict[str, str]:
    return {b["text"]: b["url"] for row in message["reply_markup"]["inline_keyboard"]
            for b in row if "url" in b}


async def test_chinese_individual_importing_a_bev_from_china_gets_a_phone_sized_sbkts(person):
    user, replies = await open_guide(person, "zh")
    assert "第 1 步，共 7 步" in replies.text and "车辆由谁进口？" in replies.text
    wizard = replies.last["message_id"]
    replies = await answer_all(user, ["个人，自用", "乘用车", "一辆", "纯电动汽车", "中国"])
    assert replies.events[0]["message_id"] == wizard  # the same message, edited in place
    text = replies.text
    assert len(text) <= 1000                                  # the whole answer on a phone
    assert "您的认证途径：车辆结构安全证书（SBKTS / СБКТС）" in text
    assert "个人自用 · M1 乘用车 · 一辆 · BEV · 来自中国" in text  # the answers that decided it
    assert "1. 付款前检查车辆插座" in text and "GB/T" in text     # the next three things
    assert "“SOS”" in text and "3. " in text
    assert "💰 2026 年" in text and "增值税 16%" in text           # the money line, with its year
    assert "[1" not in text                                   # no brackets on every line
    assert "СБКТС" not in text.replace("（SBKTS / СБКТС）", "")  # Russian only in the full form
    assert replies.buttons()[:7] == ["📋 材料", "⚠️ 检查事项", "🔬 技术要求", "💰 费用",
                                     "🧭 办理步骤", "📚 来源", "📝 用这些回答提交申请"]
    replies = await user.press("🔬 技术要求")
    assert replies.events[0]["message_id"] == wizard           # a section, in the same message
    assert "您的车辆将接受哪些检查" in replies.text and "车型必须满足的要求" in replies.text
    assert "UN R100" in replies.text and "UN R13-H" in replies.text
    assert "📚 来源：" in replies.text
    assert '📚 来源： <a href="http' in replies.last["html"]      # compact source links
    replies = await user.press("⬅️ 返回认证途径")              # Back: the first screen again
    assert "您的认证途径" in replies.text and "📋 材料" in replies.buttons()
    replies = await user.press("📚 来源")
    assert '<a href="https://baq.kz/' in replies.last["html"] and "规则最近审核日期" in replies.text


async def test_step_counter_back_and_previous_answer_shown(person):
    user, _ = await open_guide(person, "ru")
    await user.press("Физическое лицо")
    replies = await user.press("Легковой")
    assert "шаг 3 из 7" in replies.text and "Сколько ТС вы ввозите" in replies.text
    replies = await user.press("Назад")
    assert "шаг 2 из 7" in replies.text and "Какое транспортное средство?" in replies.text
    assert "✓ Легковой автомобиль (M1, до 8 мест помимо водителя)" in replies.buttons()
    replies = await user.press("Назад")
    assert "✓ Физическое лицо, для личного пользования" in replies.buttons()
    replies = await user.press("Назад")  # from the first step: back to the main menu
    assert "Главное меню" in replies.text


async def test_an_individual_is_not_asked_what_is_already_fixed(person):
    user, _ = await open_guide(person, "ru")
    await user.press("Физическое лицо")
    replies = await user.press("Автобус более 12 мест")  # no single-vehicle route: no more asks
    assert "Физическому лицу нельзя: ввоз через компанию" in replies.text
    assert "Подать заявку" not in " ".join(replies.buttons())


async def test_start_over_and_a_double_tap(person, client, bot):
    user, replies = await open_guide(person, "ru")
    wizard, data = user.find_button("Другая компания")
    # A fast double tap: both presses reach the bot before its first answer arrives.
    first = await client.press(user.user_id, wizard, data)
    second = await client.press(user.user_id, wizard, data)
    replies = await user._collect()
    assert "шаг 2 из 7" in replies.texts[-1]
    conv = await bot.runtime.repos.conversations.get(user.user_id)
    assert conv.data["path"] == ["who"]  # answered once
    assert "уже ответили" in (await client.callback(second["callback_query_id"]))["text"]
    assert (await client.callback(first["callback_query_id"]))["answered"]
    replies = await user.press("Начать заново")
    assert "шаг 1 из 7" in replies.text


async def test_restart_mid_guide_resumes_at_the_same_step(person, bot):
    user, _ = await open_guide(person, "ru")
    await answer_all(user, ["Физическое лицо", "Фургон", "Одно ТС"])
    await bot.restart()
    replies = await user.send("/guide")
    assert "шаг 4 из 7" in replies.text and "Какая силовая установка?" in replies.text
    replies = await user.press("Назад")
    assert "✓ Одно ТС" in replies.buttons()


async def test_restart_on_a_section_resumes_at_the_route(person, bot):
    user, _ = await open_guide(person, "kk")
    await answer_all(user, ["Жеке тұлға", "Электросамокат", "25 км/сағ-қа дейін"])
    await user.press("Тексерулер")
    await bot.restart()
    replies = await user.send("/guide")
    assert "Сіздің жолыңыз: КО ТР 018/2011 аясынан тыс" in replies.text


async def test_typing_during_the_guide_gets_pointed_to_the_buttons(person):
    user, _ = await open_guide(person, "ru")
    replies = await user.send("а если машина из Грузии?")
    assert "выберите один из вариантов кнопками" in replies.text
    assert "шаг 1 из 7" in replies.texts[-1]


async def test_send_as_file_in_the_user_language(person, client):
    user, _ = await open_guide(person, "kk")
    await answer_all(user, ["Жеке тұлға", "Жеңіл автомобиль", "Бір көлік", "Электромобиль (BEV)",
                            "Қытай"])
    replies = await user.press("Файлмен жіберу")
    document = [e for e in replies.events if e["kind"] == "document"][0]
    data = (await client.file(document["file_id"])).decode("utf-8-sig")
    assert data.startswith("Электромобильді сертификаттау бойынша тексеру парағы")
    assert "☐ Жеке басты куәландыратын құжат" in data            # documents: boxes to tick
    assert "  Әкелуші: Жеке тұлға, жеке пайдалану үшін" in data  # answers: plain facts
    assert "☐ Жеке тұлға" not in data
    assert "https://baq.kz/" in data                              # sources with addresses
    assert "<b>" not in data and "&amp;" not in data and "<a " not in data


async def test_remind_in_three_days_fires_then_not_again(person, bot, client, clock):
    user, _ = await open_guide(person, "ru")
    await answer_all(user, ["Физическое лицо", "Легковой", "Одно ТС", "Электромобиль",
                            "Другая страна (Корея"])
    replies = await user.press("Напомнить через 3 дня", expect=0)
    assert "29 ноября 2026" in replies.callback["text"]  # 3 days after 26 November, Almaty time
    assert "Мои напоминания" in replies.callback["text"]   # where to see or cancel it
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


async def test_reminders_are_listed_and_cancelled_from_the_main_menu(person, bot, client, clock):
    user, _ = await open_guide(person, "zh")
    await answer_all(user, ["个人，自用", "乘用车", "一辆", "纯电动汽车", "中国"])
    await user.press("3 天后提醒我", expect=0)
    await user.press("重新开始")
    await answer_all(user, ["个人，自用", "电动滑板车", "不超过 25 km/h"])
    await user.press("3 天后提醒我", expect=0)
    await user.send("/start")
    replies = await user.press("⏰ 我的提醒")
    assert "1. 2026年11月29日" in replies.text and "车辆结构安全证书（SBKTS / СБКТС）" in replies.text
    assert "不属于 TR CU 018/2011 范围" in replies.text
    replies = await user.press("📘 打开 2")  # its result opens from the list
    assert "您的认证途径：不属于 TR CU 018/2011 范围" in replies.text
    await user.send("/start")
    await user.press("⏰ 我的提醒")
    listed = await bot.runtime.repos.outbox.pending_of(user.user_id, "guide")
    assert len(listed) == 2
    # Someone else's reminder cannot be cancelled by forging its id.
    intruder = await person("ru")
    await intruder.send("/start")
    replies = await intruder.press_data(f"g:rx:{listed[0].id}", forge=True, expect=0)
    assert replies.callback["text"] == "Этого напоминания уже нет."
    replies = await user.press("✖️ 取消 1")
    assert replies.callback["text"] == "提醒已取消。"
    assert "不属于 TR CU 018/2011 范围" in replies.text and "SBKTS" not in replies.text
    assert len(await bot.runtime.repos.outbox.pending_of(user.user_id, "guide")) == 1
    replies = await user.press("✖️ 取消 1")
    assert "尚未设置提醒" in replies.text
    clock.advance(days=4)
    assert await reminders.tick(bot.runtime.app) == 0  # cancelled: never sent


async def test_reminder_due_at_night_waits_for_the_morning(person, bot, clock):
    user, _ = await open_guide(person, "ru")
    clock.set(datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # 22:00 in Almaty
    await answer_all(user, ["Физическое лицо", "Электросамокат", "Не более 25 км/ч"])
    await user.press("Напомнить", expect=0)
    clock.advance(days=3)  # due at 22:00: quiet hours
    assert await reminders.tick(bot.runtime.app) == 0
    clock.advance(hours=10, minutes=30)  # 08:30 next day: still quiet
    assert await reminders.tick(bot.runtime.app) == 0
    clock.advance(minutes=31)  # 09:01
    assert await reminders.tick(bot.runtime.app) == 1


async def test_share_opens_telegrams_dialog_with_a_deep_link_that_reopens_the_outcome(person):
    user, _ = await open_guide(person, "ru")
    await answer_all(user, ["Другая компания", "Легковой", "Электромобиль", "Старше 3 лет",
                            "Страна ЕАЭС", "Слева", "Нет"])
    share = url_buttons(user.last_message)["🔗 Поделиться результатом"]
    parsed = urlparse(share)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "t.me", "/share/url")
    query = parse_qs(parsed.query)
    link = query["url"][0]
    assert link.startswith("https://t.me/") and "?start=" in link
    assert "Каждое ТС отдельно" in query["text"][0]
    payload = link.split("?start=")[1]
    assert payload == "guide_company-m1-bev-old-eaeu-left-no"
    friend = await person("zh")
    await friend.send("/start")
    await friend.press("进口商")
    replies = await friend.send(f"/start {payload}")
    assert "逐车办理" in replies.text
    assert "在欧亚经济联盟内部转移，边境不缴关税和进口增值税" in replies.text
    replies = await friend.send("/start guide_company-xx")
    assert "此链接已不适用于当前指南" in replies.text and "第 1 步" in replies.text


async def test_apply_is_not_offered_where_there_is_nothing_to_apply_for(person):
    user, _ = await open_guide(person, "ru")
    replies = await answer_all(user, ["Физическое лицо", "Легковой", "Два или больше"])
    assert "Физическому лицу нельзя" in replies.text
    assert "Подать заявку" not in " ".join(replies.buttons())
    # An old message's forged press is refused as well.
    replies = await user.press_data("g:apply", forge=True, expect=0)
    assert "подавать заявку не нужно" in replies.callback["text"]


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


async def test_req_agrees_with_the_guide_for_companies_and_l_category(person):
    user = await person("ru")
    replies = await user.send("/req СБКТС")
    assert "старше 3 лет" in replies.text and "ОТТС" in replies.text
    replies = await user.send("/req SOS")
    assert "компания, ввозящая по СБКТС, не освобождена" in replies.text
    replies = await user.send("/req R136")
    assert "категории L" in replies.text
    replies = await user.send("/req UN 38.3")
    assert "не UN 38.3, а IATA PI 965" in replies.text
    zh = await person("zh")
    replies = await zh.send("/req СБКТС")
    assert "车辆结构安全证书（SBKTS / СБКТС）" in replies.text


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
    original = guide_file.read_text(encoding="utf-8")
    guide_file.write_text(original.replace('next = "speed"', 'next = "who"', 1),
                          encoding="utf-8")
    replies = await staff.send("/reload")
    assert "прежняя версия" in replies.text and "cycle: who -> category -> who" in replies.text
    replies = await staff.send("/guide")  # the old content still works
    assert "шаг 1 из 7" in replies.text
    guide_file.write_text(original.replace("Кто ввозит транспортное средство?", "Кто ввозит ТС?"),
                          encoding="utf-8")
    replies = await staff.send("/reload")
    assert "Содержание перезагружено: вопросов — 9" in replies.text
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
    assert "шаг 2 из 7" in replies.text
    await user.send("/req")  # the lookup's prompt: the next text is the query
    replies = await user.send("r100")
    assert "UN R100: безопасность электрической силовой установки" in replies.text
    replies = await user.press("Назад")  # the guide's own Back still works
    assert "шаг 1 из 7" in replies.text
    assert "✓ Физическое лицо, для личного пользования" in replies.buttons()
