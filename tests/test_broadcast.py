"""Broadcasts: composing, audiences, blocked users, pause/resume/cancel, 429s, and
delivery that survives SIGKILL."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from domain.broadcast import Audience
from jobs.broadcast import WORKERS
from storage.repos import Repos
from tests.desk_helpers import applicant_with_application, staff_member

ROOT = Path(__file__).parent.parent


async def wait_done(bot, broadcast_id, timeout=30.0):
    repos = bot.runtime.repos.broadcasts
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        broadcast = await repos.get(broadcast_id)
        if broadcast.status in ("done", "cancelled"):
            return broadcast
        await asyncio.sleep(0.05)
    raise AssertionError(f"broadcast {broadcast_id} not done: {await repos.figures(broadcast_id)}")


async def test_compose_preview_and_delivery_in_each_language(person, bot, client):
    users = {lang: await person(lang) for lang in ("kk", "ru", "zh")}
    for user in users.values():
        await user.send("/start")
    blocked = await person("ru")
    await blocked.send("/start")
    await client.block(blocked.user_id)
    await bot.runtime.repos.users.mark_blocked(blocked.user_id)
    staff = await staff_member(client)
    replies = await staff.send("/broadcast")
    assert "Новая рассылка" in replies.text and "Қазақша" in replies.text
    await staff.send("<b>Назар аударыңыз</b>: орталық 1 желтоқсаннан жұмыс істейді")
    replies = await staff.send("Внимание: центр работает с 1 декабря")
    assert "中文" in replies.text
    replies = await staff.press("Пропустить")  # no Chinese: Chinese users get Russian
    assert "Приложить фото" in replies.text
    await staff.press("Пропустить")
    replies = await staff.press("Все")
    assert "Предпросмотр, язык: 中文\n\nВнимание: центр работает с 1 декабря" in replies.text
    assert "получател" in replies.text
    replies = await staff.press("Отправить сейчас")
    broadcast = (await bot.runtime.repos.broadcasts.recent())[0]
    await wait_done(bot, broadcast.id)
    got = {lang: (await user._collect()).text for lang, user in users.items()}
    assert "орталық 1 желтоқсаннан" in got["kk"]
    assert "центр работает с 1 декабря" in got["ru"] and "центр работает" in got["zh"]
    assert (await client.events(chat_id=blocked.user_id, after=blocked.seq))["events"] == []
    figures = await bot.runtime.repos.broadcasts.figures(broadcast.id)
    assert figures["pending"] == 0 and figures["blocked"] == 0  # blocked were never queued
    report = await staff._collect(expect=0)
    assert "завершена" in staff.last_message["text"] or "завершена" in report.text


async def test_audience_outside_receives_nothing(person, bot, client):
    engineer = await person("ru")
    await engineer.send("/start")
    await engineer.press("Инженер")
    importer = await person("ru")
    await importer.send("/start")
    await importer.press("Импортёр")
    applicant, _ = await applicant_with_application(person, bot, "ru")
    repos = bot.runtime.repos
    for audience, inside in ((Audience("engineer"), {engineer.user_id}),
                             (Audience("status", "submitted"), {applicant.user_id})):
        broadcast = await repos.broadcasts.create(900002, {"ru": f"для {audience.kind}"}, None,
                                                  None, audience, False, 0, 0, None)
        await bot.runtime.sender.tick()
        await wait_done(bot, broadcast.id)
        for user in (engineer, importer, applicant):
            found = await client.events(chat_id=user.user_id, after=user.seq)
            hit = any(f"для {audience.kind}" in e["text"] for e in found["events"])
            assert hit == (user.user_id in inside), (audience, user.user_id)


async def test_pause_resume_and_cancel(person, bot, client):
    await client.set_limits(global_per_second=None)
    await bot.stop()
    await bot.start(send_rate=20.0)
    await client.add_users([{"id": 700000 + n, "first_name": "U", "started": True}
                            for n in range(60)])
    repos = bot.runtime.repos
    for n in range(60):
        await repos.users.touch(700000 + n, "U", None, 1)
    staff = await staff_member(client)
    broadcast = await repos.broadcasts.create(900002, {"ru": "пауза"}, None, None,
                                              Audience("all"), False, 0, 0, 900002)
    await bot.runtime.sender.tick()
    await asyncio.sleep(0.6)
    await staff._collect(expect=1)
    replies = await staff.press("Пауза")
    assert "на паузе" in replies.text
    await asyncio.sleep(0.5)
    paused_at = (await repos.broadcasts.figures(broadcast.id))["sent"]
    await asyncio.sleep(0.6)
    assert (await repos.broadcasts.figures(broadcast.id))["sent"] == paused_at < 60
    await staff.press("Продолжить")
    await asyncio.sleep(0.5)
    assert (await repos.broadcasts.figures(broadcast.id))["sent"] > paused_at
    await staff.press("Отмена")
    done = await wait_done(bot, broadcast.id)
    figures = await repos.broadcasts.figures(broadcast.id)
    assert done.status == "cancelled" and figures["pending"] > 0


async def test_429_pauses_the_broadcast_and_nothing_is_lost_or_repeated(person, bot, client):
    await bot.stop()
    await bot.start(send_rate=40.0)  # the bot believes 40/s…
    await client.set_limits(global_per_second=10)  # …Telegram allows 10/s
    ids = [710000 + n for n in range(40)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in ids])
    repos = bot.runtime.repos
    for i in ids:
        await repos.users.touch(i, "U", None, 1)
    broadcast = await repos.broadcasts.create(900002, {"ru": "лимит"}, None, None,
                                              Audience("all"), False, 0, 0, None)
    await bot.runtime.sender.tick()
    await wait_done(bot, broadcast.id, timeout=60)
    stats = await client.stats()
    assert stats["429"] > 0
    counts = Counter(e["chat_id"] for e in (await client.events())["events"]
                     if e["text"] == "лимит")
    assert set(counts) == set(ids) and max(counts.values()) == 1


async def test_deleted_chat_and_blocked_during_broadcast_are_recorded(person, bot, client):
    ids = [720000 + n for n in range(6)]
    await client.add_users([{"id": i, "first_name": "U", "started": i != ids[0]} for i in ids])
    repos = bot.runtime.repos
    for i in ids:
        await repos.users.touch(i, "U", None, 1)
    await client.block(ids[1], notify=False)  # blocked, the update lost: a 403 tells us
    broadcast = await repos.broadcasts.create(900002, {"ru": "x"}, None, None, Audience("all"),
                                              False, 0, 0, None)
    await bot.runtime.sender.tick()
    await wait_done(bot, broadcast.id)
    figures = await repos.broadcasts.figures(broadcast.id)
    assert (figures["not_found"], figures["blocked"], figures["sent"]) == (1, 1, 4)
    assert (await repos.users.get(ids[1])).blocked is True
    later = await repos.broadcasts.create(900002, {"ru": "y"}, None, None, Audience("all"),
                                          False, 0, 0, None)
    await bot.runtime.sender.tick()
    await wait_done(bot, later.id)
    assert (await repos.broadcasts.figures(later.id))["blocked"] == 0  # skipped from the start


async def test_sigkill_during_a_broadcast_loses_nothing(emulator, client, tmp_path, database):
    """Kill -9 the bot three times mid-broadcast; every recipient gets the message, and
    repeats are at most the sends in flight at each kill. (On PostgreSQL the restarted bot
    takes the broadcast over once the killed one's lease has run out.)"""
    recipients = [800000 + n for n in range(300)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in recipients])
    db_path = tmp_path / "bot.sqlite3"
    repos = await Repos.open(database)
    for i in recipients:
        await repos.users.touch(i, "U", None, 1)
    broadcast = await repos.broadcasts.create(900001, {"ru": "kill -9"}, None, None,
                                              Audience("all"), False, 0, 0, None)
    await repos.close()
    env = {**os.environ, "BOT_TOKEN": emulator.world.token, "BOT_API_BASE_URL": emulator.url,
           "BOT_DATABASE_PATH": str(db_path), "BOT_SEND_RATE": "80",
           "BOT_DATABASE_URL": "" if database == str(db_path) else database,
           "BOT_REMINDER_TICK_SECONDS": "1", "BOT_LOG_LEVEL": "WARNING"}

    async def launch():
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    def delivered() -> Counter:
        return Counter(e["chat_id"] for e in emulator.world.events if e.get("text") == "kill -9")

    kills = 0
    for _ in range(3):
        proc = await launch()
        before = sum(delivered().values())
        deadline = time.monotonic() + 30
        while sum(delivered().values()) < before + 40 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        kills += 1
    proc = await launch()
    repos = await Repos.open(database)
    try:
        deadline = time.monotonic() + 60
        while len(delivered()) < len(recipients) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        # The last delivery reaches Telegram a moment before the broadcast is marked done.
        while time.monotonic() < deadline and \
                getattr(await repos.broadcasts.get(broadcast.id), "status", None) != "done":
            await asyncio.sleep(0.1)
    finally:
        proc.terminate()
        await proc.wait()
    counts = delivered()
    assert set(counts) == set(recipients), f"lost: {set(recipients) - set(counts)}"
    repeats = sum(n - 1 for n in counts.values())
    assert repeats <= kills * WORKERS, repeats
    final = await repos.broadcasts.get(broadcast.id)
    assert final is not None
    assert final.status == "done"
    await repos.close()
