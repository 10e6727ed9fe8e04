"""What both database backends share: the interface repositories use, rows, errors, and
the one numbered list of migrations.

A repository sees a `Database` and never which one: SQLite (storage.sqlite, the embedded
default) or PostgreSQL (storage.pg, for several instances). Both take the same SQL with
`?` placeholders (storage.dialect translates what differs), give rows readable by column
name or position, and run `write()` transactions whose connection has `execute` (awaited,
or used as `async with … as cursor`: `fetchone()`, `fetchall()`, `rowcount`,
`lastrowid`), `executemany` and `execute_fetchall`.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol

import asyncpg

Params = tuple[Any, ...]
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# A unique key or a foreign key refused the change, whichever database said so.
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError,
                                               asyncpg.IntegrityConstraintViolationError)


class Row(Protocol):
    """A result row: by column name or position; dict(row) gives name -> value."""
    def __getitem__(self, key: Any, /) -> Any: ...
    def keys(self) -> Any: ...


class Connection(Protocol):
    """The connection a write() transaction yields (aiosqlite's, or storage.pg's facade)."""
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    async def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    async def execute_fetchall(self, sql: str, parameters: Any = ..., /) -> Any: ...


class MigrationError(Exception):
    """A migration failed; the database is as it was before it."""


class NotWritable(Exception):
    """The database (file, folder or server) cannot be written."""


def one(row: Row | None) -> Row:
    """The row a statement must return (INSERT … RETURNING, an aggregate)."""
    if row is None:
        raise LookupError("the statement returned no row")
    return row


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    numbers = [n for n, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    # Gaps are allowed: parallel branches take blocks of numbers, and each migration is
    # recorded as applied by its number (SCHEMA_TABLE), so one merged later with a lower
    # number than those already applied still runs.
    return found


# The migrations applied, by number: created by the migration runner itself (not by a
# numbered file), on both databases.
SCHEMA_TABLE = ("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " applied_at INTEGER NOT NULL)")


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | Path) -> str:
    """The file of a `sqlite:///path` URL (or a plain path, as it is)."""
    text = str(target)
    return text[len("sqlite:///"):] if text.startswith("sqlite:///") else text


class Database:
    """The interface every repository uses; Database.open picks the backend by URL
    (`postgresql://…`, else an SQLite path or `sqlite:///path`)."""

    backends: ClassVar[dict[str, type[Database]]] = {}  # "sqlite", "postgresql"
    dialect: ClassVar[str] = ""
    # Several instances may share the database: no shortcut that assumes one process.
    shared: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.dialect:
            Database.backends[cls.dialect] = cls

    @classmethod
    async def open(cls, target: str | Path) -> Database:
        backend = cls.backends["postgresql" if is_postgres(target) else "sqlite"]
        return await backend.connect(target)

    @classmethod
    async def connect(cls, target: str | Path) -> Database:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
        raise NotImplementedError

    async def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[int]:
        """Apply the migrations newer than the recorded version; return those applied. A
        migration that fails is rolled back whole and stops the rest (MigrationError)."""
        raise NotImplementedError

    def write(self) -> AbstractAsyncContextManager[Any]:
        """A write transaction (yields a Connection); commits on success, rolls back on
        error."""
        raise NotImplementedError

    async def run(self, sql: str, params: Params = ()) -> list[Any]:
        """One write statement in its own transaction; returns RETURNING rows, if any."""
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        raise NotImplementedError

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        raise NotImplementedError

    async def scalar(self, sql: str, params: Params = ()) -> int:
        """The one number a query gives (a count, a version)."""
        return int(one(await self.fetchone(sql, params))[0])

    async def lookup(self, sql: str, params: Params = ()) -> Any:
        """One row by its key, on the hot path."""
        return await self.fetchone(sql, params)

    async def put(self, sql: str, params: Params = ()) -> list[Any]:
        """One write statement on one row by its key, on the hot path."""
        return await self.run(sql, params)

    async def checkpoint(self) -> tuple[int, int]:
        return 0, 0

    async def truncate_wal(self) -> bool:
        return True

    def chat_lock(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """Held while one update of the chat is handled: across instances sharing the
        database, one chat's updates run one at a time (one process needs no more than its
        own per-chat lock)."""
        return _nothing()

    async def lease(self, name: str, holder: str, seconds: int, now: int) -> bool:
        """Take or renew the lease `name` for `holder` until now + seconds; False while
        another holder's lease runs. Broadcast senders and scheduled jobs use it, so one
        instance at a time does each, and another takes over once a holder stops renewing."""
        async with self.write() as conn:
            await conn.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
                (name, holder, now + seconds, now))
            row = await (await conn.execute("SELECT holder FROM leases WHERE name = ?",
                                            (name,))).fetchone()
        return row is not None and row["holder"] == holder

    async def release(self, name: str, holder: str) -> None:
        await self.run("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    async def once(self, job: str, slot: str, now: int) -> bool:
        """Whether this instance is the one to run `job` for `slot` (a day, an hour): the
        first to ask is, every later one (another instance, a restart) is not."""
        rows = await self.run("INSERT INTO job_runs (job, slot, at) VALUES (?, ?, ?)"
                              " ON CONFLICT DO NOTHING RETURNING job", (job, slot, now))
        return bool(rows)


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


def rows_of(result: Iterable[Any]) -> list[Any]:
    return list(result)
