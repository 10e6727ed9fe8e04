"""The outbox: every message the bot owes someone (a status notice, a reminder, an alert to
staff), written in the same transaction as the change that caused it and delivered by the
outbox sender (jobs.outbox), at least once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Kinds sent to staff, whatever the applicant's own settings.
STAFF_KINDS = ("documents_flag", "new_application", "digest", "question", "topic", "overdue",
               "documents_received")
# Kinds that are news, not nudges: sent at night too, and to users who muted reminders.
URGENT_KINDS = ("status", "new_application", "reply", "question", "topic", "issued",
                "inspection_moved", "documents_received")
# Kinds told in the order they were written (a later status must not overtake an earlier).
# Conversation messages too: two staff answering at once reach the applicant in order.
ORDERED_KINDS = ("status", "reply", "topic")
MAX_ATTEMPTS = 8        # transient failures (network, 5xx, 429) before a notice is given up
# A claimed notice not finished by then is claimed again (its sender died): longer than a
# send can take (its timeouts), short enough that a crash delays notices little.
LEASE_SECONDS = 30


@dataclass(frozen=True)
class Owed:
    """A message to write to the outbox."""
    chat_id: int
    kind: str
    subject: str        # with chat_id and kind, what makes a pending notice unique
    due_at: int         # Unix seconds, UTC
    payload: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """A row of the outbox."""
    id: int
    chat_id: int
    kind: str
    subject: str
    due_at: int
    payload: dict[str, Any]
    status: str
    attempts: int


def backoff(attempts: int) -> int:
    """Seconds before the next try after `attempts` failures: 2, 4, 8… at most 5 minutes."""
    return int(min(2 ** max(attempts, 1), 300))
