"""The lessons' part of the JSON API, for exchanging lessons with other systems.

Contract (issue 13): create a draft, submit it, a moderator's suggested redactions and
review, a search of what the caller may see, one lesson or 404, actions and their completion.
A lesson the caller may not see answers 404, as one that does not exist. The original text is
returned only to its submitter and the moderators of the submitter's organisation; everyone
else reads the redacted text (``"redacted": true``). A wrong field answers 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from accord.core.problems import PermissionRefused, Problem, Problems
from accord.lessons import presentation, search, services
from accord.lessons.models import Action, Lesson
from accord.lessons.redaction import Span

from .auth import require_signed_in
from .pagination import MAX_LIMIT, MAX_OFFSET
from .schemas import ANONYMOUS_TOO, TEXT_MAX, responses

router = Router(tags=["lessons"])

#: A lesson or an action, as JSON (presentation.lesson_dict, presentation.action_dict).
Out = dict[str, Any]


def _created(*errors: int) -> dict[int, Any]:
    declared = responses(Out, *errors)
    declared.pop(200)
    return {201: Out, **declared}


LESSON_ID = Path(..., description="The lesson's id")
ACTION_ID = Path(..., description="The action's id")


class LessonIn(Schema):
    kind: Any = Field(..., description="lesson_identified, notable_practice or did_not_work")
    title: Any = Field(...)
    source: Any = Field(
        ..., description="incident, exercise, training, collaboration, debrief, external_report"
    )
    occurred_on: Any = Field(..., description="YYYY-MM-DD")
    organisations: Any = Field(default_factory=list, description="Organisations' codes")
    collaboration: Any = Field(None, description="A collaboration's reference, or null")
    principles: Any = Field(default_factory=list, description="JESIP principles' ids")
    factors: Any = Field(default_factory=list, description="Research factors' ids")
    what_happened: Any = Field(...)
    why: Any = ""
    recommendation: Any = ""
    evidence: Any = Field(
        "untested", description="untested, evaluated_locally or independently_evaluated"
    )
    audience: Any = Field("organisation", description="organisation, partners, signed_in or public")


def _text(value: Any, name: str, problems: list[Problem]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(Problem("must be text", field=name))
        return ""
    return value


def _date(value: Any, name: str, problems: list[Problem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        pass
    problems.append(Problem("must be a date, YYYY-MM-DD", field=name))
    return None


def _ids(value: Any, name: str, problems: list[Problem]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem("must be a list of text", field=name))
        return []
    return list(value)


def _lesson_data(request: HttpRequest, body: LessonIn) -> services.LessonData:
    problems: list[Problem] = []
    texts = {
        name: _text(getattr(body, name), name, problems)
        for name in (
            "kind",
            "title",
            "source",
            "what_happened",
            "why",
            "recommendation",
            "evidence",
            "audience",
        )
    }
    occurred_on = _date(body.occurred_on, "occurred_on", problems)
    codes = _ids(body.organisations, "organisations", problems)
    organisations, unknown = services.organisations_by_code(codes)
    if unknown:
        problems.append(Problem(f"unknown codes: {', '.join(unknown)}", field="organisations"))
    collaboration = None
    if body.collaboration is not None:
        reference = _text(body.collaboration, "collaboration", problems)
        collaboration = services.collaboration_for(request.user, reference)
        if reference and collaboration is None:
            problems.append(Problem("no such collaboration", field="collaboration"))
    data = services.LessonData(
        kind=texts["kind"],
        title=texts["title"],
        source=texts["source"],
        occurred_on=occurred_on,
        what_happened=texts["what_happened"],
        why=texts["why"],
        recommendation=texts["recommendation"],
        evidence=texts["evidence"],
        audience=texts["audience"],
        organisations=organisations,
        collaboration=collaboration,
        principles=_ids(body.principles, "principles", problems),
        factors=_ids(body.factors, "factors", problems),
    )
    try:
        services.check(data)
    except Problems as found:
        problems.extend(p for p in found.problems if p.field not in {q.field for q in problems})
    if problems:
        raise Problems(problems)
    return data


def _loaded(queryset: Any) -> Any:
    return queryset.select_related("organisation", "collaboration").prefetch_related(
        Prefetch("actions", queryset=Action.objects.select_related("owner")),
        "organisations",
    )


def _out(request: HttpRequest, lesson: Lesson) -> dict[str, Any]:
    return presentation.lesson_dict(
        lesson,
        original=services.can_read_original(request.user, lesson),
        actions=list(lesson.actions.all()),
        organisations=sorted(o.code for o in lesson.organisations.all()),
        today=timezone.localdate(),
    )


def _one(request: HttpRequest, lesson_id: int) -> dict[str, Any]:
    lesson = _loaded(services.visible_lessons(request.user).filter(pk=lesson_id)).first()
    if lesson is None:
        services.get_visible(request.user, lesson_id)  # raises NotVisible
    return _out(request, lesson)


@router.post("/lessons", response=_created(400, 403))
def create_lesson(request: HttpRequest, body: LessonIn) -> Any:
    """A draft lesson (signed in, or with a token): 201 with the lesson; 422 naming each
    wrong field; 403 for someone who is not a contributor at an organisation."""
    require_signed_in(request)
    # Who may write comes before what they wrote: a reader is told 403, not their fields' faults.
    if not services.can_create(request.user):
        raise PermissionRefused("Contributors at an organisation write lessons.")
    lesson = services.create_lesson(request.user, _lesson_data(request, body))
    return Status(201, _one(request, lesson.pk))


class LessonFilters(Schema):
    q: str = Field("", max_length=TEXT_MAX, description="Words, all of which must match")
    state: str = Field("", max_length=32)
    # Documented as the shared paging documents them (api/pagination.py); out of range, a 400.
    limit: int = Field(
        100,
        description=f"rows on the page, 1 to {MAX_LIMIT}",
        json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
    )
    offset: int = Field(
        0,
        description="rows to skip, from 0",
        json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET},
    )


@router.get("/lessons", response=responses(Out, 400), openapi_extra=ANONYMOUS_TOO)
def list_lessons(request: HttpRequest, filters: Query[LessonFilters]) -> Any:
    """`{"count", "items"}`: the lessons this caller may see, best match first for `q`."""
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= filters.offset <= MAX_OFFSET:
        raise HttpError(400, f"offset must be between 0 and {MAX_OFFSET}")
    visible: QuerySet[Lesson] = services.visible_lessons(request.user)
    if filters.state:
        visible = visible.filter(state=filters.state)
    lessons = search.matching(visible, filters.q)
    count = lessons.count()
    page = _loaded(lessons)[filters.offset : filters.offset + filters.limit]
    return {"count": count, "items": [_out(request, lesson) for lesson in page]}


@router.get("/lessons/{lesson_id}", response=responses(Out, 404), openapi_extra=ANONYMOUS_TOO)
def get_lesson(request: HttpRequest, lesson_id: int = LESSON_ID) -> Any:
    """One lesson, or 404 where it does not exist or this caller may not see it."""
    return _one(request, lesson_id)


@router.post("/lessons/{lesson_id}/submit", response=responses(Out, 403, 404))
def submit_lesson(request: HttpRequest, lesson_id: int = LESSON_ID) -> Any:
    """Its submitter sends a draft or returned lesson for review: `state` `submitted`."""
    require_signed_in(request)
    lesson = services.submit(request.user, services.get_visible(request.user, lesson_id))
    return _one(request, lesson.pk)


@router.get(
    "/lessons/{lesson_id}/suggested-redactions",
    response=responses(list[Out], 403, 404),
)
def suggested_redactions(request: HttpRequest, lesson_id: int = LESSON_ID) -> Any:
    """Moderators: spans that look like personal data, `{"field", "start", "end", "kind",
    "text"}`, offsets in characters into that field."""
    require_signed_in(request)
    lesson = services.get_visible(request.user, lesson_id)
    return [span.as_dict() for span in services.suggested_redactions(request.user, lesson)]


class RedactionIn(Schema):
    field: str
    start: int
    end: int
    kind: str = "other"


class ReviewIn(Schema):
    decision: str = Field(..., description="publish or return")
    reason: str = ""
    redactions: list[RedactionIn] | None = None
    attachments: list[int] | None = Field(
        None, description="Ids of the attachments checked and published with it"
    )


@router.post("/lessons/{lesson_id}/review", response=responses(Out, 400, 403, 404))
def review_lesson(request: HttpRequest, body: ReviewIn, lesson_id: int = LESSON_ID) -> Any:
    """Moderators: publish with these spans replaced by `[redacted]`, or return with a
    reason. A public lesson approved by its organisation's moderator waits for a platform
    moderator (`awaiting_platform_moderator`)."""
    require_signed_in(request)
    lesson = services.get_visible(request.user, lesson_id)
    spans = (
        None
        if body.redactions is None
        else [Span(r.field, r.start, r.end, r.kind) for r in body.redactions]
    )
    lesson = services.review(
        request.user,
        lesson,
        decision=body.decision,
        reason=body.reason,
        redactions=spans,
        attachments_published=body.attachments,
    )
    return _one(request, lesson.pk)


class ActionIn(Schema):
    title: str
    owner: str = Field(..., description="The owner's email address")
    due: Any = Field(..., description="YYYY-MM-DD")


@router.post("/lessons/{lesson_id}/actions", response=_created(400, 403, 404))
def add_action(request: HttpRequest, body: ActionIn, lesson_id: int = LESSON_ID) -> Any:
    """An action on the lesson, owned by a person: 201 with the action."""
    require_signed_in(request)
    lesson = services.get_visible(request.user, lesson_id)
    problems: list[Problem] = []
    due = _date(body.due, "due", problems)
    if problems:
        raise Problems(problems)
    action = services.add_action(
        request.user, lesson, title=body.title, owner_email=body.owner, due=due
    )
    return Status(201, presentation.action_dict(action, timezone.localdate()))


class CompleteIn(Schema):
    evidence: str = ""
    evidence_url: str = ""


@router.post("/actions/{action_id}/complete", response=responses(Out, 400, 403, 404))
def complete_action(request: HttpRequest, body: CompleteIn, action_id: int = ACTION_ID) -> Any:
    """Done, with its evidence of completion (text, or a link)."""
    require_signed_in(request)
    action = services.get_visible_action(request.user, action_id)
    action = services.complete_action(
        request.user, action, evidence=body.evidence, evidence_url=body.evidence_url
    )
    return presentation.action_dict(action, timezone.localdate())
