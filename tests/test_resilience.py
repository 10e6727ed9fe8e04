"""What Telegram and the network throw at the bot: updates it cannot parse, webhook
requests that are not Telegram's, late button presses."""
from __future__ import annotations

import asyncio
import logging
import resource

import aiohttp
import pytest

from emulator.client import Person
from tests.test_processes import free_port

# A forwarded poll as older Bot API servers send it: no `allows_revoting`, which PTB 22.8
# requires (its Update.de_json raises TypeError).
OLD_POLL = {"poll": {"id": "p1", "question": "Q?", "options": [], "total_voter_count": 0,
                     "is_closed": False, "is_anonymous": True, "type": "regular",
                     "allows_multiple_answers": False}}


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def test_an_update_that_cannot_be_parsed_never_blocks_the_others(
        emulator, bot, person, caplog):
    caplog.set_level(logging.INFO)
    await emulator.world.push_update(OLD_POLL)
    user = await person("ru")
    started = asyncio.get_running_loop().time()
    replies = await user.send("/start")
    assert "Кто вы?" in replies.text
    assert asyncio.get_running_loop().time() - started < 1.5
    skipped = [r for r in caplog.records if "could not be parsed" in r.getMessage()]
    assert len(skipped) == 1 and "poll" in skipped[0].getMessage()
    assert "Q?" not in skipped[0].getMessage()  # the update's content stays out of the log
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bot.runtime.app.bot.unparsed_updates == 1


@pytest.fixture
async def webhook_bot(bot, client):
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    await bot.stop()
    await bot.start(webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port,
                    webhook_secret="s3cret-Value")
    return url


async def test_webhook_parses_what_it_can_and_refuses_what_is_not_telegrams(
        webhook_bot, client):
    url, good = webhook_bot, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Value"}
    user = await Person(client, language_code="kk").join()
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"update_id": 9001, **OLD_POLL}, headers=good) as resp:
            assert resp.status == 200  # skipped, not re-delivered forever
        async with http.post(url, data=b"{not json", headers=good) as resp:
            assert resp.status == 400
        async with http.post(url, json=[1, 2], headers=good) as resp:
            assert resp.status == 400
        async with http.post(url, data=b"x" * (2 * 1024 * 1024), headers=good) as resp:
            assert resp.status == 413
    replies = await user.send("/start")  # delivered by the emulator through the webhook
    assert "Сіз кімсіз?" in replies.text


async def test_an_unauthenticated_100_mb_body_is_refused_unread(webhook_bot):
    url = webhook_bot
    before = rss_mb()

    async def body():
        chunk = b"x" * (1024 * 1024)
        for _ in range(100):
            yield chunk

    statuses: list[int | str] = []
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                        {"Content-Length": str(100 * 1024 * 1024)}):
            try:
                async with http.post(url, data=body(), headers=headers) as resp:
                    statuses.append(resp.status)
            except (aiohttp.ClientError, ConnectionError):
                statuses.append("closed")  # refused before the body was sent
    assert all(s in (403, "closed") for s in statuses), statuses
    assert rss_mb() - before < 30, (before, rss_mb())
