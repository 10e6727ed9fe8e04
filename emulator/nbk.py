"""A stand-in for the National Bank of Kazakhstan's rate feed, so local mode and the tests
never reach the internet: GET /nbk/rss/rates_all.xml (today's rates) and
GET /nbk/rss/get_rates.cfm?fdate=DD.MM.YYYY (a day's), in the feed's own format: an `rss`
document whose `channel` holds one `item` per currency (title = code, description = tenge
for `quant` units, pubDate = DD.MM.YY).

POST /control/nbk sets what it answers: {"mode": "sample" | "empty" | "garbled" | "down",
"rates": {"CNY": "70.85", ...}, "quant": {"KRW": 100}, "day": "DD.MM.YYYY"} (the day of
today's rates; by default the real today). GET /control/nbk reads the request count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from aiohttp import web

# Figures of the sample (tenge for `quant` units); not real rates of any day.
SAMPLE = {"USD": "505.12", "EUR": "585.40", "CNY": "70.85", "RUB": "6.45", "KGS": "5.78",
          "KRW": "36.51", "JPY": "3.36"}
SAMPLE_QUANT = {"KRW": 100}
NAMES = {"USD": "ДОЛЛАР США", "EUR": "ЕВРО", "CNY": "КИТАЙСКИЙ ЮАНЬ",
         "RUB": "РОССИЙСКИЙ РУБЛЬ", "KGS": "КЫРГЫЗСКИЙ СОМ", "KRW": "100 ВОН РЕСПУБЛИКИ КОРЕЯ",
         "JPY": "ЯПОНСКАЯ ИЕНА"}
MODES = ("sample", "empty", "garbled", "down")


def feed(rates: dict[str, str], quant: dict[str, int], day: date) -> bytes:
    items = "".join(
        f"<item><fullname>{escape(NAMES.get(code, code))}</fullname><title>{code}</title>"
        f"<pubDate>{day:%d.%m.%y}</pubDate><description>{escape(rate)}</description>"
        f"<quant>{quant.get(code, 1)}</quant><index>UP</index><change>+0.10</change>"
        f"<link></link></item>"
        for code, rate in rates.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<generator>emulator</generator><title>Official exchange rates (emulated)</title>"
            "<link>https://nationalbank.kz/</link><description>Official exchange rates"
            f"</description><language>ru</language>{items}</channel></rss>").encode()


@dataclass
class Nbk:
    mode: str = "sample"
    rates: dict[str, str] = field(default_factory=lambda: dict(SAMPLE))
    quant: dict[str, int] = field(default_factory=lambda: dict(SAMPLE_QUANT))
    day: date | None = None
    requests: int = 0

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/nbk/rss/rates_all.xml", self.today),
                web.get("/nbk/rss/get_rates.cfm", self.of_day),
                web.post("/control/nbk", self.configure),
                web.get("/control/nbk", self.counters)]

    def answer(self, day: date) -> web.Response:
        self.requests += 1
        if self.mode == "down":
            return web.Response(status=503, text="Service Unavailable")
        if self.mode == "empty":
            return web.Response(body=b"", content_type="text/xml")
        if self.mode == "garbled":
            return web.Response(body=b"<html><body>Technical works <b>", content_type="text/html")
        return web.Response(body=feed(self.rates, self.quant, day), content_type="text/xml")

    async def today(self, request: web.Request) -> web.Response:
        return self.answer(self.day or date.today())

    async def of_day(self, request: web.Request) -> web.Response:
        try:
            day = datetime.strptime(request.query.get("fdate", ""), "%d.%m.%Y").date()
        except ValueError:
            return web.Response(body=b"", content_type="text/xml")  # the real feed's way
        return self.answer(day)

    async def configure(self, request: web.Request) -> web.Response:
        body = await request.json()
        mode = body.get("mode", self.mode)
        if mode not in MODES:
            return web.json_response({"ok": False, "error": f"mode is one of {MODES}"},
                                     status=400)
        if "day" in body:
            try:
                self.day = datetime.strptime(body["day"], "%d.%m.%Y").date()
            except (TypeError, ValueError):
                return web.json_response({"ok": False, "error": "day is DD.MM.YYYY"},
                                         status=400)
        self.mode = mode
        if "rates" in body:
            self.rates = {str(k): str(v) for k, v in body["rates"].items()}
        if "quant" in body:
            self.quant = {str(k): int(v) for k, v in body["quant"].items()}
        return web.json_response({"ok": True, "requests": self.requests})

    async def counters(self, request: web.Request) -> web.Response:
        return web.json_response({"mode": self.mode, "requests": self.requests})
