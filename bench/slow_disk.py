"""The event loop's worst stall when the disk is slow: the loop-thread database path
(storage.sqlite's lookup/put) with and without its watchdog, side by side in one run.

    python -m bench.slow_disk [--writes 20] [--delay-ms 50]

A slow disk is simulated by a wrapper around the loop-thread sqlite3 connection that
sleeps `delay` (blocking, as a slow write does) on every write statement. While a ticker
measures how late the loop wakes it, `writes` one-row writes are made through put(), one
every 20 ms, as the hot path does. Without the watchdog every slow write stalls the loop;
with it, the first one switches the path off and the rest go through aiosqlite's thread.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from storage.db import SqliteDatabase
from storage.repos import Repos


class SlowWrites:
    """An sqlite3 connection whose write statements take `delay` longer."""

    def __init__(self, conn: sqlite3.Connection, delay: float):
        self.conn, self.delay = conn, delay

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if not sql.lstrip().upper().startswith("SELECT"):
            time.sleep(self.delay)
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()


async def run(watchdog: bool, writes: int, delay: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        repos = await Repos.open(Path(folder) / "bench.sqlite3")
        db = repos.db
        assert isinstance(db, SqliteDatabase)
        db._quick = SlowWrites(db._quick, delay)  # type: ignore[arg-type,assignment]
        if not watchdog:
            db.quick_budget = float("inf")
        await db.run("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
        lags: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - started - 0.005)

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.02)  # the ticker is running before the first write
        started = time.perf_counter()
        for n in range(writes):
            await repos.users.set_muted(1, n % 2 == 0)
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        stop.set()
        await ticking
        await repos.close()
    return {"worst_lag_ms": round(max(lags) * 1000, 1),
            "total_lag_ms": round(sum(lags) * 1000, 1), "elapsed_s": round(elapsed, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--delay-ms", type=float, default=50)
    args = parser.parse_args()
    delay = args.delay_ms / 1000
    result = {"writes": args.writes, "delay_ms": args.delay_ms,
              "without_watchdog": await run(False, args.writes, delay),
              "with_watchdog": await run(True, args.writes, delay)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
