"""Statistical process control as NHS England's "Making Data Count" charts it (XmR charts).

Pure: imports neither Django nor the database, so results can be checked by hand, in a
notebook or from the command line (`accord kpi spc`). The rules are exactly those of issue 12;
where its words needed a reading, ``docs/kpis.md`` says which reading this module takes.

For one series, in period order (missing values dropped first and listed as ``missing``):

- the points are split into **phases**: a point whose period is a rebase period starts a new one;
- for each phase, from its first ``fix_after`` points (all its points when ``fix_after`` is not
  set): ``mean``; the moving ranges ``|x_i - x_(i-1)|`` between consecutive points of that same
  set; ``amr`` their mean; when screening outliers, moving ranges ``>= 3.267 * amr`` are left
  out and ``amr`` is taken again from the rest; limits ``upl``/``lpl`` = ``mean +/- 2.66 * amr``;
  near limits ``mean +/- (2/3)(2.66) * amr``. A phase whose set holds one point has no moving
  range, so no ``amr`` and no limits;
- each point of the phase is judged against them: ``outside`` (beyond a limit), ``shift`` (one
  of 7 or more consecutive points on the same side of the mean), ``trend`` (one of 7 or more
  consecutive points each strictly above, or each strictly below, the one before) and
  ``two_of_three`` (close to the limits, in 3 consecutive points on one side of the mean of
  which at least 2 are close to the limits); every run and window lies within one phase;
- a point where a rule holds is special cause, improvement or concern by its side of the mean
  and the direction (high or low when the direction is neutral);
- ``variation`` is the last point's type; ``assurance`` compares the target with the last
  phase's limits.

Sums run left to right, one value after another (``np.cumsum``, which is sequential), so that
the vectorised arithmetic and a plain loop give the same floats to the last bit.

:func:`analyse` judges one series and returns readable records (``Result.to_json_dict()`` is
the command line's JSON); :func:`analyse_many` judges many series of the same periods at once
and returns arrays, for portfolios and the benchmark (``accord.bench.spc``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

from accord.core.problems import Problem, Problems

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
CodeArray: TypeAlias = npt.NDArray[np.int8]

Direction: TypeAlias = Literal["increase", "decrease", "neutral"]
#: Which way is better: up, down, or neither.
DIRECTIONS: Final = ("increase", "decrease", "neutral")

#: Limits are mean +/- 2.66 x amr: 3 sigma, sigma estimated as amr / 1.128 (d2 for n = 2).
LIMIT_FACTOR: Final = 2.66
#: Near limits, two thirds of the way from the mean to the limits (2 sigma).
NEAR_FACTOR: Final = 2 / 3 * 2.66
#: A moving range this many times the amr or more is screened out (3.267 = D4 for n = 2).
SCREEN_FACTOR: Final = 3.267
#: Points in a run that makes a shift or a trend.
RUN_LENGTH: Final = 7
#: A phase with fewer points than this is marked ``few_points``.
FEW_POINTS: Final = 12

#: The rules, in the order a point lists those that hold, and each one's bit in ``Batch.rules``.
RULES: Final = ("outside", "shift", "trend", "two_of_three")
OUTSIDE: Final = 1
SHIFT: Final = 2
TREND: Final = 4
TWO_OF_THREE: Final = 8

#: Point types, by their code in ``Batch.point_type``.
POINT_TYPES: Final = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
COMMON_CAUSE: Final = 0
IMPROVEMENT: Final = 1
CONCERN: Final = 2
NEUTRAL_HIGH: Final = 3
NEUTRAL_LOW: Final = 4

#: Assurance, by its code in ``Batch.assurance``.
ASSURANCES: Final = ("consistent_pass", "consistent_fail", "inconsistent")
CONSISTENT_PASS: Final = 0
CONSISTENT_FAIL: Final = 1
INCONSISTENT: Final = 2

#: The code of "none" in ``Batch.variation`` and ``Batch.assurance`` (null in the JSON).
NO_CODE: Final = -1


# --------------------------------------------------------------------------------------------
# Many series at once: arrays


@dataclass(frozen=True)
class Batch:
    """SPC of S series of the same N periods at once: each per-phase array is (S, P) for P
    phases, each per-point array (S, N). NaN stands for null (no amr, no limits)."""

    #: The index of each phase's first point (the same for every series).
    phase_starts: tuple[int, ...]
    n_points: int
    mean: FloatArray
    amr: FloatArray
    upl: FloatArray
    lpl: FloatArray
    near_upl: FloatArray
    near_lpl: FloatArray
    outside: BoolArray
    relative: CodeArray
    close: BoolArray
    #: Each point's rules as bits: OUTSIDE | SHIFT | TREND | TWO_OF_THREE.
    rules: npt.NDArray[np.uint8]
    point_type: CodeArray
    variation: CodeArray
    assurance: CodeArray

    @property
    def phase_lengths(self) -> tuple[int, ...]:
        ends = (*self.phase_starts[1:], self.n_points) if self.phase_starts else ()
        return tuple(end - start for start, end in zip(self.phase_starts, ends, strict=True))

    @property
    def few_points(self) -> tuple[bool, ...]:
        return tuple(n < FEW_POINTS for n in self.phase_lengths)

    @property
    def phase_of_point(self) -> npt.NDArray[np.intp]:
        """Each point's phase, by index."""
        return np.repeat(np.arange(len(self.phase_starts)), self.phase_lengths)


def analyse_many(
    values: npt.ArrayLike,
    *,
    direction: Direction = "neutral",
    target: float | None = None,
    fix_after: int | None = None,
    rebase_at: Iterable[int] = (),
    screen_outliers: bool = True,
) -> Batch:
    """Judge every row of ``values`` (S series x N points, in period order, none missing) as
    its own series, with the same options; ``rebase_at`` holds the indices of the points that
    start a new phase (0 and indices out of range start none)."""
    _check_options(direction, target, fix_after)
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise Problems([Problem("values must be a table of series by points")])
    if not np.isfinite(x).all():
        raise Problems([Problem("every value must be a finite number (drop missing ones first)")])
    series, n = x.shape
    starts = (0, *sorted({int(i) for i in rebase_at if 0 < int(i) < n})) if n else ()
    ends = (*starts[1:], n) if starts else ()
    # Points down, series across: each step along a series is then one contiguous row, which
    # is several times faster than a strided column.
    xt = np.ascontiguousarray(x.T)
    per_phase = [
        _judge_phase(xt[start:end], fix_after, screen_outliers)
        for start, end in zip(starts, ends, strict=True)
    ]

    def phases(i: int) -> FloatArray:
        if not per_phase:
            return np.full((series, 0), np.nan)
        return np.stack([p[i] for p in per_phase], axis=1)

    def points(i: int, dtype: Any) -> Any:
        if not per_phase:
            return np.zeros((0, series), dtype=dtype)
        if len(per_phase) == 1:
            return per_phase[0][i]
        return np.concatenate([p[i] for p in per_phase], axis=0)

    relative = points(7, np.int8)
    rules = points(9, np.uint8)
    rising = points(10, np.bool_)
    # A point's sense is its side of the mean; on the mean, +1 in a rising trend, else -1.
    positive = (relative > 0) | ((relative == 0) & rising)
    high, low = {
        "increase": (IMPROVEMENT, CONCERN),
        "decrease": (CONCERN, IMPROVEMENT),
        "neutral": (NEUTRAL_HIGH, NEUTRAL_LOW),
    }[direction]
    point_type = np.where(rules != 0, np.where(positive, high, low), COMMON_CAUSE).astype(np.int8)
    variation = point_type[-1].copy() if n else np.full(series, NO_CODE, dtype=np.int8)
    upl, lpl = phases(2), phases(3)
    last_upl = upl[:, -1] if n else np.full(series, np.nan)
    last_lpl = lpl[:, -1] if n else np.full(series, np.nan)
    return Batch(
        phase_starts=starts,
        n_points=n,
        mean=phases(0),
        amr=phases(1),
        upl=upl,
        lpl=lpl,
        near_upl=phases(4),
        near_lpl=phases(5),
        outside=points(6, np.bool_).T,
        relative=relative.T,
        close=points(8, np.bool_).T,
        rules=rules.T,
        point_type=point_type.T,
        variation=variation,
        assurance=_assurance(direction, target, last_upl, last_lpl),
    )


def _sequential_sum(x: FloatArray) -> FloatArray:
    """Each column's sum (each series'), adding its values one after another from the first,
    as a plain loop does, so that both give the same float."""
    if x.shape[1] < 64:  # a few series: one call
        return np.cumsum(x, axis=0)[-1]
    total = x[0].copy()
    for row in x[1:]:
        total += row
    return total


def _judge_phase(x: FloatArray, fix_after: int | None, screen: bool) -> tuple[Any, ...]:
    """One phase of every series, x (n points, S series): (mean, amr, upl, lpl, near_upl,
    near_lpl) each (S,), then (outside, relative, close, rules, rising) each (n, S)."""
    n, series = x.shape
    m = n if fix_after is None else min(fix_after, n)
    base = x[:m]
    mean = _sequential_sum(base) / m
    if m >= 2:
        moving = np.abs(base[1:] - base[:-1])
        amr = _sequential_sum(moving) / (m - 1)
        if screen:
            kept = moving < SCREEN_FACTOR * amr
            count = kept.sum(axis=0)
            # Only an amr of 0 screens out every moving range (each is >= 0 = 3.267 x 0): it
            # stays 0, as the rest would say if they were kept.
            rescreened = _sequential_sum(np.where(kept, moving, 0.0)) / np.maximum(count, 1)
            amr = np.where(count > 0, rescreened, amr)
    else:
        amr = np.full(series, np.nan)
    upl = mean + LIMIT_FACTOR * amr
    lpl = mean - LIMIT_FACTOR * amr
    near_upl = mean + NEAR_FACTOR * amr
    near_lpl = mean - NEAR_FACTOR * amr

    above = x > mean
    below = x < mean
    relative = above.view(np.int8) - below.view(np.int8)
    # Comparisons with NaN are false: a phase without limits has no point outside or close.
    outside = (x > upl) | (x < lpl)
    close = ~outside & ((x > near_upl) | (x < near_lpl))

    run = RUN_LENGTH
    width = n - run + 1  # windows of 7 consecutive points
    shift = np.zeros((n, series), dtype=np.bool_)
    rising = np.zeros((n, series), dtype=np.bool_)
    falling = np.zeros((n, series), dtype=np.bool_)
    if width > 0:
        all_above = above[:width].copy()
        all_below = below[:width].copy()
        for k in range(1, run):
            all_above &= above[k : k + width]
            all_below &= below[k : k + width]
        _spread(shift, all_above | all_below, run)
        up = x[1:] > x[:-1]
        down = x[1:] < x[:-1]
        all_up = up[:width].copy()
        all_down = down[:width].copy()
        for k in range(1, run - 1):  # 6 steps make a run of 7 points
            all_up &= up[k : k + width]
            all_down &= down[k : k + width]
        _spread(rising, all_up, run)
        _spread(falling, all_down, run)

    two_of_three = np.zeros((n, series), dtype=np.bool_)
    width3 = n - 2
    if width3 > 0:
        one_side = (above[:width3] & above[1 : width3 + 1] & above[2:]) | (
            below[:width3] & below[1 : width3 + 1] & below[2:]
        )
        a, b, c = close[:width3], close[1 : width3 + 1], close[2:]
        two_close = (a & b) | (a & c) | (b & c)
        in_window = np.zeros((n, series), dtype=np.bool_)
        _spread(in_window, one_side & two_close, 3)
        two_of_three = close & in_window

    rules = outside.view(np.uint8) * np.uint8(OUTSIDE)
    rules |= shift.view(np.uint8) * np.uint8(SHIFT)
    rules |= (rising | falling).view(np.uint8) * np.uint8(TREND)
    rules |= two_of_three.view(np.uint8) * np.uint8(TWO_OF_THREE)
    return mean, amr, upl, lpl, near_upl, near_lpl, outside, relative, close, rules, rising


def _spread(out: BoolArray, window: BoolArray, length: int) -> None:
    """Mark every point of each window that holds: window j covers points j … j + length - 1."""
    width = window.shape[0]
    for k in range(length):
        out[k : k + width] |= window


def _assurance(
    direction: Direction, target: float | None, upl: FloatArray, lpl: FloatArray
) -> CodeArray:
    codes = np.full(upl.shape, NO_CODE, dtype=np.int8)
    if target is None or direction == "neutral":
        return codes
    limited = ~np.isnan(upl)
    above, below = target > upl, target < lpl
    if direction == "increase":
        fail, passing = above, below
    else:
        fail, passing = below, above
    codes[limited] = INCONSISTENT
    codes[limited & passing] = CONSISTENT_PASS
    codes[limited & fail] = CONSISTENT_FAIL
    return codes


def _check_options(direction: str, target: float | None, fix_after: int | None) -> None:
    problems: list[Problem] = []
    if direction not in DIRECTIONS:
        problems.append(
            Problem(f"unknown direction {direction!r}: use increase, decrease or neutral")
        )
    if target is not None and (isinstance(target, bool) or not math.isfinite(target)):
        problems.append(Problem(f"the target must be a finite number, not {target!r}"))
    if fix_after is not None and (
        isinstance(fix_after, bool) or not isinstance(fix_after, int) or fix_after < 1
    ):
        problems.append(
            Problem(f"fix_after must be a whole number of at least 1, not {fix_after!r}")
        )
    if problems:
        raise Problems(problems)


# --------------------------------------------------------------------------------------------
# One series: records


@dataclass(frozen=True)
class Phase:
    """One phase of a series: where it starts, its points and its limits (None: no limits)."""

    start: str
    n: int
    mean: float
    amr: float | None
    upl: float | None
    lpl: float | None
    few_points: bool
    #: Not in the JSON: for charts.
    near_upl: float | None
    near_lpl: float | None


class Point(NamedTuple):
    """One point of a series and how it is judged (a named tuple: a chart has many)."""

    period: str
    value: float
    phase: int
    outside_limits: bool
    relative_to_mean: int
    close_to_limits: bool
    rules: tuple[str, ...]
    point_type: str


@dataclass(frozen=True)
class Result:
    direction: Direction
    target: float | None
    screen_outliers: bool
    fix_after: int | None
    phases: tuple[Phase, ...]
    points: tuple[Point, ...]
    missing: tuple[str, ...]
    variation: str | None
    assurance: str | None

    def to_json_dict(self) -> dict[str, Any]:
        """The command line's JSON, its keys in the order issue 12 gives them."""
        return {
            "direction": self.direction,
            "target": self.target,
            "screen_outliers": self.screen_outliers,
            "fix_after": self.fix_after,
            "phases": [
                {
                    "start": phase.start,
                    "n": phase.n,
                    "mean": phase.mean,
                    "amr": phase.amr,
                    "upl": phase.upl,
                    "lpl": phase.lpl,
                    "few_points": phase.few_points,
                }
                for phase in self.phases
            ],
            "points": [
                {
                    "period": point.period,
                    "value": point.value,
                    "phase": point.phase,
                    "outside_limits": point.outside_limits,
                    "relative_to_mean": point.relative_to_mean,
                    "close_to_limits": point.close_to_limits,
                    "rules": list(point.rules),
                    "point_type": point.point_type,
                }
                for point in self.points
            ],
            "missing": list(self.missing),
            "variation": self.variation,
            "assurance": self.assurance,
        }


def analyse(
    points: Iterable[tuple[str, float | None]],
    *,
    direction: Direction = "neutral",
    target: float | None = None,
    fix_after: int | None = None,
    rebase: Collection[str] = (),
    screen_outliers: bool = True,
) -> Result:
    """Judge one series: ``points`` are (period, value) in period order, a value of None (or
    NaN) missing; a point whose period is in ``rebase`` starts a new phase. A rebase period
    with no point (absent, or its value missing) starts none: missing values are dropped
    first."""
    _check_options(direction, target, fix_after)
    periods: list[str] = []
    values: list[float] = []
    missing: list[str] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    for period, value in points:
        if period in seen:
            problems.append(Problem(f"the period {period} is given twice"))
        seen.add(period)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing.append(period)
        elif isinstance(value, bool) or not math.isfinite(value):
            problems.append(Problem(f"the value for {period} is not a finite number: {value!r}"))
        else:
            periods.append(period)
            values.append(float(value))
    if problems:
        raise Problems(problems)
    starting = {rebase} if isinstance(rebase, str) else set(rebase)  # one period, or many
    batch = analyse_many(
        np.asarray([values], dtype=np.float64).reshape(1, len(values)),
        direction=direction,
        target=target,
        fix_after=fix_after,
        rebase_at=[i for i, period in enumerate(periods) if period in starting],
        screen_outliers=screen_outliers,
    )
    return _result(batch, periods, values, missing, direction, target, fix_after, screen_outliers)


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _result(
    batch: Batch,
    periods: Sequence[str],
    values: Sequence[float],
    missing: Sequence[str],
    direction: Direction,
    target: float | None,
    fix_after: int | None,
    screen_outliers: bool,
) -> Result:
    phases = tuple(
        Phase(
            start=periods[start],
            n=n,
            mean=float(batch.mean[0, p]),
            amr=_optional(batch.amr[0, p]),
            upl=_optional(batch.upl[0, p]),
            lpl=_optional(batch.lpl[0, p]),
            few_points=n < FEW_POINTS,
            near_upl=_optional(batch.near_upl[0, p]),
            near_lpl=_optional(batch.near_lpl[0, p]),
        )
        for p, (start, n) in enumerate(zip(batch.phase_starts, batch.phase_lengths, strict=True))
    )
    phase_of = batch.phase_of_point.tolist()
    outside = batch.outside[0].tolist()
    relative = batch.relative[0].tolist()
    close = batch.close[0].tolist()
    rules = batch.rules[0].tolist()
    types = batch.point_type[0].tolist()
    result_points = tuple(
        Point(
            periods[i],
            values[i],
            phase_of[i],
            outside[i],
            relative[i],
            close[i],
            _RULE_NAMES[rules[i]],
            POINT_TYPES[types[i]],
        )
        for i in range(len(values))
    )
    variation = int(batch.variation[0])
    assurance = int(batch.assurance[0])
    return Result(
        direction=direction,
        target=None if target is None else float(target),
        screen_outliers=screen_outliers,
        fix_after=fix_after,
        phases=phases,
        points=result_points,
        missing=tuple(missing),
        variation=None if variation == NO_CODE else POINT_TYPES[variation],
        assurance=None if assurance == NO_CODE else ASSURANCES[assurance],
    )


#: The names of the rules for each of the 16 values of a point's bits.
_RULE_NAMES: Final = tuple(
    tuple(name for i, name in enumerate(RULES) if bits & (1 << i)) for bits in range(16)
)


def rule_names(bits: int) -> tuple[str, ...]:
    """The rules a point's bits say hold, in the order outside, shift, trend, two_of_three."""
    return _RULE_NAMES[bits]


__all__ = [
    "ASSURANCES",
    "DIRECTIONS",
    "POINT_TYPES",
    "RULES",
    "Batch",
    "Direction",
    "Phase",
    "Point",
    "Result",
    "analyse",
    "analyse_many",
    "rule_names",
]
