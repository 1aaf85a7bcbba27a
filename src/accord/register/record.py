"""What a collaboration's page shows beside the record itself: its history in words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from accord.core.audit_words import event_sentence

from .services import FIELD_LABELS


def history_sentences(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Each event as a sentence ("Collaboration added by Jo Bloggs on 2 December 2026") with
    its time, newest first as given. People are named by their names where they have them
    (one query for all of them), else by their email."""
    events = list(events)
    ids = {e.actor_id for e in events if e.actor_id}
    names: dict[int, str] = {}
    if ids:
        people = get_user_model().objects.filter(pk__in=ids)
        for pk, first, last in people.values_list("pk", "first_name", "last_name"):
            names[pk] = f"{first} {last}".strip()
    return [
        {
            "sentence": event_sentence(
                action=e.action,
                object_type=e.object_type,
                actor_label=e.actor_label,
                actor_name=names.get(e.actor_id, ""),
                at=timezone.localtime(e.at),
                before=e.before,
                after=e.after,
                labels=FIELD_LABELS,
            ),
            "at": e.at,
        }
        for e in events
    ]
