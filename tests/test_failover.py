"""Three instances on one PostgreSQL behind a round-robin webhook front: one is killed with
SIGKILL during a broadcast to 2,000 users while others fill in the application form.
Every recipient gets the broadcast, repeats stay within the sends in flight at the kill,
every form answer is kept, and each chat's replies stay in order."""
from __future__ import annotations

import asyncio
import difflib
import time
from collections import Counter

import pytest

from bench.cluster import Cluster
from domain.broadcast import Audience
from emulator.client import Person
from jobs.broadcast import WORKERS
from storage.repos import Repos
from tests.conftest import drop_schema, new_schema_url, pg_problem
from tests.test_intake import GOOD_VIN

RECIPIENTS = 2000
FORM_USERS = 12
TEXT = "Failover broadcast"


async def fill_form(user: Person, log: list[str], pause: float = 0.0) -> None:
    """The application form, step by step, `pause` seconds apart (as people type: the
    form goes on through the kill); every reply's text goes to `log` in the order the user
    saw them (the broadcast itself left out)."""
    async def step(action) -> None:
        replies = await action
        log.extend(t for t in replies.texts if t != TEXT)
        await asyncio.sleep(pause)

    await step(user.send("/start"))
    await step(user.press("🚗"))
    await step(user.press("📝"))
    await step(user.press("Согласен"))
    await step(user.press("Физическое лицо"))
    await step(user.press("Казахстан"))
    await step(user.send(f"Айгерим {user.user_id}"))
    await step(user.send("870512300122"))
    await step(user.press("Сам заявитель"))
    await step(user.send("+7 701 123 45 67"))
    await step(user.send(GOOD_VIN))
    await step(user.send("BYD"))
    await step(user.send("Han"))
    await step(user.send("2024"))


def order_violations(reference: list[str], seen: list[str]) -> int:
    """The replies (and edits) of the reference run (one user, same answers, nothing
    killed) that a user did not see in that order: missing, or out of order. A reply seen
    once more (its update re-delivered after the kill) is not counted."""
    matcher = difflib.SequenceMatcher(a=reference, b=seen, autojunk=False)
    return len(reference) - sum(block.size for block in matcher.get_matching_blocks())


@pytest.mark.skipif(pg_problem() is not None, reason="PostgreSQL unreachable")
async def test_sigkill_of_one_of_three_instances_loses_nothing(emulator, client, tmp_path):
    url, schema = await new_schema_url()
    repos = await Repos.open(url)
    recipients = [700000 + n for n in range(RECIPIENTS)]
    await client.add_users([{"id": i, "first_name": "U", "started": True} for i in recipients])
    async with repos.db.write() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, 'U', 1, 1)",
            [(i,) for i in recipients])
    cluster = Cluster(emulator.url, emulator.world.token, url, size=3, folder=tmp_path,
                      extra_env={"BOT_SEND_RATE": "250", "BOT_REMINDER_TICK_SECONDS": "1",
                                 "BOT_FLOOD_LIMIT": "0"})
    try:
        await cluster.start()
        reference: list[str] = []
        await fill_form(await Person(client, language_code="ru", first_name="F").join(),
                        reference)
        users = [await Person(client, language_code="ru", first_name="F").join()
                 for _ in range(FORM_USERS)]
        logs: list[list[str]] = [[] for _ in users]
        broadcast = await repos.broadcasts.create(900001, {"ru": TEXT}, None, None,
                                                  Audience("all"), False, 0, 0, None)

        def delivered() -> Counter:
            return Counter(e["chat_id"] for e in emulator.world.events if e.get("text") == TEXT)

        async def kill_the_sender() -> tuple[int, int]:
            deadline = time.monotonic() + 60
            while sum(delivered().values()) < RECIPIENTS // 4:
                assert time.monotonic() < deadline, "the broadcast did not start"
                await asyncio.sleep(0.02)
            row = await repos.db.fetchone("SELECT holder FROM leases WHERE name = ?",
                                          (f"broadcast:{broadcast.id}",))
            pid = int(row["holder"].split(":")[1])
            cluster.kill(pid)
            return pid, sum(delivered().values())

        def progress() -> int:
            return sum(len(log) for log in logs)

        forms = [asyncio.create_task(fill_form(u, log, pause=0.5))
                 for u, log in zip(users, logs, strict=True)]
        pid, at_kill = await kill_the_sender()
        form_replies_at_kill = progress()
        await asyncio.gather(*forms)
        deadline = time.monotonic() + 90
        while getattr(await repos.broadcasts.get(broadcast.id), "status", None) != "done":
            assert time.monotonic() < deadline, await repos.broadcasts.figures(broadcast.id)
            await asyncio.sleep(0.2)

        counts = delivered()
        # The audience: everyone known when the broadcast started (form users who had not
        # written yet by then are not in it), the 2,000 among them.
        audience_ids = {r["user_id"] for r in await repos.db.fetchall(
            "SELECT user_id FROM deliveries WHERE broadcast_id = ?", (broadcast.id,))}
        assert set(recipients) <= audience_ids
        lost = audience_ids - set(counts)
        repeated = sum(n - 1 for n in counts.values())
        violations = sum(order_violations(reference, log) for log in logs)
        drafts = {u.user_id: await repos.applications.draft_of(u.user_id) for u in users}
        missing = [uid for uid, d in drafts.items()
                   if d is None or (d.applicant_name, d.id_number, d.vin, d.make, d.model,
                                    d.year) != (f"Айгерим {uid}", "870512300122", GOOD_VIN,
                                                "BYD", "Han", 2024) or not d.phone]
        audience = len(audience_ids)
        print(f"\nfailover: 3 instances, killed pid {pid} after {at_kill} sends; audience "
              f"{audience}, delivered {len(counts)}, repeated {repeated}, lost {len(lost)}, "
              f"order violations {violations}, form replies before the kill "
              f"{form_replies_at_kill}/{progress()}, forms kept {FORM_USERS - len(missing)}/"
              f"{FORM_USERS}; front: {dict(cluster.front.served) if cluster.front else {}}")
        assert not lost, sorted(lost)[:10]
        assert repeated <= WORKERS, repeated
        assert violations == 0, (reference, logs)
        assert 0 < form_replies_at_kill < progress()  # the kill came mid-form
        assert not missing, {uid: drafts[uid] for uid in missing}
    except BaseException:
        print(cluster.logs())  # what the instances said, for the failure's report
        raise
    finally:
        await cluster.stop()
        await repos.close()
        await drop_schema(schema)
