"""The log's formatter: the token and anything like a phone number are redacted, while
times, ids and counts stay readable; library loggers that log contents stay at INFO."""
from __future__ import annotations

import io
import logging

import pytest

import logs


@pytest.mark.parametrize("text", [
    "+7 701 123 45 67", "+77011234567", "+7 (701) 123-45-67", "+8613800138000",
    "+86 138 0013 8000", "8 701 123 45 67", "8-701-123-45-67", "701 123 45 67",
    "77011234567", "87011234567", "13800138000", "870512300122",  # an IIN too
])
def test_phone_like_numbers_are_redacted(text):
    assert logs.redact_phones(f"contact: {text}.") == "contact: <phone>."
    assert logs.redact_phones(f"{{'phone_number': '{text}'}}") == "{'phone_number': '<phone>'}"


@pytest.mark.parametrize("text", [
    "2026-11-26 06:00:00,123 INFO bot.updates: update 123456789 user 5123456789 handler "
    "start 2.6 ms",
    "Next wakeup is due at 2026-12-01 15:45:57.923367+00:00 (in 0.983992 seconds)",
    "polling 127.0.0.1:46645", "due_at 1764136800", "EV-2026-000123", "+05:00", "-12.5",
    "broadcast 7: 1000 sent, 3 blocked", "VIN 1HGCM82633A004352",
])
def test_times_ids_and_counts_are_kept(text):
    assert logs.redact_phones(text) == text


def test_the_formatter_redacts_token_and_phones():
    formatter = logs.RedactingFormatter(["123:SECRET"], "%(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "POST /bot123:SECRET/sendMessage %s", ("+7 701 123 45 67",), None)
    assert formatter.format(record) == "POST /bot<redacted>/sendMessage <phone>"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    names = (*logs.CONTENT_LOGGERS, "httpx", "httpcore", "apscheduler", "aiohttp.access",
             "transport")
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in names})
    yield
    handlers, level, levels = saved
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


@pytest.mark.parametrize("level,expected", [("DEBUG", logging.INFO), ("INFO", logging.INFO),
                                            ("WARNING", logging.WARNING)])
def test_content_loggers_never_below_info(restore_logging, level, expected):
    logs.setup(level, [], stream=io.StringIO())
    for name in ("telegram", "telegram.ext", "aiosqlite"):
        assert logging.getLogger(name).level == expected, name
    assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
