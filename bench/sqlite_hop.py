"""What one database call costs: aiosqlite (a hop to its thread and back) against the
same statement through sqlite3 on the calling thread.

    python -m bench.sqlite_hop
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from storage.repos import Repos

N = 3000


async def main() -> None:
    path = Path(tempfile.mkdtemp(prefix="evhop-")) / "hop.sqlite3"
    repos = await Repos.open(path)
    await repos.users.touch(1, "A", None, 1)
    results = {}
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(N):
        await repos.db.fetchone("SELECT * FROM users WHERE id = ?", (1,))
    results["aiosqlite_read_us"] = (time.perf_counter() - started) / N * 1e6
    results["aiosqlite_read_cpu_us"] = (time.process_time() - cpu) / N * 1e6
    started = time.perf_counter()
    for n in range(N):
        await repos.db.run("UPDATE users SET last_seen = ? WHERE id = 1", (n,))
    results["aiosqlite_write_us"] = (time.perf_counter() - started) / N * 1e6
    direct = sqlite3.connect(path, isolation_level=None)
    direct.execute("PRAGMA synchronous = NORMAL")  # as the bot's own connection
    started = time.perf_counter()
    for _ in range(N):
        direct.execute("SELECT * FROM users WHERE id = ?", (1,)).fetchone()
    results["sqlite3_read_us"] = (time.perf_counter() - started) / N * 1e6
    started = time.perf_counter()
    for n in range(N):
        direct.execute("UPDATE users SET last_seen = ? WHERE id = 1", (n,))
    results["sqlite3_write_us"] = (time.perf_counter() - started) / N * 1e6
    direct.close()
    await repos.close()
    results["read_ratio"] = results["aiosqlite_read_us"] / results["sqlite3_read_us"]
    print(json.dumps({k: round(v, 1) for k, v in results.items()}))


if __name__ == "__main__":
    asyncio.run(main())
