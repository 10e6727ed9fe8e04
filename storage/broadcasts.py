"""Broadcasts and their per-recipient delivery rows."""
from __future__ import annotations

import json
from typing import Any

from domain.broadcast import OUTCOMES, Audience, Broadcast
from storage.db import Database, Params, Row, one


def audience_where(audience: Audience) -> tuple[str, Params]:
    """A WHERE clause over `users u` selecting the recipients (blocked ones never)."""
    base = "u.blocked = 0"
    if audience.kind in ("importer", "engineer"):
        return f"{base} AND u.role = ?", (audience.kind,)
    if audience.kind == "language":
        return f"{base} AND u.language = ?", (audience.value,)
    if audience.kind == "status":
        return (f"{base} AND u.id IN (SELECT user_id FROM applications WHERE status = ?)",
                (audience.value,))
    return base, ()


def _broadcast(row: Row) -> Broadcast:
    data = dict(row)
    data["texts"] = json.loads(data["texts"])
    data["audience"] = Audience(**json.loads(data["audience"]))
    data["paid"] = bool(data["paid"])
    return Broadcast(**data)


class BroadcastRepo:
    def __init__(self, db: Database):
        self.db = db

    async def count_audience(self, audience: Audience) -> int:
        where, params = audience_where(audience)
        return await self.db.scalar(f"SELECT count(*) FROM users u WHERE {where}", params)

    async def create(self, author_id: int, texts: dict[str, str], media_kind: str | None,
                     media_file_id: str | None, audience: Audience, paid: bool,
                     scheduled_at: int, now: int, chat_id: int | None) -> Broadcast:
        async with self.db.write() as conn:
            async with conn.execute(
                    "INSERT INTO broadcasts (author_id, texts, media_kind, media_file_id, audience,"
                    " paid, scheduled_at, created_at, progress_chat_id) VALUES (?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?) RETURNING *",
                    (author_id, json.dumps(texts, ensure_ascii=False), media_kind, media_file_id,
                     json.dumps({"kind": audience.kind, "value": audience.value}), int(paid),
                     scheduled_at, now, chat_id)) as cur:
                return _broadcast(one(await cur.fetchone()))

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def due(self, now: int) -> list[Broadcast]:
        rows = await self.db.fetchall(
            "SELECT * FROM broadcasts WHERE status = 'scheduled' AND scheduled_at <= ?", (now,))
        return [_broadcast(r) for r in rows]

    async def in_status(self, status: str) -> list[Broadcast]:
        rows = await self.db.fetchall("SELECT * FROM broadcasts WHERE status = ?", (status,))
        return [_broadcast(r) for r in rows]

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        rows = await self.db.fetchall("SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?",
                                      (limit,))
        return [_broadcast(r) for r in rows]

    async def start(self, broadcast: Broadcast, now: int) -> bool:
        """scheduled -> sending, creating one delivery row per recipient (one statement).
        False if it was not scheduled any more (cancelled, or started by another tick)."""
        where, params = audience_where(broadcast.audience)
        async with self.db.write() as conn:
            cur = await conn.execute(
                "UPDATE broadcasts SET status = 'sending', started_at = ? WHERE id = ?"
                " AND status = 'scheduled'", (now, broadcast.id))
            if cur.rowcount != 1:
                return False
            await conn.execute(
                f"INSERT INTO deliveries (broadcast_id, user_id) SELECT CAST(? AS BIGINT), u.id"
                f" FROM users u WHERE {where} ON CONFLICT DO NOTHING", (broadcast.id, *params))
            return True

    async def set_status(self, broadcast_id: int, new: str, expected: tuple[str, ...],
                         now: int) -> bool:
        marks = ", ".join("?" for _ in expected)
        finished = ", finished_at = ?" if new in ("done", "cancelled") else ""
        params = (new, now) if finished else (new,)
        async with self.db.write() as conn:
            cur = await conn.execute(
                f"UPDATE broadcasts SET status = ?{finished} WHERE id = ? AND status IN ({marks})",
                (*params, broadcast_id, *expected))
            return bool(cur.rowcount == 1)

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self.db.run("UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                          (message_id, broadcast_id))

    async def pending(self, broadcast_id: int, after_user: int, limit: int, now: int
                      ) -> list[tuple[int, str | None, bool]]:
        """(user id, language, gone) of pending recipients due by `now`, in user id order;
        gone: the user blocked the bot or deleted their data since the broadcast started."""
        rows = await self.db.fetchall(
            "SELECT d.user_id, u.language, coalesce(u.blocked, 1) AS gone FROM deliveries d"
            " LEFT JOIN users u ON u.id = d.user_id WHERE d.broadcast_id = ?"
            " AND d.status = 'pending' AND d.user_id > ?"
            " AND (d.retry_at IS NULL OR d.retry_at <= ?) ORDER BY d.user_id LIMIT ?",
            (broadcast_id, after_user, now, limit))
        return [(r["user_id"], r["language"], bool(r["gone"])) for r in rows]

    async def mark(self, broadcast_id: int, user_id: int, status: str, now: int) -> None:
        """Recorded the moment the send returns: a restart never sends it again."""
        if status not in OUTCOMES:
            raise ValueError(f"not a delivery outcome: {status}")
        await self.db.run(
            "UPDATE deliveries SET status = ?, sent_at = ?, attempts = attempts + 1"
            " WHERE broadcast_id = ? AND user_id = ?", (status, now, broadcast_id, user_id))

    async def figures(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,))
        found = {r["status"]: r["n"] for r in rows}
        return {s: found.get(s, 0) for s in ("pending", *OUTCOMES)}

    async def attempts(self, broadcast_id: int, user_id: int) -> int:
        row = await self.db.fetchone("SELECT attempts FROM deliveries WHERE broadcast_id = ?"
                                     " AND user_id = ?", (broadcast_id, user_id))
        return int(row[0]) if row else 0

    async def attempt_failed(self, broadcast_id: int, user_id: int, retry_at: int) -> None:
        """Count a failed attempt (network trouble) for one recipient, who waits until
        `retry_at`."""
        await self.db.run("UPDATE deliveries SET attempts = attempts + 1, retry_at = ?"
                          " WHERE broadcast_id = ? AND user_id = ?",
                          (retry_at, broadcast_id, user_id))

    async def later(self, broadcast_id: int, user_id: int, retry_at: int) -> None:
        """This recipient's own chat is over its limit: they wait, the others go on."""
        await self.db.run("UPDATE deliveries SET retry_at = ? WHERE broadcast_id = ? AND"
                          " user_id = ?", (retry_at, broadcast_id, user_id))

    async def waiting(self, broadcast_id: int) -> int | None:
        """When the next recipient still pending is due (None: nobody is pending)."""
        row = await self.db.fetchone(
            "SELECT count(*), min(coalesce(retry_at, 0)) FROM deliveries"
            " WHERE broadcast_id = ? AND status = 'pending'", (broadcast_id,))
        return None if row is None or not row[0] else int(row[1])

    async def deliveries_of(self, user_id: int) -> list[dict[str, Any]]:
        """Which broadcasts were (or are to be) delivered to the user, and how (for /mydata)."""
        rows = await self.db.fetchall(
            "SELECT broadcast_id AS broadcast, status, attempts, sent_at FROM deliveries"
            " WHERE user_id = ? ORDER BY broadcast_id", (user_id,))
        return [dict(r) for r in rows]
