"""KPI measurements out to CSV, XLSX and JSON: exactly the KPIs the person may see.

One row a point of each adoption's series, as its chart shows it: what was entered for it and,
for a published indicator, the published figures for its organisation; then, for a published
indicator with a national series, England's figures (the national comparator its chart shows),
each row of them marked ``series`` ``england`` where the KPI's own are ``kpi``. Values are
numbers at full precision (JSON and XLSX keep the float; CSV writes its shortest exact form).
The import's columns come first (indicator, organisation, period, value, note), so that a file
edited in a spreadsheet can be imported again into a collaboration (the importer leaves out
the rows that are not entered figures: published, worked out, England's); each code has its
label beside it.
Formula injection is neutralised in CSV and XLSX (core.spreadsheets); every row carries its
collaboration's protective marking, and the file the highest of them (core.marking).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from accord.core.choices import Visibility
from accord.core.marking import marking_for
from accord.core.spreadsheets import stream_csv, stream_json, xlsx_to

from . import queries
from .choices import Direction, Source, Unit
from .models import Adoption

COLUMNS = (
    "indicator",
    "indicator_title",
    "organisation",
    "organisation_name",
    "period",
    "value",
    "note",
    "collaboration",
    "collaboration_title",
    "unit",
    "unit_label",
    "direction",
    "direction_label",
    "source",
    "source_label",
    "series",
    "series_label",
    "protective_marking",
)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}
UNIT_LABELS = dict(Unit.choices)
DIRECTION_LABELS = dict(Direction.choices)
SOURCE_LABELS = dict(Source.choices)
VISIBILITY_LABELS = dict(Visibility.choices)
WHOLE_COLLABORATION = "The collaboration as a whole"
#: What the ``series`` column says: the KPI's own figures, or England's beside them.
KPI_SERIES, NATIONAL_SERIES = "kpi", "england"
SERIES_LABELS = {KPI_SERIES: "The KPI", NATIONAL_SERIES: "England (national comparator)"}
#: England as AmbSYS names it (its ``Org Code`` and ``Org Name``).
ENGLAND_CODE, ENGLAND_NAME = "Eng", "England"
#: Adoptions read at a time: memory holds a chunk's series, whatever the number of KPIs.
CHUNK = 500


def _ordered(adoptions: QuerySet[Adoption]) -> QuerySet[Adoption]:
    return adoptions.select_related("collaboration", "indicator", "organisation").order_by(
        "collaboration__reference", "indicator__title", "organisation__name", "pk"
    )


def records(adoptions: QuerySet[Adoption]) -> Iterator[dict[str, Any]]:
    """Each point of each adoption's series as a record: the columns' values, numbers as
    numbers (at full precision)."""
    ordered = list(_ordered(adoptions).values_list("pk", flat=True))
    for start in range(0, len(ordered), CHUNK):
        chunk = list(_ordered(Adoption.objects.filter(pk__in=ordered[start : start + CHUNK])))
        series, national = queries.series_many(chunk, national=True)
        for adoption in chunk:
            indicator, organisation, collaboration = (
                adoption.indicator,
                adoption.organisation,
                adoption.collaboration,
            )
            marking = marking_for([collaboration.visibility])
            own = [(KPI_SERIES, p) for p in series[adoption.pk]]
            england = [(NATIONAL_SERIES, p) for p in national.get(adoption.pk, [])]
            for kind, point in own + england:
                if kind == NATIONAL_SERIES:
                    code, name = ENGLAND_CODE, ENGLAND_NAME
                elif organisation is not None:
                    code, name = organisation.code, organisation.name
                else:
                    code, name = "", WHOLE_COLLABORATION
                yield {
                    "indicator": indicator.key,
                    "indicator_title": indicator.title,
                    "organisation": code,
                    "organisation_name": name,
                    "period": queries.period_label(point.period),
                    "value": point.value,
                    "note": point.note,
                    "collaboration": collaboration.reference,
                    "collaboration_title": collaboration.title,
                    "unit": indicator.unit,
                    "unit_label": str(UNIT_LABELS.get(indicator.unit, indicator.unit)),
                    "direction": indicator.direction,
                    "direction_label": str(
                        DIRECTION_LABELS.get(indicator.direction, indicator.direction)
                    ),
                    "source": point.source,
                    "source_label": str(SOURCE_LABELS.get(point.source, point.source)),
                    "series": kind,
                    "series_label": SERIES_LABELS[kind],
                    "protective_marking": marking,
                }


def file_marking(adoptions: QuerySet[Adoption]) -> str:
    """The highest marking of the file's collaborations: public ones only are not marked as
    if the file held more."""
    return marking_for(
        adoptions.order_by().values_list("collaboration__visibility", flat=True).distinct()
    )


def stream(adoptions: QuerySet[Adoption], fmt: str) -> Iterator[bytes]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use csv, xlsx or json")
    marking = file_marking(adoptions)
    if fmt == "json":
        found = list(records(adoptions))
        yield from stream_json(iter(found), count=len(found), marking=marking)
        return
    rows = ([record[c] for c in COLUMNS] for record in records(adoptions))
    if fmt == "csv":
        yield from stream_csv(COLUMNS, rows)
        return
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
        xlsx_to(
            spool,
            COLUMNS,
            rows,
            title="KPI measurements",
            marking=marking,
            about=[
                (
                    "What",
                    "Each point of each KPI's series, as its chart shows it: entered figures "
                    "and, for a published indicator, the published figures for its organisation.",
                ),
                (
                    "Series",
                    "kpi: the KPI's own figures. england: England's published figures for the "
                    "same indicator, the national comparator its chart shows.",
                ),
            ],
        )
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece


def render(adoptions: QuerySet[Adoption], fmt: str) -> bytes:
    """The whole file's bytes (for tests and small files; pages stream)."""
    return b"".join(stream(adoptions, fmt))


def response(adoptions: QuerySet[Adoption], fmt: str) -> StreamingHttpResponse:
    content_type, extension = FORMATS[fmt]
    answer = StreamingHttpResponse(stream(adoptions, fmt), content_type=content_type)
    answer["Content-Disposition"] = f'attachment; filename="kpi-measurements.{extension}"'
    return answer
