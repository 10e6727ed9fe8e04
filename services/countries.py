"""Countries by name, in the user's language (CLDR through babel): a foreign applicant's
country is stored as its ISO 3166-1 code and typed as people name it."""
from __future__ import annotations

import re
from functools import cache

from babel import Locale

LANGUAGES = ("en", "ru", "kk", "zh")
# Names people use that CLDR does not list as a country's name.
ALIASES = {"prc": "cn", "кнр": "cn", "中华人民共和国": "cn", "china (prc)": "cn", "рф": "ru",
           "россия": "ru", "usa": "us", "сша": "us", "美国": "us", "uae": "ae", "оаэ": "ae",
           "кыргызстан": "kg", "korea": "kr", "south korea": "kr", "корея": "kr", "韩国": "kr"}


def _key(text: str) -> str:
    return re.sub(r"[\s.«»\"'()（）]+", " ", text).strip().casefold()


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_key(name), code.lower())
    names.update(ALIASES)
    return names


def find_country(text: str) -> str | None:
    """The ISO code of a country typed by name (any of the bot's languages, or English) or
    by its code (CN, RU); None if it names none."""
    key = _key(text)
    if re.fullmatch(r"[a-z]{2}", key) and key.upper() in Locale.parse("en").territories:
        return key
    return _names().get(key)


def country_name(language: str, code: str) -> str:
    return str(Locale.parse(language).territories.get(code.upper(), code.upper()))
