"""Update throughput: our bot doing a real flow vs bare echo bots, on one emulator.

    python -m bench.updates [--users 50] [--rounds 30] [--runs 3]
    python -m bench.updates --bots ours,ours-webhook,pg,pg-webhook,pg-webhook-2

Our bot's kinds: `ours` (SQLite, long polling), `ours-webhook` (SQLite, webhook mode),
`pg` (PostgreSQL, polling), `pg-webhook` (PostgreSQL, one instance behind the
round-robin front, emulator.front) and `pg-webhook-N` (N instances on one database
behind it). PostgreSQL is BENCH_DATABASE_URL, else the local server; each run gets a
schema of its own. `db_busy` is the PostgreSQL server's CPU seconds per second,
`machine_busy` the share of all the machine's cores busy during the run.

The emulator and this load generator share one process (users act through the
emulator's own objects, no HTTP); each bot runs in its own process. Each user
does R rounds; for our bot a round is /start, the guide from the menu, one guide
answer and Back (4 updates, each answered by a message or an edit); for the echo
bots a round is 4 texts, each echoed. Bots run alternately, R rounds each, several
times; the medians are reported with the ratios, our bot's peak RSS, and how busy
the emulator's process was (if it is near 100 %, the emulator is the bottleneck).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.cluster import Cluster
from emulator import server
from emulator.server import DEFAULT_TOKEN

ROOT = Path(__file__).parent.parent
FIRST_USER = 50_000_000
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PROFILE = os.environ.get("BENCH_PROFILE", "").split() if os.environ.get("BENCH_PROFILE") else []


class Driver:
    """Acts as users on the in-process emulator and times each reply."""

    def __init__(self, world):
        self.world = world
        self.waiting: dict[int, asyncio.Future] = {}
        world.listeners.append(self._on_event)

    def _on_event(self, event: dict) -> None:
        chat_id = event.get("chat_id")
        if chat_id is None:  # not about a chat: no user waits for it
            return
        future = self.waiting.pop(chat_id, None)
        if future is not None and not future.done():
            future.set_result(event)

    async def _expect(self, chat_id: int, action) -> tuple[dict, float]:
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        started = time.perf_counter()
        await action
        event = await asyncio.wait_for(future, 30)
        return event, time.perf_counter() - started

    async def text(self, user_id: int, text: str) -> tuple[dict, float]:
        content: dict[str, object] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return await self._expect(user_id, self.world.user_message(user_id, content))

    async def press(self, user_id: int, message_id: int, data: str) -> tuple[dict, float]:
        return await self._expect(user_id, self.world.press(user_id, message_id, data))


async def flow_ours(driver: Driver, user_id: int, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        menu, t1 = await driver.text(user_id, "/start")
        _, t2 = await driver.press(user_id, menu["message_id"], "g:menu")
        _, t3 = await driver.press(user_id, menu["message_id"], "g:a:who:person")
        _, t4 = await driver.press(user_id, menu["message_id"], "g:b")
        times += [t1, t2, t3, t4]
    return times


async def flow_echo(driver: Driver, user_id: int, rounds: int) -> list[float]:
    times = []
    for n in range(rounds * 4):
        _, t = await driver.text(user_id, f"echo {n}")
        times.append(t)
    return times


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server's processes (all of them, the backends
    serving the bot included: the server is otherwise idle during a run)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def start_bot(kind: str, url: str, folder: Path, database: str = ""
                    ) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if kind == "ours":
        env.update(BOT_TOKEN=DEFAULT_TOKEN, BOT_API_BASE_URL=url, BOT_LOG_LEVEL="WARNING",
                   BOT_DATABASE_PATH=str(folder / "bot.sqlite3"), BOT_DATABASE_URL=database,
                   BOT_REMINDER_TICK_SECONDS="0",
                   BOT_FLOOD_LIMIT="0",  # simulated users act far faster than people
                   BOT_RATES_FEED_URL="")
        args = [sys.executable, *PROFILE, str(ROOT / "bot.py"), "run"]
    elif kind == "ptbfast":
        args = [sys.executable, str(ROOT / "bench" / "echo_ptb.py"), url, DEFAULT_TOKEN, "--fast"]
    else:
        args = [sys.executable, str(ROOT / "bench" / f"echo_{kind}.py"), url, DEFAULT_TOKEN]
    return await asyncio.create_subprocess_exec(*args, env=env, cwd=folder,
                                                stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)


async def wait_polling(world, before: int) -> None:
    deadline = time.monotonic() + 30
    while world.stats.get("method:getUpdates", 0) <= before and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def pg_schema(name: str) -> str:
    """A fresh (dropped, if it was there) schema's URL."""
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}search_path={name}"


class Bots:
    """The bot process(es) of one measurement: one polling, or a webhook cluster."""

    def __init__(self, kind: str, url: str, folder: Path):
        self.kind, self.url, self.folder = kind, url, folder
        self.cluster: Cluster | None = None
        self.procs: list[asyncio.subprocess.Process] = []
        self.schema = f"bench_{os.getpid()}_{kind.replace('-', '_')}"

    async def start(self, world) -> None:
        database = await pg_schema(self.schema) if self.kind.startswith("pg") else ""
        if "webhook" in self.kind:
            size = int(self.kind.rsplit("-", 1)[1]) if self.kind[-1].isdigit() else 1
            self.cluster = Cluster(self.url, DEFAULT_TOKEN, database or "", size=size,
                                   folder=self.folder,
                                   extra_env={"BOT_REMINDER_TICK_SECONDS": "0",
                                              "BOT_FLOOD_LIMIT": "0"})
            await self.cluster.start()  # SQLite (no database): one instance, its own file
            self.procs = self.cluster.procs
            deadline = time.monotonic() + 30
            while not world.webhook and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return
        proc = await start_bot("ours" if self.kind == "pg" else self.kind, self.url,
                               self.folder, database)
        self.procs = [proc]
        await wait_polling(world, 0)

    async def stop(self) -> None:
        if self.cluster is not None:
            await self.cluster.stop()
        else:
            for proc in self.procs:
                proc.terminate()
                await proc.wait()
        if self.kind.startswith("pg"):
            await pg_schema(self.schema)


async def measure(kind: str, users: int, rounds: int, folder: Path) -> dict:
    running = await server.start()
    world = running.world
    driver = Driver(world)
    ids = [FIRST_USER + n for n in range(users)]
    for user_id in ids:
        world.add_user(user_id, "U", "ru", started=True)
    bots = Bots(kind, running.url, folder)
    ours = kind == "ours" or kind.startswith(("pg", "ours-"))
    try:
        await bots.start(world)
        flow = flow_ours if ours else flow_echo
        if ours:  # first contact: the role question, once per user
            for user_id in ids:
                event, _ = await driver.text(user_id, "/start")
                await driver.press(user_id, event["message_id"], "role:importer")
        await asyncio.gather(*(flow(driver, u, 1) for u in ids))  # warm-up
        cpu, started = time.process_time(), time.perf_counter()
        bot_cpu = sum(cpu_seconds(p.pid) for p in bots.procs)
        db_cpu, (busy0, total0) = postgres_cpu(), machine_cpu()
        times = [t for ts in await asyncio.gather(*(flow(driver, u, rounds) for u in ids))
                 for t in ts]
        wall = time.perf_counter() - started
        emulator_busy = (time.process_time() - cpu) / wall
        bot_busy = (sum(cpu_seconds(p.pid) for p in bots.procs) - bot_cpu) / wall
        db_busy = (postgres_cpu() - db_cpu) / wall if kind.startswith("pg") else 0.0
        busy1, total1 = machine_cpu()
        machine_busy = (busy1 - busy0) / max(total1 - total0, 1e-9)  # share of all cores
        rss = max(rss_peak_mb(p.pid) for p in bots.procs)
    finally:
        await bots.stop()
        await running.stop()
    times.sort()
    return {"bot": kind, "updates": len(times), "updates_per_s": len(times) / wall,
            "p50_ms": times[len(times) // 2] * 1000, "p99_ms": times[int(len(times) * .99)] * 1000,
            "peak_rss_mb": rss, "emulator_busy": emulator_busy, "bot_busy": bot_busy,
            "db_busy": db_busy, "machine_busy": machine_busy}


def median_of(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bots", default="ours,ptb,aiogram",
                        help="also: ptbfast (PTB echo with our transport and concurrency)")
    args = parser.parse_args()
    kinds = args.bots.split(",")
    results: dict[str, list[dict]] = {k: [] for k in kinds}
    for run in range(args.runs):
        for kind in kinds if run % 2 == 0 else list(reversed(kinds)):  # alternate the order
            folder = Path(tempfile.mkdtemp(prefix="evbench-"))
            try:
                result = await measure(kind, args.users, args.rounds, folder)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            results[kind].append(result)
            print(json.dumps({k: round(v, 2) if isinstance(v, float) else v
                              for k, v in result.items()}), flush=True)
    summary = {kind: {key: round(median_of(rs, key), 2) for key in
                      ("updates_per_s", "p50_ms", "p99_ms", "peak_rss_mb", "emulator_busy",
                       "bot_busy", "db_busy", "machine_busy")}
               for kind, rs in results.items()}
    ratios: dict[str, float] = {}
    if "ours" in summary:
        for other in ("ptb", "aiogram"):
            if other in summary:
                ratios[f"ours_vs_{other}"] = round(summary["ours"]["updates_per_s"] /
                                                   summary[other]["updates_per_s"], 2)
    print(json.dumps({"median_of_runs": args.runs, "users": args.users, "rounds": args.rounds,
                      **summary, **ratios}, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
