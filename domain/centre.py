"""The certification centre's card (/contacts): where it is, how to reach it, when it works,
and where accredited labs are listed. Read from content/centre.toml, which staff edit (and
/reload): DOMAIN.md names the announced centre and its city but no address, phone, e-mail,
hours or map point, so those stay empty ("not published yet") until staff fill them in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.content import LANGUAGES, ContentError, Raw, Source, Text
from domain.content_files import read_toml

STATUSES = ("announced", "confirmed")  # "announced" until staff confirm the centre exists
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+[0-9][0-9 ()-]{6,20}")


@dataclass(frozen=True)
class Centre:
    name: Text
    status: str
    city: Text
    address: Text | None
    hours: Text | None
    labs: Text
    phone: str | None
    email: str | None
    latitude: float | None
    longitude: float | None
    sources: tuple[str, ...]
    reviewed: date

    @property
    def has_map(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _fail(field: str, problem: str) -> ContentError:
    return ContentError(f"centre.toml: field '{field}': {problem}")


def _text(raw: Raw, field: str, required: bool) -> Text | None:
    value = raw.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise _fail(field, "missing (needs kk, ru and zh)")
    for lang in LANGUAGES:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise _fail(f"{field}.{lang}", "missing translation")
    if set(value) - set(LANGUAGES):
        raise _fail(field, f"unknown language {sorted(set(value) - set(LANGUAGES))}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _required(raw: Raw, field: str) -> Text:
    text = _text(raw, field, True)
    if text is None:  # (_text raises for a required field that is missing)
        raise _fail(field, "missing")
    return text


def _optional(raw: Raw, field: str, pattern: re.Pattern[str]) -> str | None:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise _fail(field, "expected a string")
    value = value.strip()
    if value and not pattern.fullmatch(value):
        raise _fail(field, f"not valid: {value!r}")
    return value or None


def _coordinate(raw: Raw, field: str, limit: float) -> float | None:
    value = raw.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > limit:
        raise _fail(field, f"expected a number between -{limit:g} and {limit:g}")
    return float(value)


def parse_centre(raw: Raw, sources: dict[str, Source]) -> Centre:
    status = raw.get("status")
    if status not in STATUSES:
        raise _fail("status", f"expected one of {', '.join(STATUSES)}")
    latitude, longitude = _coordinate(raw, "latitude", 90), _coordinate(raw, "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise _fail("latitude", "give both latitude and longitude, or neither")
    cited = raw.get("sources", [])
    if not isinstance(cited, list) or not cited or any(s not in sources for s in cited):
        raise _fail("sources", "at least one source, each in sources.toml")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, date):
        raise _fail("reviewed", "missing or not a date YYYY-MM-DD")
    return Centre(name=_required(raw, "name"), status=str(status), city=_required(raw, "city"),
                  address=_text(raw, "address", False), hours=_text(raw, "hours", False),
                  labs=_required(raw, "labs"), phone=_optional(raw, "phone", PHONE),
                  email=_optional(raw, "email", EMAIL), latitude=latitude, longitude=longitude,
                  sources=tuple(cited), reviewed=reviewed)


def load_centre(directory: Path, sources: dict[str, Source]) -> Centre:
    return parse_centre(read_toml(directory / "centre.toml"), sources)
