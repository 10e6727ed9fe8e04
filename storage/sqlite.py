"""SQLite, the embedded default: the connections (WAL, foreign keys), migrations, and
serialised write transactions."""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.dialect import for_sqlite
from storage.sql import (
    MIGRATIONS_DIR,
    SCHEMA_TABLE,
    Database,
    MigrationError,
    NotWritable,
    Params,
    migrations,
    one,
    sqlite_path,
)

Row = sqlite3.Row  # aiosqlite's rows are sqlite3's: columns by name or position
# Deleted or overwritten rows are zeroed in their pages, not merely marked free: what a user
# had us delete (/deletemydata) must not stay readable in the file. Per connection, so both
# connections set it.
SECURE_DELETE = "PRAGMA secure_delete = ON;"
log = logging.getLogger(__name__)
# A one-row statement takes microseconds; one taking this long means the disk is slow, and
# the loop-thread path is paused (Database._watch).
QUICK_BUDGET = 0.010   # seconds
QUICK_PAUSE = 60       # seconds


# SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN (primary codes).
CANNOT_WRITE = (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
                sqlite3.SQLITE_CANTOPEN)


async def _probe_writable(conn: aiosqlite.Connection, path: str | Path) -> None:
    """A bot that cannot write loses what users enter: find out at start-up, not on the
    first answer. Creating a table inside a transaction that is rolled back touches the
    file the way any write does, and leaves nothing behind."""
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.execute("CREATE TABLE write_probe (x INTEGER)")
        finally:
            await conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if (exc.sqlite_errorcode & 0xFF) not in CANNOT_WRITE:
            raise  # e.g. locked by another process for longer than busy_timeout
        raise NotWritable(f"database {path} is not writable: {exc}") from exc


class SqliteDatabase(Database):
    """Two connections to one SQLite file, for two kinds of work.

    `conn` (aiosqlite) runs everything that may take a while, on its own thread:
    transactions, lists, exports. aiosqlite runs statements in order, but a
    transaction spans several awaits, so writers take `_write_lock`: another
    coroutine's statement can never land inside someone else's transaction.

    `_quick` (sqlite3, on the event loop's thread) runs the hot path's one-row
    statements by key: lookup() and put(). Such a statement costs far less than a hop
    to aiosqlite's thread and back, and the hot path makes several per update
    (`python -m bench.sqlite_hop` and BENCHMARKS.md have the figures).

    They cannot wait on a lock. In WAL mode a read never waits for a writer. put()
    writes only while no aiosqlite write is in flight, with busy_timeout 0: if another
    process holds the lock, it goes through aiosqlite and waits on that thread. And
    `_quick` never checkpoints (a checkpoint syncs to disk): the heartbeat calls
    checkpoint() on aiosqlite's thread. A slow disk could still make one of them slow:
    a watchdog (`_watch`) then sends every statement through aiosqlite for a while, so at
    most one slow statement per QUICK_PAUSE stalls the loop (`python -m bench.slow_disk`).
    """

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, quick: sqlite3.Connection | None = None):
        self.conn = conn
        self._quick = quick  # None for an in-memory database (one connection only)
        self._quick_off_until = 0.0  # the watchdog switched the loop-thread path off until
        self.quick_budget = QUICK_BUDGET
        self._write_lock = asyncio.Lock()

    @classmethod
    async def connect(cls, target: str | Path) -> SqliteDatabase:
        path = sqlite_path(target)
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        # executescript consumes every row, leaving no statement open (VACUUM INTO needs that).
        await conn.executescript(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
            " PRAGMA synchronous = NORMAL;"  # WAL: survives a killed process; fast commits
            f" PRAGMA busy_timeout = 5000; {SECURE_DELETE}")
        try:
            await _probe_writable(conn, path)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, None if str(path) == ":memory:" else _open_quick(path))

    async def close(self) -> None:
        if self._quick is not None:
            self._quick.close()
        await self.conn.close()

    async def schema_version(self) -> int:
        """The highest migration applied (also kept in PRAGMA user_version)."""
        return await self.scalar("PRAGMA user_version")

    async def _applied(self) -> set[int]:
        """The migrations applied. A database migrated before they were recorded one by one
        had 1..user_version applied (they were numbered without gaps then)."""
        async with self._write_lock:
            await self.conn.executescript(
                f"BEGIN IMMEDIATE; {SCHEMA_TABLE};"
                " WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n"
                "  WHERE v < (SELECT user_version FROM pragma_user_version))"
                " INSERT INTO schema_migrations (version, applied_at)"
                "  SELECT v, 0 FROM n WHERE (SELECT user_version FROM pragma_user_version) > 0"
                "  AND NOT EXISTS (SELECT 1 FROM schema_migrations); COMMIT;")
        return {r[0] for r in await self.fetchall("SELECT version FROM schema_migrations")}

    async def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[int]:
        done = await self._applied()
        applied = []
        for number, path in migrations(directory):
            if number in done:
                continue
            sql = path.read_text(encoding="utf-8")
            version = max(number, await self.schema_version())
            # One transaction per file: the schema and its record change together.
            async with self._write_lock:
                try:
                    await self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO schema_migrations"
                        f" (version, applied_at) VALUES ({number}, {int(time.time())});"
                        f"\nPRAGMA user_version = {version};\nCOMMIT;")
                except sqlite3.Error as exc:
                    # executescript stops at the failing statement with the transaction
                    # open: what ran before it must not stay.
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise MigrationError(f"migration {path.name} failed and was rolled "
                                         f"back: {exc}") from exc
            log.info("applied migration %s", path.name)
            applied.append(number)
        return applied

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConnection]:
        """A write transaction; commits on success, rolls back on error."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteConnection(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def run(self, sql: str, params: Params = ()) -> list[Row]:
        """One write statement, its own transaction, in a single hop to the database thread
        (a transaction via write() costs three); returns RETURNING rows, if any."""
        async with self._write_lock:
            return list(await self.conn.execute_fetchall(for_sqlite(sql), params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        # one hop, not three
        rows = list(await self.conn.execute_fetchall(for_sqlite(sql), params))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self.conn.execute_fetchall(for_sqlite(sql), params))

    def _quick_ready(self) -> bool:
        return self._quick is not None and time.monotonic() >= self._quick_off_until

    def _watch(self, started: float) -> None:
        """The watchdog: a statement on the loop's thread that took longer than QUICK_BUDGET
        (a slow or overloaded disk) stalled every chat meanwhile, so the loop-thread path is
        switched off for QUICK_PAUSE: at most one slow statement per pause stalls the loop."""
        took = time.monotonic() - started
        if took > self.quick_budget:
            self._quick_off_until = time.monotonic() + QUICK_PAUSE
            log.warning("a database statement on the event loop took %.0f ms: statements go "
                        "through the database thread for the next %s s", took * 1000,
                        QUICK_PAUSE)

    async def lookup(self, sql: str, params: Params = ()) -> Row | None:
        """One row by its key, read on the loop's thread (see the class docstring)."""
        if self._quick is not None and self._quick_ready():
            started = time.monotonic()
            try:
                row: Row | None = self._quick.execute(sql, params).fetchone()
                return row
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            finally:
                self._watch(started)
        return await self.fetchone(sql, params)

    async def put(self, sql: str, params: Params = ()) -> list[Row]:
        """One write statement on one row by its key, as run() but on the loop's thread
        when nothing else is writing (see the class docstring)."""
        if self._quick is not None and self._quick_ready() and not self._write_lock.locked():
            started = time.monotonic()
            try:
                return self._quick.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            finally:
                self._watch(started)
        return await self.run(sql, params)

    async def checkpoint(self) -> tuple[int, int]:
        """Copy the write-ahead log into the database file, on aiosqlite's thread (a
        checkpoint syncs to disk: never on the loop's thread). Returns the log's pages
        and how many of them are now in the file."""
        row = one(await self.fetchone("PRAGMA wal_checkpoint(PASSIVE)"))
        return row[1], row[2]

    async def truncate_wal(self) -> bool:
        """Copy the whole write-ahead log into the database file and cut the log to zero
        bytes, on aiosqlite's thread. After an erasure: the log still holds the earlier
        versions of the erased rows' pages until it is overwritten, and a checkpoint alone
        leaves them there. False if a reader (another process) kept it from completing."""
        async with self._write_lock:  # our own writes wait: nothing lands in between
            row = one(await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)"))
        if row[0]:
            log.warning("the write-ahead log could not be truncated (a reader was busy)")
        return not row[0]


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, extended codes included (BUSY_RECOVERY, BUSY_SNAPSHOT…:
    the primary code is the low byte)."""
    return (exc.sqlite_errorcode & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _open_quick(path: str | Path) -> sqlite3.Connection:
    quick = sqlite3.connect(str(path), isolation_level=None)  # autocommit: one statement each
    quick.row_factory = sqlite3.Row
    quick.executescript("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                        " PRAGMA busy_timeout = 0; PRAGMA wal_autocheckpoint = 0;"
                        f" {SECURE_DELETE}")
    return quick


class SqliteConnection:
    """aiosqlite's connection inside write(), taking the statements as PostgreSQL's does
    (storage.dialect.for_sqlite drops the row-locking clause SQLite lacks)."""

    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return self.conn.execute(for_sqlite(sql), parameters)

    async def executemany(self, sql: str, parameters: Any) -> Any:
        return await self.conn.executemany(for_sqlite(sql), parameters)

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> Any:
        return await self.conn.execute_fetchall(for_sqlite(sql), parameters)
