"""The National Bank of Kazakhstan's exchange-rate feed (rss/rates_all.xml, and
rss/get_rates.cfm?fdate=DD.MM.YYYY for a date): an `rss` document whose `channel` holds
one `item` per currency, with `title` = the currency code, `description` = tenge for
`quant` units, and `pubDate` = the day the rate is set for (DD.MM.YY or DD.MM.YYYY).

Parsing is strict about what it keeps and says why it refuses the whole answer
(FeedError): an empty or garbled answer must never become a rate of zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

CODE = re.compile(r"[A-Z]{3}")
MAX_FEED_BYTES = 1_000_000


class FeedError(Exception):
    """The answer is not a usable rate feed; the message says why."""


@dataclass(frozen=True)
class Rates:
    day: date                    # the day the rates are set for
    per_unit: dict[str, Decimal]  # tenge for one unit of each currency


def parse_day(text: str) -> date | None:
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_feed(body: bytes, fetched_on: date) -> Rates:
    """The rates in an answer of the feed. Items that cannot be read are skipped; an
    answer with none is refused. A feed without a date is taken as of `fetched_on`."""
    if not body.strip():
        raise FeedError("the answer is empty")
    if len(body) > MAX_FEED_BYTES:
        raise FeedError("the answer is too large to be the rate feed")
    if b"<!DOCTYPE" in body[:1000] or b"<!ENTITY" in body:
        raise FeedError("the answer declares a DTD (not the feed)")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise FeedError(f"the answer is not XML ({exc})") from None
    items = root.findall("./channel/item") or root.findall("./item")
    if not items:
        raise FeedError(f"no <item> in the <{root.tag}> answer")
    per_unit: dict[str, Decimal] = {}
    days: list[date] = []
    for item in items:
        code = (item.findtext("title") or "").strip()
        if not CODE.fullmatch(code):
            continue
        try:
            rate = Decimal((item.findtext("description") or "").strip().replace(",", "."))
            quant = Decimal((item.findtext("quant") or "1").strip() or "1")
        except InvalidOperation:
            continue
        if not rate.is_finite() or not quant.is_finite() or rate <= 0 or quant <= 0:
            continue
        per_unit[code] = rate / quant
        day = parse_day(item.findtext("pubDate") or "")
        if day is not None:
            days.append(day)
    if not per_unit:
        raise FeedError("no item has a currency code and a positive rate")
    channel_day = parse_day(root.findtext("./channel/date") or root.findtext("./date") or "")
    return Rates(day=max(days) if days else channel_day or fetched_on, per_unit=per_unit)
