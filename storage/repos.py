"""All repositories over one connection, handed to handlers as one object."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.applications import ApplicationRepo, ConsentRepo
from storage.broadcasts import BroadcastRepo
from storage.conversations import ConversationRepo
from storage.db import Database
from storage.estimates import EstimateRepo, RateRepo
from storage.outbox import OutboxRepo, UpdateRepo
from storage.threads import ThreadRepo
from storage.users import UserRepo


@dataclass
class Repos:
    db: Database
    users: UserRepo
    conversations: ConversationRepo
    outbox: OutboxRepo
    updates: UpdateRepo
    applications: ApplicationRepo
    consents: ConsentRepo
    broadcasts: BroadcastRepo
    rates: RateRepo
    estimates: EstimateRepo
    threads: ThreadRepo

    @classmethod
    async def open(cls, target: str | Path, migrate: bool = True) -> Repos:
        """`target`: an SQLite path (or `sqlite:///path`), or a `postgresql://` URL."""
        db = await Database.open(target)
        if migrate:
            await db.migrate()
        return cls(db=db, users=UserRepo(db), conversations=ConversationRepo(db),
                   outbox=OutboxRepo(db), updates=UpdateRepo(db), applications=ApplicationRepo(db),
                   consents=ConsentRepo(db), broadcasts=BroadcastRepo(db),
                   rates=RateRepo(db), estimates=EstimateRepo(db), threads=ThreadRepo(db))

    async def close(self) -> None:
        await self.db.close()
