"""Exchange rates as fetched, and users' cost estimates (the last few, and any attached to
an application)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import Estimate
from domain.money_data import from_data, to_data
from domain.rates import Rates
from storage.db import Database, Row, one

KEPT = 10  # estimates kept per user, besides those attached to an application


@dataclass(frozen=True)
class SavedEstimate:
    id: int
    user_id: int
    token: str
    created_at: int
    rate_source: str          # 'nbk', 'typed' or 'tenge'
    rate_day: date | None
    estimate: Estimate
    application_id: int | None


def _saved(row: Row) -> SavedEstimate:
    return SavedEstimate(id=row["id"], user_id=row["user_id"], token=row["token"],
                         created_at=row["created_at"], rate_source=row["rate_source"],
                         rate_day=date.fromisoformat(row["rate_day"]) if row["rate_day"] else None,
                         estimate=from_data(json.loads(row["data"])),
                         application_id=row["application_id"])


class RateRepo:
    def __init__(self, db: Database):
        self.db = db

    async def store(self, rates: Rates, now: int) -> None:
        async with self.db.write() as conn:
            await conn.executemany(
                "INSERT INTO exchange_rates (day, currency, per_unit, fetched_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (currency, day) DO UPDATE SET"
                " per_unit = excluded.per_unit, fetched_at = excluded.fetched_at",
                [(rates.day.isoformat(), code, str(rate), now)
                 for code, rate in rates.per_unit.items()])

    async def latest(self, currency: str) -> tuple[Decimal, date] | None:
        """The newest stored rate of a currency, with its day."""
        row = await self.db.fetchone(
            "SELECT day, per_unit FROM exchange_rates WHERE currency = ?"
            " ORDER BY day DESC LIMIT 1", (currency,))
        return (Decimal(row["per_unit"]), date.fromisoformat(row["day"])) if row else None

    async def latest_day(self) -> date | None:
        row = await self.db.fetchone("SELECT max(day) AS day FROM exchange_rates")
        return date.fromisoformat(row["day"]) if row and row["day"] else None


class EstimateRepo:
    def __init__(self, db: Database):
        self.db = db

    async def add(self, user_id: int, token: str, estimate: Estimate, rate_source: str,
                  rate_day: date | None, now: int) -> SavedEstimate:
        """Keep it, and let the user's oldest go beyond KEPT (attached ones stay)."""
        async with self.db.write() as conn:
            async with conn.execute(
                    "INSERT INTO estimates (user_id, token, created_at, rate_source, rate_day,"
                    " total, data) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (user_id, token, now, rate_source,
                     rate_day.isoformat() if rate_day else None, str(estimate.total),
                     json.dumps(to_data(estimate), ensure_ascii=False))) as cur:
                row = await cur.fetchone()
            await conn.execute(
                "DELETE FROM estimates WHERE user_id = ? AND application_id IS NULL AND id NOT IN"
                " (SELECT id FROM estimates WHERE user_id = ? AND application_id IS NULL"
                " ORDER BY id DESC LIMIT ?)", (user_id, user_id, KEPT))
        return _saved(one(row))

    async def of_user(self, user_id: int, limit: int = KEPT) -> list[SavedEstimate]:
        rows = await self.db.fetchall(
            "SELECT * FROM estimates WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit))
        return [_saved(r) for r in rows]

    async def mine(self, estimate_id: int, user_id: int) -> SavedEstimate | None:
        """The user's own estimate (None for anyone else's)."""
        row = await self.db.fetchone("SELECT * FROM estimates WHERE id = ? AND user_id = ?",
                                     (estimate_id, user_id))
        return _saved(row) if row else None

    async def by_token(self, token: str) -> SavedEstimate | None:
        row = await self.db.fetchone("SELECT * FROM estimates WHERE token = ?", (token,))
        return _saved(row) if row else None

    async def attach(self, estimate_id: int, user_id: int, application_id: int) -> bool:
        """Attach the user's estimate to the user's own application."""
        rows = await self.db.run(
            "UPDATE estimates SET application_id = ? WHERE id = ? AND user_id = ? AND EXISTS"
            " (SELECT 1 FROM applications WHERE id = ? AND user_id = ?) RETURNING id",
            (application_id, estimate_id, user_id, application_id, user_id))
        return bool(rows)

    async def of_application(self, application_id: int) -> list[SavedEstimate]:
        rows = await self.db.fetchall(
            "SELECT * FROM estimates WHERE application_id = ? ORDER BY id DESC",
            (application_id,))
        return [_saved(r) for r in rows]
