"""An analysis's results out to CSV, XLSX and JSON: the figures the page shows (hotspots
below the disclosure threshold withheld as there), with the collaboration's protective
marking. CSV and XLSX neutralise formula injection (core.spreadsheets)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse

from accord.core.marking import marking_for
from accord.core.spreadsheets import write_csv, write_xlsx

from . import presentation
from .models import Analysis

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


def render(analysis: Analysis, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use csv, xlsx or json")
    result = analysis.result or {}
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    marking = marking_for([analysis.collaboration.visibility])
    if fmt == "json":
        data = {
            "protective_marking": marking,
            "analysis": analysis.pk,
            "title": analysis.title,
            "collaboration": analysis.collaboration.reference,
            "data_note": analysis.data_note,
            "result": presentation.export_json(result, threshold),
        }
        return (json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    rows = presentation.export_rows(result, threshold)
    if fmt == "csv":
        return write_csv(presentation.EXPORT_COLUMNS, rows)
    about = [
        ("Analysis", f"{analysis.title} ({analysis.collaboration.reference})"),
        ("What", "Joint incidents: records of different services linked in time and space."),
    ]
    if analysis.data_note:
        about.append(("Note", analysis.data_note))
    return write_xlsx(
        presentation.EXPORT_COLUMNS,
        rows,
        title="Demand analysis",
        marking=marking,
        about=about,
    )


def response(analysis: Analysis, fmt: str) -> HttpResponse:
    content_type, extension = FORMATS[fmt]
    answer = HttpResponse(render(analysis, fmt), content_type=content_type)
    answer["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}.{extension}"'
    return answer
