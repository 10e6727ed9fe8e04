"""Reminders: scheduled messages kept in the database until sent (an outbox)."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from domain.reminders import Reminder
from storage.db import Database, Row


def _reminder(row: Row) -> Reminder:
    return Reminder(id=row["id"], user_id=row["user_id"], kind=row["kind"],
                    subject=row["subject"], due_at=row["due_at"],
                    payload=json.loads(row["payload"]), status=row["status"])


class ReminderRepo:
    def __init__(self, db: Database):
        self.db = db

    async def schedule(self, user_id: int, kind: str, subject: str, due_at: int,
                       payload: dict[str, Any], now: int) -> Reminder | None:
        """The new reminder, or None if the same one is already pending."""
        try:
            rows = await self.db.run(
                "INSERT INTO reminders (user_id, kind, subject, due_at, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (user_id, kind, subject, due_at, json.dumps(payload, ensure_ascii=False), now))
        except sqlite3.IntegrityError:
            return None
        return _reminder(rows[0])

    async def pending(self, user_id: int, kind: str, subject: str) -> Reminder | None:
        row = await self.db.fetchone(
            "SELECT * FROM reminders WHERE user_id = ? AND kind = ? AND subject = ?"
            " AND status = 'pending'", (user_id, kind, subject))
        return _reminder(row) if row else None

    async def due(self, now: int, limit: int = 100) -> list[Reminder]:
        rows = await self.db.fetchall(
            "SELECT * FROM reminders WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?", (now, limit))
        return [_reminder(r) for r in rows]

    async def postpone(self, reminder_id: int, due_at: int) -> None:
        await self.db.run("UPDATE reminders SET due_at = ? WHERE id = ? AND status = 'pending'",
                          (due_at, reminder_id))

    async def finish(self, reminder_id: int, status: str, now: int) -> None:
        """Mark sent (or dropped) the moment it is done, so a restart never repeats it."""
        await self.db.run("UPDATE reminders SET status = ?, sent_at = ? WHERE id = ?",
                          (status, now, reminder_id))

    async def of_user(self, user_id: int) -> list[dict[str, Any]]:
        """The user's reminders, sent and pending, with what each says (for /mydata)."""
        rows = await self.db.fetchall(
            "SELECT kind, subject, due_at, payload, status, created_at, sent_at FROM reminders"
            " WHERE user_id = ? ORDER BY id", (user_id,))
        return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]

    # --- the staff digest: once per working day ---------------------------------------------
    async def digest_sent(self, day: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM digests WHERE day = ?", (day,)) is not None

    async def mark_digest(self, day: str, now: int) -> None:
        await self.db.run("INSERT OR IGNORE INTO digests (day, sent_at) VALUES (?, ?)",
                          (day, now))
