"""Insights' verbs: `accord import population FILE`, `accord report collaboration REF` and
`accord report national`.

Django is set up inside the command, and the services imported there: the command line must
start (and answer `--help`) without Django.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from accord.core.commandline import (
    CommandGroups,
    acting_person,
    print_problems,
    progress,
    setup_django,
)
from accord.core.problems import Problems

from .population import read_population


def add_commands(groups: CommandGroups) -> None:
    q = groups.imports.add_parser(
        "population",
        help="population estimates by police force area and year, from an ONS CSV",
        description="Reads a CSV with a 'year' column and one column per police force area "
        "(as ONS publishes mid-year estimates), matches each column's name to a police force "
        "area (its name, or its force's name or short name), and writes every figure in one "
        "transaction. A name that matches no area stops the import unless --skip-unmatched.",
    )
    q.add_argument("file")
    q.add_argument(
        "--skip-unmatched",
        action="store_true",
        help="import the columns that match and report the others, instead of stopping",
    )
    q.add_argument("--as", dest="actor", metavar="EMAIL", help="who imports (default: system)")
    q.set_defaults(func=import_population)

    p = groups.root.add_parser(
        "report",
        help="reports as PDF: `accord report collaboration REF`, `accord report national`",
        description="Writes a report as PDF, drawn from what the person named by --as may see "
        "(as the pages draw it for them), with the protective marking on every page.",
    )
    sub = p.add_subparsers(dest="report", required=True, metavar="REPORT")
    q = sub.add_parser(
        "collaboration",
        help="a collaboration's board pack",
        description="The board pack of one collaboration: the record and its risks, the latest "
        "assessment, the KPIs, the appraisals, the lessons and open actions, and the "
        "duty-to-collaborate reviews.",
    )
    q.add_argument("reference", help="the collaboration's reference, such as JACP")
    _report_options(q)
    q.set_defaults(func=report_collaboration)
    q = sub.add_parser(
        "national",
        help="the national report: the map, the consistency measures and the findings",
    )
    _report_options(q)
    q.set_defaults(func=report_national)


def _report_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        required=True,
        help="whose view the report is drawn from: only what they may see is in it",
    )
    q.add_argument("-o", "--output", metavar="FILE.pdf", required=True, help="where to write it")


def _write(path: str, data: bytes, prefix: str) -> int:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        return print_problems([f"{path}: {exc.strerror}"], prefix=prefix)
    print(f"Wrote {path} ({len(data):,} bytes)")
    return 0


def report_collaboration(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import NotVisible

    from . import reports  # the models need Django set up

    prefix = "accord report collaboration: "
    actor = acting_person(args.actor)
    try:
        pack, data = reports.board_pack_pdf(actor, args.reference)
    except NotVisible:
        return print_problems(
            [f"no collaboration {args.reference!r} that {args.actor} may see"], prefix=prefix
        )
    print(f"Board pack of {pack.collaboration.title}, marked {pack.marking}")
    return _write(args.output, data, prefix)


def report_national(args: argparse.Namespace) -> int:
    setup_django()
    from . import reports  # the models need Django set up

    actor = acting_person(args.actor)
    with progress("National report") as bar:
        task = bar.add_task("report", total=100)

        def advance(percent: int, text: str) -> None:
            bar.update(task, completed=percent, description=text)

        context, data = reports.national_pdf(actor, advance)
    print(
        f"National report of {context['picture'].collaborations} collaborations, marked "
        f"{context['marking']}"
    )
    return _write(args.output, data, "accord report national: ")


def import_population(args: argparse.Namespace) -> int:
    setup_django()
    from . import services  # the models need Django set up

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return print_problems([f"{args.file}: {exc.strerror}"], prefix="accord import population: ")
    actor = acting_person(args.actor)
    try:
        rows = read_population(data, path.name)
        with progress("Importing population") as bar:
            task = bar.add_task("population", total=len(rows))

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = services.import_population(
                rows,
                actor=actor,
                filename=path.name,
                digest=services.file_digest(data),
                skip_unmatched=args.skip_unmatched,
                progress=advance,
            )
    except Problems as exc:
        return print_problems(exc.problems)
    print(services.matched_areas_sentence(result))
    return 0
