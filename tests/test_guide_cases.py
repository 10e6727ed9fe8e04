"""Real cases, table-driven, through the emulator in kk, ru and zh: each answers the guide's
questions by pressing the buttons as the user reads them, then checks the route and the key
facts (DOMAIN.md) on the first screen and in the sections it opens.

A fact names a rule of content/guide.toml by a phrase of its Russian text (or a reference
entry by its id), so each language is checked against its own text of the same rule."""
from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from domain import guide
from domain.content import LANGUAGES
from domain.content_files import load
from handlers.guide import render as guide_render
from i18n import Catalogues

CONTENT = load()
CATALOGUES = Catalogues(ZoneInfo("Asia/Almaty"))
FIRST = "first"     # the outcome's first screen
ANY = "any"         # the first screen and every section


@dataclass(frozen=True)
class Fact:
    where: str            # FIRST, ANY or a section
    rule: str             # "ref:<entry>", "re:<regex>", or a phrase of a rule's Russian text
    present: bool = True


def has(where: str, rule: str) -> Fact:
    return Fact(where, rule)


def lacks(where: str, rule: str) -> Fact:
    return Fact(where, rule, present=False)


@dataclass(frozen=True)
class Case:
    name: str
    answers: tuple[str, ...]
    outcome: str
    facts: tuple[Fact, ...] = ()


VOLTAGE = r"re:\d\s?(V|В)\b"
VAT_16 = r"re:16\s?%"
CASES = [
    Case("individual, used BEV M1 from China", ("person", "m1", "one", "bev", "china"), "sbkts", (
        has(FIRST, "GB/T внутреннего рынка Китая несовместим"),      # the inlet check
        has(FIRST, "работающее устройство вызова экстренных служб"),   # SOS required
        has("checks", "Устройство «SOS»: с 1 февраля 2024 года обязательно"),
        has("checks", "Акциз (с 2026 года): 10 % на легковые автомобили"),
        has(FIRST, VAT_16), has("requirements", "ref:r100"), has("requirements", "ref:r94r95"))),
    Case("official representative, new electric M3 buses", ("official", "bus", "bev", "new",
                                                              "china"), "otts", (
        has("requirements", "ref:r107r66"), has("requirements", "ref:r13"),
        has("requirements", "ref:r100"), lacks("requirements", "ref:r13h"),
        lacks("steps", "Сроки в Казахстане не подтверждены"),          # no SBKTS timing line
        lacks("steps", "Порядок: прибытие"),
        has(FIRST, "держатель ОТТС указывает вашу компанию"))),
    Case("individual importing three cars", ("person", "m1", "several"), "person_no", (
        has(FIRST, "физлицу дают один ЭПТС в год"),
        has("checks", "ОТТС никогда не выдаётся физическому лицу"))),
    Case("used car from Japan, right-hand drive", ("person", "m1", "one", "bev", "rhd", "right"),
         "rhd", (has(FIRST, "праворульное ТС в Казахстане не зарегистрируют"),
                 has("checks", "с 2007 года (министр внутренних дел, 2022)"))),
    Case("20 km/h e-scooter", ("person", "light", "slow"), "outside", (
        lacks(ANY, VOLTAGE),
        has("checks", "приказ, действующий с 01.07.2026, касается прокатных"))),
    Case("hybrid without a plug", ("person", "m1", "one", "hev", "other"), "sbkts", (
        has("checks", "нет зарядного разъёма: ни проверки разъёма"),
        lacks("checks", "Зарядный разъём: у электромобилей для внутреннего рынка"),
        lacks("documents", "Тип зарядного разъёма"),
        has("money", "гибриды не входят в строку электромобилей"))),
    Case("fuel-cell car", ("person", "m1", "one", "fcev", "other"), "sbkts", (
        has("requirements", "ref:r134"), has("documents", "Данные водородной системы"),
        has("money", "какой коэффициент у ТС на топливных элементах"))),
    Case("electric motorcycle (L)", ("person", "l", "one", "china"), "sbkts_l", (
        has("requirements", "ref:r136"), has("requirements", "ref:r78"),
        lacks("requirements", "ref:r100"), lacks("requirements", "ref:r138"),
        lacks(ANY, "работающее устройство вызова экстренных служб"))),
    Case("individual, bus over 12 seats", ("person", "bus"), "person_no", (
        has(FIRST, "Путь единичного ТС для физлица есть только у автобусов до 12 мест"),)),
    Case("individual, truck over 5 t", ("person", "truck"), "person_no", (
        has("checks", "С 20 октября 2025 года единичное ТС"),)),
    Case("car registered in Russia", ("person", "m1", "one", "bev", "eaeu", "left", "yes"),
         "transfer", (has(FIRST, "не ввезено беспошлинно по квоте 2026 года"),
                      lacks(FIRST, VAT_16), lacks("money", VAT_16),
                      has("checks", "регистрируются только в Кыргызстане"))),
    Case("company on the SBKTS route", ("company", "m1", "bev", "old", "china"), "per_vehicle", (
        has(FIRST, "компания на пути СБКТС от него не освобождена"),
        has("checks", "отсрочка до 31.12.2027 касается только изготовителей"),
        has("checks", "Какой путь у ТС старше 3 лет, не подтверждено"))),
    Case("official representative, new series of cars", ("official", "m1", "bev", "new",
                                                          "china"), "otts", (
        has("checks", "изготовителям и официальным дистрибьюторам дана отсрочка"),
        has("documents", "аудит соответствия производства"),
        has("steps", "испытания образцов → проверка производства"))),
    Case("official representative, used series", ("official", "m1", "bev", "used3", "other"),
         "per_vehicle", (has("checks", "Одобрение типа не распространяется на бывшие в"),)),
    Case("company, new vehicles, not the official representative", ("company", "m1", "bev",
                                                                     "new", "china"),
         "otts_named", (has(FIRST, "можно ли указать вас в его ОТТС"),)),
    Case("company, used vans up to 3 years", ("company", "n1", "bev", "used3", "other"),
         "dealer_no", (has(FIRST, "Не покупайте б/у ТС до 3 лет"),)),
    Case("battery shipped by air: IATA, not UN 38.3", ("person", "n1", "one", "bev", "other"),
         "sbkts", (has("checks", "это правило IATA PI 965, а не UN 38.3"),
                   has("documents", "это испытание для перевозки, а не требование"))),
    Case("car bought new in Belarus, not registered", ("person", "m1", "one", "bev", "eaeu",
                                                       "left", "no"), "sbkts", (
        lacks(FIRST, VAT_16), lacks("money", VAT_16),
        has("money", "ввозного НДС на таможне нет"),
        has("checks", "нельзя передавать резидентам Казахстана (ЕЭК, декабрь 2025"))),
    Case("plug-in hybrid from China", ("person", "m1", "one", "phev", "china"), "sbkts", (
        has(FIRST, "2026: сбор 6 МРП (25 950 ₸), НДС 16 %"), has(FIRST, "GB/T внутреннего рынка Китая"),
        has("money", "гибриды не входят в строку электромобилей"))),
    Case("e-scooter faster than 25 km/h", ("person", "light", "fast", "one", "other"),
         "sbkts_l", (has("requirements", "ref:r136"), lacks(ANY, VOLTAGE))),
    Case("importer's batch of 25 km/h scooters", ("company", "light", "slow"), "outside", (
        has("checks", "Коммерческим партиям всё равно нужно соответствие EAC"),)),
    Case("individual, minibus up to 12 seats", ("person", "bus12", "one", "bev", "china"),
         "sbkts", (has("requirements", "ref:r107r66"), has("requirements", "ref:r13"),
                   lacks("requirements", "ref:r13h"), lacks("requirements", "ref:r94r95"))),
    Case("individual, truck up to 5 t", ("person", "truck5", "one", "bev", "other"), "sbkts", (
        has("requirements", "ref:r13"), lacks("requirements", "ref:r107r66"))),
    Case("official representative, EREV trucks", ("official", "truck", "erev", "new", "other"),
         "otts", (has("requirements", "ref:r138"), has("requirements", "ref:r13"),
                  has("money", "гибриды не входят в строку электромобилей"))),
    Case("company moving registered cars from Kyrgyzstan", ("company", "m1", "bev", "old",
                                                            "eaeu", "left", "yes"), "transfer", (
        has("documents", "Регистрационные документы компании"),)),
    Case("left-hand-drive car from Japan", ("person", "m1", "one", "bev", "rhd", "left"),
         "sbkts", (has(FIRST, "беспошлинной квоты нет с 14.10.2025"),)),
]


def rule_text(rule: str, language: str) -> str:
    """The text, in `language`, of the rule a fact names."""
    if rule.startswith("ref:"):
        return CONTENT.entries[rule[4:]].summary[language]
    found = [i for i in CONTENT.items if i.text and rule in i.text["ru"]]
    assert len(found) == 1, f"{rule!r} names {len(found)} rules"
    text = found[0].text
    assert text is not None
    return text[language]


def plain_terms(text: str, language: str) -> str:
    """A message as the content writes it: terms spelled out at first use put back (and
    spaces left out: a Chinese name needs none around it where the Latin form has them)."""
    for term, forms in CONTENT.terms.items():
        if language in forms:
            text = text.replace(forms[language], term)
    return re.sub(r"\s+", "", text)


def holds(fact: Fact, text: str, language: str) -> bool:
    if fact.rule.startswith("re:"):
        return re.search(fact.rule[3:], text) is not None
    return plain_terms(rule_text(fact.rule, language), language) in plain_terms(text, language)


async def press_label(user, label: str):
    """Press the button whose label is exactly `label` (on the newest message with it)."""
    for mid in sorted(user.messages, reverse=True):
        for row in (user.messages[mid].get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label and "callback_data" in button:
                    return await user.press_data(button["callback_data"], mid, settle=0.02)
    raise AssertionError(f"no button {label!r}: {user.all_buttons()}")


def test_the_table_is_large_and_real():
    assert len(CASES) >= 20
    for case in CASES:  # every case's answers are a real way through the guide
        walk = guide.decode(CONTENT, "-".join(case.answers))
        assert walk is not None and guide.result(CONTENT, walk) is not None, case.name
        for fact in case.facts:
            if not fact.rule.startswith("re:"):
                rule_text(fact.rule, "ru")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_real_case_in_each_language(person, case):
    walk = guide.decode(CONTENT, "-".join(case.answers))
    assert walk is not None
    for language in LANGUAGES:
        tr = CATALOGUES.get(language)
        user = await person(language)
        replies = await user.send("/guide")
        for qid in walk.path:
            label = CONTENT.questions[qid].label(walk.answers[qid])[language]
            replies = await press_label(user, label)
        first = replies.text
        outcome = CONTENT.outcomes[case.outcome]
        assert plain_terms(outcome.title[language], language) in plain_terms(first, language), \
            (language, case.name, first)
        assert len(first) <= 1000 and "2026" in first, (language, case.name)
        markup = user.last_message["reply_markup"]["inline_keyboard"]
        data = [b.get("callback_data") for row in markup for b in row]
        assert ("g:apply" in data) == outcome.apply, (language, case.name)
        texts = {FIRST: first}
        buttons = guide_render.answer_of(CONTENT, walk).buttons
        wanted = {f.where for f in case.facts} - {FIRST}
        if ANY in wanted:
            wanted = set(buttons)
        for section in sorted(wanted):
            if section not in buttons:  # the outcome has no such section
                texts[section] = ""
                continue
            shown = await user.press_data(f"g:s:{section}", settle=0.02)
            texts[section] = shown.text
            assert guide_render.section_title(tr, section).split(" ", 1)[1] in shown.text
            await user.press_data("g:h", settle=0.02)
        texts[ANY] = "\n".join(texts.values())
        for fact in case.facts:
            assert holds(fact, texts[fact.where], language) == fact.present, \
                (language, case.name, fact, texts[fact.where])
