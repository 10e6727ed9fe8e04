"""The Bot the application talks through: PTB's ExtBot, plus `call` for the hot path, and
updates parsed one by one.

A handler that sends or edits a message needs only the new message's id back, yet
PTB turns every result into a Message (with its chat and sender) through a long
chain of wrappers, a large share of a button press's CPU (BENCHMARKS.md). `call`
goes through the same `_post` as every PTB method (the same defaults, rate limiter,
transport and error mapping) and hands back the JSON result as Telegram sent it.

PTB parses a getUpdates batch as a whole: one update it cannot parse (a shape an older
or newer Bot API server sends) fails the batch, and it asks for the same offset again,
forever. Here each update is parsed on its own, and one that cannot be is replaced by
an empty Update with the same id: logged once, counted, and skipped, so the offset moves
past it and every other update is handled.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TelegramError
from telegram.ext import Application, ExtBot

log = logging.getLogger(__name__)


class ApiBot(ExtBot[Any]):
    unparsed_updates = 0  # updates skipped because they could not be parsed

    async def call(self, method: str, **params: Any) -> Any:
        """A Bot API method by its name (e.g. "editMessageText"); None values are left
        out. Returns the raw result: a dict for a message, True for most others."""
        return await self._post(method, params)

    def parse_update(self, data: dict[str, Any]) -> Update:
        """An Update from its JSON, or an empty one with its id if it cannot be parsed."""
        try:
            update = Update.de_json(data, self)
        except Exception as exc:  # PTB raises TypeError, KeyError, ValueError… alike
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int):
                raise
            with self._unfrozen():  # PTB's objects refuse attribute changes otherwise
                self.unparsed_updates += 1
            # The update's content is user data: only its id, kinds and the error go out.
            kinds = sorted(k for k in data if k != "update_id")
            log.warning("update %s (%s) could not be parsed and is skipped (%s: %.200s); "
                        "%s skipped so far", update_id, ",".join(kinds), type(exc).__name__,
                        exc, self.unparsed_updates)
            return Update(update_id=update_id)
        if update is None:
            raise ValueError("an update must be a JSON object")
        return update

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | dt.timedelta | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: dict[str, Any] | None = None,
    ) -> tuple[Update, ...]:
        """As PTB's (the same request and timeouts), but each update parsed on its own."""
        data = {"timeout": timeout, "offset": offset, "limit": limit,
                "allowed_updates": allowed_updates}
        base: float = (read_timeout or 0) if not isinstance(read_timeout, DefaultValue) \
            else (self._request[0].read_timeout or 0)
        waited = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout or 0
        result = await self._post("getUpdates", data, read_timeout=base + waited,
                                  write_timeout=write_timeout, connect_timeout=connect_timeout,
                                  pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        return tuple(self.parse_update(raw) for raw in result)


# The Application as this bot builds it (runtime.build_application).
App = Application[ApiBot, Any, Any, Any, Any, Any]


def says(error: TelegramError, *phrases: str) -> bool:
    """Whether Telegram's error text contains one of `phrases` (lower case). PTB strips
    "Bad Request: " and capitalises the rest ("Message to edit not found"), so the text is
    compared in lower case."""
    text = error.message.lower()
    return any(phrase in text for phrase in phrases)
