"""The organisations' verbs: `accord import organisations`, `import areas`, `import boundaries`,
`accord user add` and `accord user token`.

Django is set up inside each command, and the services imported there: the command line must
start (and answer `--help`) without Django, for the verbs that need no database.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from accord.core.choices import Role
from accord.core.commandline import (
    CommandGroups,
    acting_person,
    print_problems,
    progress,
    setup_django,
)
from accord.core.problems import Problems

from . import importers


def add_commands(groups: CommandGroups) -> None:
    q = groups.imports.add_parser(
        "organisations", help="the shipped reference organisations (police, fire, ambulance...)"
    )
    q.set_defaults(func=import_organisations)
    q = groups.imports.add_parser("areas", help="districts and their areas from an ONS lookup CSV")
    q.add_argument("file")
    q.set_defaults(func=import_areas)
    q = groups.imports.add_parser(
        "boundaries", help="area polygons from a GeoJSON FeatureCollection"
    )
    q.add_argument("file")
    q.set_defaults(func=import_boundaries)

    q = groups.user.add_parser("add", help="add a person")
    q.add_argument("email")
    q.add_argument("--org", required=True, help="their organisation's code, such as E31000025")
    q.add_argument("--role", required=True, choices=[r.value for r in Role])
    q.add_argument("--password", help="default: a random password, printed once")
    q.add_argument("--name", help="their full name")
    q.set_defaults(func=add_user)

    q = groups.user.add_parser(
        "token",
        help="a new personal API token for a person, printed once",
        description="Prints the new token alone on the last line of its output, so that a "
        "script can take it with `tail -n 1`. Only its hash is stored: it cannot be shown again.",
    )
    q.add_argument("email")
    q.add_argument("--name", default="", help="what the token is for, such as 'nightly export'")
    q.set_defaults(func=create_token)


def import_organisations(args: argparse.Namespace) -> int:
    setup_django()
    from . import services  # the models need Django set up

    try:
        changed = services.load_reference_organisations(actor=acting_person(None))
        areas = services.load_reference_areas(actor=acting_person(None))
    except Problems as exc:
        return print_problems(exc.problems)
    print(f"Reference organisations: {changed} created or updated.")
    print(f"Reference areas (police force and fire authority areas): {areas} created or updated.")
    return 0


def import_areas(args: argparse.Namespace) -> int:
    return _import(args, "areas")


def import_boundaries(args: argparse.Namespace) -> int:
    return _import(args, "boundaries")


def _import(args: argparse.Namespace, what: str) -> int:
    setup_django()
    from . import services  # the models need Django set up

    data = Path(args.file).read_bytes()
    actor = acting_person(None)
    try:
        rows: Sequence[Any] = (
            importers.read_lookup(data, args.file)
            if what == "areas"
            else importers.read_boundaries(data, args.file)
        )
    except Problems as exc:
        return print_problems(exc.problems)
    with progress(f"Importing {what}") as bar:
        task = bar.add_task(what, total=len(rows))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if what == "areas":
            summary = services.import_areas(list(rows), actor=actor, progress=advance)
        else:
            summary = services.import_boundaries(list(rows), actor=actor, progress=advance)
    print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


def add_user(args: argparse.Namespace) -> int:
    setup_django()
    from . import services  # the models need Django set up

    try:
        user, password = services.add_user(
            email=args.email,
            organisation_code=args.org,
            role=args.role,
            password=args.password,
            name=args.name or "",
        )
    except Problems as exc:
        return print_problems(exc.problems, prefix="accord user add: ")
    print(f"Added {user.email} ({user.role}, {args.org}).")
    if not args.password:
        print(f"Password: {password}")
    return 0


def create_token(args: argparse.Namespace) -> int:
    setup_django()
    from . import services  # the models need Django set up
    from .models import User

    owner = User.objects.filter(email=args.email.strip().lower()).first()
    if owner is None:
        return print_problems(
            [f"no person has the email {args.email}"], prefix="accord user token: "
        )
    try:
        token, plain = services.create_token(owner, args.name, actor=acting_person(None))
    except Problems as exc:
        return print_problems(exc.problems, prefix="accord user token: ")
    print(f"New API token {token.name!r} for {owner.email} (starts {token.prefix}).")
    print("It is shown only this once: keep it somewhere safe.")
    print(plain)
    return 0
