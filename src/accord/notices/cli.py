"""`accord notify due [--dry-run]`: send the notices that are due, for cron.

Django is set up inside the command, so that the command line starts without it.
"""

from __future__ import annotations

import argparse
import datetime as dt

from accord.core.commandline import CommandGroups, setup_django


def add_commands(groups: CommandGroups) -> None:
    p = groups.root.add_parser("notify", help="email people the notices that are due")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = sub.add_parser(
        "due",
        help="send every notice due and not sent before (run it daily, from cron)",
        description="Funding ending within 3 months, duty-to-collaborate reviews due within a "
        "month, and collaborations changed by someone who does not lead them, to the people "
        "who lead them and have not turned the notice off. Nothing is sent twice.",
    )
    q.add_argument("--dry-run", action="store_true", help="list what would be sent; send nothing")
    q.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date to count from (default: today)",
    )
    q.set_defaults(func=notify_due)


def notify_due(args: argparse.Namespace) -> int:
    setup_django()
    from . import services

    result = services.send_due(dry_run=args.dry_run, today=args.today)
    listed = result.due if args.dry_run else result.sent
    verb = "Would send" if args.dry_run else "Sent"
    for due in listed:
        print(f"{verb}: {due.describe()}")
    count = len(listed)
    people = len({d.recipient.pk for d in listed})
    summary = (
        f"{verb} {count} {'notice' if count == 1 else 'notices'} to {people} "
        f"{'person' if people == 1 else 'people'}"
    )
    if result.already:
        summary += f"; {result.already} already sent by another run"
    print(summary + ".")
    return 0
