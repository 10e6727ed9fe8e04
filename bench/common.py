"""Helpers shared by the benchmarks: an emulator in its own process, and a bot in this one."""
from __future__ import annotations

import asyncio
import dataclasses
import socket
import sys
import tempfile
from pathlib import Path

import aiohttp

from config import Settings
from emulator.server import DEFAULT_TOKEN

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmulatorProcess:
    """The emulator on its own core, so the bot's CPU time is the bot's alone."""

    def __init__(self, rate: float | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rate = rate
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> EmulatorProcess:
        args = [sys.executable, "-m", "emulator", "--port", str(self.port)]
        if self.rate:
            args += ["--rate", str(self.rate)]
        self.proc = proc = await asyncio.create_subprocess_exec(*args, cwd=ROOT,
                                                                stdout=asyncio.subprocess.PIPE)
        if proc.stdout is None:
            raise RuntimeError("the emulator's stdout is not piped")
        await proc.stdout.readline()  # "emulator on …": it is listening
        return self

    async def __aexit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            await self.proc.wait()


def bot_settings(url: str, **overrides) -> Settings:
    folder = Path(tempfile.mkdtemp(prefix="evbench-"))
    base = Settings(token=DEFAULT_TOKEN, api_base_url=url,
                    database_path=str(folder / "bot.sqlite3"), admin_ids=(1,),
                    reminder_tick_seconds=0, log_level="WARNING", flood_limit=0,
                    rates_feed_url="")  # no exchange-rate fetches while measuring
    return dataclasses.replace(base, **overrides)


async def control(session: aiohttp.ClientSession, url: str, path: str, body: dict | None = None):
    if body is None:
        async with session.get(f"{url}/control/{path}") as resp:
            return await resp.json()
    async with session.post(f"{url}/control/{path}", json=body) as resp:
        return await resp.json()


def peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
