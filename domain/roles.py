"""Who may do what. Admins come from the configuration; staff from it or an admin's grant."""
from __future__ import annotations

from dataclasses import dataclass

from domain.users import User


@dataclass(frozen=True)
class Roles:
    """The configured ids; a user's stored role (granted) counts as well."""
    admin_ids: frozenset[int] = frozenset()
    staff_ids: frozenset[int] = frozenset()

    def is_admin(self, user: User | None) -> bool:
        return user is not None and (user.id in self.admin_ids or user.role == "admin")

    def is_staff(self, user: User | None) -> bool:
        return user is not None and (self.is_admin(user) or user.id in self.staff_ids
                                     or user.role == "staff")

    def configured(self, user_id: int) -> bool:
        """Staff by the configuration file (so /revoke cannot take it away)."""
        return user_id in self.admin_ids or user_id in self.staff_ids

    def everyone(self, granted: list[int]) -> list[int]:
        """Everyone who works the queue: the configured ones and those granted the role."""
        return sorted(self.admin_ids | self.staff_ids | set(granted))
