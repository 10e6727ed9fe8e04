"""Where each user is in a multi-step flow, and what they have answered so far.

Read from the database on every update, so a restart (or a second instance)
continues exactly where the user was. Every write is compare-and-set on the
version read: a double tap or a second instance holding an older state cannot
overwrite a newer one (StaleConversation).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.db import Database, Row


class StaleConversation(Exception):
    """The conversation changed since it was read (a double tap, another instance)."""


@dataclass
class Conversation:
    user_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    message_id: int | None = None
    updated_at: int = 0
    parked: bool = False  # left for the menu or a lookup: typed input no longer goes to it
    version: int = 0  # as read; 0: not stored yet
    update_id: int | None = None  # the update whose handling saved it last


def _conversation(row: Row, user_id: int, updated_at: int) -> Conversation:
    return Conversation(user_id=user_id, flow=row["flow"], step=row["step"],
                        data=json.loads(row["data"]), message_id=row["message_id"],
                        updated_at=updated_at, parked=bool(row["parked"]),
                        version=row["version"], update_id=row["update_id"])


class ConversationRepo:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, user_id: int) -> Conversation | None:
        row = await self.db.lookup("SELECT * FROM conversations WHERE user_id = ?", (user_id,))
        return _conversation(row, row["user_id"], row["updated_at"]) if row else None

    async def save(self, conv: Conversation, now: int) -> None:
        """Write the flow's position if nobody has since the version `conv` holds (0: no row
        was there); a flow that saves is being used, so not parked. Raises
        StaleConversation otherwise."""
        data = json.dumps(conv.data, ensure_ascii=False)
        if conv.version == 0:
            rows = await self.db.put(
                "INSERT INTO conversations (user_id, flow, step, data, message_id, updated_at,"
                " update_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING"
                " RETURNING version",
                (conv.user_id, conv.flow, conv.step, data, conv.message_id, now,
                 conv.update_id))
        else:
            rows = await self.db.put(
                "UPDATE conversations SET flow = ?, step = ?, data = ?, message_id = ?,"
                " updated_at = ?, parked = 0, version = version + 1, update_id = ?"
                " WHERE user_id = ? AND version = ? RETURNING version",
                (conv.flow, conv.step, data, conv.message_id, now, conv.update_id,
                 conv.user_id, conv.version))
        if not rows:
            raise StaleConversation(conv.user_id)
        conv.version, conv.updated_at, conv.parked = rows[0]["version"], now, False

    async def park(self, conv: Conversation) -> None:
        """The user left the flow (for the main menu or a lookup): keep it, but stop
        routing their input to it."""
        rows = await self.db.put(
            "UPDATE conversations SET parked = 1, version = version + 1"
            " WHERE user_id = ? AND version = ? RETURNING version", (conv.user_id, conv.version))
        if not rows:
            raise StaleConversation(conv.user_id)
        conv.version, conv.parked = rows[0]["version"], True

    async def clear(self, user_id: int, version: int | None = None) -> None:
        """End the flow; with `version`, only if nobody saved it since (else
        StaleConversation). Clearing what is already gone is fine."""
        if version is None:
            await self.db.put("DELETE FROM conversations WHERE user_id = ?", (user_id,))
            return
        rows = await self.db.put(
            "DELETE FROM conversations WHERE user_id = ? AND version = ? RETURNING user_id",
            (user_id, version))
        if not rows and await self.get(user_id) is not None:
            raise StaleConversation(user_id)


def from_joined(row: Row | None) -> Conversation | None:
    """The conversation part of UserRepo.load's joined row, if the user is in a flow."""
    if row is None or row["flow"] is None:
        return None
    return _conversation(row, row["id"], row["conv_updated"])
