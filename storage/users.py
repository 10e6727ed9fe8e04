"""Users: who they are, their language and role, and whether they blocked the bot."""
from __future__ import annotations

import dataclasses

from domain.users import ROLES, User
from storage.db import Database, Row


def _user(row: Row) -> User:
    return User(id=row["id"], first_name=row["first_name"], username=row["username"],
                language=row["language"], role=row["role"], role_chosen=bool(row["role_chosen"]),
                first_seen=row["first_seen"], last_seen=row["last_seen"],
                blocked=bool(row["blocked"]), muted=bool(row["muted"]))


class UserRepo:
    def __init__(self, db: Database):
        self.db = db
        self._seen: dict[int, int] = {}  # last_seen updates waiting for flush_seen()

    async def load(self, user_id: int, first_name: str, username: str | None, now: int
                   ) -> tuple[User, Row | None]:
        """The user and the raw joined row (user + conversation) in one read, on every
        update. Only a new or changed user is written now; last_seen is batched."""
        row = await self.db.lookup(
            "SELECT u.*, c.flow, c.step, c.data, c.message_id, c.updated_at AS conv_updated,"
            " c.parked, c.version, c.update_id"
            " FROM users u LEFT JOIN conversations c ON c.user_id = u.id WHERE u.id = ?",
            (user_id,))
        if row is None or row["first_name"] != first_name or row["username"] != username \
                or row["blocked"]:
            user = await self.touch(user_id, first_name, username, now)
            return user, row
        self._seen[user_id] = now
        return dataclasses.replace(_user(row), last_seen=now), row

    async def flush_seen(self) -> int:
        """Write the batched last_seen times (one transaction); returns how many."""
        seen, self._seen = self._seen, {}
        if seen:
            async with self.db.write() as conn:
                await conn.executemany(
                    "UPDATE users SET last_seen = ? WHERE id = ? AND last_seen < ?",
                    [(ts, uid, ts) for uid, ts in seen.items()])
        return len(seen)

    async def touch(self, user_id: int, first_name: str, username: str | None, now: int) -> User:
        """Record that the user wrote to us (one round trip): create or refresh, unblock."""
        rows = await self.db.put(
            "INSERT INTO users (id, first_name, username, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, last_seen = excluded.last_seen, blocked = 0"
            " RETURNING *", (user_id, first_name, username, now, now))
        return _user(rows[0])

    async def get(self, user_id: int) -> User | None:
        row = await self.db.lookup("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def set_language(self, user_id: int, language: str) -> None:
        await self.db.put("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_role(self, user_id: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(role)
        await self.db.put("UPDATE users SET role = ?, role_chosen = 1 WHERE id = ?",
                          (role, user_id))

    async def mark_blocked(self, user_id: int) -> None:
        await self.db.put("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))

    async def count(self) -> int:
        return await self.db.scalar("SELECT count(*) FROM users")

    async def highest_id(self) -> int:
        """The largest user id stored, 0 if none (local mode's new users go above it)."""
        return await self.db.scalar("SELECT coalesce(max(id), 0) FROM users")

    async def with_roles(self, roles: tuple[str, ...]) -> list[int]:
        marks = ", ".join("?" for _ in roles)
        rows = await self.db.fetchall(f"SELECT id FROM users WHERE role IN ({marks})", roles)
        return [r["id"] for r in rows]

    async def by_username(self, username: str) -> User | None:
        """A user who has written to the bot, by their @username (any case); None when two
        rows have it (a name given up and taken by someone else: only an id is sure)."""
        rows = await self.db.fetchall(
            "SELECT * FROM users WHERE lower(username) = lower(?) LIMIT 2", (username,))
        return _user(rows[0]) if len(rows) == 1 else None

    async def language_of(self, user_id: int) -> str | None:
        row = await self.db.lookup("SELECT language FROM users WHERE id = ?", (user_id,))
        return row["language"] if row else None

    async def set_muted(self, user_id: int, muted: bool) -> None:
        await self.db.put("UPDATE users SET muted = ? WHERE id = ?", (int(muted), user_id))

    async def grant(self, user_id: int, role: str, actor_id: int, now: int) -> None:
        """Give or take the staff role (role 'staff' or back to 'importer'), recorded."""
        action = "revoke" if role == "importer" else "grant"
        async with self.db.write() as conn:
            await conn.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))
            await conn.execute(
                "INSERT INTO role_grants (user_id, role, action, actor_id, at)"
                " VALUES (?, 'staff', ?, ?, ?)", (user_id, action, actor_id, now))
