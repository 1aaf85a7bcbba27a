"""The action-note rule on hand-built dates: at least 3 published lessons from at least 2
organisations within any 365 days (lessons/themes.py)."""

from __future__ import annotations

import datetime as dt

from accord.lessons.themes import Touch, factors, principles, recurring

D = dt.date


def touch(lesson: int, org: int, on: dt.date, theme: str = "trust") -> Touch:
    return Touch(lesson, org, on, (theme,))


def test_two_lessons_are_not_enough() -> None:
    assert recurring([touch(1, 1, D(2025, 1, 1)), touch(2, 2, D(2025, 2, 1))]) == []


def test_three_from_one_organisation_are_not_enough() -> None:
    assert recurring([touch(i, 7, D(2025, 1, i)) for i in (1, 2, 3)]) == []


def test_three_from_two_organisations_366_days_apart_are_not_a_recurrence() -> None:
    first = D(2024, 1, 1)
    last = first + dt.timedelta(days=366)
    assert recurring([touch(1, 1, first), touch(2, 2, D(2024, 6, 1)), touch(3, 1, last)]) == []


def test_three_from_two_organisations_within_365_days_are_a_recurrence() -> None:
    first = D(2024, 1, 1)
    last = first + dt.timedelta(days=365)
    (found,) = recurring([touch(1, 1, first), touch(2, 2, D(2024, 6, 1)), touch(3, 1, last)])
    assert (found.theme, found.lessons, found.organisations) == ("trust", (1, 2, 3), (1, 2))
    assert (found.first, found.last) == (first, last)


def test_any_window_counts_and_other_themes_are_apart() -> None:
    touches = [
        touch(1, 1, D(2020, 1, 1)),
        touch(2, 2, D(2023, 3, 1)),
        touch(3, 3, D(2023, 9, 1)),
        touch(4, 2, D(2024, 2, 1)),
        touch(5, 1, D(2024, 2, 1), "communicate"),
    ]
    (found,) = recurring(touches)
    assert found.lessons == (2, 3, 4)


def test_themes_come_from_the_shipped_frameworks() -> None:
    assert ("communicate", "Communicate") in principles()
    assert "trust" in dict(factors())
