"""Start-up and health in bad conditions: a database that cannot be written stops the
start and fails the health check with one clear line; a Bot API that cannot be reached
yet is waited for, one line each retry, and the bot answers once it is up."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emulator import server
from emulator.client import EmulatorClient, Person
from tests.test_processes import free_port

ROOT = Path(__file__).parent.parent


def immutable(path: Path, on: bool) -> None:
    """chattr +i makes a file read-only even for root (the test machines run as root)."""
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


@pytest.fixture
def chattr():
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is needed to make a file read-only for root")


def env_for(database: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    return {**base, "BOT_DATABASE_PATH": str(database), "BOT_LOG_LEVEL": "WARNING", **extra}


def test_a_read_only_database_stops_start_up_with_one_line(tmp_path, chattr):
    database = tmp_path / "bot.sqlite3"
    env = env_for(database, BOT_TOKEN="1:x", BOT_API_BASE_URL="http://127.0.0.1:9")
    done = subprocess.run([sys.executable, "bot.py", "migrate"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for leftover in tmp_path.glob("bot.sqlite3-*"):
        leftover.unlink()
    immutable(database, True)
    try:
        done = subprocess.run([sys.executable, "bot.py", "run"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    finally:
        immutable(database, False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("database error:") and "not writable" in lines[0]


def test_the_health_check_fails_on_a_read_only_database(tmp_path, chattr):
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"")
    (tmp_path / "heartbeat").touch()
    check = [sys.executable, str(ROOT / "healthcheck.py")]
    env = env_for(database)
    assert subprocess.run(check, env=env, cwd=ROOT, capture_output=True).returncode == 0
    immutable(database, True)
    try:
        done = subprocess.run(check, env=env, cwd=ROOT, capture_output=True, text=True)
    finally:
        immutable(database, False)
    assert done.returncode == 1 and done.stdout.strip() == f"unhealthy: {database} is not writable"


async def test_an_unreachable_bot_api_is_waited_for(tmp_path):
    """Started before its Bot API server: one warning per retry (no traceback), then it
    works as soon as the server is up."""
    port = free_port()
    env = env_for(tmp_path / "bot.sqlite3", BOT_TOKEN=server.DEFAULT_TOKEN,
                  BOT_API_BASE_URL=f"http://127.0.0.1:{port}", BOT_REMINDER_TICK_SECONDS="0")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    running = None
    try:
        assert proc.stderr is not None
        line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
        assert "cannot be reached" in line and "retrying in 1 s" in line, line
        running = await server.start(port=port)
        client = EmulatorClient(running.url)
        user = await Person(client, language_code="ru").join()
        replies = await user.send("/start", timeout=30)
        assert "Кто вы?" in replies.text
        await client.close()
    finally:
        proc.terminate()
        _, rest = await asyncio.wait_for(proc.communicate(), 30)
        if running is not None:
            await running.stop()
    assert "Traceback" not in rest.decode()


async def test_an_outage_during_start_up_is_waited_for(settings, clock, client, monkeypatch):
    """Telegram fails just after polling has started (a restart in the middle of an
    outage): the broadcast and notice senders wait for it as the application does,
    instead of the process dying on their first getMe."""
    from jobs.broadcast import Sender
    from runtime import Runtime

    start = Sender.start

    async def outage_first(self: Sender) -> None:
        await client.set_faults({"fault": "error", "methods": ["getMe"], "status": 502,
                                 "next": 2})
        await start(self)
    monkeypatch.setattr(Sender, "start", outage_first)
    runtime = Runtime(settings, clock=clock)
    await asyncio.wait_for(runtime.start(), 30)
    try:
        assert (await client.faults())["failed"] == 2
        user = await Person(client, language_code="ru").join()
        assert "Кто вы?" in (await user.send("/start", timeout=15)).text
    finally:
        await runtime.stop()
