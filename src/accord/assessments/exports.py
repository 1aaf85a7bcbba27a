"""A round's scores as rows for CSV or XLSX: overall, by organisation and by level.

Pure module: imports no Django. Figures are exported at full precision (pages round them for
reading; a spreadsheet rounds only for display).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .presentation import Figure, RoundResults

if TYPE_CHECKING:
    from .models import Round

# Export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "round",
    "framework",
    "version",
    "breakdown",
    "group",
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


def _export_rows(
    found: Round, breakdown: str, key: str, items: Iterable[Figure], threshold: int
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
                found.title,
                found.framework.key,
                found.framework.version,
                breakdown,
                key,
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


def export_rows(results: RoundResults) -> list[list[Any]]:
    """Scores of a round for CSV or XLSX: overall, by organisation and by level."""
    found, threshold = results.round, results.k
    rows = _export_rows(found, "overall", "all", [*results.factors, *results.groups], threshold)
    for label, columns in (("organisation", results.by_organisation), ("level", results.by_level)):
        for column in columns:
            rows += _export_rows(
                found, label, column.key, [*column.factors, *column.groups], threshold
            )
    return rows
