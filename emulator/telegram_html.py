"""Telegram's HTML parse mode, as strictly as the real server applies it.

parse(text) -> (plain text, entities), or raises HtmlError with Telegram's own
description. Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""
from __future__ import annotations

import re

SIMPLE = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic",
          "u": "underline", "ins": "underline", "s": "strikethrough",
          "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
          "code": "code", "pre": "pre", "blockquote": "blockquote", "span": "spoiler",
          "a": "text_link", "tg-emoji": "custom_emoji"}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
                 r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*(/?)>")
ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")


class HtmlError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse(text: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    length = 0  # UTF-16 length of the output so far
    stack: list[tuple[str, int, dict]] = []  # (tag, start offset, entity extras)
    entities: list[dict] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = TAG.match(text, i)
            if not match:
                raise HtmlError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
            closing, name, attrs, _ = match.groups()
            name = name.lower()
            if closing:
                if not stack or stack[-1][0] != name:
                    raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
                tag, start, extra = stack.pop()
                if length > start:
                    entity = {"type": SIMPLE[tag], "offset": start, "length": length - start,
                              **extra}
                    entities.append(entity)
            else:
                if name not in SIMPLE:
                    raise HtmlError(f'Unsupported start tag "{name}" at byte offset '
                                    f"{_byte_offset(text, i)}")
                stack.append((name, length, _extras(name, attrs, text, i)))
            i = match.end()
            continue
        if ch == "&":
            match = ENTITY.match(text, i)
            if match:
                ref = match.group(1)
                if ref.startswith("#x"):
                    decoded = chr(int(ref[2:], 16))
                elif ref.startswith("#"):
                    decoded = chr(int(ref[1:]))
                else:
                    decoded = NAMED.get(ref.lower(), match.group(0))
                out.append(decoded)
                length += utf16_len(decoded)
                i = match.end()
                continue
        out.append(ch)
        length += utf16_len(ch)
        i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _extras(name: str, attrs: str, text: str, index: int) -> dict:
    values = {k.lower(): (v or "").strip("\"'") for k, v in ATTR.findall(attrs or "")}
    if name == "span" and values.get("class") != "tg-spoiler":
        raise HtmlError(f'Unsupported start tag "span" at byte offset {_byte_offset(text, index)}')
    if name == "a":
        return {"url": values.get("href", "")}
    if name == "pre" and values.get("class"):
        return {"language": values["class"].removeprefix("language-")}
    if name == "blockquote" and "expandable" in values:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"custom_emoji_id": values.get("emoji-id", "")}
    return {}
