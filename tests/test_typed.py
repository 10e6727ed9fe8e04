"""How typed text is recognised (domain.typed): greetings, application numbers, VINs and
questions for the centre, in kk, ru, zh and English."""
from __future__ import annotations

import pytest

from domain.typed import Topic, application_number, is_greeting, topic, vin_checks_out, vin_in


@pytest.mark.parametrize("text", ["привет", "Привет!", "Здравствуйте", "добрый день",
                                  "сәлем", "Сәлеметсіз бе?", "Қайырлы күн", "你好", "您好！",
                                  "你好啊", "hello bot", "Hi 👋"])
def test_greetings(text):
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["привет, сколько стоит растаможка?", "приветствие",
                                  "你好，R100 是什么", "hi there how much", "R100", ""])
def test_not_greetings(text):
    assert not is_greeting(text)


@pytest.mark.parametrize("text,number", [
    ("EV-2026-000001", "EV-2026-000001"), ("ev 2026 000001", "EV-2026-000001"),
    ("где заявка ЕВ-2026-000042?", "EV-2026-000042"), ("ＥＶ－２０２６－０００００７", "EV-2026-000007"),
    ("EV2026000123", "EV-2026-000123")])
def test_application_numbers(text, number):
    assert application_number(text) == number


@pytest.mark.parametrize("text", ["EV-26-1", "R100", "2026-000001", "EVA-2026-000001"])
def test_not_application_numbers(text):
    assert application_number(text) is None


def test_vins():
    assert vin_in("1HGCM82633A004352") == "1HGCM82633A004352"
    assert vin_in("мой VIN 1hgcm82633a004352, проверьте") == "1HGCM82633A004352"
    assert vin_in("1HG CM826 33A 004352") == "1HGCM82633A004352"
    assert vin_in("IHGCM82633A004352") is None  # I is not used in VINs
    assert vin_in("12345678901234567") is None  # digits only: not a VIN
    assert vin_checks_out("1HGCM82633A004352") and not vin_checks_out("1HGCM82643A004352")


@pytest.mark.parametrize("text,expected", [
    ("контакты", Topic.CONTACTS), ("адрес центра", Topic.CONTACTS), ("地址", Topic.CONTACTS),
    ("байланыс", Topic.CONTACTS), ("часы работы", Topic.HOURS), ("жұмыс уақыты", Topic.HOURS),
    ("工作时间", Topic.HOURS), ("сроки", Topic.TIMING), ("қанша уақыт керек", Topic.TIMING),
    ("要多久", Topic.TIMING), ("R100", None), ("батарея", None), ("сколько стоит", None)])
def test_topics(text, expected):
    assert topic(text) == expected
