"""A person who has written to the bot: their language, role, and whether to write to them."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("importer", "engineer", "staff", "admin")


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None
    language: str | None
    role: str
    role_chosen: bool
    first_seen: int
    last_seen: int
    blocked: bool
    muted: bool = False
