"""Broadcast benchmark: N recipients against an emulator enforcing a rate limit.

    python -m bench.broadcast [--recipients 10000] [--limit 30] [--paid-limit 1000]

Bulk mode: the bot's send_rate equals the emulator's limit (429 beyond it). Reports
the achieved rate as a fraction of the limit, the share of requests answered 429,
recipients lost and repeated, and how fast a user's /start is answered meanwhile.
Paid mode: allow_paid_broadcast against a higher limit, the same figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import time
from collections import Counter

import aiohttp

from bench.common import EmulatorProcess, bot_settings, control
from domain.broadcast import Audience
from runtime import Runtime

FIRST_ID = 10_000_000


async def seed(runtime: Runtime, session, url: str, n: int) -> None:
    ids = range(FIRST_ID, FIRST_ID + n)
    await control(session, url, "users", {"users": [
        {"id": i, "first_name": "U", "language_code": "ru", "started": True} for i in ids]})
    if runtime.repos is None:
        raise RuntimeError("seed needs a started runtime: its database is not open")
    db = runtime.repos.db
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, language, first_seen, last_seen)"
            " VALUES (?, 'U', 'ru', 1, 1)", [(i,) for i in ids])


async def probe_start(session, url: str, stop: asyncio.Event) -> list[float]:
    """A user presses /start every 2 s; seconds until the bot's reply arrives."""
    user = 9_999_001
    await control(session, url, "users", {"users": [{"id": user, "language_code": "ru"}]})
    latencies = []
    while not stop.is_set():
        after = (await control(session, url, f"events?chat_id={user}&after=0"))["last"]
        started = time.monotonic()
        await control(session, url, "message", {"user_id": user, "text": "/start"})
        found = await control(session, url, f"events?chat_id={user}&after={after}&wait=10")
        if found["events"]:
            latencies.append(time.monotonic() - started)
        try:
            await asyncio.wait_for(stop.wait(), 2)
        except TimeoutError:
            pass
    return latencies


async def run_one(runtime: Runtime, session, url: str, text: str, paid: bool, n: int,
                  limit: float) -> dict:
    await control(session, url, "limits", {"global_per_second": limit})
    before = await control(session, url, "stats")
    if runtime.repos is None or runtime.sender is None:
        raise RuntimeError("run_one needs a started runtime: no database or sender")
    repos = runtime.repos.broadcasts
    broadcast = await repos.create(1, {"ru": text}, None, None, Audience("language", "ru"), paid,
                                   0, 0, None)
    stop = asyncio.Event()
    probe = asyncio.create_task(probe_start(session, url, stop))
    started = time.monotonic()
    await runtime.sender.tick()
    while True:
        current = await repos.get(broadcast.id)
        if current is None:
            raise RuntimeError(f"broadcast {broadcast.id} disappeared from the database")
        if current.status == "done":
            break
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    stop.set()
    latencies = await probe
    after = await control(session, url, "stats")
    events = (await control(session, url, "events?after=0"))["events"]
    ours = [e for e in events if e.get("text") == text]
    counts = Counter(e["chat_id"] for e in ours)
    recipients = set(range(FIRST_ID, FIRST_ID + n))
    # The rate while sending: first to last delivery, as the emulator timed them.
    span = max(ours[-1]["time"] - ours[0]["time"], 1e-9) if len(ours) > 1 else 1e-9
    requests = after.get("method:sendMessage", 0) - before.get("method:sendMessage", 0)
    too_many = after.get("429", 0) - before.get("429", 0)
    rate = (len(ours) - 1) / span
    # Everything the bot sent in that span (the broadcast and its replies to users): what
    # Telegram's limit counts.
    total = sum(1 for e in events if e["type"] == "send"
                and ours[0]["time"] <= e["time"] <= ours[-1]["time"]) - 1
    total_rate = total / span
    return {"mode": "paid" if paid else "bulk", "recipients": n, "limit_per_s": limit,
            "seconds": round(elapsed, 1), "broadcast_per_s": round(rate, 1),
            "all_sends_per_s": round(total_rate, 1),
            "fraction_of_limit": round(total_rate / limit, 3),
            "broadcast_fraction": round(rate / limit, 3),
            "requests": requests, "answered_429": too_many,
            "share_429": round(too_many / max(requests, 1), 4),
            "lost": len(recipients - set(counts)),
            "repeated": sum(c - 1 for c in counts.values()),
            "start_replies": len(latencies),
            "start_p50_s": round(statistics.median(latencies), 3) if latencies else None,
            "start_max_s": round(max(latencies), 3) if latencies else None}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=30)
    parser.add_argument("--paid-limit", type=float, default=1000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    async with EmulatorProcess() as emulator, aiohttp.ClientSession() as session:
        settings = bot_settings(emulator.url, send_rate=args.limit, paid_broadcast=True,
                                paid_send_rate=args.paid_limit)
        runtime = Runtime(settings)
        await runtime.start()
        try:
            await seed(runtime, session, emulator.url, args.recipients)
            results = [await run_one(runtime, session, emulator.url, "bulk", False,
                                     args.recipients, args.limit),
                       await run_one(runtime, session, emulator.url, "paid", True,
                                     args.recipients, args.paid_limit)]
        finally:
            await runtime.stop()
    for result in results:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
