"""The outbox (everything the bot owes someone) and the record of handled updates."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.outbox import Notice, Owed
from storage.db import Connection, Database, Row

INSERT = ("INSERT INTO outbox (chat_id, kind, subject, due_at, payload, created_at)"
          " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")


def _notice(row: Row) -> Notice:
    return Notice(id=row["id"], chat_id=row["chat_id"], kind=row["kind"],
                  subject=row["subject"], due_at=row["due_at"],
                  payload=json.loads(row["payload"]), status=row["status"],
                  attempts=row["attempts"])


def _values(owed: Owed, now: int) -> tuple[Any, ...]:
    return (owed.chat_id, owed.kind, owed.subject, owed.due_at,
            json.dumps(owed.payload, ensure_ascii=False), now)


async def add_owed(conn: Connection, owed: Sequence[Owed], now: int) -> None:
    """Write notices inside the caller's transaction (the change that caused them)."""
    if owed:
        await conn.executemany(INSERT, [_values(o, now) for o in owed])


class OutboxRepo:
    def __init__(self, db: Database):
        self.db = db

    async def schedule(self, owed: Owed, now: int) -> Notice | None:
        """The new notice, or None if the same one is already pending."""
        rows = await self.db.run(INSERT + " RETURNING *", _values(owed, now))
        return _notice(rows[0]) if rows else None

    async def pending(self, chat_id: int, kind: str, subject: str) -> Notice | None:
        row = await self.db.fetchone(
            "SELECT * FROM outbox WHERE chat_id = ? AND kind = ? AND subject = ?"
            " AND status IN ('pending', 'claimed')", (chat_id, kind, subject))
        return _notice(row) if row else None

    async def pending_of(self, chat_id: int, kind: str, limit: int = 50) -> list[Notice]:
        """A chat's notices of one kind still to be sent, soonest first (its reminders)."""
        rows = await self.db.fetchall(
            "SELECT * FROM outbox WHERE chat_id = ? AND kind = ? AND status = 'pending'"
            " ORDER BY due_at, id LIMIT ?", (chat_id, kind, limit))
        return [_notice(r) for r in rows]

    async def cancel(self, notice_id: int, chat_id: int, kind: str, now: int) -> bool:
        """Drop a pending notice at its recipient's request: only their own, of that kind,
        and only while it waits (one being sent is not taken back). False otherwise."""
        rows = await self.db.run(
            "UPDATE outbox SET status = 'dropped', sent_at = ? WHERE id = ? AND chat_id = ?"
            " AND kind = ? AND status = 'pending' RETURNING id",
            (now, notice_id, chat_id, kind))
        return bool(rows)

    async def claim(self, now: int, lease: int, limit: int = 50) -> list[Notice]:
        """Take due notices for sending: no one else takes them until `now + lease` (a
        claim not finished by then was lost with its process, and is taken again)."""
        # Several senders (instances) claim at once: each skips the rows another is
        # claiming, so no row is taken twice and none waits.
        rows = await self.db.run(
            "UPDATE outbox SET status = 'claimed', claimed_until = ? WHERE id IN ("
            " SELECT id FROM outbox WHERE (status = 'pending' AND due_at <= ?)"
            " OR (status = 'claimed' AND claimed_until < ?) ORDER BY due_at, id LIMIT ?"
            " FOR UPDATE SKIP LOCKED) RETURNING *", (now + lease, now, now, limit))
        return sorted((_notice(r) for r in rows), key=lambda n: (n.due_at, n.id))

    async def earlier_undelivered(self, notice: Notice) -> bool:
        """Whether a notice of the same kind to the same chat, written before this one, is
        still waiting (such notices are told in order: status changes)."""
        row = await self.db.fetchone(
            "SELECT 1 FROM outbox WHERE chat_id = ? AND kind = ? AND id < ?"
            " AND status IN ('pending', 'claimed') LIMIT 1",
            (notice.chat_id, notice.kind, notice.id))
        return row is not None

    async def finish(self, notice_id: int, status: str, now: int) -> None:
        """sent, dropped (its reason is gone) or failed: marked the moment it is known, so a
        restart never repeats it."""
        await self.db.run("UPDATE outbox SET status = ?, sent_at = ?, claimed_until = NULL"
                          " WHERE id = ?", (status, now, notice_id))

    async def postpone(self, notice_id: int, due_at: int, failed: bool = False) -> None:
        """Back to pending until `due_at` (quiet hours, or a retry after a failure)."""
        await self.db.run(
            "UPDATE outbox SET status = 'pending', due_at = ?, claimed_until = NULL,"
            " attempts = attempts + ? WHERE id = ?", (due_at, int(failed), notice_id))

    async def of_chat(self, chat_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT kind, subject, due_at, status, payload, created_at, sent_at FROM outbox"
            " WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]

    async def next_due(self) -> int | None:
        """When the earliest pending notice is due (None: nothing pending)."""
        row = await self.db.fetchone(
            "SELECT min(due_at) FROM outbox WHERE status IN ('pending', 'claimed')")
        return row[0] if row else None

    # --- the staff digest: once per working day ---------------------------------------------
    async def digest_sent(self, day: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM digests WHERE day = ?", (day,)) is not None

    async def add_digest(self, day: str, owed: Sequence[Owed], now: int) -> bool:
        """Mark the day's digest done and owe its messages, in one transaction; False if
        it was done already (by another tick or instance)."""
        async with self.db.write() as conn:
            cursor = await conn.execute(
                "INSERT INTO digests (day, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (day, now))
            if cursor.rowcount != 1:
                return False
            await add_owed(conn, owed, now)
        return True


class UpdateRepo:
    """Updates handled, so a re-delivered one is recognised (lookups on the hot path).

    Telegram's update ids increase: an update newer than every one recorded when this
    process started cannot be a re-delivery of an earlier process's; one this process
    handled (a webhook re-delivery) is in `recent`. Only the older ones are looked up.
    With several instances on one database (db.shared) that shortcut is wrong (another
    instance may have handled a newer one, and its re-delivery may come here), so every
    update not in `recent` is looked up."""

    RECENT = 10_000

    def __init__(self, db: Database):
        self.db = db
        self.newest_before_start: int | None = None  # read once, on first use
        self.recent: set[int] = set()

    async def handled(self, update_id: int) -> bool:
        if self.newest_before_start is None:
            row = await self.db.fetchone("SELECT max(update_id) FROM handled_updates")
            self.newest_before_start = int(row[0]) if row and row[0] is not None else 0
        if update_id in self.recent:
            return True
        if update_id > self.newest_before_start and not self.db.shared:
            return False
        row = await self.db.lookup("SELECT 1 FROM handled_updates WHERE update_id = ?",
                                   (update_id,))
        return row is not None

    async def mark_handled(self, update_id: int, now: int) -> None:
        if len(self.recent) >= self.RECENT:
            self.recent.clear()  # older ones are in the table
        self.recent.add(update_id)
        await self.db.put("INSERT INTO handled_updates (update_id, at) VALUES (?, ?)"
                          " ON CONFLICT DO NOTHING", (update_id, now))

    async def forget_before(self, before: int) -> None:
        await self.db.run("DELETE FROM handled_updates WHERE at < ?", (before,))
