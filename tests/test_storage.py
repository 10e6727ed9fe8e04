import sqlite3

import pytest

from storage.db import Database, migrations
from storage.repos import Repos
from storage.conversations import Conversation


async def test_migrations_apply_once_and_record_version(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    assert await db.migrate() == [n for n, _ in migrations()]
    assert await db.schema_version() == len(migrations())
    assert await db.migrate() == []
    mode = await db.fetchone("PRAGMA journal_mode")
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


async def test_conversation_survives_reopening(tmp_path):
    path = tmp_path / "db.sqlite3"
    repos = await Repos.open(path)
    await repos.users.touch(7, "Aida", None, now=1)
    await repos.conversations.save(Conversation(7, "guide", "q3", {"who": "person", "年": "电"}), now=5)
    await repos.close()
    repos = await Repos.open(path)
    conv = await repos.conversations.get(7)
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
    assert f"schema version {len(migrations())}" in done.stdout
    done = subprocess.run([sys.executable, "bot.py", "backup", str(tmp_path / "copy.sqlite3")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA user_version").fetchone()[0] == len(migrations())
