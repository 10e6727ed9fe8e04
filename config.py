"""Settings: config.toml, then environment variables, into one frozen object.

Every key is declared once in SETTINGS with its type and default, so an unknown
key, a wrong type or a missing required value stops start-up with one line
that names the key (ConfigError).
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_PATH = Path("config.toml")
LANGUAGES = ("kk", "ru", "zh")


class ConfigError(Exception):
    """A setting is unknown, mistyped or missing; the message names it."""


@dataclasses.dataclass(frozen=True)
class Settings:
    token: str = ""
    api_base_url: str = "https://api.telegram.org"
    database_path: str = "data/bot.sqlite3"
    # Empty: SQLite at database_path. `postgresql://user@host:5432/db` for several instances
    # on one database; `sqlite:///path` names an SQLite file too.
    database_url: str = ""
    admin_ids: tuple[int, ...] = ()
    staff_ids: tuple[int, ...] = ()
    default_language: str = "ru"
    timezone: str = "Asia/Almaty"
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(9, 0)
    send_rate: float = 25.0
    paid_broadcast: bool = False
    paid_send_rate: float = 1000.0
    concurrent_updates: int = 16
    flood_limit: int = 30  # updates a user may send in 10 s before told to slow down; 0: off
    poll_interval: float = 0.01  # pause between getUpdates calls: batches under load
    transport: str = "aiohttp"  # or "httpx" (PTB's default); see BENCHMARKS.md
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = ""
    log_level: str = "INFO"
    content_dir: str = ""  # empty: the content/ folder shipped with the bot
    documents_reminder_days: tuple[int, ...] = (2, 5)
    documents_flag_days: int = 7
    inspection_reminder_hours: tuple[int, ...] = (24, 2)
    draft_reminder_hours: int = 24
    digest_time: time = time(9, 0)
    waiting_limit_days: int = 5
    reminder_tick_seconds: int = 30  # how often due reminders are looked for; 0: never (tests)
    rates_feed_url: str = "https://nationalbank.kz/rss/rates_all.xml"  # empty: never fetched
    rates_time: time = time(10, 0)  # the daily fetch, local time
    # The staff supergroup (a forum) where each conversation gets its own topic; 0: none,
    # the private desk works alone.
    staff_group_id: int = 0
    # Working days each status may last before the case is overdue (domain.sla); overdue
    # cases go to admins once, and into the morning digest.
    sla_days: str = "submitted=2,in_review=5,documents_requested=10,inspection=10,testing=15"
    # The centre, as a rescheduled inspection shows it: a venue with a map (when the address
    # is set) and the phone to call.

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def database(self) -> str:
        """What storage opens: database_url if set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def bot_url(self) -> str:
        """PTB's base_url: the server root plus /bot{token}/ (PTB fills the token)."""
        return f"{self.api_base_url.rstrip('/')}/bot{{token}}"

    @property
    def file_url(self) -> str:
        return f"{self.api_base_url.rstrip('/')}/file/bot{{token}}"


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
# Keys with their own environment variable names; every other key is BOT_<KEY>.
ENV_NAMES = {"token": "BOT_TOKEN", "api_base_url": "BOT_API_BASE_URL",
             "database_path": "BOT_DATABASE_PATH"}


def env_name(key: str) -> str:
    return ENV_NAMES.get(key, "BOT_" + key.upper())


def load(path: Path | str | None = None, environ: Mapping[str, str] | None = None
         ) -> Settings:
    """Read the file (if any: an explicit path must exist), apply the environment, validate."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None and not Path(path).exists():
        raise ConfigError(f"config file {path}: not found")
    file = Path(path) if path is not None else DEFAULT_PATH
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file}: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in FIELDS:
            raise ConfigError(f"{key}: unknown setting in {file}")
        values[key] = _convert(key, value, source=str(file))
    for key in FIELDS:
        name = env_name(key)
        if env.get(name, "") != "":
            values[key] = _convert(key, env[name], source=name)
    settings = Settings(**values)
    _validate(settings)
    return settings


def _convert(key: str, value: Any, source: str) -> Any:
    kind = str(FIELDS[key].type)
    where = f"{key} (from {source})"
    from_env = isinstance(value, str) and source.startswith("BOT_")
    try:
        if kind == "str":
            if not isinstance(value, str):
                raise TypeError
            return value
        if kind == "bool":
            if from_env:
                if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise TypeError
                return value.lower() in ("1", "true", "yes")
            if not isinstance(value, bool):
                raise TypeError
            return value
        if kind == "int":
            if from_env:
                return int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            return value
        if kind == "float":
            if from_env:
                return float(value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError
            return float(value)
        if kind == "tuple[int, ...]":
            items = value.split(",") if from_env else value
            if not isinstance(items, list):
                raise TypeError
            return tuple(_int_item(i) for i in items if str(i).strip())
        if kind == "time":
            if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value):
                raise TypeError
            hours, minutes = map(int, value.split(":"))
            return time(hours, minutes)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: expected {_describe(kind)}, got {value!r}") from None
    raise AssertionError(f"no converter for {kind}")


def _int_item(item: Any) -> int:
    if isinstance(item, bool):
        raise TypeError
    return int(item)  # accepts "123" from the environment and 123 from TOML


def _describe(kind: str) -> str:
    return {"str": "a string", "bool": "true or false", "int": "an integer",
            "float": "a number", "tuple[int, ...]": "a list of integers",
            "time": 'a time "HH:MM"'}[kind]


def _validate(s: Settings) -> None:
    if s.default_language not in LANGUAGES:
        raise ConfigError(f"default_language: expected one of {', '.join(LANGUAGES)}, "
                          f"got {s.default_language!r}")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {s.timezone!r}") from None
    if not re.match(r"https?://", s.api_base_url):
        raise ConfigError(f"api_base_url: expected an http(s) URL, got {s.api_base_url!r}")
    if s.send_rate <= 0 or s.paid_send_rate <= 0:
        raise ConfigError("send_rate: must be above zero")
    if s.transport not in ("aiohttp", "httpx"):
        raise ConfigError(f"transport: expected aiohttp or httpx, got {s.transport!r}")
    if s.flood_limit < 0:
        raise ConfigError("flood_limit: must be 0 (off) or more")
    if s.concurrent_updates < 1:
        raise ConfigError("concurrent_updates: must be at least 1")
    if not 0 <= s.poll_interval <= 1:
        raise ConfigError("poll_interval: expected 0 to 1 seconds")
    if not re.fullmatch(r"\s*[a-z_]+\s*=\s*[1-9][0-9]*\s*(,\s*[a-z_]+\s*=\s*[1-9][0-9]*\s*)*",
                        s.sla_days):
        raise ConfigError(f"sla_days: expected status=days,… (days ≥ 1), got {s.sla_days!r}")
    if s.database_url and not re.match(r"(sqlite:///|postgres(ql)?://)", s.database_url):
        raise ConfigError("database_url: expected sqlite:///PATH or postgresql://…, got "
                          f"{s.database_url.split('@')[-1]!r}")
    if s.webhook_url and not s.webhook_secret:
        raise ConfigError("webhook_secret: required when webhook_url is set")
    if s.webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", s.webhook_secret):
        raise ConfigError("webhook_secret: 1-256 characters of A-Z a-z 0-9 _ -")


def require_token(s: Settings) -> None:
    if not s.token:
        raise ConfigError("token: missing; set BOT_TOKEN or `token` in config.toml")
