"""What every edit page shares: the record only for those who may change it, and the form
refilled after someone else saved first."""

from __future__ import annotations

from typing import TypeVar

from django.http import QueryDict

from .problems import EditConflict, PermissionRefused

T = TypeVar("T")


def for_editing(obj: T, allowed: bool, action: str = "edit this record") -> T:
    """The record, when this person may change it; otherwise the refusal page (403). Finding
    the record first, with the visibility rule, has already made a hidden one a 404."""
    if not allowed:
        raise PermissionRefused(f"You may not {action}.")
    return obj


def resubmission(post: QueryDict, conflict: EditConflict, field: str = "version") -> QueryDict:
    """The person's input with the current version, so that saving again, having seen the
    other changes, is a deliberate choice."""
    data = post.copy()
    data[field] = str(conflict.current_version)
    return data
