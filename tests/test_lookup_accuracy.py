"""The lookup against tests/lookup_queries.py: the share of queries whose intended entry
comes first (top-1), printed, and at least 95 %. Also the rules engineers rely on."""
from __future__ import annotations

import pytest

from domain.library import Library
from domain.lookup import identifier, tokens
from tests.lookup_queries import LATE, QUERIES

TARGET = 0.95


@pytest.fixture(scope="module")
def index():
    return Library.open().index


def test_the_query_set_is_big_and_names_real_entries(index):
    ids = {entry.id for entry in index.entries}
    assert len(QUERIES) >= 150
    assert {expected for _, expected in QUERIES} <= ids
    assert len({query for query, _ in QUERIES}) == len(QUERIES)  # no query twice


def test_top1_accuracy(index, capsys):
    misses = []
    for query, expected in QUERIES:
        found = index.search(query)
        if not found or found[0].entry.id != expected:
            misses.append((query, expected, found[0].entry.id if found else None))
    accuracy = 1 - len(misses) / len(QUERIES)
    late = {query for query, _ in LATE}
    late_accuracy = 1 - sum(q in late for q, _, _ in misses) / len(LATE)
    with capsys.disabled():
        print(f"\nlookup top-1: {accuracy:.1%} of {len(QUERIES)} queries "
              f"({late_accuracy:.1%} of the {len(LATE)} written after tuning); misses: "
              + ("; ".join(f"{q!r} -> {got} (want {want})" for q, want, got in misses)
                 or "none"))
    assert accuracy >= TARGET, misses


@pytest.mark.parametrize("typed,key", [
    ("UN R-1OO", "unr100"), ("Р100", "r100"), ("ＧＢ／Ｔ　２０２３４", "gbt20234"),
    ("ГБ/Т 20234", "gbt20234"), ("R1ОО", "r100"), ("Euro 5", "euro5"), ("М1", "m1")])
def test_identifiers_are_normalised(typed, key):
    assert identifier(typed) == key


def test_kazakh_endings_and_chinese_runs_are_split_off():
    assert tokens("R100-ге") == ["r100"]
    assert tokens("ЭПТС-ті") == ["эптс"]
    assert tokens("R100要求") == ["r100", "要求"]
    assert tokens("R13-H") == ["r13-h"]


@pytest.mark.parametrize("query,expected", [
    ("R134", ["r134"]), ("R10", ["r10"]), ("R13", ["r13", "r13h"])])
def test_a_number_typed_in_full_matches_only_that_number(index, query, expected):
    assert [m.entry.id for m in index.search(query)] == expected


def test_every_word_counts(index):
    first = index.search("R10 ЭМС")
    assert first[0].entry.id == "r10" and first[0].exact
    assert index.search("степень защиты IP67")[0].entry.id == "ipcodes"


def test_an_exact_name_opens_and_a_generic_word_lists(index):
    assert index.search("关税")[0].exact
    found = index.search("тяговая батарея")
    assert len(found) > 1 and found[0].exact and found[1].exact  # two entries: a list
    assert index.search("Euro 5") == []
