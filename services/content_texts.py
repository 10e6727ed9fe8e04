"""How the certification content reads wherever it is shown: sources numbered in order of
citation, "to be confirmed" and "to be verified" marks, a reference entry."""
from __future__ import annotations

import html
import re

from domain.content import Content, Entry
from i18n import Translator

MARKERS = re.compile(r"\s*\[(verify|unconfirmed)\]\s*$")


def unconfirmed(tr: Translator) -> str:
    return tr._("to be confirmed with the certification centre")


def to_verify(tr: Translator) -> str:
    return tr._("to be verified")


class Sources:
    """Numbers sources in order of first citation: [1], [2]…"""

    def __init__(self, content: Content):
        self.content = content
        self.order: list[str] = []

    def cite(self, ids: tuple[str, ...]) -> str:
        numbers = []
        for sid in ids:
            if sid not in self.order:
                self.order.append(sid)
            numbers.append(str(self.order.index(sid) + 1))
        return f"[{', '.join(numbers)}]"

    def listing(self) -> list[str]:
        return [f"[{n}] {self.content.sources[sid]}" for n, sid in enumerate(self.order, 1)]


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
    sources.cite(entry.sources)
    # (no tr._ inside f-strings: the string extractor cannot see them there)
    reviewed = tr._("Last reviewed: {date}", date=tr.date(entry.reviewed))
    lines += ["", "<b>" + tr._("Sources") + "</b>", *[html.escape(s) for s in sources.listing()],
              "<i>" + reviewed + "</i>"]
    return "\n".join(lines)

