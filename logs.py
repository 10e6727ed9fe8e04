"""Logging set-up: one line per update, and neither the token nor personal data in any line.

httpx logs request URLs, and Bot API URLs contain the token; exceptions can
carry it too. The formatter redacts the final text, so nothing slips past.

Personal data: at DEBUG, python-telegram-bot logs whole updates and every API call with its
parameters and result (names, phone numbers, what users type), and aiosqlite every statement
with its parameters. Those library loggers stay at INFO whatever the level; our own
one-line-per-update log has only ids. As a second line of defence, the formatter also
redacts anything that looks like a phone number.
"""
from __future__ import annotations

import logging
import re
import sys

# Libraries whose DEBUG lines carry message contents (see above).
CONTENT_LOGGERS = ("telegram", "telegram.ext", "aiosqlite")

# 10 to 15 digits, maybe with a leading +, maybe grouped by spaces, dashes or brackets:
# "+7 701 123 45 67", "+8613800138000", "8 (701) 123-45-67", "77011234567". Not a run
# inside a longer number or a dashed code (EV-2026-000123), nor a date followed by a time
# ("2026-11-26 06:00:00", the start of every line).
_PHONE_LIKE = re.compile(r"(?<![\d+\-])(\+)?(\d(?:[ \-()]{0,2}\d){9,14})(?!\d|:\d)")
REDACTED_PHONE = "<phone>"


def _phone(match: re.Match[str]) -> str:
    """A bare run of exactly ten digits is kept: that is what Unix times and Telegram ids
    look like, and the logs need those; with a +, separators or more digits it is a phone
    number (or an IIN) and goes."""
    plus, number = match.group(1), match.group(2)
    if plus or not number.isdigit() or len(number) > 10:
        return REDACTED_PHONE
    return match.group(0)


def redact_phones(text: str) -> str:
    return _PHONE_LIKE.sub(_phone, text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return redact_phones(text)


def setup(level: str, secrets: list[str], stream=None, filename: str | None = None) -> None:
    handler: logging.Handler
    if filename:
        handler = logging.FileHandler(filename, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(
        secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Never below INFO (their DEBUG lines hold personal data), never chattier than the root.
    for name in CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    # Every Bot API request at INFO would drown the one-line-per-update log;
    # at DEBUG they are wanted (and their URLs are redacted like everything else).
    if root.level > logging.DEBUG:
        for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access", "transport"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
