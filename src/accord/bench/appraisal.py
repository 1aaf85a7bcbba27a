"""Benchmark the appraisal engine's Monte Carlo against a plain Python loop.

    .venv/bin/python -m accord.bench.appraisal

Builds an appraisal of 50 lines over 10 years with 20 uncertain inputs, times 100,000 Monte
Carlo iterations with the vectorised engine, and times a plain Python loop (one iteration at a
time: scalar draws with ``random``, NPV with Python loops) on the same 100,000 iterations in the
same run (about a minute). Reports both times, the ratio (target: at least 50x) and peak memory.
For a quick look, ACCORD_BENCH_BASELINE_ITERATIONS=2000 runs the loop on fewer iterations and
scales its time linearly, and says so.
"""

from __future__ import annotations

import math
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

from rich.console import Console
from rich.table import Table

from accord.appraisal.engine import (
    Appraisal,
    BenefitLine,
    CostLine,
    Distribution,
    Value,
    discount_factors,
    lognormal_mu_sigma,
    monte_carlo,
)

ITERATIONS = 100_000
BASELINE_ITERATIONS = int(os.environ.get("ACCORD_BENCH_BASELINE_ITERATIONS", "100000"))
YEARS = 10
N_COSTS = 20
N_BENEFITS = 30
TARGET_RATIO = 50.0
CLASSES = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")


def build_appraisal() -> Appraisal:
    """50 lines over 10 years; exactly 20 inputs are distributions, of every kind."""
    rnd = random.Random(2016)
    uncertain: list[Callable[[float], Distribution]] = [
        lambda x: Distribution("triangular", (0.8 * x, x, 1.3 * x)),
        lambda x: Distribution("pert", (0.7 * x, x, 1.5 * x)),
        lambda x: Distribution("uniform", (0.9 * x, 1.1 * x)),
        lambda x: Distribution("normal", (x, 0.1 * x)),
        lambda x: Distribution("lognormal", (x, 0.2 * x)),
    ]
    budget = 20

    def maybe(x: float) -> Value:
        nonlocal budget
        if budget > 0 and rnd.random() < 0.3:
            budget -= 1
            return uncertain[budget % len(uncertain)](x)
        return x

    costs = [
        CostLine(
            name=f"cost {i}",
            payer=f"ORG{i % 4}",
            unit_cost=maybe(rnd.uniform(20, 200)),
            volumes=tuple(float(rnd.randint(100, 2000)) for _ in range(YEARS)),
            optimism_bias=0.1,
        )
        for i in range(N_COSTS)
    ]
    benefits: list[BenefitLine] = []
    for i in range(N_BENEFITS):
        first = rnd.randint(0, 3)
        benefits.append(
            BenefitLine(
                name=f"benefit {i}",
                benefit_class=CLASSES[i % 4],
                beneficiary=f"ORG{i % 5}",
                unit_cost=maybe(rnd.uniform(50, 400)),
                volumes=tuple(
                    0.0 if t < first else float(rnd.randint(200, 3000)) for t in range(YEARS)
                ),
                deadweight=maybe(0.2) if i % 2 else 0.2,
                attribution=0.1,
                displacement=0.05,
                drop_off=maybe(0.1) if i % 3 == 0 else 0.0,
                optimism_bias=0.15,
                in_sroi=i % 7 != 0,
            )
        )
    # Top up to exactly 20 uncertain inputs with the attribution of the first lines.
    for i in range(budget):
        benefits[i] = replace(benefits[i], attribution=Distribution("uniform", (0.0, 0.2)))
    return Appraisal(
        title="Benchmark",
        price_year=2024,
        years=YEARS,
        costs=tuple(costs),
        benefits=tuple(benefits),
    )


def count_uncertain(appraisal: Appraisal) -> int:
    def count(v: object) -> int:
        return 1 if isinstance(v, Distribution) else 0

    n = 0
    lines: list[CostLine | BenefitLine] = [*appraisal.costs, *appraisal.benefits]
    for line in lines:
        n += count(line.unit_cost) + sum(count(v) for v in line.volumes or ())
        n += count(line.optimism_bias)
        if isinstance(line, BenefitLine):
            n += sum(
                count(getattr(line, k))
                for k in ("deadweight", "attribution", "displacement", "drop_off")
            )
    return n


# --------------------------------------------------------------------------------------------
# The baseline: a plain Python loop over iterations
# --------------------------------------------------------------------------------------------


def draw(value: Value, rng: random.Random) -> float:
    """One scalar draw with the standard library's ``random``."""
    if not isinstance(value, Distribution):
        return value
    p = value.params
    if value.kind == "triangular":
        return rng.triangular(p[0], p[2], p[1])
    if value.kind == "pert":
        low, mode, high = p
        a = 1 + 4 * (mode - low) / (high - low)
        b = 1 + 4 * (high - mode) / (high - low)
        return low + (high - low) * rng.betavariate(a, b)
    if value.kind == "uniform":
        return rng.uniform(p[0], p[1])
    if value.kind == "normal":
        return rng.normalvariate(p[0], p[1])
    mu, sigma = lognormal_mu_sigma(p[0], p[1])
    return rng.lognormvariate(mu, sigma)


def share(x: float) -> float:
    return min(1.0, max(0.0, x))


def baseline_npvs(appraisal: Appraisal, iterations: int, seed: int) -> list[float]:
    """NPV per iteration, one iteration at a time, with Python loops."""
    rng = random.Random(seed)
    df = [float(x) for x in discount_factors("green_book", appraisal.years)]
    out: list[float] = []
    for _ in range(iterations):
        pv_costs = 0.0
        for c in appraisal.costs:
            unit = draw(c.unit_cost, rng) if c.unit_cost is not None else 1.0
            amounts = c.amounts if c.amounts is not None else c.volumes or ()
            ob = max(0.0, draw(c.optimism_bias, rng)) if c.optimism_bias is not None else 0.0
            for t, v in enumerate(amounts):
                pv_costs += unit * draw(v, rng) * (1 + ob) * df[t]
        pv_benefits = 0.0
        for b in appraisal.benefits:
            unit = draw(b.unit_cost, rng) if b.unit_cost is not None else 1.0
            drawn = [
                draw(v, rng) for v in (b.amounts if b.amounts is not None else b.volumes or ())
            ]
            keep = (
                (1 - share(draw(b.deadweight, rng)))
                * (1 - share(draw(b.attribution, rng)))
                * (1 - share(draw(b.displacement, rng)))
            )
            drop = share(draw(b.drop_off, rng))
            ob = share(draw(b.optimism_bias, rng)) if b.optimism_bias is not None else 0.0
            start = next((t for t, a in enumerate(drawn) if a != 0), 0)
            for t, a in enumerate(drawn):
                decay = (1 - drop) ** max(0, t - start)
                pv_benefits += unit * a * keep * decay * (1 - ob) * df[t]
        out.append(pv_benefits - pv_costs)
    return out


# --------------------------------------------------------------------------------------------


def _maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes vs KiB


def main() -> None:
    console = Console()
    appraisal = build_appraisal()
    n_lines = len(appraisal.costs) + len(appraisal.benefits)
    n_uncertain = count_uncertain(appraisal)

    monte_carlo(appraisal, 1_000, 1)  # warm up (imports, caches)
    started = time.perf_counter()
    engine = monte_carlo(appraisal, ITERATIONS, 1)
    engine_seconds = time.perf_counter() - started

    tracemalloc.start()
    monte_carlo(appraisal, ITERATIONS, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    started = time.perf_counter()
    npvs = baseline_npvs(appraisal, BASELINE_ITERATIONS, 1)
    baseline_measured = time.perf_counter() - started
    baseline_seconds = baseline_measured * ITERATIONS / BASELINE_ITERATIONS
    ratio = baseline_seconds / engine_seconds
    baseline_mean = math.fsum(npvs) / len(npvs)

    table = Table(
        title=f"Appraisal Monte Carlo: {n_lines} lines x {YEARS} years, "
        f"{n_uncertain} uncertain inputs, {ITERATIONS:,} iterations"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("engine (vectorised numpy), 100,000 iterations", f"{engine_seconds:.3f} s")
    table.add_row(
        f"plain Python loop, measured on {BASELINE_ITERATIONS:,} iterations",
        f"{baseline_measured:.3f} s",
    )
    if BASELINE_ITERATIONS != ITERATIONS:
        table.add_row(
            f"plain Python loop, scaled linearly to {ITERATIONS:,} iterations",
            f"{baseline_seconds:.1f} s",
        )
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    table.add_row(
        f"speed-up (target >= {TARGET_RATIO:.0f}x)", f"{ratio:,.0f}x ({verdict} the target)"
    )
    table.add_row("engine peak traced memory (tracemalloc)", f"{peak / 2**20:.1f} MiB")
    table.add_row("process peak resident memory (getrusage maxrss)", f"{_maxrss_mib():.1f} MiB")
    table.add_row("engine mean NPV (check)", f"{engine.npv.mean:,.0f}")
    table.add_row(
        f"baseline mean NPV over {BASELINE_ITERATIONS:,} (check)", f"{baseline_mean:,.0f}"
    )
    console.print(table)


if __name__ == "__main__":
    main()
