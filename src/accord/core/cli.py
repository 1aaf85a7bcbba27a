"""The kernel's verbs: `accord audit verify` and `accord audit rekey`."""

from __future__ import annotations

import argparse
import sys

from .commandline import CommandGroups, acting_person, setup_django


def add_commands(groups: CommandGroups) -> None:
    p = groups.root.add_parser("audit", help="check the audit log")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = actions.add_parser(
        "verify",
        help="recompute the keyed hash chain and compare it with the last checkpoint; exit 1 "
        "naming any changed, deleted or forged event",
    )
    q.set_defaults(func=verify_audit_log)
    q = actions.add_parser(
        "rekey",
        help="once after upgrading: sign with the audit key a log written before it had one",
    )
    q.add_argument("--as", dest="as_email", metavar="EMAIL", help="who re-signs it (an event)")
    q.set_defaults(func=rekey_audit_log)


def verify_audit_log(args: argparse.Namespace) -> int:
    setup_django()
    # Django is set up only now: the command line starts without it.
    from . import audit

    result = audit.check()
    checkpoint = result.checkpoint
    if result.problems:
        for problem in result.problems:
            print(f"BROKEN {problem}")
        every_event = (1, result.end_sequence)
        if any(
            p.reason == audit.CHANGED and (p.sequence, p.last) == every_event
            for p in result.problems
        ):
            print(
                "If every event fails, check that ACCORD_AUDIT_KEY (or ACCORD_DATA_DIR/audit_key) "
                "is the key the log was written with."
            )
        print(
            f"The audit log is not intact: {len(result.problems)} problem(s) in "
            f"{result.events} events. The checkpoint was left as it was."
        )
        return 1
    against = (
        f"the checkpoint written {checkpoint.written} (event #{checkpoint.sequence})"
        if checkpoint is not None
        else f"no checkpoint (none was at {result.checkpoint_path}: this is the first)"
    )
    print(
        f"The audit log is intact: {result.events} events, every signature and link checked, "
        f"against {against}."
    )
    try:
        written = audit.write_checkpoint(
            result.end_sequence, result.end_hash, result.checkpoint_path
        )
    except OSError as error:
        print(f"accord: the checkpoint could not be written: {error}", file=sys.stderr)
        return 2
    print(f"Checkpoint at event #{result.end_sequence} written to {written}.")
    return 0


def rekey_audit_log(args: argparse.Namespace) -> int:
    setup_django()
    from . import audit

    try:
        done = audit.rekey(acting_person(args.as_email))
    except audit.RekeyRefused as refused:
        for problem in refused.problems:
            print(f"REFUSED {problem}", file=sys.stderr)
        print(
            "Nothing was re-signed: `accord audit rekey` signs only a log whose one problem is "
            "events from before the audit key.",
            file=sys.stderr,
        )
        return 1
    if done.event is None:
        print("Nothing to re-sign: every event is already signed with the audit key.")
        return 0
    print(
        f"Re-signed {done.re_signed} events with the audit key ({done.old_rule_events} of them "
        f"signed by the old rule), recorded as event #{done.event.sequence}; checkpoint "
        f"written to {done.checkpoint_path}."
    )
    return 0
