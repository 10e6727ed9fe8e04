"""Canned replies as data (content/canned.toml): a key, a title and a text in every
language; read and checked here, so a broken file names its entry and field."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

LANGUAGES = ("kk", "ru", "zh")
KEY = re.compile(r"[a-z0-9_]{1,24}")
MAX_TEXT = 3500


class CannedError(Exception):
    """The file is broken; the message names the entry and the field."""


@dataclass(frozen=True)
class Canned:
    key: str
    title: dict[str, str]
    text: dict[str, str]

    def in_language(self, language: str | None, default: str) -> str:
        return self.text.get(language or default) or self.text[default]


def parse(source: str) -> tuple[Canned, ...]:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise CannedError(f"canned.toml: {exc}") from None
    replies, seen = [], set()
    for number, entry in enumerate(data.get("reply", []), 1):
        key = entry.get("key")
        where = f"canned.toml, reply {number} ({key or '?'})"
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise CannedError(f"{where}: key must be 1-24 of a-z, 0-9, _")
        if key in seen:
            raise CannedError(f"{where}: key used twice")
        seen.add(key)
        texts = {}
        for part, limit in (("title", 40), ("text", MAX_TEXT)):
            values = entry.get(part)
            for language in LANGUAGES:
                value = values.get(language) if isinstance(values, dict) else None
                if not isinstance(value, str) or not value.strip():
                    raise CannedError(f"{where}: {part}.{language} is missing")
                if len(value) > limit:
                    raise CannedError(f"{where}: {part}.{language} is over {limit} characters")
            texts[part] = {k: str(values[k]).strip() for k in LANGUAGES}
        replies.append(Canned(key, texts["title"], texts["text"]))
    return tuple(replies)
