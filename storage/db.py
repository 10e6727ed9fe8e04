"""The database, whichever it is: repositories import from here.

`Database.open(target)` opens SQLite for a path or `sqlite:///path` (the embedded default)
and PostgreSQL for `postgresql://…` (several instances on one database). Both take the
same SQL (storage.dialect translates the differences) and the same migrations.
"""
from __future__ import annotations

from storage.pg import PgDatabase
from storage.sql import (
    MIGRATIONS_DIR,
    Connection,
    Database,
    IntegrityError,
    MigrationError,
    NotWritable,
    Params,
    Row,
    is_postgres,
    migrations,
    one,
)
from storage.sqlite import QUICK_BUDGET, QUICK_PAUSE, SqliteDatabase

__all__ = ["MIGRATIONS_DIR", "QUICK_BUDGET", "QUICK_PAUSE", "Connection", "Database",
           "IntegrityError", "MigrationError", "NotWritable", "Params", "PgDatabase", "Row",
           "SqliteDatabase", "is_postgres", "migrations", "one"]
