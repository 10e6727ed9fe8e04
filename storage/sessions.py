"""The joined user + conversation rows of recently active users, kept in memory.

Every update needs its user and conversation; reading them costs a thread hop
to SQLite, a large share of an update's time (BENCHMARKS.md). The bot process
is the only writer of these rows, and every write goes through UserRepo,
ConversationRepo or ApplicationRepo.erase_user, which keep this cache right:
a conversation write updates the entry, any other write to a user drops it.

`epoch` guards a race: a read that was in flight while an entry was dropped
may have read the old row, so it is not cached (`put` refuses it).
"""
from __future__ import annotations

from collections import OrderedDict

CONVERSATION_FIELDS = ("flow", "step", "data", "message_id", "conv_updated")


class SessionCache:
    def __init__(self, size: int = 5_000):
        self._rows: OrderedDict[int, dict] = OrderedDict()
        self._size = size
        self.epoch = 0

    def get(self, user_id: int) -> dict | None:
        row = self._rows.get(user_id)
        if row is not None:
            self._rows.move_to_end(user_id)
        return row

    def put(self, user_id: int, row: dict, epoch: int) -> None:
        """Keep a row read from the database, unless something was dropped meanwhile."""
        if epoch != self.epoch:
            return
        self._rows[user_id] = row
        self._rows.move_to_end(user_id)
        if len(self._rows) > self._size:
            self._rows.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self.epoch += 1
        self._rows.pop(user_id, None)

    def set_conversation(self, user_id: int, values: tuple | None) -> None:
        """After a conversation write: the new (flow, step, data, message_id,
        updated_at), or None when it was cleared."""
        row = self._rows.get(user_id)
        if row is not None:
            row.update(zip(CONVERSATION_FIELDS, values or (None,) * len(CONVERSATION_FIELDS)))

    def __len__(self) -> int:
        return len(self._rows)
