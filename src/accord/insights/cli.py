"""Insights' verbs: `accord import population FILE`.

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
