"""The cost estimate's arithmetic, rules file and rate feed, as pure logic.

Expected figures are computed here from the formulas DOMAIN.md states (MRP 4,325 ₸;
customs fee 6 MRP; duty 15 % at the common tariff, none at WTO rates; VAT 16 % of value +
duty + excise; excise 10 % from 18,000 MRP; recycling fee 0 for a BEV; first registration
of a new M1 0.25 MRP), not copied from the code.
"""
from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from domain.content import CONTENT_DIR, ContentError
from domain.library import Library
from domain.money import (
    EngineRow,
    Estimate,
    Formula,
    Inputs,
    Kind,
    Line,
    Rate,
    Source,
    estimate,
)
from domain.money_data import from_data, to_data
from domain.money_files import load_money
from domain.money_input import is_cost_question, parse_engine, parse_price, parse_rate, parse_year
from domain.rates import FeedError, parse_feed
from emulator.nbk import SAMPLE, feed

TODAY = date(2026, 12, 1)
MRP = Decimal(4325)
RULES = load_money()


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def bev_from_china(way: str, price: Decimal = Decimal(12_000_000), importer: str = "person",
                   category: str = "m1", year: int = 2026) -> Inputs:
    return Inputs(price=price, currency="KZT", year=year, powertrain="bev", category=category,
                  importer=importer, origin="outside", way=way)


def line_of(result: Estimate, kind: Kind) -> Line:
    found = result.line(kind)
    assert found is not None, kind
    return found


def amounts(result) -> dict[Kind, Decimal | None]:
    return {line.kind: line.amount for line in result.lines}


def test_the_shipped_rules_are_the_2026_figures():
    assert RULES.mrp.value == MRP and RULES.mrp.year == 2026
    assert RULES.vat.value == 16 and RULES.duty_tariff.value == 15
    assert RULES.excise_threshold_mrp.value == 18_000
    assert RULES.mrp.source.url and RULES.mrp.source.url.startswith("https://")


def test_bev_from_china_at_12_million_by_the_common_tariff():
    value = Decimal(12_000_000)
    fee = 6 * MRP                                   # 25,950
    duty = value * Decimal("0.15")                  # 1,800,000
    vat = (value + duty) * Decimal("0.16")          # 2,208,000 (no excise: under 77.85 M)
    registration = whole(Decimal("0.25") * MRP)     # 1,081.25 -> 1,081
    result = estimate(RULES, bev_from_china("tariff"), Decimal(1), TODAY)
    got = amounts(result)
    assert got[Kind.CUSTOMS_FEE] == fee
    assert got[Kind.DUTY] == duty
    assert got[Kind.EXCISE] == 0
    assert line_of(result, Kind.EXCISE).formula is Formula.BELOW_THRESHOLD
    assert got[Kind.VAT] == vat
    assert got[Kind.RECYCLING] == 0
    assert got[Kind.REGISTRATION] == registration
    assert got[Kind.CERTIFICATION] is None          # "ask the centre"
    assert result.total == fee + duty + vat + registration
    assert not result.complete and result.unsettled
    assert line_of(result, Kind.REGISTRATION).settled is False  # the EV rows are unconfirmed


def test_bev_from_china_at_12_million_at_wto_rates():
    value = Decimal(12_000_000)
    fee, vat = 6 * MRP, value * Decimal("0.16")
    result = estimate(RULES, bev_from_china("wto"), Decimal(1), TODAY)
    got = amounts(result)
    assert got[Kind.DUTY] == 0 and got[Kind.CUSTOMS_FEE] == fee and got[Kind.VAT] == vat
    assert result.total == fee + vat + whole(Decimal("0.25") * MRP)


def test_bev_from_china_at_12_million_by_a_passenger_declaration():
    result = estimate(RULES, bev_from_china("passenger"), Decimal(1), TODAY)
    got = amounts(result)
    # The payments of way 3 are not known: shown as such, never as zero.
    for kind in (Kind.CUSTOMS_FEE, Kind.DUTY, Kind.VAT):
        assert got[kind] is None
        assert line_of(result, kind).formula is Formula.NOT_KNOWN
        assert not line_of(result, kind).settled
    assert got[Kind.RECYCLING] == 0 and got[Kind.EXCISE] == 0
    assert result.total == whole(Decimal("0.25") * MRP)


def test_a_car_above_the_excise_threshold_pays_excise_and_vat_on_it():
    threshold = 18_000 * MRP                         # 77,850,000 ₸ in 2026
    value = Decimal(90_000_000)
    assert value >= threshold
    duty = value * Decimal("0.15")
    excise = value * Decimal("0.10")
    vat = (value + duty + excise) * Decimal("0.16")
    result = estimate(RULES, bev_from_china("tariff", price=value), Decimal(1), TODAY)
    got = amounts(result)
    assert got[Kind.EXCISE] == excise and got[Kind.VAT] == vat
    assert line_of(result, Kind.VAT).base == value + duty + excise
    # At exactly the threshold excise is due ("18,000 MRP and above").
    at = estimate(RULES, bev_from_china("wto", price=threshold), Decimal(1), TODAY)
    assert amounts(at)[Kind.EXCISE] == threshold * Decimal("0.10")
    below = estimate(RULES, bev_from_china("wto", price=threshold - 1), Decimal(1), TODAY)
    assert amounts(below)[Kind.EXCISE] == 0


def test_excise_is_for_passenger_cars_only():
    truck = estimate(RULES, bev_from_china("tariff", price=Decimal(90_000_000), category="n2n3",
                                           importer="company"), Decimal(1), TODAY)
    assert truck.line(Kind.EXCISE) is None


def test_a_price_in_yuan_is_converted_at_the_given_rate_and_rounded_to_whole_tenge():
    inputs = dataclasses.replace(bev_from_china("tariff"), price=Decimal(170_000),
                                 currency="CNY")
    rate = Decimal("70.853")
    value = whole(Decimal(170_000) * rate)           # 12,045,010
    result = estimate(RULES, inputs, rate, TODAY)
    assert result.value == value
    assert amounts(result)[Kind.DUTY] == whole(value * Decimal("0.15"))


def test_a_phev_recycling_fee_is_to_be_confirmed_while_the_engine_table_is_unknown():
    inputs = dataclasses.replace(bev_from_china("tariff"), powertrain="phev", engine_cc=1498)
    assert not RULES.needs_engine("phev")            # no table: the volume is not even asked
    result = estimate(RULES, inputs, Decimal(1), TODAY)
    line = line_of(result, Kind.RECYCLING)
    assert line.amount is None and line.formula is Formula.NOT_KNOWN and not line.settled


def test_a_phev_recycling_fee_by_engine_volume_when_the_table_is_known():
    source = Source("test table")
    table = (EngineRow(1000, Rate(Decimal(100_000), 2026, source)),
             EngineRow(2000, Rate(Decimal(300_000), 2026, source)),
             EngineRow(None, Rate(Decimal(900_000), 2026, source)))
    rules = dataclasses.replace(RULES, recycling_by_engine=table)
    assert rules.needs_engine("phev") and not rules.needs_engine("bev")
    for cc, expected in ((998, 100_000), (1000, 100_000), (1498, 300_000), (3500, 900_000)):
        inputs = dataclasses.replace(bev_from_china("tariff"), powertrain="phev", engine_cc=cc)
        line = line_of(estimate(rules, inputs, Decimal(1), TODAY), Kind.RECYCLING)
        assert line.amount == expected and line.formula is Formula.BY_ENGINE


def test_a_car_moved_from_russia_pays_no_border_vat_and_no_customs_fee():
    inputs = Inputs(price=Decimal(10_000_000), currency="KZT", year=2025, powertrain="bev",
                    category="m1", importer="person", origin="eaeu", way=None)
    result = estimate(RULES, inputs, Decimal(1), TODAY)
    kinds = [line.kind for line in result.lines]
    assert Kind.CUSTOMS_FEE not in kinds and Kind.DUTY not in kinds
    vat = line_of(result, Kind.VAT)
    assert vat.amount == 0 and vat.formula is Formula.NONE_AT_BORDER and not vat.settled
    assert not line_of(result, Kind.RECYCLING).settled   # paid here when moved: unconfirmed
    assert result.total == whole(Decimal("0.25") * MRP)  # registration, under 2 years old


def test_registration_fee_is_unknown_beyond_the_known_row():
    old = estimate(RULES, bev_from_china("tariff", year=2022), Decimal(1), TODAY)
    assert line_of(old, Kind.REGISTRATION).amount is None
    bus = estimate(RULES, bev_from_china("tariff", category="m2m3", importer="company"),
                   Decimal(1), TODAY)
    assert line_of(bus, Kind.REGISTRATION).amount is None


def test_an_estimate_survives_storage_unchanged():
    result = estimate(RULES, bev_from_china("tariff"), Decimal("70.85"), TODAY)
    assert from_data(to_data(result)) == result


# --- money.toml --------------------------------------------------------------------------

@pytest.fixture
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def spoil(directory: Path, old: str, new: str) -> None:
    path = directory / "money.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "message"), [
    ('[vat]\nvalue = "16"\nyear = 2026\n', '[vat]\nvalue = "16"\n',
     "money.toml: key 'vat.year': missing or not a year"),
    ('[vat]\nvalue = "16"\nyear = 2026\nsource = "taxcode2026"\n',
     '[vat]\nvalue = "16"\nyear = 2026\n', "money.toml: key 'vat.source': missing"),
    ('source = "mrp2026"', 'source = "nowhere"', "money.toml: key 'mrp.source': unknown source"),
    ('value = "4325"', 'value = "4 325 tenge"', "money.toml: key 'mrp.value': '4 325 tenge' is"),
    ('value = "4325"', 'value = "-1"', "money.toml: key 'mrp.value'"),
    ('[mrp]\nvalue = "4325"\n', '[mrp]\n', "money.toml: key 'mrp.value': missing"),
    ('status = "confirmed"', 'status = "maybe"', "money.toml: key 'mrp.status': expected"),
    ('category = "m1"', 'category = "m9"', "key 'registration.rows[1].category'"),
    ('[recycling.fcev]', '[recycling.hydrogen]', "key 'recycling.fcev': missing"),
    ('url = "https://www.lada.kz/kazakhstan-news/146822',
     'url = "javascript://www.lada.kz/kazakhstan-news/146822', "key 'sources.mrp2026.url'"),
    ('reviewed = 2026-12-01', 'reviewed = "soon"', "key 'reviewed'"),
    ('[excise]', '[excise\n', "money.toml: "),
])
def test_a_malformed_money_file_is_refused_with_file_key_and_reason(content_copy, old, new,
                                                                    message):
    spoil(content_copy, old, new)
    with pytest.raises(ContentError) as refused:
        load_money(content_copy)
    assert message in str(refused.value)


def test_reload_keeps_the_old_rules_when_the_new_file_is_broken(content_copy):
    library = Library.open(content_copy)
    before = library.money
    spoil(content_copy, 'value = "16"', 'value = "sixteen"')
    with pytest.raises(ContentError):
        library.reload()
    assert library.money is before
    spoil(content_copy, 'value = "sixteen"', 'value = "12"')
    library.reload()
    assert library.money.vat.value == 12


# --- the National Bank's feed --------------------------------------------------------------

def test_the_feed_sample_is_read_per_unit_with_its_day():
    rates = parse_feed(feed(SAMPLE, {"KRW": 100}, date(2026, 12, 1)), date(2026, 12, 2))
    assert rates.day == date(2026, 12, 1)
    assert rates.per_unit["CNY"] == Decimal(SAMPLE["CNY"])
    assert rates.per_unit["KRW"] == Decimal(SAMPLE["KRW"]) / 100   # quant = 100 units


def test_the_real_feeds_shape_with_a_comma_and_a_four_digit_year():
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Official exchange rates</title><item><fullname>ДОЛЛАР США</fullname>"
            "<title>USD</title><pubDate>30.11.2026</pubDate><description>505,12</description>"
            "<quant>1</quant><index>DOWN</index><change>-1.02</change></item>"
            "<item><title>bad</title><description>1</description></item>"
            "<item><title>EUR</title><description>n/a</description></item>"
            "</channel></rss>").encode()
    rates = parse_feed(body, date(2026, 12, 1))
    assert rates.per_unit == {"USD": Decimal("505.12")} and rates.day == date(2026, 11, 30)


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"<html><body>Technical works <b>", "not XML"),
    (b"<rss><channel><title>x</title></channel></rss>", "no <item>"),
    (b"<rss><channel><item><title>USD</title><description>0</description></item></channel>"
     b"</rss>", "positive rate"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss/>', "DTD"),
])
def test_an_empty_or_garbled_answer_is_refused_not_read_as_zero(body, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, TODAY)


# --- what users type -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "price", "currency"), [
    ("170000", "170000", None), ("170 000 ¥", "170000", "CNY"), ("17万元", "170000", "CNY"),
    ("12 млн тг", "12000000", "KZT"), ("$25,500", "25500", "USD"), ("25000美元", "25000", "USD"),
    ("25 500.50 EUR", "25500.50", "EUR"), ("1 500 000 руб", "1500000", "RUB"),
    ("120 kzt", "120", "KZT"), ("120k", "120000", None), ("12,5 млн", "12500000", None),
    ("1.234.567", "1234567", None), ("180000元人民币", "180000", "CNY"),
    ("3亿元", "300000000", "CNY"), ("1千万", "10000000", None), ("1.2千万", "12000000", None),
    ("3w", "30000", None), ("17万5千", "175000", None), ("17万5000", "175000", None),
    ("17.5万", "175000", None), ("RMB 170,000", "170000", "CNY"),
    ("170 тыс юаней", "170000", "CNY"), ("USD25000", "25000", "USD"),
    ("5 000 000 KRW", "5000000", "KRW"), ("170000 円", "170000", "JPY"),
    ("1200万坚戈", "12000000", "KZT"),
])
def test_prices_as_people_type_them(text, price, currency):
    assert parse_price(text) == (Decimal(price), currency)


@pytest.mark.parametrize("text", ["", "дорого", "0", "2 машины по 100000", "1e99", "-5000",
                                  "十七万"])
def test_what_is_not_a_price(text):
    assert parse_price(text) is None


def test_years_engines_and_rates():
    assert parse_year("2024", 2026) == 2024 and parse_year("2024 г.", 2026) == 2024
    assert parse_year("2028", 2026) is None and parse_year("24", 2026) is None
    assert [parse_engine(t) for t in ("1498", "1.5", "1,5 л", "2.0L", "1498 см3", "9")] == \
        [1498, 1500, 1500, 2000, 1498, 9000]
    assert parse_engine("много") is None and parse_engine("30000") is None
    assert parse_rate("70,85") == Decimal("70.85") and parse_rate("0") is None


@pytest.mark.parametrize("text", ["Сколько стоит растаможка?", "какая пошлина на электромобиль",
                                  "утильсбор для гибрида", "Кедендік баж қанша?",
                                  "清关要多少钱？", "关税多少", "how much does it cost?",
                                  "стоимость", "Көлікті әкелу қанша тұрады?"])
def test_cost_questions_in_three_languages(text):
    assert is_cost_question(text)


@pytest.mark.parametrize("text", ["R100", "IPXXB", "GB/T 20234", "СБКТС", "认证需要什么文件",
                                  "清关需要什么文件", "Какие документы нужны для растаможки?",
                                  "运费多少钱", "认证费用", "сколько стоит сертификация",
                                  "қанша уақыт"])
def test_requirement_lookups_are_not_cost_questions(text):
    assert not is_cost_question(text)
