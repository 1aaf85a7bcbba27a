"""Full-text search of published lessons: one gateway, two engines.

- SQLite: an FTS5 table (``lessons_fts``, Porter stemming), ranked by bm25, highlighted by
  FTS5's ``highlight``.
- PostgreSQL: a table of ``tsvector`` documents (``lessons_search``, English stemming, a GIN
  index), ranked by ``ts_rank``, highlighted by ``ts_headline``.

Only the published, redacted text is ever written here (``index``), and only while a lesson
is published; ``unindex`` removes it. The tables are written with plain SQL (they are an index,
not a record, so nothing here is audited) and made by this app's migration.

Highlights come back with the matched words between two control characters that no lesson's
text holds (``MARK_START``, ``MARK_END``); ``presentation.highlighted`` escapes the rest and
turns them into ``<mark>``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import QuerySet

MARK_START = "\x02"
MARK_END = "\x03"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORD = re.compile(r"\w+", re.UNICODE)

SQLITE_TABLE = "lessons_fts"
POSTGRES_TABLE = "lessons_search"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def words(query: str) -> list[str]:
    """The query's words, at most 12: punctuation and search syntax are never passed on."""
    return _WORD.findall(query or "")[:12]


def _fts_query(query: str) -> str:
    # Each word quoted, so FTS5 reads none as an operator; all of them must match.
    return " ".join('"' + w.replace('"', "") + '"' for w in words(query))


def _ts_query(query: str) -> str:
    return " ".join(words(query))


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text or "")


# Writing ---------------------------------------------------------------------------------------


def index(lesson: Any) -> None:
    """Put a published lesson's redacted text into the index (replacing what was there)."""
    unindex(lesson.pk)
    title = _clean(lesson.published_title)
    body = "\n\n".join(
        _clean(t)
        for t in (
            lesson.published_what_happened,
            lesson.published_why,
            lesson.published_recommendation,
        )
    )
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                f"INSERT INTO {POSTGRES_TABLE} (lesson_id, title, body, document) "  # noqa: S608
                "VALUES (%s, %s, %s, setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s), 'B'))",
                [lesson.pk, title, body, title, body],
            )
        else:
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
                [lesson.pk, title, body],
            )


def unindex(lesson_id: int) -> None:
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE} WHERE lesson_id = %s", [lesson_id])  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [lesson_id])  # noqa: S608


# Reading ---------------------------------------------------------------------------------------


def matching(queryset: QuerySet[Any], query: str, *, ranked: bool = True) -> QuerySet[Any]:
    """The lessons of `queryset` that match every word of the query, best first.

    An empty query (no words) leaves the queryset as it was; unranked (for counts), no rank
    is asked for and the order is left out. The index is joined in (one row a
    lesson), so the rank is worked out once per match in the same query, annotated as
    ``search_rank`` (higher is better on both engines).
    """
    if not words(query):
        return queryset
    table = queryset.model._meta.db_table
    quote = connection.ops.quote_name
    # Table names are this module's constants; the query's words go in as parameters.
    if _postgres():
        found = queryset.extra(  # noqa: S610
            tables=[POSTGRES_TABLE],
            where=[
                f"{POSTGRES_TABLE}.lesson_id = {quote(table)}.{quote('id')}",
                f"{POSTGRES_TABLE}.document @@ plainto_tsquery('english', %s)",
            ],
            params=[_ts_query(query)],
            select={
                "search_rank": f"ts_rank({POSTGRES_TABLE}.document, plainto_tsquery('english', %s))"
            }
            if ranked
            else None,
            select_params=[_ts_query(query)] if ranked else None,
        )
    else:
        # bm25 is lower for a better match: negated, so that both engines sort descending.
        found = queryset.extra(  # noqa: S610
            tables=[SQLITE_TABLE],
            where=[
                f"{SQLITE_TABLE}.rowid = {quote(table)}.{quote('id')}",
                f"{SQLITE_TABLE} MATCH %s",
            ],
            params=[_fts_query(query)],
            select={"search_rank": f"-bm25({SQLITE_TABLE}, 10.0, 1.0)"} if ranked else None,
        )
    return found.order_by("-search_rank", "-pk") if ranked else found.order_by()


def highlights(lesson_ids: list[int], query: str) -> dict[int, tuple[str, str]]:
    """For each lesson found by the query, its redacted title and an extract of its redacted
    text with the query's words between MARK_START and MARK_END: one query for a page."""
    if not lesson_ids or not words(query):
        return {}
    marks = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=15"
    placeholders = ", ".join(["%s"] * len(lesson_ids))
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                "SELECT lesson_id, ts_headline('english', title, q, %s), "  # noqa: S608
                "ts_headline('english', body, q, %s) "
                f"FROM {POSTGRES_TABLE}, plainto_tsquery('english', %s) AS q "
                f"WHERE lesson_id IN ({placeholders})",
                [f"{marks}, HighlightAll=true", marks, _ts_query(query), *lesson_ids],
            )
        else:
            cursor.execute(
                f"SELECT rowid, highlight({SQLITE_TABLE}, 0, %s, %s), "  # noqa: S608
                f"snippet({SQLITE_TABLE}, 1, %s, %s, '…', 40) "
                f"FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s "
                f"AND rowid IN ({placeholders})",
                [MARK_START, MARK_END, MARK_START, MARK_END, _fts_query(query), *lesson_ids],
            )
        return {int(row[0]): (row[1] or "", row[2] or "") for row in cursor.fetchall()}


# The tables, made by the migration -------------------------------------------------------------


def create_tables(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE {POSTGRES_TABLE} (lesson_id bigint PRIMARY KEY, title text NOT NULL, "
            "body text NOT NULL, document tsvector NOT NULL)"
        )
        schema_editor.execute(
            f"CREATE INDEX {POSTGRES_TABLE}_document ON {POSTGRES_TABLE} USING GIN (document)"
        )
    else:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(title, body, "
            "tokenize = 'porter unicode61')"
        )


def drop_tables(schema_editor: Any) -> None:
    table = POSTGRES_TABLE if schema_editor.connection.vendor == "postgresql" else SQLITE_TABLE
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
