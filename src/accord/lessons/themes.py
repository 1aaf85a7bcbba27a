"""When a theme recurs: the action-note rule, and the themes the lessons may name.

Pure module: imports no Django. A theme is a JESIP principle or a research factor, by the id
its shipped framework gives it, so that lessons and assessments speak of the same factors.

The rule: a theme is touched by at least 3 published lessons from at least 2 organisations
within any 365 days, that is with the first and the last of them happening no more than 365
days apart (1 January 2025 and 1 January 2026 are 365 days apart; 366 days apart is too far).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from accord.assessments.framework import load_shipped_framework

PRINCIPLES_FRAMEWORK = "jesip-interoperability"
FACTORS_FRAMEWORK = "collaboration-factors"

MIN_LESSONS = 3
MIN_ORGANISATIONS = 2
WINDOW_DAYS = 365


@cache
def principles() -> tuple[tuple[str, str], ...]:
    """The JESIP principles as (id, title), from the shipped framework's latest version."""
    framework = load_shipped_framework(PRINCIPLES_FRAMEWORK)
    return tuple((f.id, f.title) for f in framework.factors)


@cache
def factors() -> tuple[tuple[str, str], ...]:
    """The research factors (enablers and barriers) as (id, title)."""
    framework = load_shipped_framework(FACTORS_FRAMEWORK)
    return tuple((f.id, f.title) for f in framework.factors)


def theme_title(theme: str) -> str:
    return dict(principles() + factors()).get(theme, theme)


@dataclass(frozen=True)
class Touch:
    """One published lesson, as the rule reads it."""

    lesson: int
    organisation: int
    on: dt.date
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Recurrence:
    theme: str
    lessons: tuple[int, ...]
    organisations: tuple[int, ...]
    first: dt.date
    last: dt.date


def _window(touches: Sequence[Touch]) -> Recurrence | None:
    """The first window of at most WINDOW_DAYS holding enough lessons and organisations, grown
    to every lesson of the theme within that window's reach."""
    ordered = sorted(touches, key=lambda t: (t.on, t.lesson))
    best: list[Touch] | None = None
    start = 0
    for end in range(len(ordered)):
        while (ordered[end].on - ordered[start].on).days > WINDOW_DAYS:
            start += 1
        inside = ordered[start : end + 1]
        if (
            len(inside) >= MIN_LESSONS
            and len({t.organisation for t in inside}) >= MIN_ORGANISATIONS
            and (best is None or len(inside) > len(best))
        ):
            best = list(inside)
    if best is None:
        return None
    return Recurrence(
        theme="",
        lessons=tuple(sorted(t.lesson for t in best)),
        organisations=tuple(sorted({t.organisation for t in best})),
        first=best[0].on,
        last=best[-1].on,
    )


def recurring(touches: Iterable[Touch]) -> list[Recurrence]:
    """Each theme that recurs by the rule, with the lessons of its largest qualifying window."""
    by_theme: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        for theme in dict.fromkeys(touch.themes):
            by_theme[theme].append(touch)
    found: list[Recurrence] = []
    for theme in sorted(by_theme):
        window = _window(by_theme[theme])
        if window is not None:
            found.append(
                Recurrence(theme, window.lessons, window.organisations, window.first, window.last)
            )
    return found
