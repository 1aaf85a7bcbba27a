"""The register's verbs: `accord import collaborations` and `accord export collaborations`."""

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


def add_commands(groups: CommandGroups) -> None:
    q = groups.imports.add_parser(
        "collaborations",
        help="collaborations from CSV or XLSX; all or nothing",
        description="Each row is checked first; any problem is printed with its row, column and "
        "reason, and nothing is written.",
    )
    q.add_argument("file")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="import as this user (default: the operator, as platform administrator)",
    )
    q.set_defaults(func=import_collaborations)

    q = groups.exports.add_parser("collaborations", help="the register as CSV, XLSX or JSON")
    q.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="export what this user may see (default: public records only)",
    )
    q.add_argument("--output", "-o", help="write to this file (default: standard output)")
    q.add_argument("--archived", action="store_true", help="include archived collaborations")
    q.set_defaults(func=export_collaborations)


def import_collaborations(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import PermissionRefused, Problems
    from accord.core.spreadsheets import read_file
    from accord.core.uploads import import_max_bytes

    from . import importers, services

    actor = acting_person(args.as_email)
    try:
        data = read_file(args.file, max_bytes=import_max_bytes())
        parsed = importers.parse_file(data, args.file)
        with progress("Importing collaborations") as bar:
            task = bar.add_task("collaborations", total=len(parsed))
            created = services.import_collaborations(
                actor,
                parsed,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except Problems as exc:
        console().print(f"[red]Nothing imported: {len(exc.problems)} problem(s)[/red]")
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        print(f"accord: {exc.message}", file=sys.stderr)
        return 2
    print(f"Imported {len(created)} collaborations.")
    return 0


def export_collaborations(args: argparse.Namespace) -> int:
    setup_django()
    from django.contrib.auth.models import AnonymousUser

    from . import exports, services

    user: Any = acting_person(args.as_email) if args.as_email else AnonymousUser()
    queryset = services.visible_collaborations(user)
    if not args.archived:
        queryset = queryset.filter(archived_at__isnull=True)
    with progress("Exporting collaborations") as bar:
        task = bar.add_task("collaborations", total=None)
        pieces = exports.stream(
            queryset,
            args.format,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        # Written as it comes, so that a whole register needs no more memory than a page.
        if args.output:
            # Into a file beside the target, renamed when whole: a failed export leaves
            # no half-written file behind.
            target = Path(args.output)
            partial = target.with_name(f".{target.name}.partial")
            with partial.open("wb") as out:
                for piece in pieces:
                    out.write(piece)
            partial.replace(target)
        else:
            for piece in pieces:
                sys.stdout.buffer.write(piece)
    if args.output:
        console().print(f"Wrote {args.output}")
    return 0
