"""Lessons' verbs: `accord export lessons --format csv|xlsx|json [--as EMAIL]` (public lessons
by default), `accord import lessons FILE --as EMAIL`, and the overdue actions' reminders, sent
by `accord notify due` (the notices app's command, which this app adds its reminders to)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from accord.core.commandline import (
    CommandGroups,
    acting_person,
    print_problems,
    setup_django,
)


def add_commands(groups: CommandGroups) -> None:
    q = groups.exports.add_parser(
        "lessons", help="published lessons, redacted, as CSV, XLSX or JSON"
    )
    q.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="export what this person may see (default: public lessons only)",
    )
    q.add_argument("--output", "-o", help="write to this file (default: standard output)")
    q.set_defaults(func=export_lessons)

    q = groups.imports.add_parser(
        "lessons",
        help="lessons from CSV or XLSX, as drafts; all or nothing",
        description="The export's columns: kind, title, source, occurred_on, what_happened "
        "(required), organisations, collaboration, principles, factors (lists separated by ;), "
        "why, recommendation, evidence, audience. Every problem is printed with its row.",
    )
    q.add_argument("file")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        required=True,
        help="the contributor whose drafts they become",
    )
    q.set_defaults(func=import_lessons)

    notify = groups.root.choices.get("notify")
    if notify is not None:
        actions = next(a for a in notify._actions if isinstance(a, argparse._SubParsersAction))
        due = actions.choices.get("due")
        if due is not None:
            before = due.get_default("func")
            due.set_defaults(func=_and_then_reminders(before))


def _and_then_reminders(before: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        status = int(before(args)) if before is not None else 0
        setup_django()
        from . import services

        if getattr(args, "dry_run", False):
            count = len(services.overdue_actions(getattr(args, "today", None)))
            print(f"Would remind the owners of {count} overdue lesson action(s).")
        else:
            sent = services.notify_due(getattr(args, "today", None))
            print(f"Sent {sent} overdue lesson action reminder(s).")
        return status

    return run


def export_lessons(args: argparse.Namespace) -> int:
    setup_django()
    from django.contrib.auth.models import AnonymousUser

    from . import exports, services

    user: Any = acting_person(args.as_email) if args.as_email else AnonymousUser()
    pieces = exports.stream(services.visible_lessons(user), args.format)
    if args.output:
        target = Path(args.output)
        partial = target.with_name(f".{target.name}.partial")
        with partial.open("wb") as out:
            for piece in pieces:
                out.write(piece)
        partial.replace(target)
    else:
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.flush()
    return 0


def import_lessons(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import PermissionRefused, Problems
    from accord.core.spreadsheets import read_file
    from accord.core.uploads import import_max_bytes

    from . import importers

    actor = acting_person(args.as_email)
    try:
        data = read_file(args.file, max_bytes=import_max_bytes())
        made = importers.import_file(actor, data, Path(args.file).name)
    except Problems as exc:
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        print(f"accord: {exc.message}", file=sys.stderr)
        return 1
    print(f"Imported {len(made)} lesson(s) as drafts.")
    return 0
