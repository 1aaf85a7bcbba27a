"""KPIs' verbs: `accord import ambsys FILE`, `accord import measurements REFERENCE FILE`,
`accord kpi library load [FILE]` and `accord kpi refresh`. (`accord kpi spc` is spc_cli's,
and runs without a database.)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from accord.core.commandline import (
    CommandGroups,
    acting_person,
    console,
    print_problems,
    progress,
    setup_django,
)


def _kpi_verbs(groups: CommandGroups) -> Any:
    """`accord kpi ACTION`'s sub-commands: the group accord/cli.py makes for `kpi spc`."""
    kpi = groups.root.choices["kpi"]
    return next(a for a in kpi._actions if isinstance(a, argparse._SubParsersAction))


def _as(parser: Any, who: str = "platform administrator") -> None:
    parser.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help=f"act as this {who} (default: the operator)",
    )


def add_commands(groups: CommandGroups) -> None:
    q = groups.imports.add_parser(
        "ambsys",
        help="NHS England AmbSYS (ambulance indicators) CSV or XLSX into the published series",
        description="Reads the file by column name (either column set, before or after October "
        "2019): each trust by its ODS code, England as the national comparator; the NHS regions "
        "are skipped and counted, '.' is a missing value. Importing again replaces what AmbSYS "
        "supplied before and touches nothing entered by hand. All or nothing.",
    )
    q.add_argument("file", help="such as ambsys_2017-08_to_2019-12.csv")
    _as(q)
    q.set_defaults(func=import_ambsys)

    q = groups.imports.add_parser(
        "measurements",
        help="a collaboration's KPI figures from CSV or XLSX; all or nothing",
        description="Columns indicator, organisation, period, value, note. Every problem is "
        "printed with its row and reason, and nothing is written.",
    )
    q.add_argument("reference", help="the collaboration's reference, such as CRIT")
    q.add_argument("file")
    _as(q, "person (a contributor at one of the partners)")
    q.set_defaults(func=import_measurements)

    verbs = _kpi_verbs(groups)
    q = verbs.add_parser("library", help="the indicator library: `accord kpi library load`")
    lsub = q.add_subparsers(dest="library_action", required=True, metavar="ACTION")
    q = lsub.add_parser(
        "load",
        help="load the shipped indicator library, or a YAML file in its form",
        description="Adds the file's indicators that are new and updates those that changed "
        "and are not in use; an indicator in use is kept as it is and reported. Safe to run "
        "again. A file with any problem changes nothing.",
    )
    q.add_argument("file", nargs="?", help="a library YAML file (default: the shipped library)")
    _as(q)
    q.set_defaults(func=load_library)

    q = verbs.add_parser(
        "refresh",
        help="work out again the KPIs Accord computes (three Cs, benefits realised)",
    )
    _as(q)
    q.set_defaults(func=refresh)


def import_ambsys(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import PermissionRefused, Problems
    from accord.core.spreadsheets import read_file
    from accord.core.uploads import import_max_bytes

    from . import services

    actor = acting_person(args.as_email)
    try:
        data = read_file(args.file, max_bytes=import_max_bytes())
        with progress("Importing AmbSYS") as bar:
            task = bar.add_task("values", total=None)
            result = services.import_ambsys(
                actor,
                data,
                Path(args.file).name,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except Problems as exc:
        console().print(f"[red]Nothing imported: {len(exc.problems)} problem(s)[/red]")
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        return print_problems([exc.message], prefix="accord import ambsys: ")
    for line in result.sentences():
        print(line)
    return 0


def import_measurements(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import PermissionRefused, Problems
    from accord.core.spreadsheets import read_file
    from accord.core.uploads import import_max_bytes
    from accord.register import services as register

    from . import services

    actor = acting_person(args.as_email)
    collaboration = register.find_collaboration(args.reference)
    if collaboration is None:
        print(f"accord: no collaboration has the reference {args.reference}", file=sys.stderr)
        return 2
    try:
        data = read_file(args.file, max_bytes=import_max_bytes())
        with progress("Importing measurements") as bar:
            task = bar.add_task("rows", total=None)
            counted = services.import_measurements(
                actor,
                collaboration,
                data,
                Path(args.file).name,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except Problems as exc:
        console().print(f"[red]Nothing imported: {len(exc.problems)} problem(s)[/red]")
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        return print_problems([exc.message], prefix="accord import measurements: ")
    print(
        f"{collaboration.reference}: {int(counted):,} figures stored ({counted.created:,} new, "
        f"{counted.changed:,} changed, {counted.unchanged:,} as they were)."
    )
    return 0


def load_library(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core import safe_yaml
    from accord.core.problems import PermissionRefused, Problem, Problems

    from . import library, services

    actor = acting_person(args.as_email)
    try:
        if args.file:
            path = Path(args.file)
            try:
                text = safe_yaml.read_file(path)
            except safe_yaml.YamlRefused as exc:
                raise Problems([Problem(str(exc), source=path.name, refused=True)]) from exc
            loaded = services.load_library(actor, text, path.name)
        else:
            loaded = services.load_shipped_library(actor)
            path = library.SHIPPED_FILE
    except Problems as exc:
        console().print(f"[red]Nothing loaded: {len(exc.problems)} problem(s)[/red]")
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        return print_problems([exc.message], prefix="accord kpi library load: ")
    print(f"{path.name}:")
    for line in loaded.sentences():
        print(line)
    return 0


def refresh(args: argparse.Namespace) -> int:
    setup_django()
    from . import services

    count = services.refresh_all_computed(acting_person(args.as_email))
    print(f"Worked out again: {count} KPIs that Accord computes.")
    return 0
