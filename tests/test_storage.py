import sqlite3

import pytest

from storage.conversations import Conversation
from storage.db import SqliteDatabase, migrations
from storage.repos import Repos


async def test_migrations_apply_once_and_record_version(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = await SqliteDatabase.connect(path)
    assert await db.migrate() == [n for n, _ in migrations()]
    assert await db.schema_version() == migrations()[-1][0]
    assert await db.migrate() == []
    mode = await db.fetchone("PRAGMA journal_mode")
    assert mode is not None
    assert mode[0] == "wal"
    await db.close()


async def test_foreign_keys_are_enforced(tmp_path):
    repos = await Repos.open(tmp_path / "db.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        await repos.conversations.save(Conversation(user_id=42, flow="x", step="y"), now=1)
    await repos.close()


async def test_user_touch_creates_then_refreshes(tmp_path):
    repos = await Repos.open(tmp_path / "db.sqlite3")
    first = await repos.users.touch(7, "Aida", None, now=100)
    assert (first.first_seen, first.last_seen, first.language, first.role) == (100, 100, None, "importer")
    await repos.users.mark_blocked(7)
    again = await repos.users.touch(7, "Aida B", "aida", now=200)
    assert (again.first_seen, again.last_seen, again.first_name, again.blocked) == (100, 200, "Aida B", False)
    await repos.close()


async def test_a_username_two_users_had_names_nobody(tmp_path):
    """/grant @name must not pick one of two: a name given up and taken by someone else."""
    repos = await Repos.open(tmp_path / "db.sqlite3")
    await repos.users.touch(7, "Old", "ivan_cc", now=100)
    only = await repos.users.by_username("Ivan_CC")
    assert only is not None and only.id == 7
    await repos.users.touch(8, "New", "Ivan_cc", now=200)
    assert await repos.users.by_username("ivan_cc") is None
    await repos.close()


async def test_conversation_survives_reopening(tmp_path):
    path = tmp_path / "db.sqlite3"
    repos = await Repos.open(path)
    await repos.users.touch(7, "Aida", None, now=1)
    await repos.conversations.save(Conversation(7, "guide", "q3", {"who": "person", "年": "电"}), now=5)
    await repos.close()
    repos = await Repos.open(path)
    conv = await repos.conversations.get(7)
    assert conv is not None
    assert (conv.flow, conv.step, conv.data, conv.updated_at) == ("guide", "q3", {"who": "person", "年": "电"}, 5)
    await repos.close()


async def test_failed_transaction_rolls_back(tmp_path):
    repos = await Repos.open(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError):
        async with repos.db.write() as conn:
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
            raise RuntimeError("boom")
    assert await repos.users.get(1) is None
    await repos.close()


def test_cli_migrate_and_backup(tmp_path):
    import subprocess
    import sys
    env = {"BOT_DATABASE_PATH": str(tmp_path / "live.sqlite3"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "bot.py", "migrate"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"schema version {migrations()[-1][0]}" in done.stdout
    done = subprocess.run([sys.executable, "bot.py", "backup", str(tmp_path / "copy.sqlite3")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1][0]


# The quick connection (Database.lookup/put on the loop's thread) next to aiosqlite's.

async def test_quick_and_aiosqlite_see_each_others_writes(tmp_path):
    repos = await Repos.open(tmp_path / "db.sqlite3")
    db = repos.db
    await db.run("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
    row = await db.lookup("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 1
    rows = await db.put("UPDATE users SET last_seen = 2 WHERE id = 1 RETURNING last_seen")
    assert [tuple(r) for r in rows] == [(2,)]
    row = await db.fetchone("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 2
    with pytest.raises(sqlite3.IntegrityError):  # errors other than "busy" are not hidden
        await db.put("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
    await repos.close()


async def test_put_during_a_transaction_waits_for_it(tmp_path):
    """A put while an aiosqlite transaction is open must neither land inside it nor
    block the loop (which the transaction needs to finish)."""
    import asyncio
    repos = await Repos.open(tmp_path / "db.sqlite3")
    db = repos.db
    await db.run("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
    inside, finish = asyncio.Event(), asyncio.Event()

    async def transaction():
        async with db.write() as conn:
            await conn.execute("UPDATE users SET last_seen = 10 WHERE id = 1")
            inside.set()
            await finish.wait()
            await conn.execute("UPDATE users SET last_seen = last_seen + 1 WHERE id = 1")

    task = asyncio.create_task(transaction())
    await inside.wait()
    put = asyncio.create_task(db.put("UPDATE users SET last_seen = last_seen * 2 WHERE id = 1"))
    await asyncio.sleep(0.05)
    assert not put.done()  # waiting for the transaction, while the loop runs on
    row = await db.lookup("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 1  # not committed
    finish.set()
    await asyncio.gather(task, put)
    row = await db.lookup("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 22  # (10+1)*2
    await repos.close()


async def test_another_process_holding_the_lock_does_not_stall_the_loop(tmp_path):
    """busy_timeout 0 on the quick connection: a locked database sends put() through
    aiosqlite, which waits on its own thread; lookups read the last commit meanwhile."""
    import asyncio
    import time
    path = tmp_path / "db.sqlite3"
    repos = await Repos.open(path)
    db = repos.db
    await db.run("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE users SET last_seen = 5 WHERE id = 1")
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
    started = time.monotonic()
    row = await db.lookup("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 1
    await db.put("UPDATE users SET last_seen = last_seen + 1 WHERE id = 1")
    assert time.monotonic() - started >= 0.25  # it waited for the other writer ...
    assert ticks >= 10  # ... without stopping the loop
    row = await db.lookup("SELECT last_seen FROM users WHERE id = 1")
    assert row is not None
    assert row[0] == 6
    ticking.cancel()
    other.close()
    await repos.close()


async def test_quick_writes_are_checkpointed_by_checkpoint_only(tmp_path):
    repos = await Repos.open(tmp_path / "db.sqlite3")
    await repos.db.checkpoint()
    await repos.users.touch(1, "A", None, now=1)
    for n in range(1500):  # well past SQLite's automatic checkpoint at 1000 pages
        await repos.users.set_muted(1, n % 2 == 0)
    pages, copied = await repos.db.checkpoint()
    assert pages >= 1500 and copied == pages
    await repos.close()


def test_extended_busy_codes_count_as_busy():
    from storage.sqlite import _busy
    for code, busy in ((5, True), (261, True), (517, True), (6, True), (262, True), (1, False),
                       (19, False), (2067, False)):  # 2067: SQLITE_CONSTRAINT_UNIQUE
        exc = sqlite3.OperationalError("x")
        exc.sqlite_errorcode = code
        assert _busy(exc) is busy, code


async def test_a_failing_migration_is_rolled_back_whole(tmp_path):
    from storage.db import MIGRATIONS_DIR, MigrationError
    folder = tmp_path / "migrations"
    folder.mkdir()
    for _, path in migrations():
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = migrations()[-1][0] + 1
    (folder / f"{broken:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\n"
        "ALTER TABLE users ADD COLUMN extra TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n", encoding="utf-8")
    db = await SqliteDatabase.connect(tmp_path / "db.sqlite3")
    with pytest.raises(MigrationError, match="broken"):
        await db.migrate(folder)
    assert await db.schema_version() == migrations(MIGRATIONS_DIR)[-1][0]
    tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    columns = {r[1] for r in await db.fetchall("PRAGMA table_info(users)")}
    assert "extra" not in columns
    await db.close()


async def test_a_slow_statement_on_the_loop_switches_the_loop_thread_path_off(tmp_path):
    """The watchdog: one write that took longer than the budget (a slow disk) sends the
    following statements through aiosqlite's thread, so they cannot stall the loop."""
    import time as clock

    from bench.slow_disk import SlowWrites
    repos = await Repos.open(tmp_path / "db.sqlite3")
    db = repos.db
    assert isinstance(db, SqliteDatabase)
    await db.run("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 1, 1)")
    slow = SlowWrites(db._quick, 0.03)  # type: ignore[arg-type]
    db._quick = slow  # type: ignore[assignment]
    calls = []
    original = slow.execute

    def counting(sql, params=()):
        calls.append(sql)
        return original(sql, params)

    slow.execute = counting  # type: ignore[method-assign]
    started = clock.monotonic()
    for n in range(5):
        await repos.users.set_muted(1, n % 2 == 0)
    assert len(calls) == 1  # only the first went on the loop's thread
    assert clock.monotonic() - started < 0.03 * 3
    assert await db.scalar("SELECT muted FROM users WHERE id = 1") == 1  # all written
    await repos.close()


async def test_migration_10_takes_what_earlier_erasures_left(tmp_path):
    """Users erased before /deletemydata took documents, comments and deliveries along."""
    db = await SqliteDatabase.connect(tmp_path / "db.sqlite3")
    for number, path in migrations()[:9]:
        await db.conn.executescript(f"BEGIN IMMEDIATE;\n{path.read_text(encoding='utf-8')}\n"
                                    f"PRAGMA user_version = {number};\nCOMMIT;")
    await db.conn.executescript("""
        INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (1, 'Kept', 0, 0);
        INSERT INTO applications (id, user_id, status, anonymised, rejection_reason, created_at,
            updated_at) VALUES (1, NULL, 'rejected', 1, 'Айгерим: forged', 0, 0),
                               (2, 1, 'rejected', 0, 'wrong VIN', 0, 0);
        INSERT INTO documents (application_id, kind, file_id, file_unique_id, file_name,
            uploaded_at) VALUES (1, 'contract', 'f1', 'u1', 'Айгерим.pdf', 0),
                                (2, 'contract', 'f2', 'u2', 'kept.pdf', 0);
        INSERT INTO status_changes (application_id, to_status, comment, at)
            VALUES (1, 'in_review', 'Айгерим, a title please', 0), (2, 'in_review', 'kept', 0);
        INSERT INTO broadcasts (id, author_id, texts, audience, scheduled_at, created_at)
            VALUES (1, 9, '{}', '{}', 0, 0);
        INSERT INTO deliveries (broadcast_id, user_id) VALUES (1, 1), (1, 2);
    """)
    assert (await db.migrate())[0] == 10
    assert [r[0] for r in await db.fetchall("SELECT file_name FROM documents")] == ["kept.pdf"]
    assert [tuple(r) for r in await db.fetchall(
        "SELECT application_id, comment FROM status_changes ORDER BY id")] == [(1, ""), (2, "kept")]
    assert [tuple(r) for r in await db.fetchall(
        "SELECT id, rejection_reason FROM applications ORDER BY id")] == [(1, None),
                                                                           (2, "wrong VIN")]
    assert [r[0] for r in await db.fetchall("SELECT user_id FROM deliveries")] == [1]
    await db.close()
