"""`accord`: the one command for operators.

Commands that only read a file (`assess score`, `appraise`) run without a database; the rest
start Django first.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEMO_ADMIN = "admin@demo.accord.test"
DEMO_PEOPLE = (
    # (email, organisation code, role): a contributor at a lead partner, a reader elsewhere.
    ("contributor@lincolnshire-fire.demo.accord.test", "E31000025", "contributor"),
    ("reader@hampshire-police.demo.accord.test", "E23000030", "reader"),
)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _progress(description: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(),
        transient=False,
    )


def _actor(email: str | None) -> Any:
    from accord.core.actors import SystemActor
    from accord.orgs.models import User

    if not email:
        return SystemActor()
    user = User.objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        raise SystemExit(f"accord: no active user has the email {email}")
    return user


# Commands ---------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.db import transaction

    from accord.core.actors import SystemActor
    from accord.orgs import services as orgs
    from accord.orgs.models import User
    from accord.register.demo import load_demo_collaborations

    actor = SystemActor("demo loader")
    console = _console()
    with transaction.atomic():
        changed = orgs.load_reference_organisations(actor=actor)
        created = load_demo_collaborations(actor)
        from accord.assessments.demo import load_demo as load_assessment_demo

        rounds = load_assessment_demo(actor)
        from accord.appraisal.demo import load_demo as load_appraisal_demo

        appraisals = load_appraisal_demo(actor)
        logins = []
        for email, code, role in ((DEMO_ADMIN, "X-HO", "platform_admin"), *DEMO_PEOPLE):
            password = args.password or _demo_password()
            user = User.objects.filter(email=email).first()
            if user is None:
                orgs.add_user(
                    email=email,
                    organisation_code=code,
                    role=role,
                    password=password,
                    actor=actor,
                )
            else:
                orgs.set_password(user, password, actor=actor)
            logins.append((email, role, password))
    console.print(f"Reference organisations: {changed} created or updated.")
    console.print(f"Demo collaborations: {len(created)} created.")
    console.print(f"Demo assessment rounds (illustrative synthetic data): {len(rounds)} created.")
    console.print(f"Demo appraisals: {len(appraisals)} created.")
    for email, role, password in logins:
        print(f"Demo login ({role}): {email}  password: {password}")
    return 0


def _demo_password() -> str:
    import secrets

    return "demo-" + secrets.token_urlsafe(9)


def cmd_import_organisations(args: argparse.Namespace) -> int:
    _setup_django()
    from accord.core.actors import SystemActor
    from accord.orgs.services import load_reference_organisations

    changed = load_reference_organisations(actor=SystemActor())
    print(f"Reference organisations: {changed} created or updated.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    data = Path(args.file).read_bytes()
    console = _console()
    actor = _actor(getattr(args, "as_email", None))
    if args.what in ("areas", "boundaries"):
        from accord.orgs import importers, services

        try:
            if args.what == "areas":
                rows: Sequence[Any] = importers.read_lookup(data, args.file)
            else:
                rows = importers.read_boundaries(data, args.file)
        except importers.ImportProblems as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
        with _progress(f"Importing {args.what}") as progress:
            task = progress.add_task(args.what, total=len(rows))

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            if args.what == "areas":
                summary = services.import_areas(list(rows), actor=actor, progress=advance)
            else:
                summary = services.import_boundaries(list(rows), actor=actor, progress=advance)
        print(", ".join(f"{k}: {v}" for k, v in summary.items()))
        return 0
    from accord.register import importers as register_importers
    from accord.register import services as register_services

    try:
        parsed = register_importers.parse_file(data, args.file)
        with _progress("Importing collaborations") as progress:
            task = progress.add_task("collaborations", total=len(parsed))
            created = register_services.import_collaborations(
                actor,
                parsed,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except register_importers.ImportFailed as exc:
        console.print(f"[red]Nothing imported: {len(exc.problems)} problem(s)[/red]")
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except register_services.PermissionRefused as exc:
        print(f"accord: {exc}", file=sys.stderr)
        return 2
    print(f"Imported {len(created)} collaborations.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _setup_django()
    from django.contrib.auth.models import AnonymousUser

    from accord.register import exports
    from accord.register.models import Collaboration

    user: Any = _actor(args.as_email) if args.as_email else AnonymousUser()
    queryset = Collaboration.objects.visible_to(user)
    if not args.archived:
        queryset = queryset.filter(archived_at__isnull=True)
    with _progress("Exporting collaborations") as progress:
        task = progress.add_task("collaborations", total=None)
        content = exports.render(
            queryset,
            args.format,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if args.output:
        Path(args.output).write_bytes(content)
        _console().print(f"Wrote {args.output}")
    else:
        sys.stdout.buffer.write(content)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    _setup_django()
    from accord.orgs import importers, services

    try:
        user, password = services.add_user(
            email=args.email,
            organisation_code=args.org,
            role=args.role,
            password=args.password,
            name=args.name or "",
        )
    except importers.ImportProblems as exc:
        for problem in exc.problems:
            print(f"accord user add: {problem}", file=sys.stderr)
        return 2
    print(f"Added {user.email} ({user.role}, {args.org}).")
    if not args.password:
        print(f"Password: {password}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _setup_django()
    from accord.core import audit

    problems = list(audit.verify())
    count = audit.AuditEvent.objects.count()
    if problems:
        for problem in problems:
            print(f"BROKEN {problem}")
        print(f"The audit log is not intact: {len(problems)} problem(s) in {count} events.")
        return 1
    print(f"The audit log is intact: {count} events, every hash and link checked.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from accord.benchmarks import main as bench_main

    return bench_main(args.rest)


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *args.rest])
    return 0


def _passthrough(module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from importlib import import_module

        main: Callable[[list[str]], int] = import_module(module).main
        return main(list(args.rest))

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord",
        description="Accord: the evidence platform for emergency services collaboration.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the site (default http://127.0.0.1:8000)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="8000")
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
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="import areas, boundaries or collaborations from a file")
    isub = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    q = isub.add_parser(
        "organisations", help="the shipped reference organisations (police, fire, ambulance...)"
    )
    q.set_defaults(func=cmd_import_organisations)
    q = isub.add_parser("areas", help="districts and their areas from an ONS lookup CSV")
    q.add_argument("file")
    q.set_defaults(func=cmd_import)
    q = isub.add_parser("boundaries", help="area polygons from a GeoJSON FeatureCollection")
    q.add_argument("file")
    q.set_defaults(func=cmd_import)
    q = isub.add_parser(
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
    q.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export what a user may see")
    esub = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    q = esub.add_parser("collaborations", help="the register as CSV, XLSX or JSON")
    q.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    q.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="export what this user may see (default: public records only)",
    )
    q.add_argument("--output", "-o", help="write to this file (default: standard output)")
    q.add_argument("--archived", action="store_true", help="include archived collaborations")
    q.set_defaults(func=cmd_export)

    p = sub.add_parser("user", help="manage people")
    usub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = usub.add_parser("add", help="add a person")
    q.add_argument("email")
    q.add_argument("--org", required=True, help="their organisation's code, such as E31000025")
    q.add_argument(
        "--role",
        required=True,
        choices=["reader", "contributor", "moderator", "org_admin", "platform_admin"],
    )
    q.add_argument("--password", help="default: a random password, printed once")
    q.add_argument("--name", help="their full name")
    q.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="check the audit log")
    asub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = asub.add_parser(
        "verify", help="recompute the hash chain; exit 1 naming any changed or deleted event"
    )
    q.set_defaults(func=cmd_audit)

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

    p = sub.add_parser("appraise", help="appraise a YAML appraisal file", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_passthrough("accord.appraisal.appraise_cli"))

    p = sub.add_parser("manage", help="run any Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


# Commands whose own parser takes every argument after their name (so `--help` is theirs).
PASSTHROUGH = {
    ("appraise",): "accord.appraisal.appraise_cli",
    ("assess", "score"): "accord.assessments.score_cli",
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
