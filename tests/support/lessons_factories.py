"""Lessons for tests, made through the services (so every write is audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.lessons import services
from accord.lessons.redaction import Span
from accord.orgs.models import Organisation

SECRET_NAME = "Constable Zebedee Quartermaine"
SECRET_EMAIL = "zebedee.quartermaine@lincs-fire.test"


def lesson_data(**fields: Any) -> services.LessonData:
    organisations = fields.pop("organisations", ["E31000025", "RX9"])
    return services.LessonData(
        kind=fields.pop("kind", "lesson_identified"),
        title=fields.pop("title", "Radio handover between control rooms"),
        source=fields.pop("source", "exercise"),
        occurred_on=fields.pop("occurred_on", dt.date(2025, 3, 14)),
        what_happened=fields.pop(
            "what_happened",
            f"During the exercise {SECRET_NAME} ({SECRET_EMAIL}) could not reach the "
            "ambulance dispatcher on the shared talkgroup.",
        ),
        why=fields.pop("why", "The interoperability talkgroup was not in the fire handsets."),
        recommendation=fields.pop(
            "recommendation", "Load the shared talkgroups into every handset before go-live."
        ),
        organisations=list(Organisation.objects.filter(code__in=organisations)),
        principles=fields.pop("principles", ["communicate"]),
        factors=fields.pop("factors", ["organisational-differences"]),
        evidence=fields.pop("evidence", "evaluated_locally"),
        audience=fields.pop("audience", "signed_in"),
        **fields,
    )


def secret_spans(lesson: Any) -> list[Span]:
    """Spans covering the secret name and email in what_happened."""
    text = lesson.what_happened
    spans = []
    for secret in (SECRET_NAME, SECRET_EMAIL):
        start = text.find(secret)
        if start >= 0:
            spans.append(Span("what_happened", start, start + len(secret)))
    return spans


def make_lesson(
    submitter: Any, *, state: str = "draft", moderator: Any = None, **fields: Any
) -> Any:
    """A lesson by `submitter`, taken as far as `state` (submitted or published; published needs
    the moderator, who redacts the secret name and email)."""
    lesson = services.create_lesson(submitter, lesson_data(**fields))
    if state in ("submitted", "published", "returned"):
        lesson = services.submit(submitter, lesson)
    if state == "published":
        assert moderator is not None
        lesson = services.review(
            moderator, lesson, decision="publish", redactions=secret_spans(lesson)
        )
    if state == "returned":
        assert moderator is not None
        lesson = services.review(moderator, lesson, decision="return", reason="Too vague")
    return lesson
