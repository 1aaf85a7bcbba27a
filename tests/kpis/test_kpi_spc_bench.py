"""The SPC module against the benchmark's plain per-point loop (`accord.bench.spc.plain_spc`),
written apart from it from the issue's rules: the same results, every float to the last bit,
on random series full of ties (values on the mean, equal neighbours, limits of 0), gaps,
rebases, fix_after and both screenings; and the benchmark itself, run small."""

from __future__ import annotations

import random

import numpy as np
import pytest

from accord.bench import spc as bench
from accord.kpis.spc import DIRECTIONS, analyse, analyse_many


def random_case(rnd: random.Random) -> dict[str, object]:
    n = rnd.choice([0, 1, 2, 3, 6, 7, 8, 12, 13, 20, 40, 60])
    spread = rnd.choice([0, 1, 2, 3, 10])  # small ranges make ties, 0 flat series
    level = rnd.choice([0, 100, 480])
    values: list[float | None] = []
    for _ in range(n):
        if rnd.random() < 0.1:
            values.append(None)
        elif rnd.random() < 0.05:
            values.append(float(level + rnd.choice([-1, 1]) * 20 * (spread + 1)))  # an outlier
        else:
            values.append(float(level + rnd.randint(-spread, spread)) + rnd.choice([0, 0, 0.5]))
    # sometimes a trend, sometimes a step
    if n and rnd.random() < 0.3:
        slope = rnd.choice([-1.0, 1.0, 0.5])
        values = [None if v is None else v + slope * i for i, v in enumerate(values)]
    periods = [f"{2017 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
    rebase = set(rnd.sample(periods, k=min(len(periods), rnd.choice([0, 0, 1, 2]))))
    return {
        "periods": periods,
        "values": values,
        "direction": rnd.choice(DIRECTIONS),
        "target": rnd.choice([None, float(level), float(level + 3 * (spread + 1)), 0.0]),
        "fix_after": rnd.choice([None, None, 1, 2, 5, 12]),
        "rebase": rebase,
        "screen_outliers": rnd.random() < 0.7,
    }


@pytest.mark.parametrize("seed", range(6))
def test_module_and_plain_loop_agree_on_random_series(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(300):
        case = random_case(rnd)
        periods, values = case["periods"], case["values"]
        options = {k: case[k] for k in ("direction", "target", "fix_after", "screen_outliers")}
        module = analyse(
            list(zip(periods, values, strict=True)),  # type: ignore[call-overload]
            rebase=case["rebase"],  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        ).to_json_dict()
        plain = bench.plain_json(
            bench.plain_spc(periods, values, rebase=case["rebase"], **options),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )
        assert module == plain, case


def test_many_at_once_agree_with_the_loop_on_the_benchmarks_series() -> None:
    values = bench.bench_series(300, 60, seed=7)
    periods = [str(i) for i in range(60)]
    for rebase_at, fix_after, screen in (((), None, True), ((30,), 12, False), ((20, 40), 5, True)):
        batch = analyse_many(
            values,
            direction="decrease",
            target=420.0,
            fix_after=fix_after,
            rebase_at=rebase_at,
            screen_outliers=screen,
        )
        plain = [
            bench.plain_spc(
                periods,
                row,
                direction="decrease",
                target=420.0,
                fix_after=fix_after,
                rebase={str(i) for i in rebase_at},
                screen_outliers=screen,
            )
            for row in values.tolist()
        ]
        assert bench.same_results(batch, plain) == []
        assert (batch.point_type != 0).any()  # the series exercise the rules


def test_the_benchmark_runs_and_reports_agreement(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "SERIES", 200)
    monkeypatch.setattr(bench, "REPEATS", 1)
    bench.main()
    out = capsys.readouterr().out
    assert "plain per-point Python loop" in out
    assert "0 of 200" in out  # series on which they differ
    assert np.isfinite(bench.bench_series(10, 60)).all()
