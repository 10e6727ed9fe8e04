"""Who may do what. Admins come from config; staff from config or an admin's grant."""
from __future__ import annotations

from config import Settings
from storage.users import User


def is_admin(settings: Settings, user: User | None) -> bool:
    return user is not None and (user.id in settings.admin_ids or user.role == "admin")


def is_staff(settings: Settings, user: User | None) -> bool:
    return user is not None and (is_admin(settings, user) or user.id in settings.staff_ids
                                 or user.role == "staff")


async def staff_ids(settings: Settings, users) -> list[int]:
    """Everyone who works the queue: admins and staff from config, and granted staff."""
    granted = await users.with_roles(("staff", "admin"))
    return sorted(set(settings.admin_ids) | set(settings.staff_ids) | set(granted))
