"""Redaction: spans of a lesson's text that look like personal data, and the text with the
accepted spans replaced by ``[redacted]``.

Pure module: imports no Django. Offsets are Python string indices (characters) into one
field's text, ``start`` inclusive and ``end`` exclusive, as the API gives them.

What is suggested:

- ``email``: an address such as ``jo.bloggs@example.org``;
- ``phone``: a UK number as the ``phonenumbers`` library finds it (``01522 123456``,
  ``+44 7700 900123``, ``(0116) 496 0000``);
- ``postcode``: a UK postcode (``LN1 3BL``, ``sw1a1aa``);
- ``nhs_number``: ten digits (``943 476 5919``) whose last is the valid modulus-11 check digit;
- ``vehicle``: a current-style registration (``AB12 CDE``);
- ``staff_number``: a collar or staff number written like ``PC 1234``, ``DC1234``, ``Sgt 123``,
  ``FF 4521``, ``staff number 12345``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import phonenumbers

from accord.core.problems import Problem, Problems

REDACTED = "[redacted]"

KINDS = ("email", "phone", "postcode", "nhs_number", "vehicle", "staff_number")


@dataclass(frozen=True, order=True)
class Span:
    field: str
    start: int
    end: int
    kind: str = "other"
    text: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "text": self.text,
        }


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)
_NHS = re.compile(r"(?<![0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9])")
_VEHICLE = re.compile(r"\b[A-Z]{2}[0-9]{2} ?[A-Z]{3}\b")
_STAFF = re.compile(
    r"\b(?:PC|PCSO|DC|DS|DI|PS|Sgt|Insp|FF|CM|WM|SM|staff (?:number|no\.?)|collar (?:number|no\.?))"
    r"\s?[0-9]{2,6}\b",
    re.IGNORECASE,
)


def nhs_number_valid(digits: str) -> bool:
    """Whether ten digits carry a valid NHS number check digit (modulus 11).

    The first nine digits are weighted 10 down to 2; the check digit is 11 minus the sum's
    remainder on division by 11, with 11 read as 0; a result of 10 makes the number invalid.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phones(text: str) -> Iterable[tuple[int, int]]:
    for match in phonenumbers.PhoneNumberMatcher(text, "GB"):
        yield match.start, match.end


def suggest(fields: Mapping[str, str]) -> list[Span]:
    """Every span in these fields (name to text) that looks like personal data, in order.

    Where two suggestions overlap (an NHS number read as a phone number too) the one found
    found first is kept (emails, staff numbers, NHS numbers, phones, postcodes,
    vehicles).
    """
    spans: list[Span] = []
    for name, text in fields.items():
        found: list[Span] = []

        def add(
            start: int,
            end: int,
            kind: str,
            text: str = text,
            found: list[Span] = found,
            name: str = name,
        ) -> None:
            if any(start < s.end and s.start < end for s in found):
                return
            found.append(Span(name, start, end, kind, text[start:end]))

        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "email")
        for m in _STAFF.finditer(text):
            add(m.start(), m.end(), "staff_number")
        for m in _NHS.finditer(text):
            if nhs_number_valid("".join(m.groups())):
                add(m.start(), m.end(), "nhs_number")
        for start, end in _phones(text):
            add(start, end, "phone")
        for m in _POSTCODE.finditer(text):
            add(m.start(), m.end(), "postcode")
        for m in _VEHICLE.finditer(text):
            add(m.start(), m.end(), "vehicle")
        spans.extend(sorted(found))
    return spans


def check_spans(spans: Sequence[Span], fields: Mapping[str, str]) -> list[Span]:
    """The spans, each checked against its field's text; Problems naming every wrong one."""
    problems: list[Problem] = []
    checked: list[Span] = []
    for i, span in enumerate(spans):
        where = f"redactions[{i}]"
        if span.field not in fields:
            problems.append(Problem(f"no such field {span.field!r}", field=f"{where}.field"))
            continue
        length = len(fields[span.field])
        if not (0 <= span.start < span.end <= length):
            problems.append(
                Problem(
                    f"must have 0 <= start < end <= {length} (the field's length)",
                    field=f"{where}.start",
                )
            )
            continue
        text = fields[span.field][span.start : span.end]
        checked.append(Span(span.field, span.start, span.end, span.kind, text))
    if problems:
        raise Problems(problems)
    return checked


def merged(spans: Iterable[Span]) -> list[tuple[int, int]]:
    """Spans of one field as sorted, non-overlapping (start, end) ranges."""
    ranges: list[list[int]] = []
    for start, end in sorted((s.start, s.end) for s in spans):
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return [(a, b) for a, b in ranges]


def apply(text: str, spans: Iterable[Span]) -> str:
    """The text with each span replaced by ``[redacted]`` (overlapping spans merged)."""
    out: list[str] = []
    at = 0
    for start, end in merged(spans):
        out.append(text[at:start])
        out.append(REDACTED)
        at = end
    out.append(text[at:])
    return "".join(out)


def apply_all(fields: Mapping[str, str], spans: Iterable[Span]) -> dict[str, str]:
    """Each field's text with its own spans redacted."""
    listed = list(spans)
    return {
        name: apply(text, [s for s in listed if s.field == name]) for name, text in fields.items()
    }
