"""The appraisal app's verbs: `accord import deflators FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from accord.core.commandline import CommandGroups, acting_person, print_problems, setup_django


def add_commands(groups: CommandGroups) -> None:
    q = groups.imports.add_parser(
        "deflators",
        help="GDP deflators (ONS series YBGB) from the CSV as ONS publishes it",
        description="Reads ONS's GDP implied deflator (series YBGB) as downloaded, works out "
        "each financial year as the mean of its four quarters, and stores the release: uplift "
        "uses it from then on, in preference to the shipped table. All or nothing: any problem "
        "is printed with its line, and nothing is stored.",
    )
    q.add_argument("file", help="such as ons_gdp_deflator_ybgb.csv")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="import as this platform administrator (default: the operator)",
    )
    q.set_defaults(func=import_deflators)


def import_deflators(args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    setup_django()
    # Django is set up only now, so the services (and the models they import) come after it.
    from accord.core.problems import PermissionRefused, Problems

    from . import deflators, services

    actor = acting_person(args.as_email)
    try:
        release = services.import_deflators(actor, data, Path(args.file).name)
    except Problems as exc:
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        return print_problems([exc.message], prefix="accord import deflators: ")
    table = services.deflator_table()
    first, last = table.years[0], table.years[-1]
    print(
        f"Imported {release}: financial years {deflators.financial_year_label(first)} to "
        f"{deflators.financial_year_label(last)}; uplift uses it from now on."
    )
    return 0
