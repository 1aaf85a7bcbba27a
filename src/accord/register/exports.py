"""Collaborations out to CSV, XLSX and JSON: exactly what the person may see.

The columns are the import's, so that an export can be edited and imported elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accord.core.spreadsheets import write_csv, write_json, write_xlsx

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


def records(queryset: QuerySet[Collaboration]) -> Iterator[dict[str, Any]]:
    for c in export_queryset(queryset):
        partners: list[Partner] = c.export_partners  # type: ignore[attr-defined]
        champions: list[Champion] = c.export_champions  # type: ignore[attr-defined]
        evidence: list[Any] = c.export_evidence  # type: ignore[attr-defined]
        named: list[Any] = c.export_named  # type: ignore[attr-defined]
        areas: list[Any] = c.export_areas  # type: ignore[attr-defined]
        yield {
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


def render(
    queryset: QuerySet[Collaboration],
    fmt: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The file's bytes; `progress(done, total)` is told of each row, for a progress bar."""
    marking = settings.PROTECTIVE_MARKING
    if progress is None:
        rows = list(records(queryset))
    else:
        total = queryset.count()
        rows = []
        for done, row in enumerate(records(queryset), start=1):
            rows.append(row)
            progress(done, total)
    if fmt == "json":
        return write_json(rows, marking=marking)
    table = ([row[name] for name in EXPORT_COLUMNS] for row in rows)
    if fmt == "xlsx":
        return write_xlsx(EXPORT_COLUMNS, table, title="Collaborations", marking=marking)
    if fmt == "csv":
        return write_csv(EXPORT_COLUMNS, table)
    raise ValueError(f"unknown format {fmt!r}: use csv, xlsx or json")


def template(fmt: str) -> bytes:
    """An empty import file with every column and one example row."""
    header = [c.name for c in COLUMNS]
    example = [c.example for c in COLUMNS]
    if fmt == "xlsx":
        return write_xlsx(
            header, [example], title="Collaborations", marking=settings.PROTECTIVE_MARKING
        )
    return write_csv(header, [example])
