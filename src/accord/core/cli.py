"""The kernel's verbs: `accord audit verify`."""

from __future__ import annotations

import argparse

from .commandline import CommandGroups, setup_django


def add_commands(groups: CommandGroups) -> None:
    p = groups.root.add_parser("audit", help="check the audit log")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = actions.add_parser(
        "verify", help="recompute the hash chain; exit 1 naming any changed or deleted event"
    )
    q.set_defaults(func=verify_audit_log)


def verify_audit_log(args: argparse.Namespace) -> int:
    setup_django()
    # Django is set up only now: the command line starts without it.
    from . import audit

    problems = list(audit.verify())
    count = audit.AuditEvent.objects.count()
    if problems:
        for problem in problems:
            print(f"BROKEN {problem}")
        print(f"The audit log is not intact: {len(problems)} problem(s) in {count} events.")
        return 1
    print(f"The audit log is intact: {count} events, every hash and link checked.")
    return 0
