"""Lessons as CSV, Excel or JSON: what the person may see, with the published (redacted) text
only, whoever asks; spreadsheets' cells neutralised against formula injection (core)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from accord.core.marking import marking_for
from accord.core.spreadsheets import stream_csv, stream_json, xlsx_to

from . import presentation
from .models import Action, Lesson

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}

COLUMNS = [
    "id",
    "kind",
    "title",
    "source",
    "occurred_on",
    "organisation",
    "organisations",
    "collaboration",
    "principles",
    "factors",
    "what_happened",
    "why",
    "recommendation",
    "evidence",
    "audience",
    "state",
    "learned",
    "open_actions",
]

_LIST_COLUMNS = ("organisations", "principles", "factors")


def records(lessons: QuerySet[Lesson]) -> Iterator[dict[str, Any]]:
    today = timezone.localdate()
    loaded = (
        lessons.select_related("organisation", "collaboration")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner")), "organisations"
        )
        .order_by("-occurred_on", "-pk")
    )
    for lesson in loaded.iterator(chunk_size=500):
        actions = list(lesson.actions.all())
        record = presentation.lesson_dict(
            lesson,
            # Exports carry the redacted text only, for everyone (issue 13).
            original=False,
            actions=actions,
            organisations=sorted(o.code for o in lesson.organisations.all()),
            today=today,
        )
        record["open_actions"] = sum(1 for a in actions if a.is_open)
        yield {c: record[c] for c in COLUMNS}


def _cell(column: str, value: Any) -> Any:
    if column in _LIST_COLUMNS:
        return "; ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def file_marking(lessons: QuerySet[Lesson]) -> str:
    audiences = lessons.order_by().values_list("audience", flat=True).distinct()
    return marking_for("public" if a == "public" else "partners" for a in audiences)


def stream(lessons: QuerySet[Lesson], fmt: str) -> Iterator[bytes]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use csv, xlsx or json")
    # Published lessons only: a draft has no redacted text yet.
    lessons = lessons.filter(state="published")
    marking = file_marking(lessons)
    if fmt == "json":
        found = list(records(lessons))
        yield from stream_json(iter(found), count=len(found), marking=marking)
        return
    rows = ([_cell(c, r[c]) for c in COLUMNS] for r in records(lessons))
    if fmt == "csv":
        yield from stream_csv(COLUMNS, rows)
        return
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
        xlsx_to(
            spool,
            COLUMNS,
            rows,
            title="Lessons",
            marking=marking,
            about=[("What", "Lessons as published: personal data redacted.")],
        )
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece


def render(lessons: QuerySet[Lesson], fmt: str) -> bytes:
    return b"".join(stream(lessons, fmt))


def response(lessons: QuerySet[Lesson], fmt: str) -> StreamingHttpResponse:
    content_type, extension = FORMATS[fmt]
    answer = StreamingHttpResponse(stream(lessons, fmt), content_type=content_type)
    answer["Content-Disposition"] = f'attachment; filename="lessons.{extension}"'
    return answer
