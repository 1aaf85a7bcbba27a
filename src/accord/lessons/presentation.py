"""How a lesson reads: as JSON (the API and the JSON export share it) and with search words
highlighted. The original text only where the caller says this reader may read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import themes
from .models import TEXT_FIELDS, Action, Lesson
from .search import MARK_END, MARK_START


def learned(actions: Sequence[Action]) -> bool:
    """A lesson learned: at least one action done and none open or in progress."""
    return any(a.status == "done" for a in actions) and not any(a.is_open for a in actions)


def action_dict(action: Action, today: dt.date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "lesson": action.lesson_id,
        "title": action.title,
        "owner": action.owner.email,
        "due": action.due.isoformat(),
        "status": action.status,
        "overdue": action.overdue(today),
        "evidence": action.evidence,
        "evidence_url": action.evidence_url,
        "completed_at": action.completed_at.isoformat() if action.completed_at else None,
    }


def text_of(lesson: Lesson, *, original: bool) -> dict[str, str]:
    """The four text fields as this reader reads them."""
    return {name: lesson.shown(name, original=original) for name in TEXT_FIELDS}


def lesson_dict(
    lesson: Lesson,
    *,
    original: bool,
    actions: Sequence[Action],
    organisations: Sequence[str],
    today: dt.date,
) -> dict[str, Any]:
    return {
        "id": lesson.pk,
        "state": lesson.state,
        "kind": lesson.kind,
        **{"title": text_of(lesson, original=original)["title"]},
        "source": lesson.source,
        "occurred_on": lesson.occurred_on.isoformat(),
        "organisations": list(organisations),
        "organisation": lesson.organisation.code,
        "collaboration": lesson.collaboration.reference if lesson.collaboration else None,
        "principles": list(lesson.principles),
        "factors": list(lesson.factors),
        **{k: v for k, v in text_of(lesson, original=original).items() if k != "title"},
        "evidence": lesson.evidence,
        "audience": lesson.audience,
        "redacted": not original,
        "return_reason": lesson.return_reason if original else "",
        "awaiting_platform_moderator": bool(
            lesson.state == "submitted" and lesson.approved_by_id is not None
        ),
        "published_at": lesson.published_at.isoformat() if lesson.published_at else None,
        "learned": learned(actions),
        "actions": [action_dict(a, today) for a in actions],
    }


def highlighted(marked: str) -> SafeString:
    """Text from the search index, escaped, with its marked words in ``<mark>``."""
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def theme_titles(ids: Sequence[str]) -> list[str]:
    return [themes.theme_title(i) for i in ids]
