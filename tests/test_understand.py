"""What people type, end to end through the emulator (issue 17): greetings, cost questions,
questions for the centre, application numbers, VINs, the lookup's hard cases, and the
fallback that offers ways on instead of "I did not understand"."""
from __future__ import annotations

import re
import shutil

import pytest

from domain.content import CONTENT_DIR
from domain.library import Library
from emulator.client import Person
from handlers.lookup import LABEL_CHARS, label
from tests.desk_helpers import VEHICLE, applicant_with_application, staff_member

ROLE_QUESTION = {"kk": "Сіз кімсіз?", "ru": "Кто вы?", "zh": "您的身份是？"}
MENU = {"kk": "Басты мәзір", "ru": "Главное меню", "zh": "主菜单"}
ROLE = {"kk": "Инженер", "ru": "Инженер", "zh": "工程师"}
GREETING = {"kk": "Сәлеметсіз бе!", "ru": "привет", "zh": "你好"}
ESTIMATE = {"kk": "Есептеп көрейік", "ru": "Давайте посчитаем", "zh": "我们来估算一下"}
COST_QUESTION = {"kk": "көлікті әкелу қанша тұрады?", "ru": "сколько стоит растаможка?",
                 "zh": "清关要多少钱"}
CENTRE = {"kk": "ШҚТУ", "ru": "ВКТУ", "zh": "东哈萨克斯坦技术大学"}
NOT_PUBLISHED = {"kk": "әлі жарияланбаған", "ru": "пока не опубликовано", "zh": "尚未公布"}
ANNOUNCED = {"kk": "Жарияланған", "ru": "Объявлено", "zh": "已宣布"}
TIMING = {"kk": "Қанша уақыт алады", "ru": "Сколько это занимает", "zh": "需要多长时间"}
NOT_SURE = {"kk": "нақты түсінбедім", "ru": "Не совсем понял", "zh": "我不太确定"}
GUIDE = {"kk": "нұсқаулық", "ru": "гид", "zh": "指南"}
ASK = {"kk": "Орталыққа сұрақ", "ru": "Спросить центр", "zh": "咨询认证中心"}
NO_APPLICATION = {"kk": "өтінімі жоқ", "ru": "У вас нет заявки", "zh": "您没有编号为"}


async def engineer(person, lang: str) -> Person:
    user = await person(lang)
    await user.send("/start")
    await user.press(ROLE[lang])
    return user


@pytest.mark.parametrize("lang", ["kk", "ru", "zh"])
async def test_a_first_message_that_greets_gets_the_welcome_then_the_menu(person, lang):
    user = await person(lang)
    replies = await user.send(GREETING[lang])  # no /start before it
    assert ROLE_QUESTION[lang] in replies.text
    replies = await user.press(ROLE[lang])
    assert MENU[lang] in replies.text
    replies = await user.send(GREETING[lang])  # a greeting later: the menu
    assert MENU[lang] in replies.text and ROLE_QUESTION[lang] not in replies.text


@pytest.mark.parametrize("lang", ["kk", "ru", "zh"])
async def test_a_cost_question_opens_the_estimate(person, lang):
    user = await engineer(person, lang)
    replies = await user.send(COST_QUESTION[lang])
    assert ESTIMATE[lang] in replies.text


@pytest.mark.parametrize("lang,text", [
    ("kk", "байланыс"), ("kk", "орталықтың мекенжайы"), ("kk", "жұмыс уақыты қандай?"),
    ("ru", "контакты"), ("ru", "адрес центра"), ("ru", "часы работы"),
    ("zh", "联系方式"), ("zh", "中心地址在哪"), ("zh", "工作时间"),
    ("en", "/contacts")])
async def test_questions_for_the_centre_open_its_card(person, lang, text):
    lang = "ru" if lang == "en" else lang
    user = await engineer(person, lang)
    replies = await user.send(text)
    assert CENTRE[lang] in replies.text
    assert ANNOUNCED[lang] in replies.text  # EKTU stays "announced" until staff confirm
    assert NOT_PUBLISHED[lang] in replies.text  # no phone or address invented
    assert TIMING[lang] not in replies.text
    assert len(replies.buttons()) >= 3


@pytest.mark.parametrize("lang,text", [("kk", "мерзімі қандай?"), ("ru", "сроки"),
                                       ("zh", "办下来要多久")])
async def test_a_question_on_timing_gets_the_answer_and_the_card(person, lang, text):
    user = await engineer(person, lang)
    replies = await user.send(text)
    assert TIMING[lang] in replies.text and CENTRE[lang] in replies.text
    assert NOT_PUBLISHED[lang] in replies.text


async def test_contacts_from_the_menu_and_the_map_from_staff_content(client, bot, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    centre = content / "centre.toml"
    centre.write_text(centre.read_text(encoding="utf-8") + """
phone = "+7 7232 00 00 00"
email = "centre@example.kz"
latitude = 49.95
longitude = 82.62
address.kk = "Өскемен, мысал көшесі, 1"
address.ru = "Усть-Каменогорск, ул. Примерная, 1"
address.zh = "乌斯季卡缅诺戈尔斯克，示例街 1 号"
hours.kk = "дүйсенбі–жұма 9:00–18:00"
hours.ru = "пн–пт 9:00–18:00"
hours.zh = "周一至周五 9:00–18:00"
""", encoding="utf-8")
    await bot.stop()
    await bot.start(content_dir=str(content))
    user = await Person(client, language_code="zh").join()
    await user.send("/start")
    await user.press(ROLE["zh"])
    replies = await user.press("联系方式")
    assert "+7 7232 00 00 00" in replies.text and "centre@example.kz" in replies.text
    assert "周一至周五 9:00–18:00（哈萨克斯坦时间，UTC+5）" in replies.text
    replies = await user.press("在地图上查看")
    venue = replies.events[-1]
    assert venue["kind"] == "venue"
    assert venue["venue"]["location"] == {"latitude": 49.95, "longitude": 82.62}
    assert venue["venue"]["address"] == "乌斯季卡缅诺戈尔斯克，示例街 1 号"


def test_a_broken_centre_file_is_refused_with_its_field(tmp_path):
    from domain.content import ContentError
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    centre = content / "centre.toml"
    centre.write_text(centre.read_text(encoding="utf-8") + "\nlatitude = 49.95\n",
                      encoding="utf-8")
    with pytest.raises(ContentError, match="centre.toml: field 'latitude'"):
        Library.open(content)


@pytest.mark.parametrize("owner_lang,other_lang,typed", [
    ("zh", "kk", "{number}"), ("kk", "ru", "менің өтінімім {number} қайда?"),
    ("ru", "zh", "где заявка {lower}")])
async def test_an_application_number_opens_only_for_its_owner_and_staff(
        client, person, bot, owner_lang, other_lang, typed):
    owner, case = await applicant_with_application(person, bot, owner_lang)
    text = typed.format(number=case.number, lower=case.number.lower().replace("-", " "))
    replies = await owner.send(text)
    assert case.number in replies.text and str(VEHICLE["model"]) in replies.text
    other = await engineer(person, other_lang)
    replies = await other.send(text)
    assert NO_APPLICATION[other_lang] in replies.text
    assert str(VEHICLE["model"]) not in replies.text
    assert str(VEHICLE["applicant_name"]) not in replies.text
    missing = case.number[:-1] + "9"
    replies = await other.send(missing)  # a missing one reads the same: nothing leaks
    assert NO_APPLICATION[other_lang] in replies.text
    staff = await staff_member(client)
    replies = await staff.send(text)
    assert case.number in replies.text and "⬅️ Очередь" in replies.buttons()


@pytest.mark.parametrize("lang", ["kk", "ru", "zh"])
async def test_a_vin_finds_the_users_own_applications_only(person, bot, lang):
    owner, case = await applicant_with_application(person, bot, lang)
    vin = str(VEHICLE["vin"])
    replies = await owner.send(vin.lower())
    assert case.number in replies.text
    other = await engineer(person, lang)
    replies = await other.send(vin)
    assert case.number not in replies.text and vin in replies.text
    assert len(replies.buttons()) >= 2


@pytest.mark.parametrize("lang,text", [("kk", "мен не істеуім керек білмеймін"),
                                       ("ru", "подскажите пожалуйста что делать"),
                                       ("zh", "嗯嗯嗯")])
async def test_anything_else_gets_options_never_a_lone_menu_button(person, lang, text):
    user = await engineer(person, lang)
    replies = await user.send(text)
    assert NOT_SURE[lang] in replies.text
    buttons = replies.buttons()
    assert len(buttons) >= 5 and any(ASK[lang] in b for b in buttons)
    assert any(MENU[lang] in b for b in buttons)


async def test_a_fallback_suggests_the_nearest_entries(person):
    user = await engineer(person, "ru")
    replies = await user.send("хочу узнать про зарядку и разъёмы для машины")
    assert NOT_SURE["ru"] in replies.text
    buttons = replies.buttons()
    assert buttons[0].startswith("GB/T 20234") and len(buttons) >= 6
    replies = await user.press("GB/T 20234")
    assert "GB/T 20234: китайские зарядные разъёмы" in replies.text


@pytest.mark.parametrize("lang,query,title", [
    ("ru", "R10 ЭМС", "UN R10: электромагнитная совместимость"),
    ("ru", "r 1OO", "UN R100: безопасность электрической силовой установки"),
    ("kk", "IP67", "IP кодтары: IPXXB, IPXXD, IP67"),
    ("ru", "GB/T 18487", "GB/T 18487.1: китайская система кондуктивной зарядки"),
    ("zh", "充电口", "GB/T 20234：中国传导充电连接装置"),
    ("ru", "R134", "UN R134"),
    ("ru", "M1G", "Категории G (M1G, N1G …): ТС повышенной проходимости"),
    ("zh", "关税", "回收利用费、关税"),
    ("kk", "R100-ге", "UN R100: электр жетегінің қауіпсіздігі"),
    ("zh", "ＧＢ／Ｔ　２０２３４", "GB/T 20234：中国传导充电连接装置"),
])
async def test_the_issues_queries_open_their_entry_at_once(person, lang, query, title):
    user = await person(lang)
    replies = await user.send(f"/req {query}")
    first_line = replies.text.split("\n", 1)[0]
    assert title in first_line, replies.text[:200]
    if query == "R134":
        assert "R13-H" not in replies.text


async def test_nothing_found_offers_ways_on(person):
    user = await person("ru")
    replies = await user.send("/req Euro 5")
    assert "ничего не найдено" in replies.text
    buttons = replies.buttons()
    assert len(buttons) >= 5 and any("Спросить центр" in b for b in buttons)
    replies = await user.press("Спросить центр")
    assert "Напишите свой вопрос в центр сертификации" in replies.text


async def test_ask_the_centre_from_the_fallback_opens_a_question_to_staff(person):
    user = await engineer(person, "kk")
    await user.send("бір нәрсе білгім келеді")
    replies = await user.press(ASK["kk"])
    assert "Сұрағыңызды сертификаттау орталығына жазыңыз" in replies.text


def _whole(shown: str, full: str) -> bool:
    """A label is the whole text, or a cut at a word boundary ending in an ellipsis."""
    if shown == full:
        return True
    if not shown.endswith("…"):
        return False
    cut = shown[:-1]
    return full.startswith(cut) and (not full[len(cut)].isalnum() or not cut[-1].isalnum())


def test_labels_are_cut_only_between_words():
    library = Library.open()
    for entry in library.content.entries.values():
        for lang in ("kk", "ru", "zh"):
            for text in (entry.title[lang], "Сондай-ақ қараңыз: " + entry.title[lang]):
                shown = label(text)
                assert len(shown) <= LABEL_CHARS and _whole(shown, text), (shown, text)


@pytest.mark.parametrize("lang,query", [("ru", "R13"), ("kk", "батарея"), ("ru", "GB/T"),
                                        ("zh", "电池"), ("ru", "тяговая батарея")])
async def test_result_and_see_also_buttons_are_whole(person, lang, query):
    library = Library.open()
    titles = [e.title[lang] for e in library.content.entries.values()]
    user = await person(lang)
    replies = await user.send(f"/req {query}")
    entry_buttons = [b for b in replies.buttons() if not re.match(r"^[🔎⬅]", b)]
    assert entry_buttons
    for shown in entry_buttons:
        assert any(_whole(shown, title) or
                   any(_whole(shown, prefix + title) for prefix in
                       ("См. также: ", "Сондай-ақ қараңыз: ", "另见："))
                   for title in titles), shown


async def test_help_leads_to_the_centres_card(person):
    user = await engineer(person, "zh")
    await user.send("/help")
    replies = await user.press("联系方式")
    assert CENTRE["zh"] in replies.text and NOT_PUBLISHED["zh"] in replies.text


async def test_staff_edit_the_card_and_reload_it(client, bot, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    await bot.stop()
    await bot.start(content_dir=str(content))
    staff = await staff_member(client)
    user = await engineer_in(client, "ru")
    assert NOT_PUBLISHED["ru"] in (await user.send("/contacts")).text
    centre = content / "centre.toml"
    original = centre.read_text(encoding="utf-8")
    centre.write_text(original + '\nphone = "not a phone"\n', encoding="utf-8")
    replies = await staff.send("/reload")
    assert "прежняя версия" in replies.text and "centre.toml: field 'phone'" in replies.text
    centre.write_text(original.replace('status = "announced"', 'status = "confirmed"')
                      + '\nphone = "+7 7232 11 22 33"\n', encoding="utf-8")
    assert "Содержание перезагружено" in (await staff.send("/reload")).text
    replies = await user.send("/contacts")
    assert "+7 7232 11 22 33" in replies.text and ANNOUNCED["ru"] not in replies.text


async def engineer_in(client, lang: str) -> Person:
    user = await Person(client, language_code=lang).join()
    await user.send("/start")
    await user.press(ROLE[lang])
    return user
