"""A round's scores as rows for CSV or XLSX: overall, by organisation and by level.

Pure module: imports no Django. Figures are exported at full precision (pages round them for
reading; a spreadsheet rounds only for display). Each code has its name in the next column: the
framework's id then its title, a group's organisation code or level then its name, a factor's id
then its title.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .presentation import Figure, ResponseCount, RoundResults

if TYPE_CHECKING:
    from .models import Round

# Export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "round",
    "framework",
    "framework_title",
    "version",
    "breakdown",
    "group",
    "group_name",
    "measure",
    "id",
    "title",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "band",
    "note",
)


#: The overall breakdown's one group, by its name.
ALL = ("all", "All responses")


def _export_rows(
    found: Round,
    breakdown: str,
    group: tuple[str, str],
    items: Iterable[Figure],
    threshold: int,
) -> list[list[Any]]:
    rows = []
    for f in items:
        measure = "group" if f.kind == "group" else "factor"
        if f.suppressed or f.mean is None:
            figures_: list[Any] = ["", "", "", "", "", ""]
            note = f.withheld(threshold) if f.suppressed else "no answers"
        else:
            figures_ = [
                f.n,
                _r(f.mean),
                _r(f.sd),
                _r(f.ci_low),
                _r(f.ci_high),
                f.band,
            ]
            note = ""
        rows.append(
            [
                *_where(found, breakdown, group),
                measure,
                f.id,
                f.title,
                *figures_,
                note,
            ]
        )
    return rows


def _r(value: float | None) -> float | None:
    # Full precision: a spreadsheet rounds for display, and sums of rounded figures drift.
    return None if value is None or math.isnan(value) else float(value)


def _where(found: Round, breakdown: str, group: tuple[str, str]) -> list[Any]:
    """A row's first columns: the round, its framework (id and title) and version, and the
    breakdown and group (code and name) the row's figure is for."""
    framework = found.framework
    return [
        found.title,
        framework.key,
        framework.title,
        framework.version,
        breakdown,
        *group,
    ]


def _count_row(
    found: Round,
    breakdown: str,
    group: tuple[str, str],
    id_: str,
    title: str,
    n: int | None,
    note: str = "",
) -> list[Any]:
    return [
        *_where(found, breakdown, group),
        "count",
        id_,
        title,
        n if n is not None else "",
        "",
        "",
        "",
        "",
        "",
        note,
    ]


def count_rows(found: Round, counts: ResponseCount) -> list[list[Any]]:
    """The round's one count, as its pages give it: the total exactly, each organisation's and
    level's under disclosure control ("fewer than k", or withheld to protect another)."""
    rows = [
        _count_row(found, "overall", ALL, "invited", "People invited", counts.invited),
        _count_row(
            found, "overall", ALL, "answered", "Answered through their links", counts.answered
        ),
        _count_row(found, "overall", ALL, "imported", "Imported responses", counts.imported),
        _count_row(found, "overall", ALL, "responses", "Responses", counts.responses),
    ]
    for label, table in (("organisation", counts.by_organisation), ("level", counts.by_level)):
        for row in table:
            group = (row.key, row.label)
            rows.append(_count_row(found, label, group, "invited", "People invited", row.invited))
            rows.append(
                _count_row(
                    found,
                    label,
                    group,
                    "responses",
                    "Responses",
                    row.responded,
                    "" if row.responded is not None else row.note(counts.k),
                )
            )
    return rows


def export_rows(results: RoundResults) -> list[list[Any]]:
    """A round for CSV or XLSX: its counts, then its scores overall, by organisation and by
    level."""
    found, threshold = results.round, results.k
    rows = count_rows(found, results.counts) if results.counts is not None else []
    rows += _export_rows(found, "overall", ALL, [*results.factors, *results.groups], threshold)
    for label, columns in (("organisation", results.by_organisation), ("level", results.by_level)):
        for column in columns:
            rows += _export_rows(
                found,
                label,
                (column.key, column.label),
                [*column.factors, *column.groups],
                threshold,
            )
    return rows
