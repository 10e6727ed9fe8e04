"""Several bot instances (processes) on one PostgreSQL database, in webhook mode behind a
round-robin front (emulator.front), talking to one emulator: what the failover test and
`python -m bench.updates --instances N` run."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from emulator.front import Front

ROOT = Path(__file__).parent.parent
SECRET = "cluster-Secret_1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    emulator_url: str
    token: str
    database_url: str
    size: int = 3
    folder: Path = Path("data/cluster")
    extra_env: dict[str, str] = field(default_factory=dict)
    front: Front | None = None
    procs: list[asyncio.subprocess.Process] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(self.size)]
        self.front = Front([f"http://127.0.0.1:{p}/hook" for p in self.ports])
        front_url = await self.front.start()
        for n, port in enumerate(self.ports):
            env = {**os.environ, "BOT_TOKEN": self.token, "BOT_API_BASE_URL": self.emulator_url,
                   "BOT_DATABASE_URL": self.database_url,
                   # SQLite's file, if database_url is empty; the heartbeat's folder
                   "BOT_DATABASE_PATH": str(self.folder / f"instance{n}" / "bot.sqlite3"),
                   "BOT_WEBHOOK_URL": front_url, "BOT_WEBHOOK_LISTEN": "127.0.0.1",
                   "BOT_WEBHOOK_PORT": str(port), "BOT_WEBHOOK_SECRET": SECRET,
                   "BOT_LOG_LEVEL": "WARNING", "BOT_RATES_FEED_URL": "", **self.extra_env}
            log = open(self.folder / f"instance{n}.log", "wb")  # noqa: SIM115
            self.procs.append(await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), "run", cwd=ROOT, env=env,
                stdout=log, stderr=log))
        await self.wait_listening()
        await self.wait_webhook(front_url)

    async def wait_listening(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            for port in self.ports:
                while True:
                    try:  # a POST without the secret: 403 once the server listens
                        async with session.post(f"http://127.0.0.1:{port}/hook", data=b"{}"):
                            break
                    except aiohttp.ClientError:
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"instance on port {port} did not start; see "
                                               f"{self.folder}") from None
                        await asyncio.sleep(0.2)

    async def wait_webhook(self, url: str, timeout: float = 30) -> None:
        """Until the instances have told the Bot API where to deliver (the front)."""
        deadline = time.monotonic() + timeout
        info = f"{self.emulator_url}/bot{self.token}/getWebhookInfo"
        async with aiohttp.ClientSession() as session:
            while True:
                async with session.get(info) as resp:
                    if (await resp.json())["result"]["url"] == url:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError("the webhook was not set")
                await asyncio.sleep(0.1)

    def logs(self, lines: int = 15) -> str:
        """The end of each instance's log (for a failure's message)."""
        parts = []
        for n in range(len(self.procs)):
            text = (self.folder / f"instance{n}.log").read_text(errors="replace")
            parts.append(f"--- instance {n}:\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts)

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.terminate()
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self.front is not None:
            await self.front.stop()
