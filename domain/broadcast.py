"""Broadcast rules: who is in an audience, and which text each recipient gets."""
from __future__ import annotations

from dataclasses import dataclass

from domain.applications import STATUSES

AUDIENCE_KINDS = ("all", "importer", "engineer", "language", "status")
OUTCOMES = ("sent", "blocked", "not_found", "failed")
BROADCAST_STATUSES = ("scheduled", "sending", "paused", "cancelled", "done")


@dataclass(frozen=True)
class Audience:
    kind: str
    value: str | None = None

    def valid(self) -> bool:
        if self.kind == "language":
            return self.value in ("kk", "ru", "zh")
        if self.kind == "status":
            return self.value in STATUSES and self.value != "draft"
        return self.kind in AUDIENCE_KINDS and self.value is None


@dataclass(frozen=True)
class Broadcast:
    id: int
    author_id: int
    texts: dict[str, str]
    media_kind: str | None
    media_file_id: str | None
    audience: Audience
    paid: bool
    status: str
    scheduled_at: int
    created_at: int
    started_at: int | None
    finished_at: int | None
    progress_chat_id: int | None
    progress_message_id: int | None


def text_for(texts: dict[str, str], language: str | None, default: str) -> str:
    """The recipient's language version, else the default language's."""
    return texts.get(language or default) or texts[default]
