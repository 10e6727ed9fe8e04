"""Logging set-up: one line per update, and the token never in any line.

httpx logs request URLs, and Bot API URLs contain the token; exceptions can
carry it too. The formatter redacts the final text, so nothing slips past.
"""
from __future__ import annotations

import logging
import sys


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


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
    # Every Bot API request at INFO would drown the one-line-per-update log;
    # at DEBUG they are wanted (and their URLs are redacted like everything else).
    if root.level > logging.DEBUG:
        for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
