"""Collaborations out to CSV, XLSX and JSON: exactly what the person may see.

The columns are the import's, so that an export can be edited and imported elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from accord.core import audit
from accord.core.choices import Visibility
from accord.core.marking import marking_for
from accord.core.sectors import SERVICES
from accord.core.spreadsheets import stream_csv, stream_json, xlsx_to
from accord.orgs.models import Area, Organisation

from .choices import Nature, ResearchArea, ServiceMix, Status
from .importers import COLUMN_NAMES, EXPORT_ONLY_COLUMNS
from .models import Champion, Collaboration, EvidenceLink, ExportCells, Partner

#: The words beside each coded column, in the column after it: a reader of the spreadsheet sees
#: "First response and co-responding" as well as `co_responding`, and the file still imports
#: (the importer passes over these columns).
LABEL_COLUMNS = {
    "research_area": "research_area_label",
    "nature": "nature_label",
    "status": "status_label",
    "partners": "partner_names",
    "visibility": "visibility_label",
    "named_organisations": "named_organisation_names",
    "areas": "area_names",
    "service_mix": "service_mix_label",
}
EXPORT_COLUMNS = tuple(
    name
    for column in (*COLUMN_NAMES, "service_mix", "archived", "updated_at", "protective_marking")
    for name in (column, LABEL_COLUMNS.get(column))
    if name
)
if set(EXPORT_COLUMNS) - set(COLUMN_NAMES) != set(EXPORT_ONLY_COLUMNS):  # pragma: no cover
    raise ImportError("importers.EXPORT_ONLY_COLUMNS must name every column only the export has")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


#: Between a relation's codes and their labels in the one cell the database writes for both.
SEPARATOR = "\x1f"
#: The label columns that come from their code column's cell, split by `_split`.
SPLIT_LABELS = ("partner_names", "named_organisation_names", "area_names")
_SELECTED = [name for name in EXPORT_COLUMNS if name not in SPLIT_LABELS]
_SPLIT_AT = tuple(_SELECTED.index(code) for code in ("partners", "named_organisations", "areas"))


def _split(row: tuple[str, ...]) -> tuple[str, ...]:
    """A row as the database wrote it, each relation's codes and labels in one cell, as the
    export writes it: the labels in the column beside their codes."""
    p, n, a = _SPLIT_AT
    partners, partner_names = row[p].split(SEPARATOR)
    named, named_names = row[n].split(SEPARATOR)
    areas, area_names = row[a].split(SEPARATOR)
    return (
        *row[:p],
        partners,
        partner_names,
        *row[p + 1 : n],
        named,
        named_names,
        *row[n + 1 : a],
        areas,
        area_names,
        *row[a + 1 :],
    )


#: Rows read from the database at a time: memory holds a chunk, whatever the register's size.
CHUNK = 2000


#: The relations whose text is kept in ExportCells, by their column in EXPORT_COLUMNS.
KEPT_RELATIONS = ("partners", "champions", "evidence", "named_organisations", "areas")
#: What the kept text depends on beyond the collaboration's own version: organisations' and
#: areas' codes and names, whose every change is audited.
CELLS_DEPEND_ON = ["orgs.organisation", "orgs.area"]


@functools.cache
def _row_sql(vendor: str) -> tuple[str, str]:
    """One query that reads a chunk of records as the export writes them: every column as its
    text, the relations joined into theirs by the database (one correlated subquery each), in
    EXPORT_COLUMNS' order. Building each row in Python (and a model instance or a tuple for
    every partner, champion and link) was most of an export's time; now a row goes from the
    database driver to the CSV writer as it is.

    `{visible}` is the person's visible records as a subquery of ids; after it come the last
    reference read (keyset paging) and the chunk's size. Every name is quoted by the database's
    own rules."""
    q = connection.ops.quote_name
    postgres = vendor == "postgresql"

    def table(model: Any) -> str:
        return q(model._meta.db_table)

    def col(model: Any, field: str, alias: str) -> str:
        return f"{alias}.{q(model._meta.get_field(field).column)}"

    def c(field: str) -> str:
        return col(Collaboration, field, "c")

    def day(field: str) -> str:
        # SQLite holds a date as its ISO text already; PostgreSQL's text for a date follows the
        # session's DateStyle, so it is spelt out.
        expression = (
            f"to_char({c(field)}, 'YYYY-MM-DD')" if postgres else f"CAST({c(field)} AS TEXT)"
        )
        return f"COALESCE({expression}, '')"

    def joined(
        model: Any, value: str, order: str, via: tuple[Any, str] | None = None, label: str = ""
    ) -> str:
        """The record's `model` rows (as r), with what they point to through `via` (as o), as
        one text joined by "; " in `order`. With a `label`, the labels joined the same way
        follow after a SEPARATOR, from the same rows: one subquery for a column and the
        column beside it (which `rows` splits), not two."""
        join = ""
        if via is not None:
            target, field = via
            join = f" LEFT JOIN {table(target)} o ON o.{q('id')} = {col(model, field, 'r')}"
        where = f"{col(model, 'collaboration', 'r')} = c.{q('id')}"
        empty = f"'{SEPARATOR}'" if label else "''"
        if postgres:
            aggregates = f"string_agg({value}, '; ' ORDER BY {order})"
            if label:
                aggregates += f" || '{SEPARATOR}' || string_agg({label}, '; ' ORDER BY {order})"
            return (
                f"COALESCE((SELECT {aggregates} "  # noqa: S608
                f"FROM {table(model)} r{join} WHERE {where}), {empty})"
            )
        # SQLite before 3.44 has no ORDER BY inside an aggregate: an ordered subquery of an
        # aggregate is never flattened, so group_concat reads it in its order.
        aggregates = "group_concat(t, '; ')"
        labels = ""
        if label:
            aggregates += f" || '{SEPARATOR}' || group_concat(n, '; ')"
            labels = f", {label} AS n"
        return (
            f"COALESCE((SELECT {aggregates} FROM (SELECT {value} AS t{labels} "  # noqa: S608
            f"FROM {table(model)} r{join} WHERE {where} ORDER BY {order})), {empty})"
        )

    services = " || ".join(
        f"CASE WHEN {c('involves_' + name)} THEN '; {name}' ELSE '' END" for name in SERVICES
    )
    updated = (
        f"to_char({c('updated_at')} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00'"
        if postgres
        # Stored as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
        else f"replace(substr({c('updated_at')}, 1, 19), ' ', 'T') || '+00:00'"
    )
    amount = (
        f"CAST({c('funding_amount')} AS TEXT)"
        if postgres
        # SQLite keeps a decimal as a number: written with its two places, as Django reads it.
        else "CASE WHEN {0} IS NOT NULL THEN printf('%%.2f', {0}) END".format(c("funding_amount"))
    )

    def words(field: str, choices: Any) -> str:
        """The label of the code in `field` (the code itself for one no longer offered)."""
        cases = " ".join(
            f"WHEN '{value}' THEN '{str(label).replace(chr(39), chr(39) * 2)}'"
            for value, label in choices.choices
        )
        return f"CASE {c(field)} {cases} ELSE {c(field)} END"

    named = Collaboration.named_organisations.through
    areas = Collaboration.areas.through
    code, name = "o." + q("code"), "o." + q("name")
    role = col(Partner, "role", "r")
    champion = col(Champion, "name", "r")
    title, url = col(EvidenceLink, "title", "r"), col(EvidenceLink, "url", "r")
    columns = {
        "reference": c("reference"),
        "title": c("title"),
        "summary": c("summary"),
        "research_area": c("research_area"),
        "nature": c("nature"),
        "status": c("status"),
        "proposed_on": day("proposed_on"),
        "started_on": day("started_on"),
        "ended_on": day("ended_on"),
        "services": f"substr({services}, 3)",
        "research_area_label": words("research_area", ResearchArea),
        "nature_label": words("nature", Nature),
        "status_label": words("status", Status),
        "partners": joined(
            Partner,
            f"{code} || ':' || {role}",
            f"{role}, {name}",
            (Organisation, "organisation"),
            label=f"{name} || ' (' || {role} || ')'",
        ),
        "funding_source": c("funding_source"),
        "funding_amount": f"COALESCE({amount}, '')",
        "funding_ends_on": day("funding_ends_on"),
        "board": c("board"),
        "written_agreement": (
            f"CASE WHEN {c('has_written_agreement')} IS NULL THEN 'not known' "
            f"WHEN {c('has_written_agreement')} THEN 'yes' ELSE 'no' END"
        ),
        "agreement_signed_on": day("agreement_signed_on"),
        "champions": joined(
            Champion,
            f"CASE WHEN {code} IS NULL THEN {champion} "
            f"ELSE {champion} || ' (' || {code} || ')' END",
            "r." + q("id"),
            (Organisation, "organisation"),
        ),
        "outcomes": c("outcomes"),
        "public_summary": c("public_summary"),
        "evidence": joined(
            EvidenceLink,
            f"CASE WHEN {url} IS NULL OR {url} = '' THEN {title} "
            f"ELSE {title} || ' | ' || {url} END",
            "r." + q("id"),
        ),
        "visibility": c("visibility"),
        "visibility_label": words("visibility", Visibility),
        "named_organisations": joined(
            named, code, name, (Organisation, "organisation"), label=name
        ),
        "areas": joined(areas, code, name, (Area, "area"), label=name),
        "notes": c("notes"),
        "service_mix": c("service_mix"),
        "archived": f"CASE WHEN {c('archived_at')} IS NULL THEN 'no' ELSE 'yes' END",
        "service_mix_label": words("service_mix", ServiceMix),
        "updated_at": updated,
        # Each record's own marking (the file's is the highest of them): the public marking
        # and the configured one are the query's first two parameters.
        "protective_marking": f"CASE WHEN {c('visibility')} = 'public' THEN %s ELSE %s END",
    }
    cells = table(ExportCells)
    joined_afresh = {name: columns[name] for name in KEPT_RELATIONS}
    for name in KEPT_RELATIONS:
        # A kept row (joined below only when it is current) or the relations joined afresh.
        columns[name] = (
            f"CASE WHEN e.{q('collaboration_id')} IS NOT NULL THEN e.{q(name)} "
            f"ELSE {joined_afresh[name]} END"
        )
    select = ", ".join(columns[name] for name in EXPORT_COLUMNS if name not in SPLIT_LABELS)
    current = (
        f"e.{q('collaboration_id')} = c.{q('id')} AND e.{q('version')} = {c('version')} "
        f"AND e.{q('organisations_state')} = %s"
    )
    # SQLite, left to choose, found the visible records by their ids, then worked out every
    # row's relations and sorted the wide rows by reference, for each chunk afresh; with the
    # id's index hidden (unary plus) it walks the reference index and stops at the chunk's
    # size, neither sorting nor working out a row it does not return (4,416 rows' subqueries
    # for 3,208 records in chunks of 2,000, now 3,208).
    ids = f"+c.{q('id')}" if not postgres else f"c.{q('id')}"
    read = (
        f"SELECT {select} FROM {table(Collaboration)} c "  # noqa: S608
        f"LEFT JOIN {cells} e ON {current} "
        f"WHERE {ids} IN ({{visible}}) AND {c('reference')} > %s "
        f"ORDER BY {c('reference')} LIMIT %s"
    )
    # The visible records whose kept text is missing or out of date, joined afresh and kept:
    # one statement, whose parameters are the state, the visible records' and the state.
    names = ", ".join(q(name) for name in KEPT_RELATIONS)
    afresh = ", ".join(joined_afresh[name] for name in KEPT_RELATIONS)
    updates = ", ".join(
        f"{q(n)} = excluded.{q(n)}" for n in ("version", "organisations_state", *KEPT_RELATIONS)
    )
    refresh = (
        f"INSERT INTO {cells} ({q('collaboration_id')}, {q('version')}, "  # noqa: S608
        f"{q('organisations_state')}, {names}) "
        f"SELECT c.{q('id')}, {c('version')}, %s, {afresh} "
        f"FROM {table(Collaboration)} c WHERE c.{q('id')} IN ({{visible}}) "
        f"AND NOT EXISTS (SELECT 1 FROM {cells} e WHERE {current}) "
        f"ON CONFLICT ({q('collaboration_id')}) DO UPDATE SET {updates}"
    )
    return read, refresh


def rows(queryset: QuerySet[Collaboration]) -> Iterator[tuple[str, ...]]:
    """Each record as the export writes it, its values in EXPORT_COLUMNS' order, read a chunk
    at a time by keyset (the next references after the last one read) so that memory does not
    grow with the register: one query a chunk, whatever its place in the register."""
    try:
        visible, params = queryset.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        return
    read, refresh = (sql.replace("{visible}", visible) for sql in _row_sql(connection.vendor))
    markings = (settings.PUBLIC_MARKING, settings.PROTECTIVE_MARKING)
    state = hashlib.sha256(audit.state_version(CELLS_DEPEND_ON).encode()).hexdigest()
    last = ""
    with connection.cursor() as cursor:
        # The relations of records changed since the last export are joined once, here, and
        # kept; the chunks then read them as they are. A record changed in between is joined
        # afresh by the read itself, so nothing out of date is written out.
        cursor.execute(refresh, (state, *params, state))
        while True:
            cursor.execute(read, (*markings, state, *params, last, CHUNK))
            chunk = cursor.fetchall()
            yield from map(_split, chunk)
            if len(chunk) < CHUNK:
                return
            last = chunk[-1][0]
            del chunk  # before the next is read: one chunk in memory, not two


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
    # The file's marking is the highest of its records': a file of public records only is not
    # marked as if it held more.
    marking = marking_for(queryset.order_by().values_list("visibility", flat=True).distinct())
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
