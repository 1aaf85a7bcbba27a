"""``accord assess score FRAMEWORK.yaml RESPONSES.csv [--by organisation|level] [--json] [--k K]``

Scores a file of responses against a framework, with disclosure control, and prints readable
tables (or JSON with ``--json``). Exit status 0 when scored, 2 for bad input, with every problem
on standard error, one a line. Imports no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table

from accord.assessments.framework import (
    Framework,
    FrameworkError,
    load_framework,
    load_shipped_framework,
    shipped_framework_ids,
)
from accord.assessments.responses import Responses, ResponsesError, parse_responses_csv
from accord.assessments.scoring import (
    BREAKDOWNS,
    DIVERGENCE_THRESHOLD,
    Result,
    SetResult,
    Summary,
    Suppressed,
    divergence,
    score,
    to_json_dict,
)
from accord.core.disclosure import DEFAULT as DEFAULT_K
from accord.core.disclosure import BadThreshold, disclosure_threshold
from accord.core.problems import exit_status

PROG = "accord assess score"
EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, found {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Score assessment responses against a framework: per factor and group the n, mean, "
            "standard deviation and 95% interval, with nothing shown for any group of fewer "
            "than K respondents."
        ),
    )
    parser.add_argument(
        "framework",
        metavar="FRAMEWORK.yaml",
        help="framework YAML file, or the id of a framework shipped with Accord ("
        + ", ".join(shipped_framework_ids())
        + ")",
    )
    parser.add_argument(
        "responses",
        metavar="RESPONSES.csv",
        help="CSV with columns respondent, organisation, level, then one per item id",
    )
    parser.add_argument("--by", choices=BREAKDOWNS, help="also break the results down")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--k",
        type=_positive_int,
        default=None,
        metavar="K",
        help="disclosure threshold: show nothing for fewer than K respondents "
        f"(default: ACCORD_DISCLOSURE_THRESHOLD if set, else {DEFAULT_K})",
    )
    return parser


def _load(path_or_id: str) -> Framework:
    path = Path(path_or_id)
    if not path.exists() and path_or_id in shipped_framework_ids():
        return load_shipped_framework(path_or_id)
    return load_framework(path)


def main(argv: list[str] | None = None) -> int:
    """Run the command with the arguments after ``accord assess score``; return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse reports usage errors itself (status 2) and --help (0)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        # The platform's threshold, read as the site reads it, so the command hides what the
        # site hides; a bad value is refused as it is at the site's start-up.
        k = args.k if args.k is not None else disclosure_threshold()
    except BadThreshold as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        framework = _load(args.framework)
        responses = parse_responses_csv(Path(args.responses), framework)
        result = score(framework, responses, k=k, by=args.by)
    except (FrameworkError, ResponsesError) as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        return exit_status(exc.errors)
    if args.json:
        json.dump(to_json_dict(result), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        render(framework, responses, result, sys.stdout)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# Readable output


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _interval(summary: Summary) -> str:
    if summary.ci_low is None or summary.ci_high is None:
        return "–"
    return f"{summary.ci_low:.2f} to {summary.ci_high:.2f}"


def _summary_cells(cell: Summary | Suppressed, k: int) -> list[str]:
    if isinstance(cell, Suppressed):
        return ["", f"fewer than {k}: not shown", "", ""]
    return [str(cell.n), _num(cell.mean), _num(cell.sd), _interval(cell)]


def _overall_tables(framework: Framework, overall: SetResult, k: int) -> list[Table]:
    group_titles = {group.id: group.title for group in framework.groups}
    factors = Table(title="Factors", title_justify="left")
    factors.add_column("Factor")
    factors.add_column("Kind")
    if framework.groups:
        factors.add_column("Group")
    for heading in ("n", "Mean", "SD", "95% interval"):
        factors.add_column(heading, justify="right")
    for factor in framework.factors:
        row = [factor.title, factor.kind]
        if framework.groups:
            row.append(group_titles.get(factor.group or "", ""))
        factors.add_row(*row, *_summary_cells(overall.factors[factor.id], k))
    tables = [factors]
    if framework.groups:
        groups = Table(title="Groups", title_justify="left")
        groups.add_column("Group")
        for heading in ("n", "Mean", "SD", "95% interval"):
            groups.add_column(heading, justify="right")
        for group in framework.groups:
            groups.add_row(group.title, *_summary_cells(overall.groups[group.id], k))
        tables.append(groups)
    return tables


def _breakdown_table(framework: Framework, result: Result) -> Table:
    breakdown = result.breakdown or {}
    shown = {key: value for key, value in breakdown.items() if isinstance(value, SetResult)}
    table = Table(title=f"Mean (n) by {result.by}", title_justify="left")
    table.add_column("Factor or group")
    for key, value in shown.items():
        table.add_column(f"{key}\n{value.n} respondents", justify="right")

    def cell(value: Summary | Suppressed) -> str:
        if isinstance(value, Suppressed) or value.mean is None:
            return "–"
        return f"{value.mean:.2f} ({value.n})"

    for factor in framework.factors:
        table.add_row(factor.title, *(cell(value.factors[factor.id]) for value in shown.values()))
    for group in framework.groups:
        table.add_row(
            f"[bold]{group.title}[/bold]",
            *(cell(value.groups[group.id]) for value in shown.values()),
        )
    return table


def _divergence_table(framework: Framework, responses: Responses, k: int) -> Table:
    table = Table(
        title=f"Divergence between organisations (flagged at a gap of "
        f"{DIVERGENCE_THRESHOLD:.1f} or more)",
        title_justify="left",
    )
    table.add_column("Factor")
    table.add_column("Gap", justify="right")
    table.add_column("Highest")
    table.add_column("Lowest")
    table.add_column("Flag")
    for factor_id, found in divergence(framework, responses, k=k).items():
        table.add_row(
            framework.factor(factor_id).title,
            _num(found.gap),
            found.highest or "",
            found.lowest or "",
            "[bold red]divergent[/bold red]" if found.flagged else "",
        )
    return table


def render(framework: Framework, responses: Responses, result: Result, out: TextIO) -> None:
    """Print the result as readable tables."""
    console = Console(file=out, highlight=False, width=None if out.isatty() else 120)
    console.print(
        f"[bold]{framework.title}[/bold] ({framework.id}, version {framework.version}): "
        f"{len(responses)} respondents; nothing is shown for fewer than {result.k}."
    )
    scale = framework.scale
    console.print(
        f"Scale {scale.min} ({scale.labels[0]}) to {scale.max} ({scale.labels[-1]}); "
        "barrier answers reversed, so higher is always better."
    )
    if isinstance(result.overall, Suppressed):
        console.print(f"Overall: fewer than {result.k} respondents, so no figures are shown.")
    else:
        for table in _overall_tables(framework, result.overall, result.k):
            console.print(table)
    if result.by is not None:
        breakdown = result.breakdown or {}
        hidden = [
            key
            for key, value in breakdown.items()
            if isinstance(value, Suppressed) and not value.protects_another
        ]
        protecting = [
            key
            for key, value in breakdown.items()
            if isinstance(value, Suppressed) and value.protects_another
        ]
        if any(isinstance(value, SetResult) for value in breakdown.values()):
            console.print(_breakdown_table(framework, result))
        if hidden:
            console.print(f"Not shown (fewer than {result.k} respondents): {', '.join(hidden)}")
        if protecting:
            console.print(
                "Not shown, to protect another group (its figures or number of respondents "
                f"would give a smaller group's away by subtraction): {', '.join(protecting)}"
            )
        if result.by == "organisation":
            console.print(_divergence_table(framework, responses, result.k))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
