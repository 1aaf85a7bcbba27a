"""``accord overlap FILE... [--format accord|montco] [--window-minutes W] [--distance-m D]
[--engine duckdb|spark] [--spark-master URL] [--json]``

Where police, fire and ambulance attend the same incidents (issue 15): reads the incident
records of one or more CSV or Parquet files (`accord.analytics.records`), links records of
different services received at most W minutes and D metres apart and counts the joint
incidents (`accord.analytics.overlap`), on DuckDB embedded (the default) or on Spark. Prints
readable tables or, with ``--json``, issue 15's JSON on one line. Exit status 0 when
analysed; 2 for bad input (every problem on standard error, one a line, naming the file, line
and column) or bad options; 1 when the engine cannot start (Spark without Java); nothing is
stored. Imports no Django, so it runs without a
database.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from accord.analytics.layouts import LAYOUTS
from accord.analytics.overlap import (
    DEFAULT_DISTANCE_M,
    DEFAULT_WINDOW_MINUTES,
    EngineUnavailable,
    Overlap,
    engine_named,
    run,
)
from accord.core.problems import Problems, exit_status

PROG = "accord overlap"
EXIT_OK = 0
EXIT_BAD_INPUT = 2
#: The engine asked for cannot run here (Spark without Java): not the files' fault.
EXIT_ENGINE_UNAVAILABLE = 1

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _amount(text: str) -> float:
    if not _NUMBER.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}")
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is too large")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, found {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Where services attend the same incidents: records of different services "
            "received at most W minutes and D metres (haversine) apart are linked, and each "
            "connected group of two or more linked records is a joint incident."
        ),
        epilog="The contract, the formula and the layouts: docs/analytics.md.",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="CSV or Parquet files of incident records (one a service, or all in one)",
    )
    parser.add_argument(
        "--format",
        choices=sorted(LAYOUTS),
        default="accord",
        help="the files' layout: accord (a header naming incident_id, service, received_at, "
        "latitude, longitude, category; the default) or montco (Montgomery County 911 calls, "
        "no header)",
    )
    parser.add_argument(
        "--window-minutes",
        type=_amount,
        default=DEFAULT_WINDOW_MINUTES,
        metavar="W",
        help=f"most minutes between linked records' times (default {DEFAULT_WINDOW_MINUTES:g})",
    )
    parser.add_argument(
        "--distance-m",
        type=_amount,
        default=DEFAULT_DISTANCE_M,
        metavar="D",
        help=f"most metres between linked records (default {DEFAULT_DISTANCE_M:g})",
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb, embedded (the default), or spark (needs Java 17)",
    )
    parser.add_argument(
        "--spark-master",
        default="local[*]",
        metavar="URL",
        help="with --engine spark: the Spark master (default local[*], this machine)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command with the arguments after ``accord overlap``; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse reports usage errors itself (status 2) and --help (0)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    engine = engine_named(args.engine, spark_master=args.spark_master)
    try:
        result = run(
            args.files,
            layout=args.format,
            window_minutes=args.window_minutes,
            distance_m=args.distance_m,
            engine=engine,
        )
    except Problems as exc:
        for found in exc.problems:
            print(found, file=sys.stderr)
        return exit_status(exc.problems)
    except EngineUnavailable as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_ENGINE_UNAVAILABLE
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()
    if args.json:
        sys.stdout.write(json.dumps(result.to_json_dict(), allow_nan=False))
        sys.stdout.write("\n")
    else:
        render(result, args.files, sys.stdout)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# Readable output


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def render(result: Overlap, files: list[str], out: TextIO) -> None:
    console = Console(file=out, highlight=False, width=None if out.isatty() else 100)
    shown = ", ".join(escape(name) for name in files)
    console.print(
        f"Records of {shown}: linked when of different services, received at most "
        f"{result.window_minutes:g} minutes and {result.distance_m:g} m apart "
        f"(engine: {result.engine}).",
    )
    summary = Table(title="Overlap", title_justify="left", show_header=False)
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    summary.add_row("Records", f"{result.records:,}")
    summary.add_row("Unlocated (counted, never linked)", f"{result.unlocated:,}")
    summary.add_row("Joint incidents", f"{result.joint_incidents:,}")
    summary.add_row("With police, fire and ambulance all present", f"{result.tri_service:,}")
    console.print(summary)

    services = Table(title="By service", title_justify="left")
    services.add_column("Service")
    services.add_column("Records", justify="right")
    services.add_column("In a joint incident", justify="right")
    services.add_column("Share", justify="right")
    for name, figures in result.by_service.items():
        services.add_row(
            escape(name),
            f"{figures.records:,}",
            f"{figures.in_joint:,}",
            _share(figures.share_joint),
        )
    console.print(services)

    if result.pairs:
        pairs = Table(title="By pair of services", title_justify="left")
        pairs.add_column("Services")
        pairs.add_column("Links", justify="right")
        pairs.add_column("Joint incidents with both", justify="right")
        for key, pair in result.pairs.items():
            pairs.add_row(
                escape(key.replace("+", " and ")), f"{pair.links:,}", f"{pair.joint_incidents:,}"
            )
        console.print(pairs)
    else:
        console.print("No records of different services are linked.")

    hours = Table(
        title="Joint incidents by the hour of their earliest record", title_justify="left"
    )
    hours.add_column("Hour")
    hours.add_column("Joint incidents", justify="right")
    for hour, number in enumerate(result.by_hour):
        hours.add_row(f"{hour:02d}:00", f"{number:,}")
    console.print(hours)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
