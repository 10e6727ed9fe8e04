"""How the certification content reads wherever it is shown: sources numbered in order of
citation and shown as links, "to be confirmed" and "to be verified" marks, terms written out
in full the first time a message uses them, a reference entry."""
from __future__ import annotations

import html
import re
import unicodedata

from domain.content import Content, Entry, Source
from i18n import Translator

MARKERS = re.compile(r"\s*\[(verify|unconfirmed)\]\s*$")
TAG = re.compile(r"(<[^>]*>)")
UNCONFIRMED_MARK = "⚠️"


def unconfirmed(tr: Translator) -> str:
    return tr._("to be confirmed with the certification centre")


def to_verify(tr: Translator) -> str:
    return tr._("to be verified")


def unconfirmed_legend(tr: Translator) -> str:
    """The one line that says what the mark on a fact means (each marked fact keeps its
    mark; the words are said once per message)."""
    return f"{UNCONFIRMED_MARK} — <i>{unconfirmed(tr)}</i>"


def first_use(content: Content, language: str, text: str) -> str:
    """Each term the content spells out for this language (guide.toml, [terms]) written in
    full where a message first uses it: in Chinese, 车辆结构安全证书（SBKTS / СБКТС） for the
    first SBKTS, SBKTS after that. Only text is touched, never a tag or a link's address."""
    for term, forms in content.terms.items():
        full = forms.get(language)
        if not full:
            continue
        pattern = re.compile(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])")
        pieces = TAG.split(text)
        for n, piece in enumerate(pieces):
            if n % 2:  # a tag
                continue
            if full in piece:
                before = piece[:piece.index(full)]
                if not pattern.search(before):
                    break  # written in full at its first use already
            match = pattern.search(piece)
            if match:
                before, after = piece[:match.start()], piece[match.end():]
                # "办理 EPTS 并登记": a Latin word is spaced off in Chinese, its Chinese name
                # is not ("办理电子车辆护照（EPTS / ЭПТС）并登记").
                if _wide(full[0]) and before.endswith(" ") and _wide(before[-2:-1]):
                    before = before[:-1]
                if _wide(full[-1]) and after.startswith(" ") and _wide(after[1:2]):
                    after = after[1:]
                pieces[n] = before + full + after
                text = "".join(pieces)
                break
    return text


def _wide(char: str) -> bool:
    """A Chinese character or full-width sign (no space is needed next to it)."""
    return bool(char) and unicodedata.east_asian_width(char) in "WF"


class Sources:
    """Numbers sources in order of first citation (1, 2…), for links and a listing."""

    def __init__(self, content: Content):
        self.content = content
        self.order: list[str] = []

    def number(self, sid: str) -> int:
        if sid not in self.order:
            self.order.append(sid)
        return self.order.index(sid) + 1

    def links(self, ids: list[str]) -> str:
        """Compact: each source's number, a link where it has an address ("1, 3, 4")."""
        parts = []
        for number, sid in sorted((self.number(sid), sid) for sid in set(ids)):
            source = self.content.sources[sid]
            parts.append(f'<a href="{html.escape(source.url)}">{number}</a>' if source.url
                         else str(number))
        return ", ".join(parts)

    def listing(self, language: str, html_mode: bool = True) -> list[str]:
        """One line per source: its number and title, the title a link where it has an
        address (as plain text: the address after the title)."""
        lines = []
        for n, sid in enumerate(self.order, 1):
            lines.append(f"{n}. {source_line(self.content.sources[sid], language, html_mode)}")
        return lines


def source_line(source: Source, language: str, html_mode: bool = True) -> str:
    title = source.title[language]
    if not html_mode:
        return f"{title} — {source.url}" if source.url else title
    if source.url:
        return f'<a href="{html.escape(source.url)}">{html.escape(title)}</a>'
    return html.escape(title)


def entry_text(tr: Translator, content: Content, entry: Entry) -> str:
    sources = Sources(content)
    lines = [f"<b>{html.escape(entry.title[tr.language])}</b>", ""]
    for line in entry.body[tr.language].split("\n"):
        marker = MARKERS.search(line)
        text = html.escape(MARKERS.sub("", line))
        if marker:
            note = to_verify(tr) if marker.group(1) == "verify" else unconfirmed(tr)
            text += f" ⚠️ <i>{note}</i>"
        lines.append(text)
    for sid in entry.sources:
        sources.number(sid)
    # (no tr._ inside f-strings: the string extractor cannot see them there)
    reviewed = tr._("Last reviewed: {date}", date=tr.date(entry.reviewed))
    lines += ["", "<b>" + tr._("Sources") + "</b>", *sources.listing(tr.language),
              "<i>" + reviewed + "</i>"]
    return first_use(content, tr.language, "\n".join(lines))
