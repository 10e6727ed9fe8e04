"""Making a cost estimate: the exchange rate to use (the National Bank's newest stored one,
or the user's own), the figures from the current money rules, and the saved copy."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import Inputs, estimate
from services.container import Services
from storage.estimates import SavedEstimate

STALE_DAYS = 3  # a rate older than this is shown with a warning


@dataclass(frozen=True)
class Exchange:
    per_unit: Decimal
    source: str          # 'nbk', 'typed' or 'tenge'
    day: date | None     # the National Bank's day of the rate


async def stored_rate(services: Services, currency: str) -> Exchange | None:
    """The rate the estimate would use without asking: tenge itself, or the newest stored."""
    if currency == "KZT":
        return Exchange(Decimal(1), "tenge", None)
    latest = await services.repos.rates.latest(currency)
    if latest is None:
        return None
    return Exchange(latest[0], "nbk", latest[1])


def today(services: Services) -> date:
    return services.clock.now().astimezone(services.settings.tz).date()


async def make(services: Services, user_id: int, inputs: Inputs, exchange: Exchange
               ) -> SavedEstimate:
    result = estimate(services.library.money, inputs, exchange.per_unit, today(services))
    return await services.repos.estimates.add(
        user_id, secrets.token_urlsafe(9), result, exchange.source, exchange.day,
        services.clock.timestamp())


def is_stale(services: Services, saved: SavedEstimate) -> bool:
    return saved.rate_day is not None and (today(services) - saved.rate_day).days > STALE_DAYS
