"""Languages: gettext catalogues, locale negotiation, and babel formatting per user.

Catalogues are read from locales/<lang>/LC_MESSAGES/messages.po and compiled in
memory at start-up, so a stale .mo file can never shadow an edited .po.
Every message is sent with parse_mode HTML: values interpolated into a message
are HTML-escaped unless wrapped in `Html` (already-safe markup).
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import string
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LANGUAGES = ("kk", "ru", "zh")
LOCALES_DIR = Path(__file__).parent / "locales"


class Html(str):
    """A string that is already valid Telegram HTML: interpolated as is."""


def negotiate(language_code: str | None) -> str | None:
    """Telegram's language_code -> one of LANGUAGES, or None when we must ask."""
    if not language_code:
        return None
    primary = language_code.lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else None


def placeholders(text: str) -> set[str]:
    """The {named} fields of a message, as str.format sees them."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _load_po(path: Path) -> Translations:
    with path.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Translator:
    """Everything language-dependent for one user: texts, dates, numbers, plurals."""

    def __init__(self, language: str, translations: Translations, tz: ZoneInfo):
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations
        self.tz = tz

    def _(self, message: str, **values: object) -> str:
        return self._format(self._translations.gettext(message), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return self._format(text, {"n": Html(self.number(n)), **values})

    def _format(self, text: str, values: dict[str, object]) -> str:
        if not values:
            return text
        safe = {k: v if isinstance(v, Html) else html.escape(str(v), quote=False)
                for k, v in values.items()}
        return text.format(**safe)

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz)

    def number(self, value: float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: Decimal) -> str:
        """16 -> '16 %' (ru), '16%' (kk, zh)."""
        return format_percent(value / 100, format="#,##0.##%", locale=self.locale)

    def date(self, value: date | dt.datetime) -> str:
        if isinstance(value, dt.datetime):
            value = self.local(value).date()
        return format_date(value, format="long", locale=self.locale)

    def datetime(self, moment: dt.datetime) -> str:
        local = self.local(moment)
        return f"{format_date(local.date(), format='long', locale=self.locale)}, " \
               f"{format_time(local, format='HH:mm', locale=self.locale)}"

    def short_datetime(self, moment: dt.datetime) -> str:
        return format_datetime(self.local(moment), format="short", locale=self.locale)


class Catalogues:
    """All languages' translations, loaded once."""

    def __init__(self, tz: ZoneInfo, directory: Path = LOCALES_DIR):
        self.tz = tz
        self._translations = {
            lang: _load_po(directory / lang / "LC_MESSAGES" / "messages.po")
            for lang in LANGUAGES
        }
        self._translators = {lang: Translator(lang, t, tz)
                             for lang, t in self._translations.items()}

    def get(self, language: str) -> Translator:
        return self._translators[language]

    def all(self) -> list[Translator]:
        return [self._translators[lang] for lang in LANGUAGES]


TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def strip_tags(text: str) -> str:
    """Plain text of a Telegram HTML message (for logs and length checks)."""
    return html.unescape(TAG.sub("", text))
