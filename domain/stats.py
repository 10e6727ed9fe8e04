"""Desk statistics from the status history: submitted and decided per week, the median
days a stage lasts, and what each staff member did. Pure: the history is given."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.applications import OPEN

DECISIONS = ("approved", "rejected")


@dataclass(frozen=True)
class Change:
    application_id: int
    to_status: str
    actor_id: int | None
    at: int  # Unix seconds


@dataclass
class Stats:
    weeks: list[date]                          # Mondays, oldest first
    submitted: list[int]                       # per week
    decided: list[int]                         # per week (approved or rejected)
    stage_days: dict[str, float]               # median days a finished stay lasted
    stage_counts: dict[str, int]               # finished stays measured
    per_staff: dict[int, tuple[int, int]] = field(default_factory=dict)  # changes, decisions


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute(changes: list[Change], applicants: dict[int, int | None], today: date,
            tz: ZoneInfo, weeks: int = 8) -> Stats:
    """`applicants`: each application's applicant (their own changes, a withdrawal, are
    not staff work). Weeks are Almaty's, the current one last."""
    mondays = [monday(today) - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    index = {m: i for i, m in enumerate(mondays)}
    submitted, decided = [0] * weeks, [0] * weeks
    by_app: dict[int, list[Change]] = defaultdict(list)
    staff_changes: Counter[int] = Counter()
    staff_decisions: Counter[int] = Counter()
    for change in changes:
        by_app[change.application_id].append(change)
        week = index.get(monday(datetime.fromtimestamp(change.at, tz).date()))
        if week is not None and change.to_status == "submitted":
            submitted[week] += 1
        if week is not None and change.to_status in DECISIONS:
            decided[week] += 1
        actor = change.actor_id
        if actor is not None and actor != applicants.get(change.application_id) \
                and change.to_status != "submitted":
            staff_changes[actor] += 1
            staff_decisions[actor] += change.to_status in DECISIONS
    stays: dict[str, list[float]] = defaultdict(list)
    for history in by_app.values():
        history.sort(key=lambda c: c.at)
        for entered, left in zip(history, history[1:], strict=False):
            if entered.to_status in OPEN:
                stays[entered.to_status].append((left.at - entered.at) / 86400)
    return Stats(mondays, submitted, decided,
                 {s: statistics.median(v) for s, v in stays.items()},
                 {s: len(v) for s, v in stays.items()},
                 {a: (staff_changes[a], staff_decisions[a]) for a in staff_changes})
