"""The simple status of an indicator for a board's summary (`accord.kpis.status`)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.core.problems import Problems
from accord.kpis.status import period_end, periods_without_value, status, whole_months

TODAY = dt.date(2024, 3, 15)
FEBRUARY = dt.date(2024, 2, 1)


def judge(value: float | None, **overrides: object) -> str | None:
    options: dict[str, object] = {
        "direction": "decrease",
        "frequency": "monthly",
        "target": 420.0,
        "tolerance": 30.0,
        "latest_value": value,
        "latest_period": FEBRUARY if value is not None else None,
        "today": TODAY,
    }
    options.update(overrides)
    return status(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        # Category 1 mean, lower is better, target 420 s, tolerance 30 s
        ("decrease", 400.0, "met"),
        ("decrease", 420.0, "met"),  # at the target
        ("decrease", 450.0, "within_tolerance"),  # 30 over: on the tolerance's edge
        ("decrease", 451.0, "missed"),
        # higher is better, target 420, tolerance 30
        ("increase", 500.0, "met"),
        ("increase", 390.0, "within_tolerance"),
        ("increase", 389.0, "missed"),
        # neutral: nearer is better
        ("neutral", 420.0, "met"),
        ("neutral", 445.0, "within_tolerance"),
        ("neutral", 395.0, "within_tolerance"),
        ("neutral", 451.0, "missed"),
    ],
)
def test_met_within_tolerance_missed(direction: str, value: float, expected: str) -> None:
    assert judge(value, direction=direction) == expected


def test_no_tolerance_is_zero() -> None:
    assert judge(421.0, tolerance=None) == "missed"
    assert judge(420.0, tolerance=None) == "met"


def test_no_data_and_no_target() -> None:
    assert judge(None) == "no_data"
    assert judge(430.0, target=None) is None  # a value, but nothing to judge it by


@pytest.mark.parametrize(
    ("frequency", "latest", "today", "stale"),
    [
        # January's value: February and March pass without one; stale from 1 April
        ("monthly", dt.date(2024, 1, 1), dt.date(2024, 3, 31), False),
        ("monthly", dt.date(2024, 1, 1), dt.date(2024, 4, 1), True),
        # a quarter from October: January-March and April-June pass; stale from 1 July
        ("quarterly", dt.date(2023, 10, 1), dt.date(2024, 6, 30), False),
        ("quarterly", dt.date(2023, 10, 1), dt.date(2024, 7, 1), True),
        # financial year 2021-22 (from 1 April 2021): 2022-23 and 2023-24 pass
        ("annual", dt.date(2021, 4, 1), dt.date(2024, 3, 31), False),
        ("annual", dt.date(2021, 4, 1), dt.date(2024, 4, 1), True),
    ],
)
def test_stale_after_two_periods_without_a_value(
    frequency: str, latest: dt.date, today: dt.date, stale: bool
) -> None:
    found = judge(400.0, frequency=frequency, latest_period=latest, today=today)
    assert (found == "stale") is stale
    if not stale:
        assert found == "met"


def test_stale_before_the_target_and_no_data_before_stale() -> None:
    old = dt.date(2020, 1, 1)
    assert judge(400.0, latest_period=old) == "stale"
    assert judge(400.0, latest_period=old, target=None) == "stale"
    assert judge(None, latest_period=old) == "no_data"


def test_the_calendar_helpers() -> None:
    assert whole_months(dt.date(2024, 2, 1), dt.date(2024, 3, 31)) == 1
    assert whole_months(dt.date(2024, 2, 1), dt.date(2024, 4, 1)) == 2
    assert period_end(dt.date(2024, 1, 31), "monthly") == dt.date(2024, 2, 29)
    assert period_end(dt.date(2023, 11, 1), "quarterly") == dt.date(2024, 2, 1)
    assert periods_without_value(dt.date(2024, 3, 1), "monthly", dt.date(2024, 3, 10)) == 0


def test_bad_arguments_are_problems() -> None:
    with pytest.raises(Problems, match="unknown frequency"):
        judge(1.0, frequency="weekly")
    with pytest.raises(Problems, match="unknown direction"):
        judge(1.0, direction="up")
    with pytest.raises(Problems, match="tolerance"):
        judge(1.0, tolerance=-1.0)
