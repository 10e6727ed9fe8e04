"""Where each user is in a multi-step flow, and what they have answered so far.

Read from the database on every update, so a restart (or a second instance)
continues exactly where the user was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from storage.db import Database


@dataclass
class Conversation:
    user_id: int
    flow: str
    step: str
    data: dict = field(default_factory=dict)
    message_id: int | None = None
    updated_at: int = 0
    parked: bool = False  # left for the menu or a lookup: typed input no longer goes to it


class ConversationRepo:
    def __init__(self, db: Database):
        self.db = db

    async def get(self, user_id: int) -> Conversation | None:
        row = await self.db.lookup("SELECT * FROM conversations WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Conversation(user_id=row["user_id"], flow=row["flow"], step=row["step"],
                            data=json.loads(row["data"]), message_id=row["message_id"],
                            updated_at=row["updated_at"], parked=bool(row["parked"]))

    async def save(self, conv: Conversation, now: int) -> None:
        """Write the flow's position; a flow that saves is being used, so not parked."""
        conv.updated_at = now
        conv.parked = False
        await self.db.put(
            "INSERT INTO conversations (user_id, flow, step, data, message_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " flow = excluded.flow, step = excluded.step, data = excluded.data,"
            " message_id = excluded.message_id, updated_at = excluded.updated_at, parked = 0",
            (conv.user_id, conv.flow, conv.step, json.dumps(conv.data, ensure_ascii=False),
             conv.message_id, now))

    async def park(self, user_id: int) -> None:
        """The user left the flow (for the main menu or a lookup): keep it, but stop
        routing their input to it (handlers.base.park_flow)."""
        await self.db.put("UPDATE conversations SET parked = 1 WHERE user_id = ?", (user_id,))

    async def clear(self, user_id: int) -> None:
        await self.db.put("DELETE FROM conversations WHERE user_id = ?", (user_id,))


def from_joined(row) -> Conversation | None:
    """The conversation part of UserRepo.load's joined row, if the user is in a flow."""
    if row is None or row["flow"] is None:
        return None
    return Conversation(user_id=row["id"], flow=row["flow"], step=row["step"],
                        data=json.loads(row["data"]), message_id=row["message_id"],
                        updated_at=row["conv_updated"], parked=bool(row["parked"]))
