"""EV certification assistant bot. Commands:

  python bot.py [--config FILE]            run: polling or webhook with a token, else local mode
  python bot.py [--config FILE] run        run with Telegram (a token is required)
  python bot.py [--config FILE] local      the emulator plus a terminal chat, no network needed
  python bot.py [--config FILE] migrate    apply database migrations and exit
  python bot.py [--config FILE] backup OUT copy the live database to OUT (consistent snapshot)
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
from pathlib import Path

from telegram.error import InvalidToken

import config
import logs
from config import ConfigError, Settings
from domain.content import ContentError
from runtime import Runtime
from storage.db import Database, MigrationError, NotWritable, SqliteDatabase

LOCAL_DB = "data/local.sqlite3"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="settings file (default: config.toml if present)")
    parser.add_argument("command", nargs="?", default="auto",
                        choices=["auto", "run", "local", "migrate", "backup"])
    parser.add_argument("target", nargs="?", help="backup file (for backup)")
    return parser.parse_args(argv)


async def run(settings: Settings) -> None:
    runtime = Runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    try:
        await stop.wait()
    finally:
        await runtime.stop()


async def local(settings: Settings) -> None:
    """Start the emulator on loopback, point the bot at it, and chat in this terminal."""
    from emulator import server, terminal
    emulator = await server.start()
    if settings.database_path == Settings.database_path:
        settings = dataclasses.replace(settings, database_path=LOCAL_DB)
    settings = dataclasses.replace(settings, token=emulator.world.token,
                                   api_base_url=emulator.url, webhook_url="",
                                   rates_feed_url=emulator.rates_feed_url)
    Path(settings.database_path).parent.mkdir(parents=True, exist_ok=True)
    log_file = str(Path(settings.database_path).with_suffix(".log"))
    logs.setup(settings.log_level, [settings.token], filename=log_file)
    runtime = Runtime(settings)
    await runtime.start()
    try:
        # New users of the terminal get ids never used with this database, even by a
        # session before this one (their data would make a "new" user an old one).
        known = await runtime.repos.users.highest_id() if runtime.repos else 0
        ids = terminal.UserIds(Path(settings.database_path).with_suffix(".last-user-id"), known)
        await terminal.chat(emulator.url, log_file, ids)
    finally:
        await runtime.stop()
        await emulator.stop()


async def migrate(settings: Settings) -> None:
    db = await Database.open(settings.database)
    try:
        applied = await db.migrate()
        print(f"schema version {await db.schema_version()}; applied {applied or 'nothing'}")
    finally:
        await db.close()


async def backup(settings: Settings, target: str) -> None:
    if Path(target).exists():
        raise ConfigError(f"backup: {target} already exists")
    if settings.database_url.startswith("postgres"):
        raise ConfigError("backup: for PostgreSQL use pg_dump (README, Deployment)")
    db = await Database.open(settings.database)
    if not isinstance(db, SqliteDatabase):
        raise ConfigError("backup: for PostgreSQL use pg_dump (README, Deployment)")
    try:
        await db.conn.execute("VACUUM INTO ?", (target,))  # a consistent copy of a live WAL db
        print(f"backed up {settings.database_path} to {target}")
    finally:
        await db.close()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        settings = config.load(args.config)
        command = args.command
        if command == "auto":
            command = "run" if settings.token else "local"
        if command == "run":
            config.require_token(settings)
            logs.setup(settings.log_level, [settings.token])
            asyncio.run(run(settings))
        elif command == "local":
            asyncio.run(local(settings))
        elif command == "migrate":
            asyncio.run(migrate(settings))
        elif command == "backup":
            if not args.target:
                raise ConfigError("backup: give the target file, e.g. python bot.py backup b.db")
            asyncio.run(backup(settings, args.target))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 2
    except (NotWritable, MigrationError) as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("telegram error: the Bot API refused the token (401 Unauthorized); check "
              "BOT_TOKEN", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
