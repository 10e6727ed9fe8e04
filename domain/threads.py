"""Conversations between an applicant and the centre: one thread per application, or one
per applicant for a question without an application; its messages, notes and events."""
from __future__ import annotations

from dataclasses import dataclass

# What a thread message is: the applicant's ('in'), staff's reply to them ('out'), an
# internal note ('note', never reaches the applicant), a change of owner ('assign').
KINDS = ("in", "out", "note", "assign")
# What staff may reply with besides text (the Bot API method of each).
FILE_TYPES = ("document", "photo")


def application_key(application_id: int) -> str:
    return f"a:{application_id}"


def general_key(user_id: int) -> str:
    return f"u:{user_id}"


@dataclass(frozen=True)
class Thread:
    id: int
    key: str
    application_id: int | None
    user_id: int | None
    assignee_id: int | None
    topic_id: int | None
    waiting_since: int | None   # the applicant's oldest unanswered message (Unix seconds)
    last_at: int


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    thread_id: int
    kind: str
    author_id: int | None
    text: str
    file_id: str | None
    file_type: str | None
    at: int
