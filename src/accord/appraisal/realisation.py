"""Benefits realisation: forecast benefits beside what was realised, year by year.

Pure: imports neither Django nor the database. The forecast is an appraisal's adjusted,
undiscounted benefits for each year (``per_year[t].benefits`` of the report); the realised
amounts are what editors record. The gap is realised minus forecast (negative: behind plan),
and the cumulative gap runs from year 0 to each year, counting a year with nothing recorded as
nothing realised, up to the last year with a record (later years have no gap yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RealisationRow:
    year: int
    forecast: float
    realised: float | None
    gap: float | None
    cumulative_forecast: float
    cumulative_realised: float | None
    cumulative_gap: float | None


def realisation_rows(
    forecast: Sequence[float], realised: Mapping[int, float]
) -> list[RealisationRow]:
    """One row per year of ``forecast``; ``realised`` maps a year to its realised amount."""
    last = max((y for y in realised if 0 <= y < len(forecast)), default=-1)
    rows: list[RealisationRow] = []
    cum_forecast = 0.0
    cum_realised = 0.0
    for year, planned in enumerate(forecast):
        cum_forecast += planned
        actual = realised.get(year)
        cum_realised += actual or 0.0
        counted = year <= last
        rows.append(
            RealisationRow(
                year=year,
                forecast=planned,
                realised=actual,
                gap=None if actual is None else actual - planned,
                cumulative_forecast=cum_forecast,
                cumulative_realised=cum_realised if counted else None,
                cumulative_gap=cum_realised - cum_forecast if counted else None,
            )
        )
    return rows
