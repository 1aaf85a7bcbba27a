"""Benchmark of assessment scoring: 100,000 respondents x 40 items, overall and by organisation.

Run with ``accord bench`` (after the pages) or ``.venv/bin/python -m accord.bench.scoring``.
Prints the median and the fastest of a few repeats, in seconds. The target is well under one second.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from accord.assessments.framework import Framework, parse_framework
from accord.assessments.scoring import Responses, score

RESPONDENTS = 100_000
FACTORS = 10
ITEMS_PER_FACTOR = 4  # 40 items
ORGANISATIONS = 12
REPEATS = 7
K = 5


def bench_framework() -> Framework:
    """Ten factors of four items (every third a barrier) in three groups."""
    groups = ["clear-vision", "consistency", "culture"]
    return parse_framework(
        {
            "id": "bench",
            "version": 1,
            "title": "Benchmark framework",
            "scale": {"min": 1, "max": 5, "labels": ["1", "2", "3", "4", "5"]},
            "groups": [{"id": group, "title": group} for group in groups],
            "factors": [
                {
                    "id": f"f{f}",
                    "kind": "barrier" if f % 3 == 2 else "enabler",
                    "group": groups[f % 3],
                    "title": f"Factor {f}",
                    "items": [
                        {"id": f"f{f}i{i}", "text": f"Statement {i}"}
                        for i in range(ITEMS_PER_FACTOR)
                    ],
                }
                for f in range(FACTORS)
            ],
        },
        "bench",
    )


def bench_responses(framework: Framework, seed: int = 20140201) -> Responses:
    """Random answers 1-5 with about 10% not applicable."""
    rng = np.random.default_rng(seed)
    answers = rng.integers(1, 6, size=(RESPONDENTS, len(framework.item_ids))).astype(np.float64)
    answers[rng.random(answers.shape) < 0.1] = np.nan
    levels = ("strategic", "tactical", "operational")
    return Responses(
        respondents=tuple(f"R{i:06d}" for i in range(RESPONDENTS)),
        organisations=tuple(f"ORG{i % ORGANISATIONS:02d}" for i in range(RESPONDENTS)),
        levels=tuple(levels[i % 3] for i in range(RESPONDENTS)),
        answers=answers,
        item_ids=framework.item_ids,
    )


def main() -> None:
    framework = bench_framework()
    responses = bench_responses(framework)
    score(framework, responses, k=K, by="organisation")  # warm up (imports, caches)
    timings: list[float] = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = score(framework, responses, k=K, by="organisation")
        timings.append(time.perf_counter() - start)
    assert result.breakdown is not None and len(result.breakdown) == ORGANISATIONS
    print(
        f"score (overall + by organisation), {RESPONDENTS:,} respondents x "
        f"{len(framework.item_ids)} items, {ORGANISATIONS} organisations, {REPEATS} repeats: "
        f"median {statistics.median(timings):.3f} s, min {min(timings):.3f} s"
    )


if __name__ == "__main__":
    main()
