"""The demand-overlap engine (``accord.analytics.overlap``) on a national-scale file: a
generated year of 1,000,000 incidents in a 100 km square, the whole analysis beside the time
DuckDB takes to read the same file and count its rows, in one run; the peak memory of a
process that runs only the analysis; and the Spark local-mode time on the same file.

    .venv/bin/python -m accord.bench.overlap [--rows N] [--repeats N] [--no-spark] [--keep DIR]
    .venv/bin/accord bench --overlap        (after the pages and the other engines)

Each measurement runs in a fresh Python process, one after another, so that one's imports,
caches and memory do not flatter the next, and its peak resident memory is its own
(Linux's ``VmHWM``). The target: the whole analysis (reading and checking the CSV, the candidate
join and exact test in DuckDB, the components and the figures) within 10× of DuckDB's
``SELECT count(*) FROM read_csv(...)`` of the same file.

The incidents: events at random times over 2023 (more by day than by night) and random
places in a 100 km square in the English Midlands; most are attended by one service, some by
two, some by all three, each record received within minutes of the event and placed within
about 100 m of it; 0.5% have no coordinates. Seeded, so that every run has the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROWS = 1_000_000
TARGET_RATIO = 10.0
#: The square's south-west corner and side: about 52.0°N to 52.9°N, 1.2°W to 0.3°E.
SOUTH, WEST, SIDE_M = 52.0, -1.2, 100_000.0
YEAR = 2023
SERVICES = ("ambulance", "fire", "police")
CATEGORIES = {
    "ambulance": ("Fall", "Breathing problems", "Chest pain", "Road traffic collision"),
    "fire": ("Assist ambulance", "Fire alarm", "Road traffic collision", "Flooding"),
    "police": ("Concern for welfare", "Road traffic collision", "Assault", "Missing person"),
}


def generate(path: Path, rows: int = ROWS, seed: int = 20230101) -> dict[str, int]:
    """Write `rows` incident records to `path` (CSV, Accord's columns); return what was made."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    # Events: 70% attended by one service, 22% by two, 8% by all three.
    mean_size = 0.70 * 1 + 0.22 * 2 + 0.08 * 3
    events = int(rows / mean_size) + 1000
    size = rng.choice((1, 2, 3), size=events, p=(0.70, 0.22, 0.08))
    cumulative = np.cumsum(size)
    events = int(np.searchsorted(cumulative, rows) + 1)
    size = size[:events]
    # Times: a year, more by day (a sine over the day peaking in the afternoon).
    seconds_a_year = 365 * 86_400
    start = rng.integers(0, seconds_a_year, size=events * 2)
    hour = (start % 86_400) / 3600
    keep = rng.random(start.size) < (0.6 + 0.4 * np.sin((hour - 9) / 24 * 2 * np.pi))
    start = start[keep][:events]
    while start.size < events:  # pragma: no cover - the thinning keeps about 60%
        start = np.concatenate([start, rng.integers(0, seconds_a_year, size=events)])[:events]
    north = rng.uniform(0, SIDE_M, size=events)
    east = rng.uniform(0, SIDE_M, size=events)
    # Records: one per attending service, each a different service.
    event = np.repeat(np.arange(events), size)
    slot = np.arange(event.size) - np.repeat(cumulative[:events] - size, size)
    first = rng.integers(0, 3, size=events)
    service = (np.repeat(first, size) + slot) % 3
    received = start[event] + np.where(slot == 0, 0, rng.integers(0, 900, size=event.size))
    north_m = north[event] + rng.normal(0, 40, size=event.size)
    east_m = east[event] + rng.normal(0, 40, size=event.size)
    event, service, received = event[:rows], service[:rows], received[:rows]
    north_m, east_m = north_m[:rows], east_m[:rows]
    latitude = SOUTH + np.degrees(north_m / 6_371_008.8)
    longitude = WEST + np.degrees(east_m / (6_371_008.8 * np.cos(np.radians(latitude))))
    unlocated = rng.random(rows) < 0.005
    epoch = np.datetime64(f"{YEAR}-01-01T00:00:00", "s")
    times = np.datetime_as_string(epoch + received.astype("timedelta64[s]"), unit="s")
    category = rng.integers(0, 4, size=rows)
    names = np.array(SERVICES)
    table = pa.table(
        {
            "incident_id": pa.array(np.char.add("INC", np.arange(rows).astype(str))),
            "service": pa.array(names[service]),
            "received_at": pa.array(np.char.replace(times, "T", " ")),
            "latitude": pa.array(np.round(latitude, 6), mask=unlocated),
            "longitude": pa.array(np.round(longitude, 6), mask=unlocated),
            "category": pa.array(np.array([CATEGORIES[s] for s in SERVICES])[service, category]),
        }
    )
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))
    return {"rows": rows, "events": events, "unlocated": int(unlocated.sum())}


# --------------------------------------------------------------------------------------------
# One measurement, in a process of its own


def _child(kind: str, path: str, master: str) -> dict[str, Any]:
    started = time.perf_counter()
    if kind == "read":
        import duckdb

        connection = duckdb.connect(":memory:")
        row = connection.execute("SELECT count(*) FROM read_csv(?)", [path]).fetchone()
        result: dict[str, Any] = {"rows": int(row[0]) if row else 0}
    else:
        from accord.analytics.overlap import DuckDBEngine, SparkEngine, run

        engine: DuckDBEngine | SparkEngine = DuckDBEngine()
        result = {}
        if kind == "spark":
            engine = SparkEngine(master)
            engine.session()  # start-up timed apart from the run
            result["startup_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
        steps: dict[str, float] = {}
        overlap = run([path], engine=engine, timings=steps)
        if isinstance(engine, SparkEngine):
            engine.close()
        result["json"] = overlap.to_json_dict()
        result["steps"] = steps
    result["seconds"] = time.perf_counter() - started
    result["peak_mib"] = _peak_mib()
    return result


def _peak_mib() -> float:
    """This process's peak resident memory: Linux's VmHWM, which starts afresh with the
    process's own program (getrusage's maxrss keeps the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measure(kind: str, path: Path, master: str = "local[*]") -> dict[str, Any]:
    command = [sys.executable, "-m", "accord.bench.overlap", "--child", kind, str(path)]
    command += ["--spark-master", master]
    finished = subprocess.run(  # noqa: S603 - our own interpreter and module
        command, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{kind} failed: {finished.stderr[-2000:]}")
    measured: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return measured


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m accord.bench.overlap",
        description="Time the demand-overlap engine on a generated year of incidents.",
    )
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each DuckDB measure")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark run")
    parser.add_argument("--spark-master", default="local[*]", help=argparse.SUPPRESS)
    parser.add_argument("--keep", metavar="DIR", help="write the file here and keep it")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args([] if argv is None else argv)
    if args.child:
        kind, path = args.child
        print(json.dumps(_child(kind, path, args.spark_master)))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    with tempfile.TemporaryDirectory(prefix="accord-overlap-bench-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "incidents.csv"
        started = time.perf_counter()
        made = generate(path, args.rows)
        console.print(
            f"Generated {made['rows']:,} incidents ({made['events']:,} events, "
            f"{made['unlocated']:,} unlocated) in {time.perf_counter() - started:.1f} s: "
            f"{path.stat().st_size / 2**20:,.0f} MiB of CSV."
        )
        reads, runs = [], []
        for _ in range(max(1, args.repeats)):  # interleaved, so a slow spell falls on both
            reads.append(_measure("read", path))
            runs.append(_measure("duckdb", path))
        spark = None if args.no_spark else _measure("spark", path, args.spark_master)
    read_s = statistics.median(r["seconds"] for r in reads)
    run_s = statistics.median(r["seconds"] for r in runs)
    ratio = run_s / read_s
    figures = runs[0]["json"]
    table = Table(
        title=f"Demand overlap: {args.rows:,} incidents over {YEAR}, 100 km square, W 20 min, "
        "D 250 m",
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        f"DuckDB reads the CSV and counts its rows (median of {len(reads)})", f"{read_s:.2f} s"
    )
    table.add_row(
        f"the whole analysis on DuckDB: read, check, link, components (median of {len(runs)})",
        f"{run_s:.2f} s",
    )
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    table.add_row(
        f"ratio (target within {TARGET_RATIO:g}×)", f"{ratio:.1f}× ({verdict} the target)"
    )
    steps = {name: statistics.median(r["steps"][name] for r in runs) for name in runs[0]["steps"]}
    table.add_row("  of which: reading and checking the CSV (Arrow)", f"{steps['read']:.2f} s")
    table.add_row("  of which: the links (one SQL text on DuckDB)", f"{steps['link']:.2f} s")
    table.add_row(
        "  of which: components and figures (scipy, numpy)", f"{steps['summarise']:.2f} s"
    )
    table.add_row(
        "peak resident memory, the analysis's process",
        f"{max(r['peak_mib'] for r in runs):,.0f} MiB",
    )
    table.add_row("peak resident memory, the read's process", f"{reads[0]['peak_mib']:,.0f} MiB")
    if spark is not None:
        same = "identical" if spark["json"] == figures else "DIFFERENT"
        table.add_row("Spark local mode: start-up", f"{spark['startup_seconds']:.1f} s")
        table.add_row(
            f"Spark local mode: the whole analysis (JSON {same} to DuckDB's)",
            f"{spark['seconds']:.1f} s",
        )
        table.add_row(
            "  of which: the links (the same SQL, translated, on Spark)",
            f"{spark['steps']['link']:.1f} s",
        )
    table.add_row(
        "joint incidents (tri-service)",
        f"{figures['joint_incidents']:,} ({figures['tri_service']:,})",
    )
    table.add_row("links", f"{sum(pair['links'] for pair in figures['pairs'].values()):,}")
    table.add_row("load average (1 minute) at the end", f"{os.getloadavg()[0]:.1f}")
    console.print(table)
    if spark is not None and spark["json"] != figures:
        raise AssertionError("Spark and DuckDB gave different figures")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
