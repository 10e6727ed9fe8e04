"""Fixtures: a fresh emulator and a real bot (same code as production) per test.

The bot runs in-process against the emulator over HTTP; tests act as users
through the emulator's control API and read what the bot sent.

Every test that uses a database (through `database`, `settings`, `bot`…) runs twice: on
SQLite and on PostgreSQL (BOT_TEST_DATABASE_URL, else the local server), each run in a
schema of its own. Where no PostgreSQL answers, the run says so in one line and the
PostgreSQL half is skipped. A test of what only SQLite has (its files, its pragmas) is
marked `sqlite_only`.
"""
from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from config import Settings
from emulator import server
from emulator.client import EmulatorClient, Person
from runtime import Runtime
from services.clock import ManualClock

# Nothing in the suite reaches the internet: a bot started as a process (which reads the
# environment) fetches no exchange rates unless a test points it at the emulator's feed.
os.environ["BOT_RATES_FEED_URL"] = ""

PG_URL = os.environ.get("BOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_problem: list[str | None] = []  # [None]: reachable; [reason]: not; []: not tried yet
_schemas = itertools.count(1)


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests (None: it can), found out once."""
    if not _pg_problem:
        async def probe() -> None:
            conn = await asyncpg.connect(PG_URL, timeout=3)
            await conn.close()
        try:
            asyncio.run(probe())
            _pg_problem.append(None)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            _pg_problem.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
    return _pg_problem[0]


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: about what only SQLite has (files, pragmas)")
    pg_problem()  # before any event loop runs


def databases_line() -> str:
    problem = pg_problem()
    host = PG_URL.rsplit("@", 1)[-1]
    if problem:
        return (f"PostgreSQL at {host} unreachable ({problem}): the PostgreSQL half of the "
                "suite was SKIPPED, only SQLite ran")
    return f"databases: SQLite and PostgreSQL at {host} (every database test ran on both)"


def pytest_report_header(config):
    return databases_line()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(databases_line())


def pytest_collection_modifyitems(config, items):
    """A test about SQLite's own files or pragmas has no PostgreSQL half."""
    items[:] = [item for item in items
                if not (item.get_closest_marker("sqlite_only")
                        and getattr(item, "callspec", None) is not None
                        and item.callspec.params.get("database") == "postgresql")]


async def new_schema_url() -> tuple[str, str]:
    """A fresh schema on the test server: (its URL, its name)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    name = f"t_{worker}_{next(_schemas)}_{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}search_path={name}", name


async def drop_schema(name: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path):
    """Where the test's database is: an SQLite file, or a PostgreSQL schema's URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "bot.sqlite3")
        return
    problem = pg_problem()
    if problem:
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    url, name = await new_schema_url()
    yield url
    await drop_schema(name)


@pytest.fixture
async def emulator():
    running = await server.start()
    yield running
    await running.stop()


@pytest.fixture
async def client(emulator):
    client = EmulatorClient(emulator.url)
    yield client
    await client.close()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))  # 11:00 in Almaty


@pytest.fixture
def settings(emulator, tmp_path, database):
    return Settings(token=emulator.world.token, api_base_url=emulator.url,
                    database_path=str(tmp_path / "bot.sqlite3"),
                    database_url="" if database.endswith(".sqlite3") else database,
                    admin_ids=(900001,),
                    staff_ids=(900002,), reminder_tick_seconds=0,
                    flood_limit=0,  # tests act faster than people: the flood test sets it
                    rates_feed_url=emulator.rates_feed_url)  # the emulated National Bank


class BotHarness:
    """Start, stop and restart the bot on the same database."""

    def __init__(self, settings: Settings, clock):
        self.settings = settings
        self.clock = clock
        self.runtime: Runtime | None = None

    async def start(self, **overrides) -> Runtime:
        if overrides:
            self.settings = dataclasses.replace(self.settings, **overrides)
        self.runtime = Runtime(self.settings, clock=self.clock)
        await self.runtime.start()
        return self.runtime

    async def stop(self) -> None:
        if self.runtime:
            await self.runtime.stop()
            self.runtime = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def bot(settings, clock, client):
    harness = BotHarness(settings, clock)
    await harness.start()
    yield harness
    await harness.stop()
    stats = await client.stats()
    # Every button press must be answered exactly once (Telegram shows a spinner otherwise).
    assert stats["unanswered_callbacks"] == [], stats
    assert stats["callbacks_answered_twice"] == [], stats


@pytest.fixture
def person(client, bot):
    """person("kk") -> a new user whose Telegram language is kk, already known to Telegram."""
    async def make(language_code: str | None = "ru", first_name: str = "Aigerim") -> Person:
        return await Person(client, language_code=language_code, first_name=first_name).join()
    return make
