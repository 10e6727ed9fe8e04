"""A Bot API request's parameters, read as Telegram reads them, and the checks every
sending method shares (text and caption after parse mode, inline keyboards).

Requests arrive as query strings, url-encoded forms, multipart forms (uploads)
or JSON; complex values (reply_markup, commands…) are JSON strings inside forms.
"""
from __future__ import annotations

import builtins
import json
from typing import overload

from aiohttp import BodyPartReader, web

from emulator.telegram_html import HtmlError, parse, utf16_len
from emulator.world import bad_request

JSON_FIELDS = {"reply_markup", "entities", "caption_entities", "allowed_updates", "commands",
               "scope", "link_preview_options", "reply_parameters", "media"}
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA = 4096, 1024, 64
MAX_BUTTONS, MAX_MARKUP_BYTES = 100, 10 * 1024


class Params:
    def __init__(self, values: dict[str, object], files: dict[str, tuple[str, str, bytes]]):
        self.values = values
        self.files = files

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        values: dict[str, object] = dict(request.query)
        files: dict[str, tuple[str, str, bytes]] = {}
        ctype = request.content_type
        if ctype == "application/json":
            values.update(await request.json())
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    raise bad_request("nested multipart bodies are not supported")
                data = await part.read()
                if part.name is None:  # no field name: nothing could ever look it up
                    continue
                if part.filename is not None:
                    files[part.name] = (part.filename, part.headers.get("Content-Type", ""), data)
                else:
                    values[part.name] = data.decode("utf-8")
        elif request.can_read_body:
            values.update(await request.post())
        for key in JSON_FIELDS & values.keys():
            value = values[key]
            if isinstance(value, str):
                try:
                    values[key] = json.loads(value)
                except json.JSONDecodeError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return cls(values, files)

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)

    # The methods below are named after builtins; inside the class body those names mean
    # the methods, so annotations spell the builtin types as builtins.str / builtins.int.
    def str(self, key: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.values.get(key, default)
        return None if value is None else str(value)

    @overload
    def int(self, key: builtins.str, default: builtins.int) -> builtins.int: ...
    @overload
    def int(self, key: builtins.str, default: None = None) -> builtins.int | None: ...

    def int(self, key: builtins.str, default: builtins.int | None = None) -> builtins.int | None:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if not isinstance(value, (builtins.str, bytes, builtins.int, float)):
            raise bad_request(f"invalid {key} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {key} specified") from None

    def bool(self, key: builtins.str) -> builtins.bool:
        return str(self.values.get(key, "false")).lower() in ("true", "1")

    def require_int(self, key: builtins.str) -> builtins.int:
        value = self.int(key)
        if value is None:
            raise bad_request(f"{key} is empty" if key != "chat_id" else "chat_id is empty")
        return value


def check_markup(markup: object) -> dict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard", [])
    # An inline keyboard holds at most 100 buttons, 8 a row, and its JSON at most ~10 KB.
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > 8 for row in rows) \
            or len(json.dumps(markup, ensure_ascii=False).encode()) > MAX_MARKUP_BYTES:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if "text" not in button or not str(button["text"]).strip():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if size == 0 or size > MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
    return markup


def render_text(p: Params, key: str, limit: int, empty_error: str | None) -> tuple[str, list, str]:
    """(plain text, entities, original) after parse_mode, with Telegram's checks."""
    raw = p.str(key) or ""
    if not raw.strip():
        if empty_error:
            raise bad_request(empty_error)
        return "", [], ""
    if (p.str("parse_mode") or "").lower() == "html":
        try:
            plain, entities = parse(raw)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        plain, given = raw, p.get("entities") or []
        if not isinstance(given, list):
            raise bad_request("can't parse entities JSON object")
        entities = given
    if not plain.strip() and empty_error:
        raise bad_request(empty_error)
    if utf16_len(plain) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return plain, entities, raw
