"""The errors every app shares: one vocabulary, raised by services and pure modules alike.

- :class:`Problems`: the input is wrong; every :class:`Problem` is listed at once, each naming
  where (row, field) and why. Imports, YAML files, forms and command lines all raise it.
- :class:`PermissionRefused`: the person may see the record but not make this change.
- :class:`EditConflict`: someone else saved the record after this person opened it.
- :class:`NotVisible`: the record does not exist, or this person may not see it; the two are
  never told apart, so that a record's existence does not leak.

One place turns them into responses (`core.middleware.ProblemsMiddleware` for pages and
`accord.api` for the API). This module imports no Django, so that the pure domain modules can
raise the same errors as the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class Problem(str):
    """One thing wrong with some input: a reason, and where (row and field) when known.

    A problem is also the sentence that names it ("Row 4, column status: ..."), so that it
    prints, compares and joins as the plain messages did; the parts stay readable for forms
    that attach a problem to their field and for machine outputs.
    """

    reason: str
    row: int | None
    field: str | None
    source: str | None
    #: The file is refused outright, not merely wrong: it crosses one of the readers' limits
    #: (size, rows, a field's length, expansion, nesting, digits, the horizon) or holds what text
    #: may not (a NUL byte, an encoding other than the one asked for). See :func:`exit_status`.
    refused: bool

    def __new__(
        cls,
        reason: str,
        *,
        row: int | None = None,
        field: str | None = None,
        source: str | None = None,
        row_word: str = "Row",
        refused: bool = False,
    ) -> Problem:
        text = _render(reason, row=row, field=field, source=source, row_word=row_word)
        problem = super().__new__(cls, text)
        problem.reason = reason
        problem.row = row
        problem.field = field
        problem.source = source
        problem.refused = refused
        return problem

    def placed(self, *, source: str | None = None, row: int | None = None) -> Problem:
        """The same problem, said of a named file (and row), keeping whether it was refused."""
        return Problem(
            self.reason,
            row=self.row if row is None else row,
            field=self.field,
            source=source if source is not None else self.source,
            refused=self.refused,
        )

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason, "message": str(self)}


def _render(
    reason: str, *, row: int | None, field: str | None, source: str | None, row_word: str
) -> str:
    where: list[str] = []
    if row is not None:
        where.append(f"{row_word} {row}")
        if field:
            where.append(f"column {field}")
    elif field:
        where.append(field)
    place = ", ".join(where)
    parts = [p for p in (source, place) if p]
    return ": ".join([*parts, reason]) if parts else reason


def as_problem(item: str | Problem) -> Problem:
    """A message as a problem; a message already a problem keeps its parts."""
    return item if isinstance(item, Problem) else Problem(str(item))


#: Exit statuses of the command line: a hostile or unreadable file is refused with 1, as the
#: hardening issue asks; a file that was read but whose content has problems to fix keeps the
#: 2 that every command has always given for bad input (scripts test for it).
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


def exit_status(problems: Iterable[str]) -> int:
    """1 when any problem refuses the file outright, else 2."""
    return EXIT_REFUSED if any(getattr(p, "refused", False) for p in problems) else EXIT_BAD_INPUT


class Problems(ValueError):
    """Input with one or more problems; nothing was changed.

    ``problems`` lists every problem found (each a :class:`Problem`, which is also its
    message). ``errors`` is the same list, the name the validators used.
    """

    def __init__(self, problems: Iterable[str | Problem], *, source: str | None = None) -> None:
        self.problems: list[Problem] = [as_problem(p) for p in problems]
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + p for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return self.problems

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def refused(self) -> bool:
        """Whether the file is refused outright (a limit crossed) rather than merely wrong."""
        return any(p.refused for p in self.problems)


class PermissionRefused(Exception):
    """The person may see the record (or none is involved) but may not make this change."""

    def __init__(self, message: str = "You may not make this change.") -> None:
        super().__init__(message)
        self.message = message


class NotVisible(LookupError):
    """No such record for this person: it does not exist, or they may not see it."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"No such {what}")
        self.what = what


@dataclass
class EditConflict(Exception):
    """Someone else saved the record after this person opened it.

    ``changes`` lists what they changed as (field, value then, value now); ``diff`` is the same
    as lines of text where the record is a document (an appraisal's YAML).
    """

    by: str
    at: dt.datetime | None
    current_version: int
    changes: Sequence[tuple[str, Any, Any]] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"changed by {self.by} since you opened it"
