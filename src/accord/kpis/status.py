"""The simple status of an indicator for a board's summary, beside its SPC icons.

Pure: no Django. From the indicator's direction and frequency, the adoption's target and
tolerance, the latest value and its period, and today:

- ``no_data``: there is no value yet;
- ``stale``: no value for two periods of the indicator's frequency: at least two whole periods
  (months, quarters or years) have passed between the end of the latest value's period and
  today. A monthly value for January is stale from 1 April (February and March have passed
  without one), not on 31 March;
- otherwise, against the target (an adoption without a target has no status: None):
  ``met`` when the value is at the target or on its better side; ``within_tolerance`` when it
  is on the worse side by no more than the tolerance (in the indicator's unit); ``missed``
  beyond that. For a neutral indicator, better is nearer: met exactly at the target, within
  tolerance no further from it than the tolerance.

A period is given by the date it starts (a month's first day, a quarter's, a financial
year's 1 April), so that financial years need nothing special.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final, Literal, TypeAlias

from accord.core.problems import Problem, Problems

Status: TypeAlias = Literal["met", "within_tolerance", "missed", "no_data", "stale"]
STATUSES: Final = ("met", "within_tolerance", "missed", "no_data", "stale")
Frequency: TypeAlias = Literal["monthly", "quarterly", "annual"]
#: Months in one period of each frequency.
MONTHS: Final = {"monthly": 1, "quarterly": 3, "annual": 12}
#: Whole periods without a value that make the latest one stale.
STALE_AFTER: Final = 2

#: Words for people, in the order a board reads them (worst first after no data).
LABELS: Final = {
    "missed": "Missed",
    "within_tolerance": "Within tolerance",
    "met": "Met",
    "stale": "Stale",
    "no_data": "No data",
}


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative when ``end`` is earlier):
    from 1 February to 31 March is 1, to 1 April is 2."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def period_end(start: dt.date, frequency: Frequency) -> dt.date:
    """The first day after the period that starts on ``start``."""
    month = start.month - 1 + MONTHS[frequency]
    year = start.year + month // 12
    month = month % 12 + 1
    # A period starting on the 31st ends on the last day the next month has, plus one.
    day = start.day
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def periods_without_value(latest: dt.date, frequency: Frequency, today: dt.date) -> int:
    """Whole periods that have passed since the latest value's period ended (0 if none)."""
    _check_frequency(frequency)
    return max(0, whole_months(period_end(latest, frequency), today) // MONTHS[frequency])


def is_stale(latest: dt.date, frequency: Frequency, today: dt.date) -> bool:
    return periods_without_value(latest, frequency, today) >= STALE_AFTER


def status(
    *,
    direction: str,
    frequency: Frequency,
    target: float | None,
    tolerance: float | None,
    latest_value: float | None,
    latest_period: dt.date | None,
    today: dt.date,
) -> Status | None:
    """The simple status; None when there is a value, not stale, but no target to judge it."""
    _check_frequency(frequency)
    if direction not in ("increase", "decrease", "neutral"):
        raise Problems([Problem(f"unknown direction {direction!r}")])
    slack = 0.0 if tolerance is None else float(tolerance)
    if not math.isfinite(slack) or slack < 0:
        raise Problems([Problem(f"the tolerance must be zero or more, not {tolerance!r}")])
    if latest_value is None or latest_period is None:
        return "no_data"
    if is_stale(latest_period, frequency, today):
        return "stale"
    if target is None:
        return None
    if direction == "increase":
        shortfall = target - latest_value
    elif direction == "decrease":
        shortfall = latest_value - target
    else:
        shortfall = abs(latest_value - target)
    if shortfall <= 0:
        return "met"
    if shortfall <= slack:
        return "within_tolerance"
    return "missed"


def _check_frequency(frequency: str) -> None:
    if frequency not in MONTHS:
        raise Problems(
            [Problem(f"unknown frequency {frequency!r}: use monthly, quarterly or annual")]
        )


__all__ = [
    "LABELS",
    "STATUSES",
    "Frequency",
    "Status",
    "is_stale",
    "period_end",
    "periods_without_value",
    "status",
    "whole_months",
]
