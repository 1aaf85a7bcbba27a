"""Run the scoring engine's benchmark from a checkout:
`.venv/bin/python benchmarks/bench_scoring.py`.

The benchmark itself is `accord.bench.scoring`, part of the package (`accord bench` runs it too).
"""

from accord.bench.scoring import main

if __name__ == "__main__":
    main()
