"""Run the appraisal engine's benchmark from a checkout:
`.venv/bin/python benchmarks/bench_appraisal.py`.

The benchmark itself is `accord.bench.appraisal`, part of the package (`accord bench` runs it too).
"""

from accord.bench.appraisal import main

if __name__ == "__main__":
    main()
