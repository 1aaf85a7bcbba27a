"""Collaborations out to CSV, XLSX and JSON: exactly what the person may see.

The columns are the import's, so that an export can be edited and imported elsewhere.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import CharField, ExpressionWrapper, F, QuerySet

from accord.core.sectors import SERVICES
from accord.core.spreadsheets import stream_csv, stream_json, write_csv, write_xlsx, xlsx_to
from accord.orgs.models import Area, Organisation

from .importers import COLUMN_NAMES, COLUMNS
from .models import Champion, Collaboration, EvidenceLink, Partner

EXPORT_COLUMNS = (*COLUMN_NAMES, "service_mix", "archived", "updated_at")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


#: The record's own columns, read as plain tuples: building a model instance for each row (and
#: one for each partner, champion and link) was most of an export's time.
FIELDS = (
    "id",
    "reference",
    "title",
    "summary",
    "research_area",
    "nature",
    "status",
    "proposed_on",
    "started_on",
    "ended_on",
    *(f"as_read_involves_{name}" for name in SERVICES),
    "funding_source",
    "funding_amount",
    "funding_ends_on",
    "board",
    "as_read_has_written_agreement",
    "agreement_signed_on",
    "outcomes",
    "public_summary",
    "visibility",
    "notes",
    "service_mix",
    "as_read_archived_at",
    "as_read_updated_at",
)
#: Fields read as the database driver gives them, past Django's conversions, which took a
#: third of the rows' time: the flags and the archiving time are only asked whether they are
#: set, and the time of the last change is made aware here, once.
AS_READ = {
    f"as_read_{name}": ExpressionWrapper(F(name), output_field=CharField())
    for name in (
        *(f"involves_{name}" for name in SERVICES),
        "has_written_agreement",
        "archived_at",
        "updated_at",
    )
}
#: Rows read from the database at a time, with their relations (one query each a chunk): memory
#: holds a chunk, whatever the register's size. Fewer, larger chunks cost fewer queries; a
#: database that takes fewer parameters a query gets smaller ones (`_chunk_size`).
CHUNK = 2000

Joined = dict[int, list[str]]


def _grouped(pairs: Iterable[tuple[int, str]]) -> Joined:
    grouped: Joined = {}
    for collaboration_id, text in pairs:
        grouped.setdefault(collaboration_id, []).append(text)
    return grouped


@functools.cache
def _relation_sql() -> tuple[str, ...]:
    """The five queries that read a chunk's relations, in SQL with `{ids}` for the chunk's
    placeholders. The ORM took longer to prepare a 500-id `IN` list than the database took to
    answer it. Every name is quoted by the database's own rules; the ids are parameters."""
    q = connection.ops.quote_name

    def table(model: Any) -> str:
        return q(model._meta.db_table)

    def column(model: Any, field: str) -> str:
        return "r." + q(model._meta.get_field(field).column)

    def select(model: Any, joined: Any, via: str, columns: str, order: str) -> str:
        """`model`'s rows (as r) for the chunk's collaborations, with the record they point
        to through `via` (as o), if any."""
        of = column(model, "collaboration")
        join = f"LEFT JOIN {table(joined)} o ON o.{q('id')} = {column(model, via)} " if via else ""
        return (
            f"SELECT {of}, {columns} FROM {table(model)} r {join}"  # noqa: S608
            f"WHERE {of} IN ({{ids}}) ORDER BY {of}, {order}"
        )

    named = Collaboration.named_organisations.through
    areas = Collaboration.areas.through
    code, name, entered = "o." + q("code"), "o." + q("name"), "r." + q("id")
    return (
        select(
            Partner,
            Organisation,
            "organisation",
            f"{code}, {column(Partner, 'role')}",
            f"{column(Partner, 'role')}, {name}",
        ),
        select(
            Champion, Organisation, "organisation", f"{column(Champion, 'name')}, {code}", entered
        ),
        select(
            EvidenceLink,
            None,
            "",
            f"{column(EvidenceLink, 'title')}, {column(EvidenceLink, 'url')}",
            entered,
        ),
        select(named, Organisation, "organisation", code, name),
        select(areas, Area, "area", code, name),
    )


def _relations(ids: list[int]) -> tuple[Joined, Joined, Joined, Joined, Joined]:
    """A chunk's partners, champions, evidence links, named organisations and areas, one query
    each, as the text the export writes, by collaboration. In the order the record's page lists
    them: partners by role and name, champions and links as entered, organisations and areas by
    name."""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:

        def read(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql.format(ids=marks), ids)
            return cursor.fetchall()

        partners, champions, evidence, named, areas = (read(sql) for sql in _relation_sql())
        return (
            _grouped((cid, f"{code}:{role}") for cid, code, role in partners),
            _grouped((cid, f"{name} ({code})" if code else name) for cid, name, code in champions),
            _grouped((cid, f"{title} | {url}" if url else title) for cid, title, url in evidence),
            _grouped(named),
            _grouped(areas),
        )


def _chunk_size() -> int:
    """CHUNK, or fewer where the database takes fewer parameters a query than a chunk has ids
    (SQLite before 3.32 took 999)."""
    limit = connection.features.max_query_params
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return CHUNK if limit is None else max(1, min(CHUNK, limit - 10))


def _chunks(queryset: QuerySet[Collaboration]) -> Iterator[tuple[list[tuple[Any, ...]], Any]]:
    """The records in reference order, a chunk at a time, each with its relations. Read by
    keyset (the next references after the last one): one query for the rows and one a relation,
    whatever the chunk's place in the register."""
    rows_query = queryset.order_by("reference").annotate(**AS_READ).values_list(*FIELDS)
    size = _chunk_size()
    last = ""
    while True:
        chunk = list(rows_query.filter(reference__gt=last)[:size])
        if not chunk:
            return
        yield chunk, _relations([row[0] for row in chunk])
        if len(chunk) < size:
            return
        last = chunk[-1][1]
        del chunk  # before the next is read: one chunk in memory, not two


#: The order `rows` writes a record's values in; checked against EXPORT_COLUMNS below.
ROW_COLUMNS = (
    "reference",
    "title",
    "summary",
    "research_area",
    "nature",
    "status",
    "proposed_on",
    "started_on",
    "ended_on",
    "services",
    "partners",
    "funding_source",
    "funding_amount",
    "funding_ends_on",
    "board",
    "written_agreement",
    "agreement_signed_on",
    "champions",
    "outcomes",
    "public_summary",
    "evidence",
    "visibility",
    "named_organisations",
    "areas",
    "notes",
    "service_mix",
    "archived",
    "updated_at",
)
if ROW_COLUMNS != EXPORT_COLUMNS:  # pragma: no cover - caught by any test that imports this
    raise ImportError("exports.ROW_COLUMNS must list EXPORT_COLUMNS in their order")


#: The written agreement as read (the driver's 1/0, True/False or None): yes, no or not known.
AGREEMENT_TEXT: dict[object, str] = {None: "not known", False: "no", True: "yes"}

#: The services column for each combination of the four `involves_*` flags, in SERVICES' order.
SERVICES_TEXT = {
    flags: "; ".join(name for name, on in zip(SERVICES, flags, strict=True) if on)
    for flags in itertools.product((False, True), repeat=len(SERVICES))
}


def rows(queryset: QuerySet[Collaboration]) -> Iterator[list[str]]:
    """Each record as the export writes it, its values in EXPORT_COLUMNS' order, read in
    chunks so that memory does not grow with the register."""
    no: list[str] = []
    utc = connection.timezone  # how Django reads a naive time from the database
    for chunk, (partners, champions, evidence, named, areas) in _chunks(queryset):
        for (
            pk,
            reference,
            title,
            summary,
            research_area,
            nature,
            status,
            proposed_on,
            started_on,
            ended_on,
            police,
            fire,
            ambulance,
            other,
            funding_source,
            funding_amount,
            funding_ends_on,
            board,
            has_written_agreement,
            agreement_signed_on,
            outcomes,
            public_summary,
            visibility,
            notes,
            service_mix,
            archived_at,
            updated_at,
        ) in chunk:
            yield [
                reference,
                title,
                summary,
                research_area,
                nature,
                status,
                proposed_on.isoformat() if proposed_on else "",
                started_on.isoformat() if started_on else "",
                ended_on.isoformat() if ended_on else "",
                SERVICES_TEXT[police, fire, ambulance, other],
                "; ".join(partners.get(pk, no)),
                funding_source,
                str(funding_amount) if funding_amount is not None else "",
                funding_ends_on.isoformat() if funding_ends_on else "",
                board,
                AGREEMENT_TEXT.get(has_written_agreement, "yes"),
                agreement_signed_on.isoformat() if agreement_signed_on else "",
                "; ".join(champions.get(pk, no)),
                outcomes,
                public_summary,
                "; ".join(evidence.get(pk, no)),
                visibility,
                "; ".join(named.get(pk, no)),
                "; ".join(areas.get(pk, no)),
                notes,
                service_mix,
                "yes" if archived_at else "no",
                (updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=utc)).isoformat(
                    timespec="seconds"
                ),
            ]
        # Let go of this chunk before the next is read.
        del chunk, partners, champions, evidence, named, areas


def records(queryset: QuerySet[Collaboration]) -> Iterator[dict[str, Any]]:
    """Each record as a dictionary by column name (the JSON export's records)."""
    for row in rows(queryset):
        yield dict(zip(EXPORT_COLUMNS, row, strict=True))


Item = TypeVar("Item")


def _counted(
    queryset: QuerySet[Collaboration],
    read: Callable[[QuerySet[Collaboration]], Iterator[Item]],
    progress: Callable[[int, int], None] | None,
) -> tuple[int, Iterator[Item]]:
    total = queryset.count()
    if progress is None:
        return total, read(queryset)

    def counting() -> Iterator[Item]:
        for done, item in enumerate(read(queryset), start=1):
            progress(done, total)
            yield item

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
    if fmt == "json":
        total, as_records = _counted(queryset, records, progress)
        yield from stream_json(as_records, count=total, marking=marking)
        return
    # Counted only for a progress bar: a spreadsheet does not say how many rows it holds.
    table = rows(queryset) if progress is None else _counted(queryset, rows, progress)[1]
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
