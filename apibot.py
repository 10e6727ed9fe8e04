"""The Bot the application talks through: PTB's ExtBot, plus `call` for the hot path.

A handler that sends or edits a message needs only the new message's id back, yet
PTB turns every result into a Message (with its chat and sender) through a long
chain of wrappers, a large share of a button press's CPU (BENCHMARKS.md). `call`
goes through the same `_post` as every PTB method (the same defaults, rate limiter,
transport and error mapping) and hands back the JSON result as Telegram sent it.
"""
from __future__ import annotations

from typing import Any

from telegram.ext import Application, ExtBot


class ApiBot(ExtBot[Any]):
    async def call(self, method: str, **params: Any) -> Any:
        """A Bot API method by its name (e.g. "editMessageText"); None values are left
        out. Returns the raw result: a dict for a message, True for most others."""
        return await self._post(method, params)


# The Application as this bot builds it (runtime.build_application).
App = Application[ApiBot, Any, Any, Any, Any, Any]
