"""Inline keyboards, built once and kept with their JSON.

The same few keyboards (a menu, a question in one language) are shown over and
over: building PTB's objects and turning them back into JSON every time was a
measurable share of a button press (BENCHMARKS.md), so each is cached.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
MAX_BUTTONS = 100


class Url(str):
    """A button that opens a link instead of sending callback data."""


Button = tuple[str, str | Url]
Rows = Sequence[Sequence[Button]]


def keyboard(rows: Rows) -> InlineKeyboardMarkup:
    """Rows of (label, callback_data or Url). callback_data must be 1-64 bytes; Telegram
    takes at most 100 buttons, 8 a row (long lists are paged: services.texts.page)."""
    frozen = tuple(tuple(row) for row in rows if row)
    if sum(len(row) for row in frozen) > MAX_BUTTONS or any(len(row) > 8 for row in frozen):
        raise ValueError("an inline keyboard takes at most 100 buttons, 8 a row")
    return _keyboard(frozen)


class _Keyboard(InlineKeyboardMarkup):
    """An InlineKeyboardMarkup that keeps its JSON: PTB's objects are frozen, so the
    dict made once stays right."""
    __slots__ = ("_wire",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        wire: dict[str, Any] = getattr(self, "_wire")  # noqa: B009 (set once, in _keyboard)
        return wire


def _button(label: str, target: str) -> InlineKeyboardButton:
    if isinstance(target, Url):
        return InlineKeyboardButton(label, url=str(target))
    if not 0 < len(target.encode()) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback_data must be 1-{MAX_CALLBACK_BYTES} bytes: {target!r}")
    return InlineKeyboardButton(label, callback_data=target)


@functools.lru_cache(maxsize=4096)
def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    markup = _Keyboard([[_button(label, target) for label, target in row] for row in rows])
    with markup._unfrozen():
        setattr(markup, "_wire", InlineKeyboardMarkup.to_dict(markup))  # noqa: B010
    return markup
