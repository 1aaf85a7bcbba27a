"""Collaborations out to CSV, XLSX and JSON: exactly what the person may see.

The columns are the import's, so that an export can be edited and imported elsewhere.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accord.core.spreadsheets import stream_csv, stream_json, write_csv, write_xlsx, xlsx_to

from .importers import COLUMN_NAMES, COLUMNS
from .models import Champion, Collaboration, Partner

EXPORT_COLUMNS = (*COLUMN_NAMES, "service_mix", "archived", "updated_at")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def export_queryset(queryset: QuerySet[Collaboration]) -> QuerySet[Collaboration]:
    # Prefetched into plain lists (to_attr): thousands of rows would otherwise build a queryset
    # per relation per row just to read what is already in memory.
    return queryset.prefetch_related(
        Prefetch(
            "partners",
            queryset=Partner.objects.select_related("organisation"),
            to_attr="export_partners",
        ),
        Prefetch(
            "champions",
            queryset=Champion.objects.select_related("organisation"),
            to_attr="export_champions",
        ),
        Prefetch("evidence", to_attr="export_evidence"),
        Prefetch("named_organisations", to_attr="export_named"),
        Prefetch("areas", to_attr="export_areas"),
    ).order_by("reference")


EXPORT_RELATIONS = (
    "export_partners",
    "export_champions",
    "export_evidence",
    "export_named",
    "export_areas",
)
#: Rows read from the database at a time (with their relations, one query each per chunk).
CHUNK = 500


def _chunks(queryset: QuerySet[Collaboration]) -> Iterator[list[Collaboration]]:
    """The records in reference order, a chunk at a time, each chunk's relations loaded with
    it. Read by keyset (the next references after the last one): one query for the rows and one a
    relation, whatever the chunk's place in the register."""
    last = ""
    while True:
        chunk = list(export_queryset(queryset.filter(reference__gt=last))[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].reference


def records(queryset: QuerySet[Collaboration]) -> Iterator[dict[str, Any]]:
    """Each record as the export writes it, read in chunks so that memory does not grow."""
    for c in (c for chunk in _chunks(queryset) for c in chunk):
        partners: list[Partner] = c.export_partners  # type: ignore[attr-defined]
        champions: list[Champion] = c.export_champions  # type: ignore[attr-defined]
        evidence: list[Any] = c.export_evidence  # type: ignore[attr-defined]
        named: list[Any] = c.export_named  # type: ignore[attr-defined]
        areas: list[Any] = c.export_areas  # type: ignore[attr-defined]
        row = {
            "reference": c.reference,
            "title": c.title,
            "summary": c.summary,
            "research_area": c.research_area,
            "nature": c.nature,
            "status": c.status,
            "proposed_on": _date(c.proposed_on),
            "started_on": _date(c.started_on),
            "ended_on": _date(c.ended_on),
            "services": "; ".join(c.services),
            "partners": "; ".join(f"{p.organisation.code}:{p.role}" for p in partners),
            "funding_source": c.funding_source,
            "funding_amount": str(c.funding_amount) if c.funding_amount is not None else "",
            "funding_ends_on": _date(c.funding_ends_on),
            "board": c.board,
            "written_agreement": "yes" if c.has_written_agreement else "no",
            "agreement_signed_on": _date(c.agreement_signed_on),
            "champions": "; ".join(
                f"{ch.name} ({ch.organisation.code})" if ch.organisation else ch.name
                for ch in champions
            ),
            "outcomes": c.outcomes,
            "public_summary": c.public_summary,
            "evidence": "; ".join(f"{e.title} | {e.url}" if e.url else e.title for e in evidence),
            "visibility": c.visibility,
            "named_organisations": "; ".join(o.code for o in named),
            "areas": "; ".join(a.code for a in areas),
            "notes": c.notes,
            "service_mix": c.service_mix,
            "archived": "yes" if c.archived_at else "no",
            "updated_at": c.updated_at.isoformat(timespec="seconds"),
        }
        # Each prefetched child points back at its record, a cycle that only the garbage
        # collector's rare full passes would free: broken here, memory stays a chunk's.
        for name in EXPORT_RELATIONS:
            delattr(c, name)
        yield row


def _counted(
    queryset: QuerySet[Collaboration], progress: Callable[[int, int], None] | None
) -> tuple[int, Iterator[dict[str, Any]]]:
    total = queryset.count()

    def counting() -> Iterator[dict[str, Any]]:
        for done, row in enumerate(records(queryset), start=1):
            if progress is not None:
                progress(done, total)
            yield row

    return total, counting()


def stream(
    queryset: QuerySet[Collaboration],
    fmt: str,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[bytes]:
    """The file as it is written, chunk by chunk: rows are read from the database in chunks and
    each is written as it comes. `progress(done, total)` is told of each row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use csv, xlsx or json")
    marking = settings.PROTECTIVE_MARKING
    total, rows = _counted(queryset, progress)
    if fmt == "json":
        yield from stream_json(rows, count=total, marking=marking)
        return
    table = ([row[name] for name in EXPORT_COLUMNS] for row in rows)
    if fmt == "csv":
        yield from stream_csv(EXPORT_COLUMNS, table)
        return
    # A workbook is a zip, whole only at its end: written row by row to a temporary file
    # (kept in memory while small), then sent in pieces.
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
        xlsx_to(spool, EXPORT_COLUMNS, table, title="Collaborations", marking=marking)
        spool.seek(0)
        while piece := spool.read(256 * 1024):
            yield piece


def render(
    queryset: QuerySet[Collaboration],
    fmt: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The whole file's bytes (for tests and small files; pages and commands stream)."""
    return b"".join(stream(queryset, fmt, progress))


def template(fmt: str) -> bytes:
    """An empty import file with every column and one example row."""
    header = [c.name for c in COLUMNS]
    example = [c.example for c in COLUMNS]
    if fmt == "xlsx":
        return write_xlsx(
            header, [example], title="Collaborations", marking=settings.PROTECTIVE_MARKING
        )
    return write_csv(header, [example])
