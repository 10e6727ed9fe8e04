"""Fault injection: the real bot, as a process, against an emulator that fails the way
Telegram and networks do (500s, lost responses, 429 storms, outages), killed with SIGKILL
at random points of forms, staff changes and broadcasts. What must hold: no status notice
lost (each told, in order), no form answer lost or filed under the wrong question, no
broadcast recipient lost (repeats only within the sends in flight at a kill and the
responses the emulator "lost" after delivering)."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from domain.broadcast import Audience
from emulator.client import EmulatorClient, Person
from jobs.broadcast import WORKERS
from storage.repos import Repos
from tests.desk_helpers import VEHICLE

ROOT = Path(__file__).parent.parent
STAFF = 900002


class BotProcess:
    """`python bot.py run` against the emulator, started, killed and started again on the
    same database."""

    def __init__(self, emulator, folder: Path, **env: str):
        self.world = emulator.world
        self.db = folder / "bot.sqlite3"
        self.folder = folder
        self.env = {**os.environ, "BOT_TOKEN": emulator.world.token,
                    "BOT_API_BASE_URL": emulator.url, "BOT_DATABASE_PATH": str(self.db),
                    "BOT_LOG_LEVEL": "WARNING", "BOT_REMINDER_TICK_SECONDS": "1",
                    "BOT_FLOOD_LIMIT": "0", "BOT_STAFF_IDS": str(STAFF), **env}
        self.proc: asyncio.subprocess.Process | None = None
        self.kills = 0

    async def start(self) -> None:
        polls = self.world.stats.get("method:getUpdates", 0)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "run", cwd=self.folder, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while self.world.stats.get("method:getUpdates", 0) <= polls:
            assert time.monotonic() < deadline, "the bot did not start polling"
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, params).fetchall()


async def seed_users(path: Path, client: EmulatorClient, applicant: int,
                     application: bool) -> int | None:
    """The staff member and an applicant (Russian), known to the bot and to Telegram;
    with a submitted application if asked. Returns its id."""
    await client.add_users([{"id": STAFF, "first_name": "Staff", "language_code": "ru",
                             "started": True},
                            {"id": applicant, "first_name": "Aigerim", "language_code": "ru",
                             "started": True}])
    repos = await Repos.open(path)
    for user in (STAFF, applicant):
        await repos.users.touch(user, "U", None, 1)
        await repos.users.set_language(user, "ru")
        await repos.users.set_role(user, "importer")
    app_id = None
    if application:
        draft = await repos.applications.create_draft(applicant, VEHICLE, 1)
        submitted = await repos.applications.submit(draft.id, 2026, applicant, 1)
        assert submitted is not None
        app_id = submitted.id
    await repos.close()
    return app_id


async def until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


# --- status notices ---------------------------------------------------------------------

PLAN = ["in_review", "documents_requested", "in_review", "inspection", "testing", "approved"]
SHOWN = {"in_review": "на рассмотрении", "documents_requested": "запрошены документы",
         "inspection": "осмотр", "testing": "испытания", "approved": "одобрена"}


async def change(staff: Person, client: EmulatorClient, app_id: int, status: str,
                 target: str) -> None:
    """The staff member makes one change through the bot, as on the desk (errors of a
    killed bot are the test's business, not the staff member's)."""
    card = await staff.send("/app EV-2026-000001", timeout=15)
    mid = next(e["message_id"] for e in reversed(card.events) if e.get("reply_markup"))
    await staff.press_data(f"st:t:{app_id}:{status}:{target}", mid, expect=0, timeout=15)
    if target == "documents_requested":
        await staff.press_data("st:rd:title", expect=0, timeout=15)
        await staff.press_data("st:rdok", expect=0, timeout=15)
        await staff.press_data("st:nc", expect=0, timeout=15)
    elif target == "inspection":
        await staff.send("15.06.2030 10:30", timeout=15)
        await staff.send("Өскемен, Протозанов к-сі 69", timeout=15)
    elif target == "approved":
        await staff.send("KZ СБКТС 000123", timeout=15)


async def test_no_status_notice_is_lost_or_reordered(emulator, client, tmp_path):
    rng = random.Random(16)
    applicant = 700101
    app_id = await seed_users(tmp_path / "bot.sqlite3", client, applicant, True)
    assert app_id is not None
    bot = BotProcess(emulator, tmp_path)
    await bot.start()
    staff = await Person(client, user_id=STAFF, language_code="ru").join()
    await client.set_faults(
        {"fault": "error", "methods": ["sendMessage"], "chat_ids": [applicant],
         "probability": 0.4},
        {"fault": "error", "methods": ["sendMessage"], "chat_ids": [applicant],
         "probability": 0.2, "mode": "fail_after"}, seed=16)
    try:
        status = "submitted"
        for step, target in enumerate(PLAN):
            for _ in range(6):
                try:
                    await change(staff, client, app_id, status, target)
                except AssertionError:
                    pass  # the bot was killed under the staff member's hands: look again
                if rng.random() < 0.5:  # killed right after the change, or in its middle
                    await asyncio.sleep(rng.random() * 0.05)
                    await bot.kill()
                    await bot.start()
                if step == 2:
                    await client.outage(1.5)  # everything fails for a moment
                now = bot.query("SELECT status FROM applications WHERE id = ?", (app_id,))
                if now[0]["status"] == target:
                    break
            status = target
            assert status == bot.query("SELECT status FROM applications")[0]["status"]

        def told() -> list[str]:
            return [e["text"] for e in emulator.world.events
                    if e.get("chat_id") == applicant and "статус теперь" in (e.get("text") or "")]

        await until(lambda: len(set(told())) >= len(set(PLAN)) and len(told()) >= len(PLAN),
                    90, "every status notice")
    finally:
        await bot.stop()
    sequence: list[str] = []
    for text in told():
        shown = next(s for s, label in SHOWN.items() if f"статус теперь {label}" in text)
        if not sequence or sequence[-1] != shown:
            sequence.append(shown)  # a repeat (a response lost after delivery) is one notice
    assert sequence == PLAN, sequence  # none lost, none out of order
    faults = await client.faults()
    assert bot.kills >= 2 and faults["failed"] > 0  # the faults really happened
    repeats = len(told()) - len(PLAN)
    assert repeats <= faults["delivered_anyway"] + bot.kills, (repeats, faults["injected"])


# --- form answers -----------------------------------------------------------------------

GOOD_VIN = VEHICLE["vin"]
ANSWERS = {"applicant_type": ("press", "person"), "residency": ("press", "kz"),
           "applicant_name": ("text", "Айгерим Нурланова"),
           "id_number": ("text", "870512300122"), "acting": ("press", "self"),
           "phone": ("text", "+77011234567"),
           "vin": ("text", GOOD_VIN), "make": ("text", "BYD"), "model": ("text", "Han"),
           "year": ("text", "2024"), "category": ("press", "m1"),
           "powertrain": ("press", "bev"), "battery_kwh": ("text", "85,4"),
           "chemistry": ("press", "lfp"), "inlet": ("press", "ccs2")}


async def test_form_answers_survive_kill_9_at_random_points(emulator, client, tmp_path):
    """Every answer kept, none filed under the next question, when the bot is killed at
    random moments around each answer (and Telegram re-delivers what it had not
    confirmed)."""
    rng = random.Random(61)
    user_id = 700102
    await seed_users(tmp_path / "bot.sqlite3", client, user_id, False)
    bot = BotProcess(emulator, tmp_path)
    await bot.start()
    user = await Person(client, user_id=user_id, language_code="ru").join()
    await client.set_faults({"fault": "error", "methods": ["sendMessage", "editMessageText"],
                             "chat_ids": [user_id], "probability": 0.2, "mode": "fail_after"},
                            seed=61)
    try:
        await user.send("/apply", timeout=15)
        await user.press_data("ap:c:yes", expect=0, timeout=15)
        for _ in range(80):
            row = bot.query("SELECT flow, step FROM conversations WHERE user_id = ?", (user_id,))
            step = row[0]["step"] if row and row[0]["flow"] == "apply" else None
            if step == "documents":
                break
            if step not in ANSWERS:
                await user.send("/apply", timeout=15)
                if step == "consent":
                    await user.press_data("ap:c:yes", expect=0, timeout=15)
                continue
            how, value = ANSWERS[step]
            if how == "text":
                await client.send(user_id, text=value)
            else:
                await client.press(user_id, max(user.messages, default=0),
                                   f"ap:v:{step}:{value}", forge=True)
            if rng.random() < 0.4:
                await asyncio.sleep(rng.random() * 0.08)  # before, during or after handling
                await bot.kill()
                await bot.start()
            await user._collect(expect=0, timeout=5, settle=0.3)
    finally:
        await bot.stop()
    assert bot.kills >= 3
    draft = bot.query("SELECT * FROM applications WHERE user_id = ? AND status = 'draft'",
                      (user_id,))[0]
    expected = {**VEHICLE, "battery_kwh": 85.4}
    wrong = {f: (draft[f], v) for f, v in expected.items() if draft[f] != v}
    assert not wrong, wrong  # 0 wrong fields


# --- broadcasts -------------------------------------------------------------------------

async def test_no_broadcast_recipient_is_lost(emulator, client, tmp_path):
    recipients = [820000 + n for n in range(150)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in recipients])
    path = tmp_path / "bot.sqlite3"
    repos = await Repos.open(path)
    for i in recipients:
        await repos.users.touch(i, "U", None, 1)
    broadcast = await repos.broadcasts.create(900001, {"ru": "сбой"}, None, None,
                                              Audience("all"), False, 0, 0, None)
    await repos.close()
    await client.set_faults(
        {"fault": "error", "methods": ["sendMessage"], "probability": 0.12},
        {"fault": "error", "methods": ["sendMessage"], "probability": 0.05, "mode": "fail_after"},
        {"fault": "timeout", "methods": ["sendMessage"], "probability": 0.02, "hold": 6},
        {"fault": "flood", "start": 2, "duration": 1.5, "retry_after": 1},
        {"fault": "outage", "start": 4, "duration": 2}, seed=7)
    bot = BotProcess(emulator, tmp_path, BOT_SEND_RATE="80")

    def delivered() -> Counter:
        return Counter(e["chat_id"] for e in emulator.world.events if e.get("text") == "сбой")

    try:
        for _ in range(2):
            await bot.start()
            before = sum(delivered().values())
            await until(lambda b=before: sum(delivered().values()) >= b + 40, 60, "sends")
            await bot.kill()
        await bot.start()
        await until(lambda: set(delivered()) >= set(recipients), 120, "every recipient")
        # (a recipient whose answer was lost after delivery is retried with backoff)
        await until(lambda: bot.query("SELECT status FROM broadcasts WHERE id = ?",
                                      (broadcast.id,))[0]["status"] == "done", 240, "done")
    finally:
        await bot.stop()
    counts = delivered()
    assert set(counts) == set(recipients)  # 0 lost
    faults = await client.faults()
    assert faults["failed"] > 20  # the faults really happened
    repeats = sum(n - 1 for n in counts.values())
    assert repeats <= bot.kills * WORKERS + faults["delivered_anyway"], repeats
