"""Benchmark statistical process control: 10,000 series of 60 points through the pure module
(``accord.kpis.spc.analyse_many``, vectorised with numpy) beside a plain per-point Python loop
over the same series in the same run.

    .venv/bin/python -m accord.bench.spc      (``accord bench`` runs it too, after the pages)

The plain loop, :func:`plain_spc`, is written here from issue 12's rules alone, one point at a
time, sharing nothing with the module but its constants, so it is also the module's
independent check: ``tests/kpis/test_kpi_spc_bench.py`` holds the two to the same results, to
the last bit, on random series, and this benchmark compares every series it times. Target: the
module at least 20 times faster than the loop.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.table import Table

from accord.kpis.spc import (
    ASSURANCES,
    CONCERN,
    CONSISTENT_FAIL,
    CONSISTENT_PASS,
    FEW_POINTS,
    IMPROVEMENT,
    INCONSISTENT,
    LIMIT_FACTOR,
    NEAR_FACTOR,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
    NO_CODE,
    OUTSIDE,
    POINT_TYPES,
    RUN_LENGTH,
    SCREEN_FACTOR,
    SHIFT,
    TREND,
    TWO_OF_THREE,
    Batch,
    Direction,
    analyse,
    analyse_many,
    rule_names,
)

SERIES = 10_000
POINTS = 60
REPEATS = 5
#: Series timed through ``analyse`` one at a time (it builds a record for every point).
ONE_AT_A_TIME = 1_000
TARGET_RATIO = 20.0
DIRECTION: Direction = "decrease"
TARGET = 420.0


# --------------------------------------------------------------------------------------------
# The plain loop


@dataclass(frozen=True)
class PlainPhase:
    first: int  # index of its first point among the points kept
    n: int
    mean: float
    amr: float | None
    upl: float | None
    lpl: float | None


@dataclass(frozen=True)
class PlainSeries:
    periods: list[str]  # the points kept, missing ones dropped
    values: list[float]
    missing: list[str]
    phases: list[PlainPhase]
    phase: list[int]
    outside: list[bool]
    relative: list[int]
    close: list[bool]
    rules: list[int]  # bits, as Batch.rules
    point_type: list[int]  # codes, as Batch.point_type
    variation: int
    assurance: int


def plain_spc(
    periods: Sequence[str],
    values: Sequence[float | None],
    *,
    direction: Direction,
    target: float | None = None,
    fix_after: int | None = None,
    rebase: Collection[str] = (),
    screen_outliers: bool = True,
) -> PlainSeries:
    """One series, one point at a time, in plain Python."""
    kept_periods: list[str] = []
    kept: list[float] = []
    missing: list[str] = []
    for period, value in zip(periods, values, strict=True):
        if value is None:
            missing.append(period)
        else:
            kept_periods.append(period)
            kept.append(float(value))
    n_all = len(kept)
    starts = [i for i in range(n_all) if i == 0 or kept_periods[i] in rebase]
    phases: list[PlainPhase] = []
    phase = [0] * n_all
    outside = [False] * n_all
    relative = [0] * n_all
    close = [False] * n_all
    rules = [0] * n_all
    point_type = [0] * n_all
    for number, first in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else n_all
        xs = kept[first:end]
        n = len(xs)
        m = n if fix_after is None else min(fix_after, n)
        total = xs[0]
        for i in range(1, m):
            total += xs[i]
        mean = total / m
        amr: float | None = None
        upl = lpl = near_upl = near_lpl = None
        if m >= 2:
            ranges = [abs(xs[i] - xs[i - 1]) for i in range(1, m)]
            total = 0.0
            for r in ranges:
                total += r
            amr = total / (m - 1)
            if screen_outliers:
                cut = SCREEN_FACTOR * amr
                total, count = 0.0, 0
                for r in ranges:
                    if r < cut:
                        total += r
                        count += 1
                if count:
                    amr = total / count
            upl = mean + LIMIT_FACTOR * amr
            lpl = mean - LIMIT_FACTOR * amr
            near_upl = mean + NEAR_FACTOR * amr
            near_lpl = mean - NEAR_FACTOR * amr
        phases.append(PlainPhase(first, n, mean, amr, upl, lpl))

        side = [0] * n
        out = [False] * n
        near = [False] * n
        for i, x in enumerate(xs):
            side[i] = 1 if x > mean else (-1 if x < mean else 0)
            if upl is not None and lpl is not None:
                out[i] = x > upl or x < lpl
                assert near_upl is not None and near_lpl is not None
                near[i] = not out[i] and (x > near_upl or x < near_lpl)

        shift = [False] * n
        start = 0
        for i in range(1, n + 1):  # runs of one side of the mean
            if i == n or side[i] != side[start] or side[i] == 0:
                if side[start] != 0 and i - start >= RUN_LENGTH:
                    for j in range(start, i):
                        shift[j] = True
                start = i

        rising = [False] * n
        falling = [False] * n
        for flags, step in ((rising, 1), (falling, -1)):
            start = 0
            for i in range(1, n + 1):  # runs of points each above (below) the one before
                continues = i < n and (xs[i] > xs[i - 1] if step == 1 else xs[i] < xs[i - 1])
                if not continues:
                    if i - start >= RUN_LENGTH:
                        for j in range(start, i):
                            flags[j] = True
                    start = i

        two = [False] * n
        for i in range(n):
            if not near[i]:
                continue
            for w in range(i - 2, i + 1):  # the windows of 3 that hold point i
                if w < 0 or w + 2 >= n:
                    continue
                s = side[w]
                one_side = s != 0 and side[w + 1] == s and side[w + 2] == s
                if one_side and near[w] + near[w + 1] + near[w + 2] >= 2:
                    two[i] = True

        for i in range(n):
            bits = 0
            if out[i]:
                bits |= OUTSIDE
            if shift[i]:
                bits |= SHIFT
            if rising[i] or falling[i]:
                bits |= TREND
            if two[i]:
                bits |= TWO_OF_THREE
            kind = 0
            if bits:
                sense = side[i] if side[i] != 0 else (1 if rising[i] else -1)
                if direction == "increase":
                    kind = IMPROVEMENT if sense > 0 else CONCERN
                elif direction == "decrease":
                    kind = CONCERN if sense > 0 else IMPROVEMENT
                else:
                    kind = NEUTRAL_HIGH if sense > 0 else NEUTRAL_LOW
            at = first + i
            phase[at] = number
            outside[at] = out[i]
            relative[at] = side[i]
            close[at] = near[i]
            rules[at] = bits
            point_type[at] = kind

    variation = point_type[-1] if n_all else NO_CODE
    assurance = NO_CODE
    if target is not None and direction != "neutral" and phases:
        last = phases[-1]
        if last.upl is not None and last.lpl is not None:
            assurance = INCONSISTENT
            if direction == "increase":
                if target > last.upl:
                    assurance = CONSISTENT_FAIL
                elif target < last.lpl:
                    assurance = CONSISTENT_PASS
            else:
                if target < last.lpl:
                    assurance = CONSISTENT_FAIL
                elif target > last.upl:
                    assurance = CONSISTENT_PASS
    return PlainSeries(
        kept_periods,
        kept,
        missing,
        phases,
        phase,
        outside,
        relative,
        close,
        rules,
        point_type,
        variation,
        assurance,
    )


def plain_json(
    result: PlainSeries,
    *,
    direction: Direction,
    target: float | None,
    fix_after: int | None,
    screen_outliers: bool,
) -> dict[str, object]:
    """The loop's result in the command line's JSON, to compare with ``analyse``'s."""
    return {
        "direction": direction,
        "target": None if target is None else float(target),
        "screen_outliers": screen_outliers,
        "fix_after": fix_after,
        "phases": [
            {
                "start": result.periods[p.first],
                "n": p.n,
                "mean": p.mean,
                "amr": p.amr,
                "upl": p.upl,
                "lpl": p.lpl,
                "few_points": p.n < FEW_POINTS,
            }
            for p in result.phases
        ],
        "points": [
            {
                "period": result.periods[i],
                "value": result.values[i],
                "phase": result.phase[i],
                "outside_limits": result.outside[i],
                "relative_to_mean": result.relative[i],
                "close_to_limits": result.close[i],
                "rules": list(rule_names(result.rules[i])),
                "point_type": POINT_TYPES[result.point_type[i]],
            }
            for i in range(len(result.values))
        ],
        "missing": list(result.missing),
        "variation": None if result.variation == NO_CODE else POINT_TYPES[result.variation],
        "assurance": None if result.assurance == NO_CODE else ASSURANCES[result.assurance],
    }


def same_results(batch: Batch, plain: Sequence[PlainSeries]) -> list[int]:
    """The series (by row) on which the module's arrays and the loop's lists differ."""

    def nan_none(values: list[float]) -> list[float | None]:
        return [None if v != v else v for v in values]  # NaN is the arrays' null

    differing = []
    for row, series in enumerate(plain):
        phases = [(p.mean, p.amr, p.upl, p.lpl) for p in series.phases]
        module_phases = list(
            zip(
                batch.mean[row].tolist(),
                nan_none(batch.amr[row].tolist()),
                nan_none(batch.upl[row].tolist()),
                nan_none(batch.lpl[row].tolist()),
                strict=True,
            )
        )
        if (
            phases != module_phases
            or series.outside != batch.outside[row].tolist()
            or series.relative != batch.relative[row].tolist()
            or series.close != batch.close[row].tolist()
            or series.rules != batch.rules[row].tolist()
            or series.point_type != batch.point_type[row].tolist()
            or series.variation != int(batch.variation[row])
            or series.assurance != int(batch.assurance[row])
        ):
            differing.append(row)
    return differing


# --------------------------------------------------------------------------------------------
# The series


def bench_series(
    series: int = SERIES, points: int = POINTS, seed: int = 20170801
) -> npt.NDArray[np.float64]:
    """Monthly response times in whole seconds, about 500 with noise of 20: a third with a
    shift of 30 to 60 at a random month, a sixth with a steady trend, a few with an outlier,
    so that every rule holds somewhere."""
    rng = np.random.default_rng(seed)
    values = 500.0 + rng.normal(0.0, 20.0, size=(series, points))
    months = np.arange(points)
    shifted = rng.random(series) < 1 / 3
    at = rng.integers(10, points - 10, size=series)
    step = rng.uniform(30.0, 60.0, size=series) * rng.choice((-1.0, 1.0), size=series)
    values += np.where(shifted[:, None] & (months >= at[:, None]), step[:, None], 0.0)
    trending = rng.random(series) < 1 / 6
    values += np.where(trending[:, None], rng.uniform(-3.0, 3.0, size=series)[:, None], 0.0) * (
        months - points / 2
    )
    spikes = rng.random((series, points)) < 0.01
    values += np.where(spikes, rng.choice((-150.0, 150.0), size=(series, points)), 0.0)
    return np.round(values)


def main() -> None:
    console = Console()
    values = bench_series(SERIES, POINTS)
    periods = [f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(POINTS)]
    rows = values.tolist()

    analyse_many(values[:100], direction=DIRECTION, target=TARGET)  # warm up (imports, caches)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        batch = analyse_many(values, direction=DIRECTION, target=TARGET)
        timings.append(time.perf_counter() - started)
    module_seconds = statistics.median(timings)

    started = time.perf_counter()
    plain = [plain_spc(periods, row, direction=DIRECTION, target=TARGET) for row in rows]
    plain_seconds = time.perf_counter() - started

    some = rows[:ONE_AT_A_TIME]
    started = time.perf_counter()
    one_at_a_time = [
        analyse(list(zip(periods, row, strict=True)), direction=DIRECTION, target=TARGET)
        for row in some
    ]
    series_seconds = time.perf_counter() - started
    records_differ = sum(
        result.to_json_dict()
        != plain_json(
            series, direction=DIRECTION, target=TARGET, fix_after=None, screen_outliers=True
        )
        for result, series in zip(one_at_a_time, plain, strict=False)
    )

    differing = same_results(batch, plain)
    ratio = plain_seconds / module_seconds
    special = int((batch.point_type != 0).sum())
    table = Table(
        title=f"SPC: {SERIES:,} series x {POINTS} points (direction {DIRECTION}, target "
        f"{TARGET:g}, outliers screened)",
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        f"module, all series at once (analyse_many), median of {REPEATS}",
        f"{module_seconds:.3f} s",
    )
    table.add_row("plain per-point Python loop (plain_spc), once", f"{plain_seconds:.2f} s")
    table.add_row(
        "speed-up (target at least 20×)",
        f"{ratio:.0f}× ({'meets' if ratio >= TARGET_RATIO else 'MISSES'} the target)",
    )
    table.add_row(
        f"module, one series at a time (analyse, records per point), {len(some):,} series",
        f"{series_seconds:.2f} s ({series_seconds / max(len(some), 1) * 1000:.2f} ms a series)",
    )
    table.add_row(
        "series on which module and loop differ (every float to the last bit)",
        f"{len(differing):,} of {SERIES:,}",
    )
    table.add_row("special-cause points, all series", f"{special:,} of {SERIES * POINTS:,}")
    table.add_row(
        "of those, series whose JSON differs from the loop's",
        f"{records_differ:,} of {len(some):,}",
    )
    table.add_row("load average (1 minute) at the end", f"{os.getloadavg()[0]:.1f}")
    console.print(table)
    if differing or records_differ:
        raise AssertionError(f"module and loop differ on {len(differing) + records_differ} series")


if __name__ == "__main__":
    main()
