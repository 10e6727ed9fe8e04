"""Texts within Telegram's limits by construction: a user's words echoed back are clipped,
a message too long for one is sent as several, a long list is shown a page at a time."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from i18n import strip_tags

MESSAGE_LIMIT = 4096   # characters (UTF-16 code units) of a message after parsing
CAPTION_LIMIT = 1024
T = TypeVar("T")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(html: str) -> int:
    """What Telegram counts: the text after parsing its HTML, in UTF-16 code units."""
    return utf16_len(strip_tags(html))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters: cut at a word boundary where there is one, with an
    ellipsis (an echo of what a user typed, a button label)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def split_message(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """An HTML message as one or more, each within `limit` after parsing. Split between
    lines (this bot's messages never open a tag on one line and close it on another); a
    single line longer than the limit, which only a user's own text can make, is cut."""
    if visible_length(html) <= limit:
        return [html]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in html.split("\n"):
        length = visible_length(line) + 1
        if length > limit:
            line = clip(line, limit - 1) if "<" not in line else line[:limit - 1]
            length = visible_length(line) + 1
        if current and size + length > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        parts.append("\n".join(current))
    return parts


def page(items: Sequence[T], number: int, size: int) -> tuple[Sequence[T], bool, bool]:
    """The items of page `number` (from 0), whether there is a page before and after."""
    start = max(number, 0) * size
    return items[start:start + size], number > 0, start + size < len(items)
