"""Who makes a change when it is not a signed-in person: the command line or the demo loader."""

from __future__ import annotations

from typing import Any

from django.db import models


class SystemActor:
    """An operator at the command line: trusted like a platform administrator, audited by name."""

    is_authenticated = True
    is_active = True
    is_platform_admin = True
    is_superuser = False
    organisation_id = None
    organisation = None
    pk = None

    def __init__(self, label: str = "system (command line)") -> None:
        self.email = label

    def has_role(self, role: str) -> bool:
        return True

    def __str__(self) -> str:
        return self.email


def user_or_none(actor: Any) -> Any:
    """The database user behind an actor, for foreign keys; None for the system."""
    if isinstance(actor, models.Model) and getattr(actor, "is_authenticated", False):
        return actor
    return None
