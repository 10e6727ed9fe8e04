"""The connection (WAL, foreign keys), migrations, and serialised write transactions."""
from __future__ import annotations

import asyncio
import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


class Database:
    """One aiosqlite connection shared by all repositories.

    aiosqlite runs statements on one thread in order, but a transaction spans
    several awaits, so writers take `_write_lock`: another coroutine's statement
    can never land inside someone else's transaction. Every await is a hop to that
    thread and back (costly under load), so single statements use run()/fetch*()
    with one hop each.
    """

    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> "Database":
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        # executescript consumes every row, leaving no statement open (VACUUM INTO needs that).
        await conn.executescript(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
            " PRAGMA synchronous = NORMAL;"  # WAL: survives a killed process; fast commits
            " PRAGMA busy_timeout = 5000;")
        return cls(conn)

    async def close(self) -> None:
        await self.conn.close()

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            return (await cur.fetchone())[0]

    async def migrate(self) -> list[int]:
        """Apply the migrations newer than the recorded version; return those applied."""
        current = await self.schema_version()
        applied = []
        for number, path in migrations():
            if number <= current:
                continue
            sql = path.read_text(encoding="utf-8")
            # One transaction per file: the schema and its version change together.
            async with self._write_lock:
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            log.info("applied migration %s", path.name)
            applied.append(number)
        return applied

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; commits on success, rolls back on error."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def run(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        """One write statement, its own transaction, in a single hop to the database thread
        (a transaction via write() costs three); returns RETURNING rows, if any."""
        async with self._write_lock:
            return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, params)  # one hop, not three
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))
