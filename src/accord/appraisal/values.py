"""Numbers and distributions as people type them, and back.

A figure in a form is text: ``42``, ``£1,200``, ``15%`` or a distribution for the Monte Carlo,
``triangular(38, 42, 50)``; a per-year list is such figures separated by commas. This module
reads that text into the appraisal file's own form (a number, or ``{"triangular": [38, 42,
50]}``, which ``appraisal_file`` then checks) and writes a value back as text, for the form
and for exports.

Pure: imports no Django. A figure that cannot be read raises the kernel's :class:`Problems`.
"""

from __future__ import annotations

import re
from typing import Final, TypeAlias

from accord.core.problems import Problems

from .engine import Distribution, Value

#: A number, or a distribution in the file's form: ``{"triangular": [38.0, 42.0, 50.0]}``.
FileValue: TypeAlias = float | dict[str, list[float]]

DISTRIBUTION_HINT: Final = (
    "A number, or a range for the Monte Carlo: triangular(low, likely, high), "
    "pert(low, likely, high), uniform(low, high), normal(mean, sd) or lognormal(mean, sd)."
)

_DISTRIBUTION = re.compile(r"^\s*([a-z]+)\s*[\(\[]\s*(.*?)\s*[\)\]]\s*$", re.IGNORECASE)


def _number(text: str) -> float:
    cleaned = text.strip().replace("£", "").replace("_", "").replace("−", "-")
    if cleaned.endswith("%"):
        return float(cleaned[:-1].replace(",", "")) / 100
    return float(cleaned.replace(",", ""))


def parse_value_text(text: str) -> FileValue:
    """``"42"`` -> 42.0; ``"triangular(38, 42, 50)"`` -> ``{"triangular": [38, 42, 50]}``.

    A single number may carry a pound sign and thousands separators (``£1,200``), a minus sign
    (``-500`` or ``−500``, a disbenefit) or be a percentage (``15%`` -> 0.15).
    """
    match = _DISTRIBUTION.match(text)
    if match:
        name = match.group(1).lower()
        try:
            params = [_number(p) for p in re.split(r"[,;]", match.group(2))]
        except ValueError as exc:
            raise Problems([f"{text!r}: the numbers in brackets must be plain numbers"]) from exc
        return {name: params}
    try:
        return _number(text)
    except ValueError as exc:
        raise Problems([f"{text!r} is not a number or a distribution"]) from exc


def split_values(text: str) -> list[str]:
    """Split a per-year list on commas outside brackets."""
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def parse_list_text(text: str) -> list[FileValue]:
    """One figure a year, separated by commas; every unreadable figure is named at once."""
    problems: list[str] = []
    out: list[FileValue] = []
    for i, part in enumerate(split_values(text)):
        if not part:
            problems.append(f"value {i + 1} is empty")
            continue
        try:
            out.append(parse_value_text(part))
        except Problems as exc:
            problems.append(f"value {i + 1}: {exc.problems[0]}")
    if problems:
        raise Problems(["; ".join(problems)])
    return out


def _plain(x: float) -> str:
    """Every digit the number has: a whole number without its point, otherwise its repr."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def value_text(value: Value | None) -> str:
    """A value as it would be typed: ``42``, ``0.15``, ``triangular(38, 42, 50)``."""
    if value is None:
        return ""
    if isinstance(value, Distribution):
        return f"{value.kind}({', '.join(_plain(p) for p in value.params)})"
    return _plain(value)


def list_text(values: tuple[Value, ...] | None) -> str:
    return "" if values is None else ", ".join(value_text(v) for v in values)
