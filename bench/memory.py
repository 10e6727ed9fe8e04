"""Peak RSS of our bot with 100,000 users in the database and 1,000 conversations in
progress (each of 1,000 users in the middle of the guide).

    python -m bench.memory [--users 100000] [--active 1000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.updates import Driver, rss_peak_mb, start_bot, wait_polling
from emulator import server
from storage.db import Database

FIRST = 60_000_000


async def seed(path: Path, users: int) -> None:
    db = await Database.open(path)
    await db.migrate()
    await db.close()
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO users (id, first_name, language, role, role_chosen, first_seen,"
                     " last_seen) VALUES (?, 'U', 'ru', 'importer', 1, 1, 1)",
                     ((FIRST + n,) for n in range(users)))
    conn.commit()
    conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="evmem-"))
    running = await server.start()
    try:
        await seed(folder / "bot.sqlite3", args.users)
        world = running.world
        driver = Driver(world)
        active = [FIRST + n for n in range(args.active)]
        for user_id in active:
            world.add_user(user_id, "U", "ru", started=True)
        proc = await start_bot("ours", running.url, folder)
        try:
            await wait_polling(world, 0)
            started = time.perf_counter()

            async def into_the_guide(user_id: int) -> None:
                menu, _ = await driver.text(user_id, "/start")
                await driver.press(user_id, menu["message_id"], "g:menu")
                await driver.press(user_id, menu["message_id"], "g:a:who:person")

            for chunk in range(0, len(active), 100):
                await asyncio.gather(*(into_the_guide(u) for u in active[chunk:chunk + 100]))
            elapsed = time.perf_counter() - started
            rss = rss_peak_mb(proc.pid)
        finally:
            proc.terminate()
            await proc.wait()
        conn = sqlite3.connect(folder / "bot.sqlite3")
        conversations = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        conn.close()
    finally:
        await running.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({"users_in_db": users, "conversations_in_progress": conversations,
                      "peak_rss_mb": round(rss, 1), "target_mb": 150,
                      "seconds_to_open_1000_guides": round(elapsed, 1)}))


if __name__ == "__main__":
    asyncio.run(main())
