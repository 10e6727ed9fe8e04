"""Several instances on one PostgreSQL database, in one process: what each must not do
twice, and what none may take for granted about the others."""
from __future__ import annotations

import asyncio

import pytest

from storage.db import Database
from storage.outbox import UpdateRepo
from tests.conftest import BotHarness
from tests.test_cost import rates_ready


@pytest.fixture
def shared(database):
    if not database.startswith("postgres"):
        pytest.skip("one SQLite file has one process")
    return database


async def test_an_update_handled_by_another_instance_is_known_as_handled(shared):
    """One process may trust that an update newer than any recorded at its start is new;
    with several instances, another may have handled it since (and its re-delivery may
    come here)."""
    first, second = await Database.open(shared), await Database.open(shared)
    try:
        await first.migrate()
        here, there = UpdateRepo(first), UpdateRepo(second)
        assert not await there.handled(10)       # `there` starts: nothing recorded yet
        await here.mark_handled(11, now=1)      # the other instance handles update 11
        assert await there.handled(11)
        assert not await there.handled(12)
    finally:
        await first.close()
        await second.close()


async def test_two_instances_fetch_the_days_rates_once(shared, settings, clock, client):
    await client.nbk(day="26.11.2026")
    instances = [BotHarness(settings, clock), BotHarness(settings, clock)]
    await instances[0].start()  # migrates first; the second starts with it already done
    await instances[1].start()
    try:
        await rates_ready(instances[1])
        await asyncio.sleep(1.5)  # both fetches at start would be over by now
        assert (await client._get("nbk"))["requests"] == 1
    finally:
        for harness in instances:
            await harness.stop()
