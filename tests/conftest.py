"""Fixtures: a fresh emulator and a real bot (same code as production) per test.

The bot runs in-process against the emulator over HTTP; tests act as users
through the emulator's control API and read what the bot sent.
"""
from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime

import pytest

from config import Settings
from emulator import server
from emulator.client import EmulatorClient, Person
from runtime import Runtime
from services.clock import ManualClock

# Nothing in the suite reaches the internet: a bot started as a process (which reads the
# environment) fetches no exchange rates unless a test points it at the emulator's feed.
os.environ["BOT_RATES_FEED_URL"] = ""


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
def settings(emulator, tmp_path):
    return Settings(token=emulator.world.token, api_base_url=emulator.url,
                    database_path=str(tmp_path / "bot.sqlite3"), admin_ids=(900001,),
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
