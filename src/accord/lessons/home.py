"""The lessons' panel on the home page: open actions due, and lessons awaiting moderation.

Actions are the person's own and those of the people of their organisation, on lessons the
person may see (withdrawn lessons' actions left out, as the reminders leave them out), due
soonest first, so that the overdue come first. Lessons awaiting moderation are those the person
may review (`services.can_review`): for a moderator, their organisation's submitted lessons not
yet approved; for a platform moderator, every submitted lesson.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accord.core import audit
from accord.core.choices import Role

from . import queries, services
from .choices import ActionStatus, State
from .models import Action, Lesson, is_platform_moderator

#: How many actions and lessons each list shows; the lessons' own pages list the rest.
SHOWN = 10
OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def actions_due(user: Any) -> Any:
    owners = Q(owner=user)
    if user.organisation_id:
        owners |= Q(owner__organisation_id=user.organisation_id)
    return (
        Action.objects.filter(owners, status__in=OPEN)
        .filter(lesson__in=Lesson.objects.visible_to(user).exclude(state=State.WITHDRAWN))
        .select_related("owner", "lesson")
        .order_by("due", "pk")
    )


def awaiting_moderation(user: Any) -> Any:
    """The submitted lessons this person may review, or None if they moderate nothing."""
    submitted = Lesson.objects.filter(state=State.SUBMITTED)
    if is_platform_moderator(user):
        return submitted
    if user.organisation_id and user.has_role(Role.MODERATOR):
        return submitted.filter(organisation_id=user.organisation_id, approved_by__isnull=True)
    return None


def _title(user: Any, lesson: Lesson) -> str:
    """The title as this person may read it: the original for its submitter and their
    organisation's moderators, the published (redacted) one for everyone else."""
    title = lesson.shown("title", original=services.can_read_original(user, lesson))
    return title or f"Lesson {lesson.pk} (not yet published)"


def _panel(user: Any, today: dt.date) -> dict[str, Any]:
    """The panel's figures and rows as plain data, to keep."""
    due = actions_due(user)
    actions = list(due[:SHOWN])
    total = len(actions) if len(actions) < SHOWN else due.count()
    overdue = sum(1 for a in actions if a.due < today)
    if total > len(actions) and overdue == len(actions):
        overdue = due.filter(due__lt=today).count()
    waiting = awaiting_moderation(user)
    lessons: list[Lesson] = []
    waiting_total = 0
    if waiting is not None:
        lessons = list(
            waiting.select_related("organisation").order_by("submitted_at", "pk")[:SHOWN]
        )
        waiting_total = len(lessons) if len(lessons) < SHOWN else waiting.count()
    return {
        "actions": [
            {
                "title": a.title,
                "due": a.due,
                "overdue": a.due < today,
                "yours": a.owner_id == user.pk,
                "owner": a.owner.get_full_name() or a.owner.email,
                "lesson_id": a.lesson_id,
                "lesson_title": _title(user, a.lesson),
            }
            for a in actions
        ],
        "actions_total": total,
        "overdue": overdue,
        "moderates": waiting is not None,
        "lessons": [
            {
                "pk": lesson.pk,
                "title": _title(user, lesson),
                "organisation": lesson.organisation.name,
                "submitted_at": lesson.submitted_at,
            }
            for lesson in lessons
        ],
        "lessons_total": waiting_total,
    }


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    # Kept as the lessons' list is (the state of lessons, collaborations, people and
    # organisations, and who is looking), and the state of the actions and the day besides:
    # an action falls overdue at midnight.
    signature = repr(
        (audit.state_version([*queries.COUNTED, "lessons.action"]), queries._who(user), today)
    )
    key = "lessons:home:" + hashlib.sha256(signature.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _panel(user, today)
        cache.set(key, found, queries.COUNTS_SECONDS)
    return {
        **found,
        "submitted_url": f"{reverse('lessons:list')}?{urlencode({'state': State.SUBMITTED})}",
    }
