"""Lessons from a CSV or XLSX file, in the export's columns: every row checked, every problem
reported with its row and column, and nothing written unless the whole file is right (one
transaction). Each lesson is imported as a draft by the person importing, who submits it
for moderation as any other: nothing imported is published without a moderator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from accord.core.problems import Problem, Problems
from accord.core.spreadsheets import read_rows

from . import services
from .models import Lesson

REQUIRED = ("kind", "title", "source", "occurred_on", "what_happened")
OPTIONAL = (
    "organisations",
    "collaboration",
    "principles",
    "factors",
    "why",
    "recommendation",
    "evidence",
    "audience",
)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def parse(actor: Any, data: bytes, filename: str) -> list[services.LessonData]:
    header, rows = read_rows(data, filename)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Problems([Problem(f"missing column {c}", source=filename) for c in missing])
    problems: list[Problem] = []
    parsed: list[services.LessonData] = []
    for row in rows:
        line = row.line
        row_problems: list[Problem] = []
        try:
            occurred_on: dt.date | None = dt.date.fromisoformat(row.get("occurred_on", ""))
        except ValueError:
            occurred_on = None
            row_problems.append(
                Problem("must be a date, YYYY-MM-DD", row=line, field="occurred_on")
            )
        organisations, unknown = services.organisations_by_code(_list(row.get("organisations", "")))
        if unknown:
            row_problems.append(
                Problem(f"unknown codes: {', '.join(unknown)}", row=line, field="organisations")
            )
        reference = row.get("collaboration", "")
        collaboration = services.collaboration_for(actor, reference)
        if reference and collaboration is None:
            row_problems.append(Problem("no such collaboration", row=line, field="collaboration"))
        data_row = services.LessonData(
            kind=row.get("kind", ""),
            title=row.get("title", ""),
            source=row.get("source", ""),
            occurred_on=occurred_on or dt.date.min,
            what_happened=row.get("what_happened", ""),
            why=row.get("why", ""),
            recommendation=row.get("recommendation", ""),
            organisations=organisations,
            collaboration=collaboration,
            principles=_list(row.get("principles", "")),
            factors=_list(row.get("factors", "")),
            evidence=row.get("evidence", "") or "untested",
            audience=row.get("audience", "") or "organisation",
        )
        try:
            services.check(data_row)
        except Problems as found:
            named = {p.field for p in row_problems}
            row_problems.extend(
                Problem(p.reason, row=line, field=p.field)
                for p in found.problems
                if p.field not in named
            )
        problems.extend(row_problems)
        parsed.append(data_row)
    if problems:
        raise Problems(problems, source=filename)
    return parsed


def import_file(actor: Any, data: bytes, filename: str) -> list[Lesson]:
    """Every row a draft lesson, or nothing at all."""
    if not services.can_create(actor):
        raise services.PermissionRefused("Contributors at an organisation import lessons.")
    parsed = parse(actor, data, filename)
    with transaction.atomic():
        return [services.create_lesson(actor, item) for item in parsed]
