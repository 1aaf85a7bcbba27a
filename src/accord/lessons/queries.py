"""The lessons' reads: the list's filters and their counts, a person's actions, trends.

Everything starts from `Lesson.objects.visible_to`, so a lesson someone may not see is absent
from lists, counts, searches and exports alike. Counts are a fixed number of queries
whatever the data: one for the filters not chosen, and one for each filter chosen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from accord.core import audit
from accord.core.choices import Sector
from accord.register.choices import ServiceMix

from . import search, themes
from .choices import ActionStatus, Evidence, Kind, Source, State
from .models import Action, Lesson


def _theme_q(name: str, theme: str) -> Q:
    # Lists of ids kept as JSON: a quoted id is found in the JSON text on both databases.
    return Q(**{f"{name}__icontains": f'"{theme}"'})


def _organisation_q(code: str) -> Q:
    through = Lesson.organisations.through.objects.filter(organisation__code__iexact=code)
    return Q(organisation__code__iexact=code) | Q(pk__in=through.values("lesson_id"))


def _sector_q(sector: str) -> Q:
    through = Lesson.organisations.through.objects.filter(organisation__sector=sector)
    return Q(organisation__sector=sector) | Q(pk__in=through.values("lesson_id"))


FILTERS = (
    "kind",
    "source",
    "principle",
    "factor",
    "organisation",
    "sector",
    "service_mix",
    "evidence",
    "state",
    "after",
    "before",
)


def _condition(name: str, value: Any) -> Q:
    if name == "principle":
        return _theme_q("principles", value)
    if name == "factor":
        return _theme_q("factors", value)
    if name == "organisation":
        return _organisation_q(value)
    if name == "sector":
        return _sector_q(value)
    if name == "service_mix":
        return Q(collaboration__service_mix=value)
    if name == "after":
        return Q(occurred_on__gte=value)
    if name == "before":
        return Q(occurred_on__lte=value)
    return Q(**{name: value})


def filtered(
    user: Any, filters: dict[str, Any], *, leave_out: str = "", ranked: bool = True
) -> QuerySet[Lesson]:
    """The lessons this person may see that pass every filter (but `leave_out`), matched by
    the words in filters["q"], best first when `ranked`."""
    lessons: QuerySet[Lesson] = Lesson.objects.visible_to(user)
    for name in FILTERS:
        value = filters.get(name)
        if value and name != leave_out:
            lessons = lessons.filter(_condition(name, value))
    query = str(filters.get("q") or "")
    if ranked:
        return search.matching(lessons, query)
    if search.words(query):
        return search.matching(lessons, query, ranked=False)
    return lessons


#: What the counts depend on: a change to any of these (each through a service, each with its
#: audit event) starts the counts afresh.
COUNTED = ["lessons.lesson", "register.collaboration", "orgs.user", "orgs.organisation"]
COUNTS_SECONDS = 600


def _who(user: Any) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    # Per person: their own drafts and their role in their organisation change what they see.
    return f"user-{user.pk}-{getattr(user, 'role', '')}-{getattr(user, 'organisation_id', '')}"


def list_key(user: Any, filters: dict[str, Any], address: Any) -> str:
    """What a page of the list depends on, as a key: what the counts depend on (the state of
    lessons, collaborations, people and organisations, and whom they are seen by), the
    filters, and the page's address (its page number and the order of its query string,
    which its links keep)."""
    signature = repr(
        (
            audit.state_version(COUNTED),
            _who(user),
            sorted((k, str(v)) for k, v in filters.items()),
            sorted(address.lists()),
        )
    )
    return "lessons-list:" + hashlib.sha256(signature.encode()).hexdigest()


def counts(user: Any, filters: dict[str, Any]) -> dict[str, dict[str, int]]:
    """How many lessons each option of each filter would give, the other filters kept, and
    under "total" / "all" how many pass every filter. Kept until a lesson, a collaboration or
    a person changes."""
    key = (
        "lessons-counts:"
        + hashlib.sha256(
            repr(
                (
                    audit.state_version(COUNTED),
                    _who(user),
                    sorted((k, str(v)) for k, v in filters.items()),
                )
            ).encode()
        ).hexdigest()
    )
    kept = cache.get(key)
    if kept is not None:
        return dict(kept)
    found = _counts(user, filters)
    cache.set(key, found, COUNTS_SECONDS)
    return found


def _facets() -> dict[str, tuple[str, list[str], bool]]:
    """Each filter counted: the column its options are counted by, its options (the choices
    the filter offers: a stored value it does not offer could not be chosen anyway), and
    whether options with no lessons are listed."""
    return {
        "kind": ("kind", list(Kind.values), False),
        "source": ("source", list(Source.values), False),
        "evidence": ("evidence", list(Evidence.values), False),
        "state": ("state", list(State.values), False),
        "sector": ("organisation__sector", list(Sector.values), False),
        "service_mix": ("collaboration__service_mix", list(ServiceMix.values), False),
        "principle": ("principles", [theme for theme, _ in themes.principles()], True),
        "factor": ("factors", [theme for theme, _ in themes.factors()], True),
    }


def _option_q(name: str, column: str, option: str) -> Q:
    if name in ("principle", "factor"):
        return _theme_q(column, option)
    return Q(**{column: option})


def _counts(user: Any, filters: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Every filter's options counted with the other filters kept, in one scan of the
    lessons for the filters not chosen (each option a conditional count: the visibility rule
    is worked out once, not once a filter) and one more for each filter chosen (counted
    without itself). Each lesson is one row: the joins are to its own organisation and its
    collaboration, and every other condition is a subquery."""
    facets = _facets()
    chosen = [name for name in facets if filters.get(name)]
    scans: list[tuple[str, list[str]]] = [("", [n for n in facets if n not in chosen])]
    scans += [(name, [name]) for name in chosen]
    found: dict[str, dict[str, int]] = {}
    for leave_out, names in scans:
        aggregates: dict[str, Any] = {"total": Count("pk")} if not leave_out else {}
        for name in names:
            column, options, _ = facets[name]
            for i, option in enumerate(options):
                aggregates[f"{name}__{i}"] = Count("pk", filter=_option_q(name, column, option))
        totals = (
            filtered(user, filters, leave_out=leave_out, ranked=False)
            .order_by()
            .aggregate(**aggregates)
        )
        if not leave_out:
            found["total"] = {"all": totals["total"] or 0}
        for name in names:
            column, options, with_empty = facets[name]
            found[name] = {
                option: totals[f"{name}__{i}"] or 0
                for i, option in enumerate(options)
                if with_empty or totals[f"{name}__{i}"]
            }
    return found


def actions_of(user: Any) -> QuerySet[Action]:
    """A person's own actions, on lessons they may see, soonest due first."""
    return (
        Action.objects.filter(owner=user, lesson__in=Lesson.objects.visible_to(user))
        .select_related("lesson")
        .order_by("status", "due", "pk")
    )


def open_actions_of(lesson_ids: list[int]) -> QuerySet[Action]:
    """The open actions of these lessons (ids of lessons the person may see)."""
    return Action.objects.filter(
        lesson_id__in=lesson_ids, status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    ).select_related("owner", "lesson")


def quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def trends(user: Any) -> tuple[list[str], list[tuple[str, str, int]], list[themes.Recurrence]]:
    """Published lessons this person may see, counted by theme and quarter they happened in:
    (quarters in order, (theme, quarter, count) rows), and the themes that recur by the
    action-note rule among them."""
    rows = (
        Lesson.objects.visible_to(user)
        .filter(state="published")
        .order_by()
        .values_list("pk", "organisation_id", "occurred_on", "principles", "factors")
    )
    counts: dict[tuple[str, str], int] = {}
    quarters: set[str] = set()
    touches = []
    for pk, organisation, on, principles, factors in rows:
        q = quarter(on)
        quarters.add(q)
        ids = tuple(dict.fromkeys([*(principles or []), *(factors or [])]))
        touches.append(themes.Touch(pk, organisation, on, ids))
        for theme in ids:
            counts[(theme, q)] = counts.get((theme, q), 0) + 1
    ordered = sorted(quarters)
    table = [(theme, q, n) for (theme, q), n in sorted(counts.items())]
    return ordered, table, themes.recurring(touches)
