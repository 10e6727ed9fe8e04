"""PostgreSQL (asyncpg), for several bot instances on one database.

The same interface as storage.sqlite, so repositories run unchanged: statements written
with `?` are translated once (storage.dialect, cached), rows are asyncpg Records (by
column name or position, dict(row)), and write() yields a connection with aiosqlite's
shape: `execute` (awaited, or `async with`) gives a cursor with fetchone/fetchall,
rowcount (from the command tag) and lastrowid (an INSERT into a table with an `id`
identity returns it), plus executemany and execute_fetchall.

What several instances need beyond that is here too: chat_lock (a session advisory lock
per chat, on a pool of its own so that handlers waiting for database connections never
hold up the locks), and the migration runner taking an advisory lock, so two instances
starting at once do not both migrate.
"""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlparse

import asyncpg

from storage.dialect import (
    for_postgres,
    inserted_table,
    migration_for_postgres,
    returns_rows,
    rowcount,
)
from storage.sql import (
    MIGRATIONS_DIR,
    SCHEMA_TABLE,
    Database,
    MigrationError,
    NotWritable,
    Params,
    migrations,
)

log = logging.getLogger(__name__)
# Connections per instance, at most: PostgreSQL's default max_connections (100) takes three
# instances; raise it for more (compose.yaml does).
POOL_SIZE = 12        # for statements and transactions (each holds one for milliseconds)
LOCK_POOL_SIZE = 16   # holding chats' advisory locks: one per update being handled (the
                      # default concurrent_updates; beyond it an update waits for one)
# One instance migrates at a time. Chats' locks take one bigint key (the chat id); this
# takes two int keys, a key space PostgreSQL keeps apart from the bigint one.
MIGRATION_LOCK = (19, 1)


class PgCursor:
    """What aiosqlite's cursor offers, over rows already fetched."""

    def __init__(self, rows: list[asyncpg.Record], count: int, lastrowid: int | None):
        self._rows, self.rowcount, self.lastrowid = rows, count, lastrowid
        self._next = 0

    async def fetchone(self) -> asyncpg.Record | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[asyncpg.Record]:
        rows, self._next = self._rows[self._next:], len(self._rows)
        return rows

    def __aiter__(self) -> PgCursor:
        return self

    async def __anext__(self) -> asyncpg.Record:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def close(self) -> None:
        pass


class _Pending:
    """`conn.execute(…)` as aiosqlite returns it: awaitable, or an async context manager."""

    def __init__(self, run: Any):
        self._run = run
        self._cursor: PgCursor | None = None

    def __await__(self) -> Any:
        return self._run.__await__()

    async def __aenter__(self) -> PgCursor:
        self._cursor = await self._run
        return self._cursor

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        pass


class PgConnection:
    """One pooled connection inside a transaction (write()), shaped as aiosqlite's."""

    def __init__(self, conn: asyncpg.Connection, db: PgDatabase):
        self.conn, self.db = conn, db

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> _Pending:
        return _Pending(self.db.statement(self.conn, sql, tuple(parameters)))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> None:
        args = [tuple(p) for p in parameters]
        if args:
            await self.conn.executemany(for_postgres(sql), args)

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()
                               ) -> list[asyncpg.Record]:
        cursor = await self.db.statement(self.conn, sql, tuple(parameters))
        return await cursor.fetchall()


class PgDatabase(Database):
    dialect = "postgresql"
    shared = True

    def __init__(self, pool: asyncpg.Pool, locks: asyncpg.Pool, url: str):
        self.pool, self.locks, self.url = pool, locks, url
        self.id_tables: set[str] = set()  # tables with an `id` identity (lastrowid)

    @classmethod
    async def connect(cls, target: str | Path) -> PgDatabase:
        url = str(target)
        schema = _search_path(url)
        try:
            if schema:  # a schema of its own (tests, several bots on one server)
                conn = await asyncpg.connect(url)
                try:
                    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                finally:
                    await conn.close()
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
            locks = await asyncpg.create_pool(url, min_size=0, max_size=LOCK_POOL_SIZE)
        except (OSError, asyncpg.PostgresError) as exc:
            raise NotWritable(f"database {_safe(url)} cannot be reached: {exc}") from exc
        db = cls(pool, locks, url)
        await db._learn_tables()
        return db

    async def close(self) -> None:
        await self.locks.close()
        await self.pool.close()

    async def _learn_tables(self) -> None:
        rows = await self.pool.fetch(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'id'"
            " AND is_identity = 'YES' AND table_schema = current_schema()")
        self.id_tables = {r["table_name"] for r in rows}

    # --- statements ------------------------------------------------------------------------
    async def statement(self, conn: asyncpg.Connection, sql: str, params: Params) -> PgCursor:
        """Run one statement on `conn`: the one place where a statement's rows, its row
        count and the id it inserted are worked out."""
        text = for_postgres(sql)
        table = inserted_table(text)
        if table in self.id_tables and not returns_rows(text):
            rows = await conn.fetch(text + " RETURNING id", *params)
            return PgCursor([], len(rows), rows[-1]["id"] if rows else None)
        if returns_rows(text):
            rows = await conn.fetch(text, *params)
            return PgCursor(rows, len(rows), None)
        status = await conn.execute(text, *params)
        return PgCursor([], rowcount(status), None)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PgConnection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield PgConnection(conn, self)

    async def run(self, sql: str, params: Params = ()) -> list[Any]:
        async with self.pool.acquire() as conn:
            cursor = await self.statement(conn, sql, params)
        return await cursor.fetchall()

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        return await self.pool.fetchrow(for_postgres(sql), *params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return list(await self.pool.fetch(for_postgres(sql), *params))

    # --- migrations ------------------------------------------------------------------------
    async def schema_version(self) -> int:
        async with self.pool.acquire() as conn:
            await conn.execute(_pg(SCHEMA_TABLE))
            return int(await conn.fetchval(
                "SELECT coalesce(max(version), 0) FROM schema_migrations"))

    async def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[int]:
        applied = []
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1, $2)", *MIGRATION_LOCK)
            try:
                await conn.execute(_pg(SCHEMA_TABLE))
                done = {r["version"] for r in await conn.fetch(
                    "SELECT version FROM schema_migrations")}
                for number, path in migrations(directory):
                    if number in done:
                        continue
                    sql = migration_for_postgres(path.read_text(encoding="utf-8"))
                    try:
                        async with conn.transaction():  # the schema and its record together
                            await conn.execute(sql)
                            await _renumber(conn)
                            await conn.execute(
                                "INSERT INTO schema_migrations (version, applied_at)"
                                " VALUES ($1, $2)", number, int(time.time()))
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(f"migration {path.name} failed and was rolled"
                                             f" back: {exc}") from exc
                    log.info("applied migration %s", path.name)
                    applied.append(number)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1, $2)", *MIGRATION_LOCK)
        await self._learn_tables()
        return applied

    # --- several instances -----------------------------------------------------------------
    @asynccontextmanager
    async def chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """A session advisory lock on the chat id, on a connection of its own for as long
        as the update is handled: another instance's update of the same chat waits. If
        this process dies, its connection goes and the lock with it."""
        async with self.locks.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", chat_id)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", chat_id)


async def _renumber(conn: asyncpg.Connection) -> None:
    """Each `id` identity continues after the largest id present. SQLite numbers a new row
    after the largest rowid; PostgreSQL's sequence knows nothing of rows a migration wrote
    with their ids (a table rebuilt by copying, seed rows), and would hand those ids out
    again."""
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'id'"
        " AND is_identity = 'YES' AND table_schema = current_schema()")
    for row in rows:
        table = row["table_name"]
        await conn.execute(
            f'SELECT setval(pg_get_serial_sequence(\'"{table}"\', \'id\'),'
            f' coalesce(max(id), 0) + 1, false) FROM "{table}"')


def _pg(ddl: str) -> str:
    return migration_for_postgres(ddl)


def _search_path(url: str) -> str | None:
    values = parse_qs(urlparse(url).query).get("search_path")
    return values[0] if values else None


def _safe(url: str) -> str:
    """The URL without its password, for a log line."""
    parts = urlparse(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{parts.username + '@' if parts.username else ''}{host}" \
           f"{':' + str(parts.port) if parts.port else ''}{parts.path}"
