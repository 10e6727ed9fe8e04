"""What Telegram and the network throw at the bot: updates it cannot parse, webhook
requests that are not Telegram's, late button presses."""
from __future__ import annotations

import asyncio
import logging
import resource

import aiohttp
import pytest

from emulator.client import Person
from services.clock import Clock
from tests.test_processes import free_port

# A forwarded poll as older Bot API servers send it: no `allows_revoting`, which PTB 22.8
# requires (its Update.de_json raises TypeError).
OLD_POLL = {"poll": {"id": "p1", "question": "Q?", "options": [], "total_voter_count": 0,
                     "is_closed": False, "is_anonymous": True, "type": "regular",
                     "allows_multiple_answers": False}}


@pytest.fixture
def clock():
    """Real time: retries after failures wait real seconds here (no test moves the clock)."""
    return Clock()


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
    assert asyncio.get_running_loop().time() - started < 1.0
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


async def test_a_flooding_user_is_told_once_and_holds_no_broadcast(bot, client, person,
                                                                   emulator):
    """60 messages at once from one user while a broadcast runs: they are told to slow
    down once, answered for the first flood_limit only, and the 429s their own chat earns
    never hold the broadcast (only Telegram's limit for the bot as a whole does): everyone
    else gets it while that chat is still busy, and that user gets it once it is free."""
    from domain.broadcast import Audience
    await bot.stop()
    await bot.start(flood_limit=10)
    await client.set_limits(per_chat_per_second=1, global_per_second=None)
    recipients = [810000 + n for n in range(150)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in recipients])
    repos = bot.runtime.repos
    for i in recipients:
        await repos.users.touch(i, "U", None, 1)
    flooder = await person("ru")
    await flooder.send("/start")
    broadcast = await repos.broadcasts.create(900002, {"ru": "объявление"}, None, None,
                                              Audience("all"), False, 0, 0, None)
    await bot.runtime.sender.tick()
    await asyncio.gather(*(client.send(flooder.user_id, text=f"flood {n}") for n in range(60)))

    def delivered() -> set[int]:
        return {e["chat_id"] for e in emulator.world.events if e.get("text") == "объявление"}

    for _ in range(300):
        if set(recipients) <= delivered():
            break
        await asyncio.sleep(0.1)
    assert set(recipients) <= delivered()  # the others: not held by the flooder's chat
    assert bot.runtime.sender.pacer.hold_until == 0.0  # never held for the whole bot
    for _ in range(300):
        done = await repos.broadcasts.get(broadcast.id)
        if done is not None and done.status == "done":
            break
        await asyncio.sleep(0.1)
    figures = await repos.broadcasts.figures(broadcast.id)
    assert figures["pending"] == 0 and flooder.user_id in delivered(), figures
    replies = await flooder._collect(expect=0, settle=1.0)
    warnings = [t for t in replies.texts if "слишком быстро" in t]
    assert len(warnings) == 1
    answered = [t for t in replies.texts if "слишком быстро" not in t
                and "объявление" not in t]
    assert len(answered) <= 10


async def test_late_button_presses_still_do_what_they_say(person, bot, emulator, caplog):
    """A press that reaches the bot after an outage: its query is too old to answer and
    its message may be gone. Telegram's errors say so (PTB capitalises them); the action
    is done all the same (a new message instead of an edit), with no "Sorry"."""
    caplog.set_level(logging.WARNING)
    world = emulator.world
    user = await person("ru")
    await user.send("/start")
    await user.press("Импортёр")
    mid, data = user.find_button("📘")
    update = await world.press(user.user_id, mid, data)
    query = update["callback_query"]["id"]
    world.callbacks[query]["created"] -= 3600  # as if it had waited an hour
    del world.messages[(user.user_id, mid)]    # and its message had been deleted
    replies = await user._collect()
    assert "Путеводитель по сертификации" in replies.text  # sent anew
    assert replies.events[-1]["type"] == "send"
    assert "Извините" not in replies.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Telegram forgets an expired query: the fixture's "answered once" check does not apply.
    world.callbacks[query].update(answered=True, late_answers=0)


async def test_a_reply_rides_out_a_short_outage(bot, client, person):
    """The Bot API fails every call for 3 s: the user's reply is retried, not lost."""
    user = await person("ru")
    await client.outage(3)
    replies = await user.send("/start", timeout=15)
    assert "Кто вы?" in replies.text


async def test_sorry_is_in_the_users_language(bot, person, monkeypatch):
    """PTB gives the error handler a fresh context: the language is looked up again."""
    user = await person("zh")
    await user.send("/start")
    await user.press("进口商")

    async def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bot.runtime.repos.applications, "of_user", broken)
    replies = await user.send("/my")
    assert "抱歉" in replies.text and "Извините" not in replies.text


async def test_long_histories_and_many_documents_still_fit(bot, client, person):
    """Five document requests with 500-character comments and 110 documents: the staff
    card and the applicant's card each fit one message and one keyboard."""
    from tests.desk_helpers import applicant_with_application, staff_member
    applicant, case = await applicant_with_application(person, bot, "ru")
    repos, now = bot.runtime.repos, bot.clock.timestamp()
    comment = "Нужен инвойс с печатью продавца и переводом на русский язык. " * 8
    status = "submitted"
    for _ in range(5):
        for new in ("in_review", "documents_requested"):
            await repos.applications.change_status(
                case.id, status, new, 900002, comment[:500], now, requested_documents=["title"],
                requested_at=now) if new == "documents_requested" else \
                await repos.applications.change_status(case.id, status, new, 900002,
                                                       comment[:500], now)
            status = new
    for n in range(110):
        await repos.applications.add_document(case.id, "photos", f"F{n}", f"U{n}", None,
                                              "image/jpeg", 10, now)
    staff = await staff_member(client)
    card = await staff.send("/app EV-2026-000001")
    assert "EV-2026-000001" in card.text and "Извините" not in card.text
    assert len(card.buttons()) <= 20 and any("110" in b for b in card.buttons())
    replies = await staff.press("110")  # the documents, a page at a time
    assert "стр" in replies.text or "страница" in replies.text
    mine = await applicant.press_data(f"my:v:{case.id}", forge=True)
    assert "EV-2026-000001" in mine.text and "Извините" not in mine.text


async def test_a_long_query_and_a_long_broadcast_preview(bot, client, person):
    from tests.desk_helpers import staff_member
    user = await person("ru")
    await user.send("/start")
    replies = await user.send("/req " + "батарея " * 500)
    assert replies.text and "Извините" not in replies.text
    staff = await staff_member(client)
    await staff.send("/broadcast")
    await staff.press("Пропустить")  # kk
    replies = await staff.send("Внимание! " + "Центр работает по новому графику. " * 115)
    await staff.press("Пропустить")  # zh
    await staff.press("Пропустить")  # no attachment
    replies = await staff.press("Все")
    assert "Предпросмотр" in replies.text and "Извините" not in replies.text


async def test_a_broadcast_whose_task_dies_is_restarted(bot, client, person, monkeypatch):
    """An error inside a broadcast's task (the database away for a moment) does not leave
    it "sending" until the bot restarts: it is started again and finishes."""
    from domain.broadcast import Audience
    repos = bot.runtime.repos
    recipients = [830000 + n for n in range(5)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in recipients])
    for i in recipients:
        await repos.users.touch(i, "U", None, 1)
    original = repos.broadcasts.pending
    failed: list[bool] = []

    async def once_broken(*args, **kwargs):
        if not failed:
            failed.append(True)
            raise RuntimeError("database is locked")
        return await original(*args, **kwargs)

    monkeypatch.setattr(repos.broadcasts, "pending", once_broken)
    broadcast = await repos.broadcasts.create(900002, {"ru": "снова"}, None, None,
                                              Audience("all"), False, 0, 0, None)
    await bot.runtime.sender.tick()
    for _ in range(150):
        done = await repos.broadcasts.get(broadcast.id)
        if done is not None and done.status == "done":
            break
        await asyncio.sleep(0.1)
    assert failed and done is not None and done.status == "done"
    assert (await repos.broadcasts.figures(broadcast.id))["sent"] >= len(recipients)
