"""A reminder: a message owed to someone at a due time, kept until sent (an outbox row)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STAFF_KINDS = ("documents_flag",)  # sent to staff, whatever the applicant's settings
URGENT_KINDS = ("status",)  # status notifications being retried: no quiet hours, no mute


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    kind: str
    subject: str
    due_at: int
    payload: dict[str, Any]
    status: str
