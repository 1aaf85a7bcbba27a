"""What every app's command-line verbs share: Django set up late, progress bars, the acting
person, problems printed one a line.

`accord/cli.py` builds the parser and hands each app's `cli.add_commands` the groups below;
an app adds its verbs there (`accord import deflators` is appraisal's, `accord import areas`
orgs') and nothing else in the command line knows them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .problems import exit_status

#: Every command's function: parsed arguments in, exit status out.
Command = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class CommandGroups:
    """Where apps add their verbs: the top level (`accord VERB`) and the shared groups."""

    root: Any  # argparse's _SubParsersAction, private in typeshed
    imports: Any  # `accord import WHAT`
    exports: Any  # `accord export WHAT`
    user: Any  # `accord user ACTION`


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def progress(description: str) -> Any:
    """A progress bar on standard error; use as a context manager."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(),
        transient=False,
    )


def acting_person(email: str | None) -> Any:
    """The active person with this email, or the system (the operator) when none is named."""
    from django.contrib.auth import get_user_model

    from .actors import SystemActor

    if not email:
        return SystemActor()
    user = get_user_model().objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        raise SystemExit(f"accord: no active user has the email {email}")
    return user


def print_problems(problems: Iterable[str], prefix: str = "") -> int:
    """Every problem on standard error, one a line; the exit status for bad input: 1 when the
    file is refused outright (a hostile or unreadable file), 2 when its content is wrong."""
    listed = list(problems)
    for problem in listed:
        print(f"{prefix}{problem}", file=sys.stderr)
    return exit_status(listed)
