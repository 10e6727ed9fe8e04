"""The catalogues are complete: every string translated in kk, ru and zh, placeholders
intact, plurals right, and nothing used in code missing from them."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from i18n import LANGUAGES, LOCALES_DIR, Catalogues, negotiate, placeholders, strip_tags

ROOT = Path(__file__).parent.parent


def catalogue(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp)


def entries(lang: str):
    return [m for m in catalogue(lang) if m.id]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_translated_and_not_fuzzy(lang):
    bad = []
    for m in entries(lang):
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s.strip() for s in strings):
            bad.append(m.id)
    assert not bad, f"{lang}: untranslated or fuzzy: {bad[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    bad = []
    for m in entries(lang):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = placeholders(ids[0]) | (placeholders(ids[1]) if len(ids) > 1 else set())
        for s in strings:
            # A plural form may leave out {n} (Russian "one" for 21…), nothing else.
            if placeholders(s) - expected or expected - placeholders(s) - {"n"}:
                bad.append((m.id, s))
    assert not bad, f"{lang}: placeholder mismatch: {bad[:3]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_tags_balanced_as_in_source(lang):
    import re
    tags = re.compile(r"</?[a-z-]+")
    for m in entries(lang):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert sorted(tags.findall(s)) == sorted(tags.findall(ids[0])), (m.id, s)


def test_plural_forms_follow_cldr():
    assert catalogue("ru").num_plurals == 3
    assert catalogue("kk").num_plurals == 2
    assert catalogue("zh").num_plurals == 1


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extract afresh from the code: nothing in use may be missing from the catalogues."""
    pot = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "ngettext:1,2", "-o", str(pot),
                    "--ignore-dirs=.venv tests bench emulator", "."],
                   cwd=ROOT, check=True, capture_output=True)
    fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    for lang in LANGUAGES:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(lang)}
        missing = fresh - known
        assert not missing, f"{lang}: run `make i18n` and translate: {sorted(missing)[:5]}"


def test_almaty_is_utc_plus_5():
    from zoneinfo import ZoneInfo
    offset = datetime(2026, 1, 15, tzinfo=ZoneInfo("Asia/Almaty")).utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 5 * 3600


def test_dates_and_numbers_in_each_locale():
    from zoneinfo import ZoneInfo
    cats = Catalogues(ZoneInfo("Asia/Almaty"))
    moment = datetime(2026, 11, 26, 20, 30, tzinfo=UTC)  # 01:30 next day in Almaty
    assert cats.get("ru").datetime(moment) == "27 ноября 2026\u202fг., 01:30"
    assert "27" in cats.get("kk").datetime(moment) and "қараша" in cats.get("kk").datetime(moment)
    assert cats.get("zh").datetime(moment) == "2026年11月27日, 01:30"
    assert cats.get("ru").number(4325) == "4\xa0325"
    assert cats.get("zh").number(4325) == "4,325"


@pytest.mark.parametrize("code,expected", [
    ("kk", "kk"), ("ru", "ru"), ("ru-RU", "ru"), ("zh", "zh"), ("zh-hans", "zh"),
    ("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("en", None), ("", None), (None, None), ("uk", None)])
def test_negotiate(code, expected):
    assert negotiate(code) == expected


def test_values_are_escaped_but_markup_kept():
    from zoneinfo import ZoneInfo
    tr = Catalogues(ZoneInfo("Asia/Almaty")).get("ru")
    text = tr._("Hello, {name}!", name="<b>Ivan & Co</b>")
    assert "&lt;b&gt;Ivan &amp; Co&lt;/b&gt;" in text
    assert strip_tags("<b>a</b> &amp; b") == "a & b"


@pytest.mark.parametrize("lang,n,expected", [
    ("ru", 1, "Понадобится 1 документ или набор сведений."),
    ("ru", 3, "Понадобится 3 документа или набора сведений."),
    ("ru", 5, "Понадобится 5 документов или наборов сведений."),
    ("ru", 21, "Понадобится 21 документ или набор сведений."),
    ("kk", 1, "1 құжат немесе деректер жинағы қажет болады."),
    ("kk", 7, "7 құжат немесе деректер жинағы қажет болады."),
    ("zh", 1, "您需要准备 1 份材料或资料。"),
    ("zh", 1200, "您需要准备 1,200 份材料或资料。"),
])
def test_plurals_in_each_language(lang, n, expected):
    from zoneinfo import ZoneInfo
    tr = Catalogues(ZoneInfo("Asia/Almaty")).get(lang)
    assert tr.ngettext("You will need {n} document or set of data.",
                       "You will need {n} documents or sets of data.", n) == expected
