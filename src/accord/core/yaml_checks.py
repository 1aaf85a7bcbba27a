"""The checker that every YAML file Accord reads goes through (frameworks, appraisals, and the
indicator library to come): it walks the parsed data, collects every problem with its path in
the file ("factors[2].items[0].text: must be text, got nothing (null)") and raises them all at
once as :class:`~accord.core.problems.Problems`.

No Django here: the pure modules that read these files use it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from .problems import Problem, Problems

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def join(path: str, key: str | int) -> str:
    """The path of a key or index below `path`: `a.b`, `a[3]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: object) -> str:
    """A value as a problem names it: short, and plain about nulls, lists and mappings."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class YamlChecker:
    """Collects problems while reading a parsed YAML document.

    Each check returns the value converted (or None after recording why not), so that reading
    goes on past the first problem and the person sees every problem at once.
    """

    top_level = "(top level)"

    def __init__(self, source: str | None = None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    # Recording ---------------------------------------------------------------------------

    def problem(self, path: str, reason: str, *, refused: bool = False) -> None:
        self.problems.append(
            Problem(reason, field=path or self.top_level, source=self.source, refused=refused)
        )

    def raise_if_any(self) -> None:
        if self.problems:
            self.fail()

    def fail(self) -> NoReturn:
        raise Problems(self.problems)

    # Shapes ------------------------------------------------------------------------------

    def mapping(self, value: object, path: str, what: str = "") -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            of = f" of {what}" if what else ""
            self.problem(path, f"must be a mapping{of}, got {describe(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                self.problem(path, f"keys must be text, got {key!r}")
        return value

    def keys(
        self,
        data: Mapping[str, Any],
        path: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> bool:
        """Report missing and unknown keys; True when every required key is there."""
        ok = True
        for key in required:
            if key not in data or data[key] is None:
                self.problem(join(path, key), "required key missing")
                ok = False
        allowed = [*required, *optional]
        for key in data:
            if isinstance(key, str) and key not in allowed:
                self.problem(join(path, key), f"unknown key (expected one of {', '.join(allowed)})")
        return ok

    def sequence(self, value: object, path: str) -> list[Any] | None:
        if not isinstance(value, list | tuple):
            self.problem(path, f"must be a list, got {describe(value)}")
            return None
        return list(value)

    # Scalars -----------------------------------------------------------------------------

    def text(self, value: object, path: str, *, required: bool = True) -> str | None:
        """Non-empty text (a bare number written where text belongs is taken as its text)."""
        if value is None and not required:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = describe(value)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(path, f"must be text, got {describe(value)}")
            return None
        return value.strip()

    def ident(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(
                path,
                "must be an id (letters, digits, '-', '_' or '.', starting with a letter or "
                f"digit), got {describe(value)}",
            )
            return None
        return value

    def integer(self, value: object, path: str, minimum: int | None = None) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be a whole number, got {describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.problem(path, f"must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, value: object, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"must be a number, got {describe(value)}")
            return None
        if not math.isfinite(value):
            self.problem(path, f"must be a finite number, got {describe(value)}")
            return None
        return float(value)

    def boolean(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, got {describe(value)}")
            return None
        return value

    def choice(self, value: object, path: str, choices: Sequence[str]) -> str | None:
        if not isinstance(value, str) or value not in choices:
            self.problem(path, f"must be one of {', '.join(choices)}, got {describe(value)}")
            return None
        return value
