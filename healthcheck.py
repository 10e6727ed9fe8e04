"""Container health: the bot's event loop wrote its heartbeat file recently, and the
database can be written (SQLite: the file and its folder; PostgreSQL: the server answers
on its port).

A hung or dead loop stops the heartbeat (runtime.Runtime writes it every
HEARTBEAT_SECONDS). A database that became read-only (a remounted volume, changed
ownership) would lose every answer users type, so it is unhealthy too. No call to
Telegram: a Telegram outage must not make the orchestrator restart a bot that is fine
and retrying.
"""
import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import config
from runtime import HEARTBEAT_SECONDS, heartbeat_path


def main() -> int:
    try:
        settings = config.load()
        age = time.time() - heartbeat_path(settings).stat().st_mtime
    except (OSError, config.ConfigError) as exc:
        print(f"unhealthy: {exc}")
        return 1
    if settings.database_url.startswith("postgres"):
        server = urlparse(settings.database_url)
        try:
            socket.create_connection((server.hostname or "localhost", server.port or 5432),
                                     timeout=3).close()
        except OSError as exc:
            print(f"unhealthy: PostgreSQL at {server.hostname}:{server.port} unreachable: {exc}")
            return 1
    else:
        database = Path(settings.database_path)
        for path in (database, database.parent):  # SQLite writes its WAL next to the file
            if not os.access(path, os.W_OK):
                print(f"unhealthy: {path} is not writable")
                return 1
    if age > 3 * HEARTBEAT_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
