"""The guide content: every path reaches an outcome in every language, within Telegram's
limits; broken files are refused with file, node and field named."""
from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import guide
from domain.content import CONTENT_DIR, ContentError, Item
from domain.content_files import load
from emulator.telegram_html import parse, utf16_len
from handlers.guide import render as guide_render
from i18n import Catalogues

CONTENT = load()
CATALOGUES = Catalogues(ZoneInfo("Asia/Almaty"))
WALKS = guide.all_walks(CONTENT)


def result_of(walk: guide.Walk) -> guide.Result:
    """guide.result for a walk that must end in an outcome."""
    result = guide.result(CONTENT, walk)
    assert result is not None, f"no outcome after {walk.path}"
    return result


def test_every_path_ends_in_an_outcome():
    assert len(WALKS) > 500
    outcomes = {result_of(w).outcome.id for w in WALKS}
    assert outcomes == set(CONTENT.outcomes)


@pytest.mark.parametrize("lang", ["kk", "ru", "zh"])
def test_every_path_renders_within_telegram_limits(lang):
    tr = CATALOGUES.get(lang)
    for walk in WALKS:
        for message in guide_render.outcome_messages(tr, CONTENT, walk):
            text, _ = parse(message)  # valid Telegram HTML…
            assert 0 < utf16_len(text) <= 4096  # …and within the limit after parsing
            assert "None" not in text and "{" not in text
        assert len(guide.encode(walk)) <= 64
        # every step on the way renders too
        partial = guide.Walk()
        for qid in walk.path:
            parse(guide_render.question_text(tr, CONTENT, partial))
            for option in CONTENT.questions[qid].options:
                assert len(f"g:a:{qid}:{option.value}".encode()) <= 64
            partial = guide.answer(CONTENT, partial, qid, walk.answers[qid])


def test_outcome_sections_follow_the_answers():
    def label(item: Item) -> str:
        if item.ref:
            return item.ref
        assert item.text is not None  # an item without a ref has its own text
        return item.text["ru"][:30]

    def run(*values):
        walk = guide.decode(CONTENT, "-".join(values))
        assert walk is not None
        result = result_of(walk)
        return result.outcome.id, {label(i) for i in result.items}

    outcome, items = run("person", "m1", "bev", "used", "china", "one")
    assert outcome == "sbkts" and {"r100", "r13h", "r94r95", "r138"} <= items
    assert any("зарядный разъём" in i for i in items)
    outcome, items = run("company", "n1", "bev", "new", "china", "series")
    assert outcome == "otts"
    outcome, items = run("company", "m2m3", "bev", "used", "other", "one")
    assert outcome == "sbkts" and "r13h" not in items
    assert run("maker", "m1", "bev", "new", "other", "one")[0] == "otts"
    assert run("person", "scooter")[0] == "outside"


def test_every_rule_has_a_source_and_review_date():
    for item in CONTENT.items:
        assert item.sources and item.reviewed
    for outcome in CONTENT.outcomes.values():
        assert outcome.sources and outcome.reviewed


def test_decode_rejects_what_no_longer_fits():
    assert guide.decode(CONTENT, "person-m1-bev-used-china-one") is not None
    assert guide.decode(CONTENT, "person-m9") is None
    assert guide.decode(CONTENT, "alien") is None


def test_pack_splits_long_outcomes_on_block_boundaries():
    blocks = ["a" * 3000, "b" * 3000, "c\n" * 2500]
    messages = guide_render.pack(blocks, limit=4000)
    assert all(len(m) <= 4000 for m in messages)
    assert "".join(messages).replace("\n", "").count("a") == 3000
    assert messages[0] == "a" * 3000


@pytest.fixture
def broken(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_missing_translation_is_named(broken):
    edit(broken, "guide.toml", 'text.zh = "动力类型是什么？"\n', "")
    with pytest.raises(ContentError, match=r"guide.toml: node 'powertrain', field 'text.zh': "
                                           r"missing translation"):
        load(broken)


def test_dangling_option_is_named(broken):
    edit(broken, "guide.toml", 'next = "origin"', 'next = "orign"')
    with pytest.raises(ContentError, match=r"guide.toml: node 'condition.new', field 'next': "
                                           r"leads to 'orign', which does not exist"):
        load(broken)


def test_cycle_is_named(broken):
    edit(broken, "guide.toml", 'next = "quantity"', 'next = "who"')
    with pytest.raises(ContentError, match=r"guide.toml: node 'who', field 'next': cycle: "
                                           r"who -> category -> powertrain -> condition -> origin "
                                           r"-> who"):
        load(broken)


def test_unreachable_node_and_missing_source_are_named(broken):
    edit(broken, "guide.toml", "[questions.who]", "[questions.lonely]\ntext = { kk = \"a\", "
         "ru = \"b\", zh = \"c\" }\noptions = [{ value = \"x\", label = { kk = \"a\", ru = \"b\", "
         "zh = \"c\" }, next = \"sbkts\" }]\n\n[questions.who]")
    with pytest.raises(ContentError, match="node 'lonely'.*unreachable"):
        load(broken)


def test_rule_without_source_is_named(broken):
    edit(broken, "guide.toml", 'sources = ["chargers_kz"]\n', "")
    with pytest.raises(ContentError, match=r"node 'items\[\d+\]', field 'sources': at least one"):
        load(broken)


def test_reference_entry_missing_translation_is_named(broken):
    edit(broken, "reference.toml", 'title.zh = "UN R10：电磁兼容"\n', "")
    with pytest.raises(ContentError, match=r"reference.toml: node 'r10', field 'title.zh'"):
        load(broken)


def test_bot_refuses_to_start_with_broken_content(broken, tmp_path):
    import os
    import subprocess
    import sys
    edit(broken, "guide.toml", 'next = "origin"', 'next = "orign"')
    env = {**os.environ, "BOT_CONTENT_DIR": str(broken),
           "BOT_DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    done = subprocess.run([sys.executable, "bot.py", "local"], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == ("content error: guide.toml: node 'condition.new', field "
                                   "'next': leads to 'orign', which does not exist")
