"""Threads between applicants and the centre and their messages (domain.threads)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields

from domain.outbox import Owed
from domain.threads import Thread, ThreadMessage
from storage.db import Database, Row, one
from storage.outbox import add_owed

_THREAD = [f.name for f in fields(Thread)]
_MESSAGE = [f.name for f in fields(ThreadMessage)]
Owing = Callable[[int], Sequence[Owed]]  # what a new message owes, given its id


def _thread(row: Row) -> Thread:
    return Thread(**{k: row[k] for k in _THREAD})


def _message(row: Row) -> ThreadMessage:
    return ThreadMessage(**{k: row[k] for k in _MESSAGE})


class ThreadRepo:
    def __init__(self, db: Database):
        self.db = db

    async def ensure(self, key: str, application_id: int | None, user_id: int | None,
                     now: int) -> Thread:
        """The thread with this key, created on first use."""
        await self.db.run(
            "INSERT INTO threads (key, application_id, user_id, last_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING", (key, application_id, user_id, now))
        return _thread(one(await self.db.fetchone("SELECT * FROM threads WHERE key = ?",
                                                  (key,))))

    async def get(self, thread_id: int) -> Thread | None:
        row = await self.db.fetchone("SELECT * FROM threads WHERE id = ?", (thread_id,))
        return _thread(row) if row else None

    async def by_key(self, key: str) -> Thread | None:
        row = await self.db.fetchone("SELECT * FROM threads WHERE key = ?", (key,))
        return _thread(row) if row else None

    async def by_topic(self, topic_id: int) -> Thread | None:
        row = await self.db.fetchone("SELECT * FROM threads WHERE topic_id = ?", (topic_id,))
        return _thread(row) if row else None

    async def set_topic(self, thread_id: int, topic_id: int | None) -> None:
        await self.db.run("UPDATE threads SET topic_id = ? WHERE id = ?", (topic_id, thread_id))

    async def add(self, thread_id: int, kind: str, author_id: int | None, text: str, now: int,
                  file_id: str | None = None, file_type: str | None = None,
                  owing: Owing | None = None) -> ThreadMessage:
        """A message with what it owes (deliveries, alerts), in one transaction. An
        applicant's message starts the wait (if none is running); a reply ends it."""
        async with self.db.write() as conn:
            async with conn.execute(
                    "INSERT INTO thread_messages (thread_id, kind, author_id, text, file_id,"
                    " file_type, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (thread_id, kind, author_id, text, file_id, file_type, now)) as cur:
                message = _message(one(await cur.fetchone()))
            if kind == "in":
                await conn.execute("UPDATE threads SET waiting_since = coalesce(waiting_since,"
                                   " ?), last_at = ? WHERE id = ?", (now, now, thread_id))
            elif kind == "out":
                await conn.execute("UPDATE threads SET waiting_since = NULL, last_at = ?"
                                   " WHERE id = ?", (now, thread_id))
            if owing is not None:
                await add_owed(conn, owing(message.id), now)
        return message

    async def assign(self, thread_id: int, assignee_id: int | None, actor_id: int, now: int,
                     expected: int | None) -> bool:
        """Compare-and-set the owner (False: someone changed it first), with its history
        entry."""
        async with self.db.write() as conn:
            if expected is None:
                cur = await conn.execute("UPDATE threads SET assignee_id = ? WHERE id = ? AND"
                                         " assignee_id IS NULL", (assignee_id, thread_id))
            else:
                cur = await conn.execute("UPDATE threads SET assignee_id = ? WHERE id = ? AND"
                                         " assignee_id = ?", (assignee_id, thread_id, expected))
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "INSERT INTO thread_messages (thread_id, kind, author_id, text, at)"
                " VALUES (?, 'assign', ?, ?, ?)",
                (thread_id, actor_id, str(assignee_id or ""), now))
        return True

    async def message(self, message_id: int) -> ThreadMessage | None:
        row = await self.db.fetchone("SELECT * FROM thread_messages WHERE id = ?",
                                     (message_id,))
        return _message(row) if row else None

    async def messages(self, thread_id: int, limit: int = 1000) -> list[ThreadMessage]:
        """The newest `limit`, oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM (SELECT * FROM thread_messages WHERE thread_id = ?"
            " ORDER BY id DESC LIMIT ?) newest ORDER BY id", (thread_id, limit))
        return [_message(r) for r in rows]

    async def of_user(self, user_id: int) -> list[tuple[Thread, list[ThreadMessage]]]:
        """The user's conversations with what they wrote and were told (/mydata; staff's
        internal notes and desk events are not theirs to read)."""
        found = []
        for row in await self.db.fetchall("SELECT * FROM threads WHERE user_id = ? ORDER BY id",
                                          (user_id,)):
            messages = await self.db.fetchall(
                "SELECT * FROM thread_messages WHERE thread_id = ? AND kind IN ('in', 'out')"
                " ORDER BY id", (row["id"],))
            found.append((_thread(row), [_message(m) for m in messages]))
        return found

    async def count(self, thread_id: int) -> int:
        return await self.db.scalar("SELECT count(*) FROM thread_messages WHERE thread_id = ?"
                                    " AND kind IN ('in', 'out', 'note')", (thread_id,))

    async def unanswered(self, offset: int, limit: int) -> list[Thread]:
        """Threads whose applicant waits for an answer, longest wait first."""
        rows = await self.db.fetchall(
            "SELECT * FROM threads WHERE waiting_since IS NOT NULL"
            " ORDER BY waiting_since, id LIMIT ? OFFSET ?", (limit, offset))
        return [_thread(r) for r in rows]

    async def count_unanswered(self) -> int:
        return await self.db.scalar(
            "SELECT count(*) FROM threads WHERE waiting_since IS NOT NULL")

    async def of_assignee(self, assignee_id: int) -> list[Thread]:
        """A staff member's cases: those waiting for an answer first, then the latest."""
        rows = await self.db.fetchall(
            "SELECT t.* FROM threads t LEFT JOIN applications a ON a.id = t.application_id"
            " WHERE t.assignee_id = ? AND (a.id IS NULL OR a.status NOT IN"
            " ('approved', 'rejected', 'withdrawn'))"
            " ORDER BY CASE WHEN t.waiting_since IS NULL THEN 1 ELSE 0 END,"
            " t.waiting_since, t.last_at DESC LIMIT 100", (assignee_id,))
        return [_thread(r) for r in rows]

    async def assignees(self) -> dict[int, int]:
        """Each application's owner among staff (application id -> staff id)."""
        rows = await self.db.fetchall(
            "SELECT application_id, assignee_id FROM threads WHERE application_id IS NOT NULL"
            " AND assignee_id IS NOT NULL")
        return {r[0]: r[1] for r in rows}
