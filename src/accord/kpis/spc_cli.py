"""``accord kpi spc FILE.csv [--direction increase|decrease|neutral] [--target T]
[--fix-after N] [--rebase PERIOD]... [--no-screen-outliers] [--json]``

Statistical process control (``accord.kpis.spc``) of the series in a CSV file, printed as
readable tables or, with ``--json``, as issue 12's JSON. Columns (named in the header, in any
order and case; others are ignored): ``period`` (``YYYY-MM`` or ``YYYY-MM-DD``), ``value`` (a
number; blank, ``.`` or ``NA`` when missing) and optionally ``series``, which makes the file
many series, each judged alone with the same options. Exit status 0 when judged; 2 for bad
input (every problem on standard error, one a line, naming its line); 1 for a file refused
unread (too large, not text). Imports no Django, so it runs without a database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from accord.core.problems import Problem, Problems, exit_status
from accord.core.spreadsheets import UnreadableFile, read_text_file
from accord.core.text import control_character_message, first_control_character
from accord.kpis.spc import DIRECTIONS, Result, analyse

PROG = "accord kpi spc"
EXIT_OK = 0
EXIT_BAD_INPUT = 2

#: A value that is missing, as AmbSYS (``.``) and R (``NA``) write it; blank too.
MISSING = ("", ".", "na")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_PERIOD = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_COLUMNS = ("period", "value", "series")


def period_key(text: str) -> dt.date | None:
    """The date a period stands for (``YYYY-MM`` is its first day), or None if it is neither
    ``YYYY-MM`` nor ``YYYY-MM-DD``."""
    found = _PERIOD.fullmatch(text)
    if not found:
        return None
    year, month, day = found.groups()
    try:
        return dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        return None


def _bad_period(text: str) -> str:
    return f"the period {text!r} is not a month (YYYY-MM) or a date (YYYY-MM-DD)"


# --------------------------------------------------------------------------------------------
# The file


@dataclass(frozen=True)
class Reading:
    """One row of the file: its line, period as written, the date it stands for, value."""

    line: int
    period: str
    key: dt.date
    value: float | None


@dataclass(frozen=True)
class SeriesFile:
    #: Series by name in the order they first appear; one series named None without a
    #: ``series`` column.
    series: dict[str | None, list[Reading]]
    has_series_column: bool


def parse_series_csv(text: str, source: str) -> SeriesFile:
    """The series in a CSV file's text, each sorted by period; raises ``Problems`` listing
    every problem, each naming its line (the header is the first line that is not blank)."""
    problems: list[Problem] = []

    def problem(line: int, reason: str, column: str | None = None) -> None:
        problems.append(Problem(reason, row=line, field=column, source=source, row_word="line"))

    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((reader.line_num, cells))
    except csv.Error as exc:
        raise UnreadableFile(f"{source}: line {reader.line_num} is not CSV: {exc}") from exc
    if not records:
        raise Problems(
            [Problem("the file is empty: expected a header with period and value", source=source)]
        )
    header_line, header = records[0]
    names = [cell.strip().lower() for cell in header]
    columns: dict[str, int] = {}
    for index, column in enumerate(names):
        if column in _COLUMNS:
            if column in columns:
                problem(header_line, f"two columns are named {column!r}")
            columns[column] = index
    for required in ("period", "value"):
        if required not in columns:
            shown = ", ".join(repr(cell.strip()) for cell in header if cell.strip())
            problem(header_line, f"no column named {required!r} (the columns are {shown})")
    if problems:
        raise Problems(problems)

    def cell(cells: list[str], name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index < len(cells) else ""

    series: dict[str | None, list[Reading]] = {}
    first_line: dict[tuple[str | None, dt.date], int] = {}
    has_series = "series" in columns
    for line, cells in records[1:]:
        name: str | None = None
        if has_series:
            name = cell(cells, "series")
            bad = first_control_character(name)
            if not name:
                problem(line, "no series name", "series")
                continue
            if bad:
                problem(line, control_character_message(bad), "series")
                continue
        period = cell(cells, "period")
        key = period_key(period)
        if key is None:
            problem(line, _bad_period(period) if period else "no period", "period")
        raw = cell(cells, "value")
        value: float | None = None
        if raw.lower() not in MISSING:
            if not _NUMBER.fullmatch(raw):
                problem(
                    line,
                    f"the value {raw!r} is not a number (leave it blank, or write '.' or 'NA', "
                    "when it is missing)",
                    "value",
                )
            else:
                value = float(raw)
                if value in (float("inf"), float("-inf")):
                    problem(line, f"the value {raw} is too large", "value")
        if key is None:
            continue
        earlier = first_line.setdefault((name, key), line)
        if earlier != line:
            of_series = f" of series {name!r}" if has_series else ""
            problem(
                line,
                f"the period {period}{of_series} is also on line {earlier}: each period may "
                "appear once",
                "period",
            )
            continue
        series.setdefault(name, []).append(Reading(line, period, key, value))
    if problems:
        raise Problems(problems)
    for readings in series.values():
        readings.sort(key=lambda reading: reading.key)
    if not has_series:
        series.setdefault(None, [])
    return SeriesFile(series, has_series)


# --------------------------------------------------------------------------------------------
# The command


def _direction(text: str) -> str:
    if text not in DIRECTIONS:
        raise argparse.ArgumentTypeError(
            f"unknown direction {text!r}: use increase, decrease or neutral"
        )
    return text


def _number(text: str) -> float:
    if not _NUMBER.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text} is too large")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, found {value}")
    return value


def _period(text: str) -> dt.date:
    key = period_key(text.strip())
    if key is None:
        raise argparse.ArgumentTypeError(_bad_period(text))
    return key


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Statistical process control of a series, as NHS England's Making Data Count "
            "charts it: mean and process limits from moving ranges, special cause by the "
            "outside, shift, trend and two-of-three rules, variation and assurance."
        ),
    )
    parser.add_argument(
        "file",
        metavar="FILE.csv",
        help="CSV with columns period (YYYY-MM or YYYY-MM-DD) and value (blank, '.' or 'NA' "
        "when missing), and optionally series",
    )
    parser.add_argument(
        "--direction",
        type=_direction,
        default="neutral",
        metavar="increase|decrease|neutral",
        help="which way is better (default: neutral, neither)",
    )
    parser.add_argument("--target", type=_number, metavar="T", help="the target, for assurance")
    parser.add_argument(
        "--fix-after",
        type=_positive_int,
        metavar="N",
        help="take each phase's mean and limits from its first N points only",
    )
    parser.add_argument(
        "--rebase",
        type=_period,
        action="append",
        default=[],
        metavar="PERIOD",
        help="the point of this period starts a new phase (repeat for more)",
    )
    parser.add_argument(
        "--no-screen-outliers",
        dest="screen_outliers",
        action="store_false",
        help="keep moving ranges of 3.267 times the average or more in the average",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command with the arguments after ``accord kpi spc``; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse reports usage errors itself (status 2) and --help (0)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    path = Path(args.file)
    try:
        parsed = parse_series_csv(read_text_file(path), path.name)
    except OSError as exc:
        print(f"{PROG}: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Problems as exc:
        for found in exc.problems:
            print(found, file=sys.stderr)
        return exit_status(exc.problems)
    results: dict[str | None, Result] = {}
    for name, readings in parsed.series.items():
        rebase = _rebase_periods(readings, args.rebase, name)
        results[name] = analyse(
            [(reading.period, reading.value) for reading in readings],
            direction=args.direction,
            target=args.target,
            fix_after=args.fix_after,
            rebase=rebase,
            screen_outliers=args.screen_outliers,
        )
    if args.json:
        document: dict[str, Any]
        if parsed.has_series_column:
            document = {"series": {name: r.to_json_dict() for name, r in results.items()}}
        else:
            document = results[None].to_json_dict()
        json.dump(document, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        render(results, sys.stdout)
    return EXIT_OK


def _rebase_periods(
    readings: Sequence[Reading], wanted: Sequence[dt.date], name: str | None
) -> set[str]:
    """The periods, as the file writes them, of the points that start a phase; a rebase
    period with no value (missing, or not in the file) starts none, and the command says so."""
    by_key = {reading.key: reading for reading in readings}
    periods: set[str] = set()
    of_series = f" in series {name!r}" if name is not None else ""
    for key in wanted:
        reading = by_key.get(key)
        if reading is not None and reading.value is not None:
            periods.add(reading.period)
            continue
        why = "its value is missing" if reading is not None else "no line has that period"
        print(
            f"{PROG}: --rebase {_written(key)}{of_series}: {why}, so no phase starts there",
            file=sys.stderr,
        )
    return periods


def _written(key: dt.date) -> str:
    return key.isoformat() if key.day != 1 else key.isoformat()[:7]


# --------------------------------------------------------------------------------------------
# Readable output

_WORDS = {
    "common_cause": "common cause",
    "special_cause_improvement": "special cause: improvement",
    "special_cause_concern": "special cause: concern",
    "special_cause_neutral_high": "special cause: high",
    "special_cause_neutral_low": "special cause: low",
    "consistent_pass": "consistently passes the target",
    "consistent_fail": "consistently fails the target",
    "inconsistent": "passes and fails the target at random",
}
_RULE_WORDS = {
    "outside": "outside the limits",
    "shift": "shift",
    "trend": "trend",
    "two_of_three": "two of three near a limit",
}


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


def render(results: dict[str | None, Result], out: TextIO) -> None:
    """Print each series' phases and points as tables, then its variation and assurance."""
    console = Console(file=out, highlight=False, width=None if out.isatty() else 120)
    if not results:
        console.print("The file has no series.")
    for name, result in results.items():
        if name is not None:
            console.rule(f"Series {escape(name)}")
        target = "no target" if result.target is None else f"target {result.target:g}"
        limits = (
            "limits from all the points of each phase"
            if result.fix_after is None
            else f"limits from the first {result.fix_after} points of each phase"
        )
        screening = (
            "outlying moving ranges screened out"
            if result.screen_outliers
            else ("every moving range kept")
        )
        console.print(
            f"Direction {result.direction}, {target}; {limits}; {screening}.", markup=False
        )
        phases = Table(title="Phases", title_justify="left")
        for heading in ("Phase", "Starts", "Points", "Mean", "Average moving range"):
            phases.add_column(heading, justify="right" if heading != "Starts" else "left")
        phases.add_column("Lower limit", justify="right")
        phases.add_column("Upper limit", justify="right")
        phases.add_column("Note")
        for number, phase in enumerate(result.phases):
            phases.add_row(
                str(number),
                phase.start,
                str(phase.n),
                _num(phase.mean),
                _num(phase.amr),
                _num(phase.lpl),
                _num(phase.upl),
                "fewer than 12 points" if phase.few_points else "",
            )
        console.print(phases)
        points = Table(title="Points", title_justify="left")
        points.add_column("Period")
        points.add_column("Value", justify="right")
        points.add_column("Phase", justify="right")
        points.add_column("Against the mean")
        points.add_column("Limits")
        points.add_column("Rules")
        points.add_column("Type")
        for point in result.points:
            points.add_row(
                point.period,
                _num(point.value),
                str(point.phase),
                {1: "above", -1: "below", 0: "on it"}[point.relative_to_mean],
                "outside" if point.outside_limits else ("close" if point.close_to_limits else ""),
                ", ".join(_RULE_WORDS[rule] for rule in point.rules),
                _WORDS[point.point_type],
            )
        console.print(points)
        if result.missing:
            console.print(f"Missing: {', '.join(result.missing)}.", markup=False)
        variation = "none (no points)" if result.variation is None else _WORDS[result.variation]
        if result.assurance is not None:
            assurance = _WORDS[result.assurance]
        elif result.target is None:
            assurance = "none (no target)"
        elif result.direction == "neutral":
            assurance = "none (the direction is neutral)"
        elif not result.points:
            assurance = "none (no points)"
        else:
            assurance = "none (the last phase has no limits)"
        console.print(f"Variation: {variation}. Assurance: {assurance}.", markup=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
