"""``accord appraise``: appraise a YAML appraisal file from the command line.

    accord appraise FILE.yaml [--json] [--iterations N] [--seed S]
    accord appraise --template

Imports no Django (from the kernel, only its pure modules), so it starts fast and runs
anywhere. Exit codes: 0 done, 2 a bad file or bad
arguments (every problem on stderr, one a line: ``FILE: path: reason``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from accord.appraisal.appraisal_file import TEMPLATE, load_appraisal
from accord.appraisal.engine import (
    BENEFIT_CLASSES,
    DEFAULT_ITERATIONS,
    DEFAULT_SEED,
    AppraisalReport,
    Summary,
    results_to_json_dict,
    run_appraisal,
)
from accord.core.problems import Problems, exit_status

__all__ = ["build_parser", "main", "results_to_json_dict"]

EXIT_OK = 0
EXIT_BAD_FILE = 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord appraise",
        description=(
            "Appraise costs and benefits (Green Book / SROI): NPV, benefit-cost ratios, payback, "
            "the split by organisation and, where inputs are uncertain, a Monte Carlo and a "
            "tornado."
        ),
        epilog="See docs/appraisal.md for the file format. Exit code 2 means a bad file.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE.yaml", help="the appraisal file")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--iterations",
        type=_positive,
        metavar="N",
        help=f"Monte Carlo iterations (default: the file's, else {DEFAULT_ITERATIONS:,})",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help=f"Monte Carlo random seed (default: the file's, else {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--template",
        action="store_true",
        help="print a commented starting file and exit",
    )
    return parser


def main(argv: list[str]) -> int:
    """Run ``accord appraise`` with the arguments after ``appraise``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code) if isinstance(exc.code, int) else EXIT_BAD_FILE
    if args.template:
        sys.stdout.write(TEMPLATE)
        return EXIT_OK
    if args.file is None:
        parser.print_usage(sys.stderr)
        print("accord appraise: error: give FILE.yaml, or --template", file=sys.stderr)
        return EXIT_BAD_FILE
    try:
        appraisal = load_appraisal(args.file)
        report = run_appraisal(appraisal, iterations=args.iterations, seed=args.seed)
    except Problems as exc:  # the file's, or the engine's: one a line, as FILE: path: reason
        for problem in exc.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        return exit_status(exc.problems)
    if args.json:
        print(json.dumps(report.to_json_dict(), indent=2, allow_nan=False))
    else:
        render(report, Console())
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _money(x: float | None) -> str:
    if x is None:
        return "-"
    return f"-£{-x:,.0f}" if x < 0 else f"£{x:,.0f}"


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _number(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def render(report: AppraisalReport, console: Console) -> None:
    """Print the report as tables."""
    a, r = report.appraisal, report.result
    discount = a.discount if isinstance(a.discount, str) else "fixed rate"
    console.print(
        f"[bold]{a.title}[/bold]  ({a.years} years, {a.price_year} prices, discount {discount})"
    )

    summary = Table(title="Summary", show_header=False)
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    summary.add_row("Present value of costs", _money(r.pv_costs))
    if r.pv_disbenefits:
        summary.add_row(
            "Present value of benefits before disbenefits", _money(r.pv_benefits + r.pv_disbenefits)
        )
        summary.add_row("Present value of disbenefits", _money(-r.pv_disbenefits))
        summary.add_row("Present value of benefits, net of disbenefits", _money(r.pv_benefits))
    else:
        summary.add_row("Present value of benefits", _money(r.pv_benefits))
    summary.add_row("Net present value", _money(r.npv))
    summary.add_row("Benefit-cost ratio", _ratio(r.bcr))
    summary.add_row("Fiscal benefit-cost ratio", _ratio(r.fiscal_bcr))
    summary.add_row("SROI ratio", _ratio(r.sroi))
    no_costs = not any(row.costs for row in r.per_year)
    payback = "none: no costs" if no_costs else "not reached"
    summary.add_row("Payback year", payback if r.payback_year is None else str(r.payback_year))
    for cls in BENEFIT_CLASSES:
        label = cls.replace("_", " ").capitalize()
        summary.add_row(f"Benefits: {label}", _money(r.pv_benefits_by_class[cls]))
    console.print(summary)

    if r.by_organisation:
        orgs = Table(title="By organisation (present values)")
        orgs.add_column("organisation")
        for name in ("paid", "received", "net"):
            orgs.add_column(name, justify="right")
        for org, split in r.by_organisation.items():
            orgs.add_row(
                org, _money(split.paid), _money(split.received), _money(split.received - split.paid)
            )
        console.print(orgs)

    years = Table(title="By year")
    for name in ("year", "DF", "costs", "benefits", "PV costs", "PV benefits", "cumulative net"):
        years.add_column(name, justify="right")
    for row in r.per_year:
        years.add_row(
            str(row.year),
            f"{row.discount_factor:.4f}",
            _money(row.costs),
            _money(row.benefits),
            _money(row.pv_costs),
            _money(row.pv_benefits),
            _money(row.cumulative_pv_net),
        )
    console.print(years)

    mc = report.monte_carlo
    if mc is not None:
        table = Table(
            title=f"Monte Carlo: {mc.iterations:,} iterations, seed {mc.seed}",
            caption=f"Probability that NPV > 0: {mc.p_npv_positive:.1%}",
        )
        for name in ("", "mean", "p5", "p50", "p95"):
            table.add_column(name, justify="right" if name else "left")

        rows: list[tuple[str, Summary, Callable[[float | None], str]]] = [
            ("NPV", mc.npv, _money),
            ("BCR", mc.bcr, _ratio),
            ("SROI", mc.sroi, _ratio),
        ]
        for label, s, f in rows:
            table.add_row(label, f(s.mean), f(s.p5), f(s.p50), f(s.p95))
        console.print(table)

    if report.tornado:
        tornado = Table(title="Tornado: NPV with each uncertain input at its low and high")
        tornado.add_column("input")
        for name in ("low", "high", "NPV at low", "NPV at high", "swing"):
            tornado.add_column(name, justify="right")
        for t in report.tornado:
            tornado.add_row(
                t.input,
                _number(t.low),
                _number(t.high),
                _money(t.npv_at_low),
                _money(t.npv_at_high),
                _money(t.swing),
            )
        console.print(tornado)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
