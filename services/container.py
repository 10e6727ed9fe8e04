"""The long-lived things handlers and jobs use, one set per running bot."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from config import Settings
from domain.library import Library
from domain.roles import Roles
from i18n import Catalogues, Translator
from services.clock import Clock
from storage.repos import Repos


class BroadcastControl(Protocol):
    """What staff's buttons ask of the broadcast sender (jobs.broadcast.Sender)."""

    async def tick(self) -> None: ...
    async def pause(self, broadcast_id: int) -> bool: ...
    async def resume(self, broadcast_id: int) -> bool: ...
    async def cancel(self, broadcast_id: int) -> bool: ...


@dataclass
class Services:
    settings: Settings
    repos: Repos
    catalogues: Catalogues
    clock: Clock
    library: Library  # the guide and reference content
    broadcasts: BroadcastControl | None = None  # set once the sender runs
    # Set when something was written to the outbox: its sender delivers it at once.
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    roles: Roles = field(init=False)

    def __post_init__(self) -> None:
        self.roles = Roles(frozenset(self.settings.admin_ids),
                           frozenset(self.settings.staff_ids))

    def translator(self, language: str | None) -> Translator:
        """The translator for a language, the default language when unknown."""
        return self.catalogues.get(language or self.settings.default_language)

    async def translator_for(self, user_id: int) -> Translator:
        return self.translator(await self.repos.users.language_of(user_id))

    async def staff_ids(self) -> list[int]:
        """Everyone who works the queue: configured admins and staff, and granted staff."""
        return self.roles.everyone(await self.repos.users.with_roles(("staff", "admin")))
