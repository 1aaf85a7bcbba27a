"""`accord`: the one command for operators.

Commands that only read files (`assess score`, `appraise`, `kpi spc`, `overlap`) run without a
database; the rest start Django first.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from accord.core.commandline import CommandGroups, console, setup_django

#: The apps whose verbs the command line offers: each module's `add_commands(groups)`.
APP_COMMANDS = (
    "accord.core.cli",
    "accord.orgs.cli",
    "accord.register.cli",
    "accord.appraisal.cli",
    "accord.notices.cli",
    "accord.lessons.cli",
    "accord.kpis.cli",
    "accord.analytics.cli",
    "accord.insights.cli",
)

# Commands ---------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """gunicorn, a production WSGI server: Django's runserver is for development only. With
    ACCORD_ANALYTICS_WORKER on, the analyses' worker (`accord analytics worker`) runs beside it
    as a second process and stops with it, so that the pages only queue a run and show its
    progress, with no broker and nothing else to start."""
    import subprocess

    setup_django()
    from django.conf import settings

    from accord.core.serving import serve

    worker = None
    if settings.ANALYTICS_WORKER and not args.no_analytics_worker:
        worker = subprocess.Popen([sys.executable, "-m", "accord.cli", "analytics", "worker"])
        print(f"Running the analyses' worker beside the server (process {worker.pid})")
    try:
        serve(host=args.host, port=int(args.port), workers=args.workers)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django()
    from accord import demo

    loaded = demo.load(args.password, ambsys=Path(args.ambsys) if args.ambsys else None)
    out = console()
    out.print(f"Reference organisations: {loaded.organisations} created or updated.")
    out.print(f"Demo collaborations: {loaded.collaborations} created.")
    out.print(f"Demo assessment rounds (illustrative synthetic data): {loaded.rounds} created.")
    out.print(f"Demo appraisals: {loaded.appraisals} created.")
    for line in loaded.kpis:
        out.print(line, highlight=False, soft_wrap=True)
    for email, role, password in loaded.logins:
        print(f"Demo login ({role}): {email}  password: {password}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from accord.bench import main as bench_main

    return bench_main(args.rest)


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *args.rest])
    return 0


def _passthrough(module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        main: Callable[[list[str]], int] = import_module(module).main
        return main(list(args.rest))

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord",
        description="Accord: the evidence platform for emergency services collaboration.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the site with gunicorn (default http://127.0.0.1:8000)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="8000")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: two a processor core, plus one)",
    )
    p.add_argument(
        "--no-analytics-worker",
        action="store_true",
        help="with ACCORD_ANALYTICS_WORKER on, do not start `accord analytics worker` beside "
        "the server (one runs elsewhere)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="create or update the database's tables")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "demo",
        help="load the reference organisations, the demo collaborations and demo logins",
        description="Idempotent: organisations are updated, collaborations added once, and the "
        "demo logins get fresh passwords, which it prints.",
    )
    p.add_argument("--password", help="use this password for the demo logins")
    p.add_argument(
        "--ambsys",
        metavar="FILE",
        help="the AmbSYS file for the demo KPIs (default: "
        "../shared/data/ambsys_2017-08_to_2019-12.csv, when it is there)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "import", help="import organisations, areas, boundaries, collaborations or deflators"
    )
    isub = p.add_subparsers(dest="what", required=True, metavar="WHAT")

    p = sub.add_parser("export", help="export what a user may see")
    esub = p.add_subparsers(dest="what", required=True, metavar="WHAT")

    p = sub.add_parser("user", help="manage people")
    usub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = sub.add_parser("bench", help="measure pages and engines at national scale")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "assess", help="assessments: `accord assess score FRAMEWORK.yaml RESPONSES.csv`"
    )
    asub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = asub.add_parser("score", help="score a CSV of responses without a database", add_help=False)
    q.add_argument("rest", nargs=argparse.REMAINDER)
    q.set_defaults(func=_passthrough("accord.assessments.score_cli"))

    p = sub.add_parser(
        "kpi", help="KPIs: `accord kpi spc FILE.csv` (control charts), `accord kpi library load`"
    )
    ksub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = ksub.add_parser("spc", help="statistical process control of a CSV series", add_help=False)
    q.add_argument("rest", nargs=argparse.REMAINDER)
    q.set_defaults(func=_passthrough("accord.kpis.spc_cli"))

    p = sub.add_parser(
        "overlap",
        help="where services attend the same incidents: `accord overlap FILE...`",
        add_help=False,
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_passthrough("accord.analytics.overlap_cli"))

    p = sub.add_parser("appraise", help="appraise a YAML appraisal file", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_passthrough("accord.appraisal.appraise_cli"))

    groups = CommandGroups(root=sub, imports=isub, exports=esub, user=usub)
    for module in APP_COMMANDS:
        import_module(module).add_commands(groups)

    p = sub.add_parser("manage", help="run any Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


# Commands whose own parser takes every argument after their name (so `--help` is theirs).
PASSTHROUGH = {
    ("appraise",): "accord.appraisal.appraise_cli",
    ("assess", "score"): "accord.assessments.score_cli",
    ("kpi", "spc"): "accord.kpis.spc_cli",
    ("overlap",): "accord.analytics.overlap_cli",
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    for prefix, module in PASSTHROUGH.items():
        if tuple(arguments[: len(prefix)]) == prefix:
            run = _passthrough(module)
            return run(argparse.Namespace(rest=arguments[len(prefix) :]))
    if arguments[:1] == ["manage"]:
        return cmd_manage(argparse.Namespace(rest=arguments[1:]))
    if arguments[:1] == ["bench"]:
        return cmd_bench(argparse.Namespace(rest=arguments[1:]))
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        result: int = args.func(args)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"accord: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _missing_tables(exc):
            raise
        print(
            "accord: the database has no tables yet (or is out of date): run `accord migrate`",
            file=sys.stderr,
        )
        return 2
    return result


def _missing_tables(exc: Exception) -> bool:
    """Is this the database saying it was never migrated?"""
    if "django.db" not in sys.modules:
        return False
    from django.db import OperationalError, ProgrammingError

    text = str(exc).lower()
    return isinstance(exc, OperationalError | ProgrammingError) and (
        "no such table" in text or ("relation" in text and "does not exist" in text)
    )


if __name__ == "__main__":
    sys.exit(main())
