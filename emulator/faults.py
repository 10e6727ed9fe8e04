"""Fault injection: the emulator answering as a failing Telegram, or a failing network, would.

Off by default: with no rules, every call is answered exactly as Telegram answers it.
Rules are set through the control API (POST /control/faults; EmulatorClient.set_faults)
and apply to Bot API methods only, never to the control API; file downloads only when
a rule names "download". A spec is {"seed": 7, "rules": [RULE, …], "append": false}:

  fault        "error"   answer `status` (500) at once, as {"ok": false, "error_code": 500,
                         "description": "Internal Server Error"}
               "timeout" hold the request `hold` seconds (30), then answer `status` (504):
                         a client with a shorter read timeout gives up first; the hold
                         ends early when the faults are cleared or the emulator stops
               "slow"    wait `delay` seconds, then execute and answer normally
               "flood"   429 "Too Many Requests: retry after N", parameters.retry_after N
               "outage"  as "error", for every method, status 502; needs `duration`
  methods      names (case-insensitive, as Telegram's), "send*"-style prefixes, or "*";
               default "*" ("flood": "send*" and "edit*")
  chat_ids     only calls whose chat_id is one of these
  probability  chance that a matching call is hit (1), drawn from the seeded generator
  next         hit exactly this many matching calls, then the rule is spent
  start, duration   the rule applies from `start` seconds after it was set, for `duration`
  mode         error, timeout, outage: "fail_before" (default) fails the call without
               executing it: nothing delivered. "fail_after" executes it (the message is
               delivered and in the events) and then answers the error instead of the
               result, as when Telegram's response is lost on the way back: a client that
               retries sends the message twice
  status       error, timeout, outage: 500, 502, 503 or 504
  html         error, timeout, outage: answer nginx's HTML error page instead of JSON
  retry_after  flood: the N to announce (default: the seconds left of `duration`, else 5)

Rules are tried in order for each call; "slow" ones add up their delays and the first
other rule that hits decides the fault. With a seed, the same sequence of calls meets the
same faults (random draws happen only for rules with probability < 1 that match).
"""
from __future__ import annotations

import asyncio
import json
import math
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TypeVar

from aiohttp import web

from emulator.world import ApiError

T = TypeVar("T")
KINDS = ("error", "timeout", "slow", "flood", "outage")
STATUS = {"error": 500, "timeout": 504, "outage": 502}
# Faults answer with aiohttp's HTTP exceptions: the same for Bot API calls and downloads.
ANSWERS: dict[int, type[web.HTTPException]] = {
    429: web.HTTPTooManyRequests, 500: web.HTTPInternalServerError, 502: web.HTTPBadGateway,
    503: web.HTTPServiceUnavailable, 504: web.HTTPGatewayTimeout}
NGINX_PAGE = ("<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n<center><h1>"
              "{code} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n"
              "</html>\r\n")
COMMON_KEYS = {"fault", "methods", "chat_ids", "probability", "next", "start", "duration"}
FAILING_KEYS = {"mode", "status", "html"}
OWN_KEYS = {"error": FAILING_KEYS, "outage": FAILING_KEYS, "timeout": FAILING_KEYS | {"hold"},
            "slow": {"delay"}, "flood": {"retry_after"}}
LOG_LIMIT = 10_000  # a long reliability run must not grow the emulator without bound


class FaultSpecError(ValueError):
    """A fault spec the emulator does not understand (the control API answers 400)."""


@dataclass
class Rule:
    fault: str
    spec: dict
    set_at: float
    methods: tuple[str, ...] = ("*",)
    chat_ids: frozenset[int] | None = None
    probability: float = 1.0
    next: int | None = None
    start: float = 0.0
    duration: float | None = None
    mode: str = "fail_before"
    status: int = 500
    html: bool = False
    hold: float = 30.0
    delay: float = 0.0
    retry_after: int | None = None
    injected: int = 0

    @classmethod
    def parse(cls, spec: object, now: float) -> Rule:
        if not isinstance(spec, dict):
            raise FaultSpecError("a rule is a JSON object")
        kind = spec.get("fault")
        if kind not in KINDS:
            raise FaultSpecError(f"fault must be one of {KINDS}, not {kind!r}")
        extra = set(spec) - COMMON_KEYS - OWN_KEYS[kind]
        if extra:  # a typo must not silently turn a fault off
            raise FaultSpecError(f"a {kind!r} rule takes no {sorted(extra)}")
        if kind == "outage" and spec.get("duration") is None:
            raise FaultSpecError("an outage needs a duration")
        default_methods = ["send*", "edit*"] if kind == "flood" else ["*"]
        methods = spec.get("methods", default_methods)
        methods = [methods] if isinstance(methods, str) else methods
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise FaultSpecError("methods is a list of method names")
        chat_ids = spec.get("chat_ids")
        if chat_ids is not None and not isinstance(chat_ids, list):
            raise FaultSpecError("chat_ids is a list of chat ids")
        try:
            rule = cls(
                fault=kind, spec=dict(spec), set_at=now,
                methods=tuple(m.lower() for m in methods),
                chat_ids=None if chat_ids is None else frozenset(int(c) for c in chat_ids),
                probability=float(spec.get("probability", 1.0)),
                next=None if spec.get("next") is None else int(spec["next"]),
                start=float(spec.get("start", 0.0)),
                duration=None if spec.get("duration") is None else float(spec["duration"]),
                mode=str(spec.get("mode", "fail_before")),
                status=int(spec.get("status", STATUS.get(kind, 500))),
                html=bool(spec.get("html", False)), hold=float(spec.get("hold", 30.0)),
                delay=float(spec.get("delay", 0.0)),
                retry_after=None if spec.get("retry_after") is None
                else int(spec["retry_after"]))
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"bad value in rule {spec}: {exc}") from None
        if not 0.0 <= rule.probability <= 1.0:
            raise FaultSpecError("probability is between 0 and 1")
        if rule.mode not in ("fail_before", "fail_after"):
            raise FaultSpecError("mode is fail_before or fail_after")
        if rule.status not in ANSWERS or rule.status == 429:
            raise FaultSpecError("status is one of 500, 502, 503, 504")
        if min(rule.start, rule.hold, rule.delay, rule.duration or 0.0) < 0 \
                or (rule.next is not None and rule.next < 0) \
                or (rule.retry_after is not None and rule.retry_after < 1):
            raise FaultSpecError("times and counts are not negative; retry_after is at least 1")
        return rule

    def applies(self, method: str, chat_id: int | None, now: float) -> bool:
        """Whether a call of `method` (lower case) to `chat_id` may be hit now."""
        if self.next is not None and self.injected >= self.next:
            return False
        if not self.active(now):
            return False
        if method == "download":  # only when asked by name: downloads are another server
            if "download" not in self.methods:
                return False
        elif not any(p == method or (p.endswith("*") and method.startswith(p[:-1]))
                     for p in self.methods):
            return False
        return self.chat_ids is None or chat_id in self.chat_ids

    def active(self, now: float) -> bool:
        elapsed = now - self.set_at
        return elapsed >= self.start and (self.duration is None
                                          or elapsed < self.start + self.duration)

    def answer(self, now: float) -> web.HTTPException:
        """What the client gets: Telegram's JSON error, or nginx's HTML page."""
        body: dict = {"ok": False, "error_code": self.status,
                      "description": HTTPStatus(self.status).phrase}
        if self.fault == "flood":
            wait = self.retry_after
            if wait is None:
                left = None if self.duration is None else \
                    self.set_at + self.start + self.duration - now
                wait = 5 if left is None else max(1, math.ceil(left))
            body.update(error_code=429, description=f"Too Many Requests: retry after {wait}",
                        parameters={"retry_after": wait})
        elif self.html:
            return ANSWERS[self.status](text=NGINX_PAGE.format(
                code=self.status, phrase=body["description"]), content_type="text/html")
        return ANSWERS[body["error_code"]](text=json.dumps(body),
                                           content_type="application/json")


@dataclass
class Decision:
    delay: float = 0.0
    rule: Rule | None = None
    entry: dict = field(default_factory=dict)


class Faults:
    """The rules in force, the seeded generator, and counts of what was injected."""

    def __init__(self, stats: dict[str, int]):
        self.stats = stats  # the world's stats: injected faults show in /control/stats too
        self.rules: list[Rule] = []
        self.seed: int | None = None
        self._rng = random.Random()
        self._released = asyncio.Event()
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.injected: Counter[str] = Counter()
        self.by_method: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.failed = 0  # calls answered with an error instead of their result
        self.delivered_anyway = 0
        self.log: list[dict] = []  # one entry per failed call

    def configure(self, spec: object) -> None:
        """Replace the rules (or add to them with "append"); counters keep counting."""
        if not isinstance(spec, dict) or set(spec) - {"seed", "rules", "append"}:
            raise FaultSpecError('a spec is {"seed": int, "rules": [...], "append": bool}')
        now = time.monotonic()
        rules = spec.get("rules", [])
        if not isinstance(rules, list):
            raise FaultSpecError("rules is a list")
        parsed = [Rule.parse(rule, now) for rule in rules]
        if spec.get("append"):
            self.rules.extend(parsed)
            return
        self.rules = parsed
        # Without a seed one is drawn, and shown by snapshot(), so a failing run can be replayed.
        seed = spec.get("seed")
        self.seed = int(seed) if seed is not None else secrets.randbelow(2**32)
        self._rng = random.Random(self.seed)

    def clear(self) -> dict:
        """No more faults; held requests are answered now. Returns the counters as they were."""
        final = self.snapshot()
        self.rules = []
        self.release()
        self._reset_counters()
        return final

    def release(self) -> None:
        """End every hold and delay now (the fault's answer is still given)."""
        self._released.set()
        self._released = asyncio.Event()

    def snapshot(self) -> dict:
        now = time.monotonic()
        return {"seed": self.seed,
                "rules": [{**r.spec, "injected": r.injected, "active": r.active(now) and (
                    r.next is None or r.injected < r.next)} for r in self.rules],
                "injected": dict(self.injected),
                "by_method": {m: dict(c) for m, c in self.by_method.items()},
                "failed": self.failed, "delivered_anyway": self.delivered_anyway,
                "log": self.log}

    def decide(self, method: str, chat_id: int | None) -> Decision:
        """Which rules hit this call; synchronous, so "next N" counts exactly N."""
        now, name, decision = time.monotonic(), method.lower(), Decision()
        for rule in self.rules:
            if not rule.applies(name, chat_id, now):
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.injected += 1
            self.injected[rule.fault] += 1
            self.by_method[method][rule.fault] += 1
            self.stats[f"fault:{rule.fault}"] += 1
            self.stats[f"fault:{rule.fault}:{method}"] += 1
            if rule.fault == "slow":
                decision.delay += rule.delay
                continue
            decision.rule = rule
            self.failed += 1
            decision.entry = {"n": self.failed, "time": time.time(),
                              "method": method, "chat_id": chat_id, "fault": rule.fault,
                              "status": 429 if rule.fault == "flood" else rule.status,
                              "mode": rule.mode}
            if len(self.log) < LOG_LIMIT:
                self.log.append(decision.entry)
            break
        return decision

    async def around(self, method: str, chat_id: object, call: Callable[[], Awaitable[T]]) -> T:
        """Run `call` (a Bot API method, or a download) through the rules in force."""
        if not self.rules:  # the strict emulator: nothing in the way
            return await call()
        decision = self.decide(method, _chat_id(chat_id))
        if decision.delay:
            await self._wait(decision.delay)
        rule = decision.rule
        if rule is None:
            return await call()
        if rule.mode == "fail_after":
            try:
                result = await call()
            except ApiError as exc:  # it failed by itself; its answer is lost all the same
                decision.entry.update(executed=True, lost_answer=exc.code)
            else:
                self.delivered_anyway += 1
                self.stats["fault:delivered_anyway"] += 1
                decision.entry.update(executed=True, lost_answer=200)
                if isinstance(result, dict) and "message_id" in result:
                    decision.entry["message_id"] = result["message_id"]
        if rule.fault == "timeout":
            await self._wait(rule.hold)
        raise rule.answer(time.monotonic())

    async def _wait(self, seconds: float) -> None:
        released = self._released
        try:
            await asyncio.wait_for(released.wait(), seconds)
        except TimeoutError:
            pass


def _chat_id(value: object) -> int | None:
    """The numeric chat_id of a call, if it has one (an @username never matches a rule)."""
    if isinstance(value, bool):
        return None
    try:
        return int(value) if isinstance(value, (int, str, bytes)) else None
    except ValueError:
        return None
