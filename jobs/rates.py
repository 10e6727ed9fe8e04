"""The National Bank's exchange rates, fetched at start and then once a day (APScheduler,
through PTB's JobQueue) from settings.rates_feed_url, stored with their day. A failed
fetch is retried an hour later; meanwhile estimates use the last stored rate, shown with
its date, or ask the user for one. With several instances, each day's fetch (and the
one at start, when the day has no rates yet) is claimed first (db.once): one instance
fetches, the others skip it."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
from telegram.ext import CallbackContext

from apibot import ApiBot, App
from domain.rates import MAX_FEED_BYTES, FeedError, Rates, parse_feed
from services.container import Services
from services.estimates import today

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20
RETRY_AFTER = timedelta(hours=1)


async def fetch(services: Services) -> Rates | None:
    """Fetch, parse and store today's rates; None (logged) if the feed fails."""
    url = services.settings.rates_feed_url
    if not url:
        return None
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=True) as client:
            response = await client.get(url)
            response.raise_for_status()
        if len(response.content) > MAX_FEED_BYTES:
            raise FeedError("the answer is too large")
        rates = parse_feed(response.content, today(services))
    except (httpx.HTTPError, FeedError) as exc:
        log.warning("exchange rates from %s not fetched: %s", urlparse(url).netloc, exc)
        return None
    await services.repos.rates.store(rates, services.clock.timestamp())
    log.info("exchange rates of %s stored (%d currencies)", rates.day, len(rates.per_unit))
    return rates


async def _job(context: CallbackContext[ApiBot, Any, Any, Any]) -> None:
    services: Services = context.application.bot_data["services"]
    if await fetch(services) is None and context.job_queue is not None:
        context.job_queue.run_once(_job, RETRY_AFTER, name="rates-retry")


async def _daily(context: CallbackContext[ApiBot, Any, Any, Any]) -> None:
    services: Services = context.application.bot_data["services"]
    day = today(services).isoformat()
    if await services.repos.db.once("rates", f"{day}:daily", services.clock.timestamp()):
        await _job(context)


async def _at_start(context: CallbackContext[ApiBot, Any, Any, Any]) -> None:
    services: Services = context.application.bot_data["services"]
    day = today(services)
    if services.repos.db.shared:  # several instances start together: one fetches
        if await services.repos.rates.latest_day() == day or not await services.repos.db.once(
                "rates", f"{day.isoformat()}:start", services.clock.timestamp()):
            return
    await _job(context)


def install(app: App, services: Services) -> None:
    settings = services.settings
    if not settings.rates_feed_url or app.job_queue is None:
        return
    app.job_queue.run_once(_at_start, 1, name="rates-at-start")
    app.job_queue.run_daily(_daily, settings.rates_time.replace(tzinfo=settings.tz),
                            name="rates")
