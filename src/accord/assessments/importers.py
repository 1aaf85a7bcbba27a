"""Reading invitation lists and survey exports (CSV or XLSX).

Every problem is collected with its row, column and reason; nothing is written unless the whole
file is good. Rows are numbered as a spreadsheet shows them: the header is row 1. Importers only
read: they return the people and responses that `services.py` then writes (this module imports
the services' plain data classes, and the services import nothing from here).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accord.core.problems import Problems
from accord.core.spreadsheets import Row, UnreadableFile, decode_text, read_rows
from accord.orgs.models import Organisation

from .framework import Framework
from .responses import LEVELS, parse_answer
from .services import ImportedResponse, Invitee

INVITATION_COLUMNS = ("email", "organisation", "level")
NOT_APPLICABLE_WORDS = {"not applicable", "n/a", "na", "don't know", "dont know", ""}


class ImportFailed(Problems):
    """A file (or list) that cannot be read whole: the kernel's :class:`Problems`, every problem
    named by row, column and reason. Nothing is written."""


class _Organisations:
    """Partners of a collaboration, found by code, name or short name (any case)."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.by_key: dict[str, Organisation] = {}
        for org in organisations:
            for key in (org.code, org.name, org.short_name):
                self.by_key.setdefault(key.strip().casefold(), org)
        self.names = sorted({f"{o.name} ({o.code})" for o in self.by_key.values()})

    def find(self, text: str) -> Organisation | None:
        return self.by_key.get(text.strip().casefold())

    def reason(self, text: str) -> str:
        return f"{text.strip()!r} is not a partner of this collaboration (expected one of: " + (
            "; ".join(self.names) + ")"
        )


def _level(text: str) -> str | None:
    value = text.strip().lower()
    if value in LEVELS:
        return value
    # "Strategic (gold)" and the like: the first word decides.
    first = re.split(r"[^a-z]+", value, maxsplit=1)[0] if value else ""
    return first if first in LEVELS else None


def _level_reason(text: str) -> str:
    return f"{text.strip()!r} is not a level (expected strategic, tactical or operational)"


def _read(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    if not data.strip():
        raise ImportFailed([f"{filename}: the file is empty"])
    try:
        header, rows = read_rows(data, filename)
    except UnreadableFile as exc:
        raise ImportFailed(exc.problems) from exc
    if not header:
        raise ImportFailed([f"{filename}: the file is empty"])
    if not rows:
        raise ImportFailed([f"{filename}: the file has a header but no rows"])
    return header, rows


# Invitations -------------------------------------------------------------------------------


def parse_email_list(text: str, organisation: Organisation, level: str) -> list[Invitee]:
    """Emails separated by commas, semicolons, spaces or lines, all at one organisation and
    level. Raises ImportFailed naming each bad address."""
    problems: list[str] = []
    invitees: list[Invitee] = []
    seen: set[str] = set()
    for number, email in enumerate((e for e in re.split(r"[\s,;]+", text) if e.strip()), start=1):
        address = email.strip().strip("<>").lower()
        try:
            validate_email(address)
        except ValidationError:
            problems.append(f"Address {number}: {email!r} is not an email address")
            continue
        if address in seen:
            continue
        seen.add(address)
        invitees.append(Invitee(email=address, organisation=organisation, level=level))
    if not invitees and not problems:
        problems.append("Give at least one email address")
    if problems:
        raise ImportFailed(problems)
    return invitees


def parse_invitation_file(
    data: bytes, filename: str, partners: Iterable[Organisation]
) -> list[Invitee]:
    """Columns email, organisation (code or name of a partner) and level."""
    header, rows = _read(data, filename)
    problems: list[str] = []
    missing = [c for c in INVITATION_COLUMNS if c not in header]
    if missing:
        raise ImportFailed([f"Row 1: missing column(s) {', '.join(missing)}"])
    unknown = [c for c in header if c and c not in INVITATION_COLUMNS]
    if unknown:
        raise ImportFailed(
            [
                f"Row 1: unknown column(s) {', '.join(unknown)} (the columns are "
                + ", ".join(INVITATION_COLUMNS)
                + ")"
            ]
        )
    index = _Organisations(partners)
    invitees: list[Invitee] = []
    seen: dict[str, int] = {}
    for row in rows:
        line = row.line
        email = row.get("email", "").strip().lower()
        ok = True
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                f"Row {line}, column email: "
                + (f"{email!r} is not an email address" if email else "is required")
            )
            ok = False
        if email and email in seen:
            problems.append(f"Row {line}, column email: {email} repeats row {seen[email]}")
            ok = False
        seen.setdefault(email, line)
        org_text = row.get("organisation", "")
        organisation = index.find(org_text)
        if organisation is None:
            problems.append(
                f"Row {line}, column organisation: "
                + (index.reason(org_text) if org_text.strip() else "is required")
            )
            ok = False
        level = _level(row.get("level", ""))
        if level is None:
            problems.append(f"Row {line}, column level: {_level_reason(row.get('level', ''))}")
            ok = False
        if ok and organisation is not None and level is not None:
            invitees.append(Invitee(email=email, organisation=organisation, level=level, line=line))
    if problems:
        raise ImportFailed(problems)
    return invitees


# Responses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping_:
    """Which column holds what: organisation, level, optional comment, and each item."""

    organisation: str
    level: str
    items: dict[str, str]
    comment: str = ""


def parse_mapping_csv(data: bytes) -> dict[str, str]:
    """A mapping file: columns ``item`` and ``column`` (the header of the export)."""
    try:
        text = decode_text(data)
    except UnreadableFile as exc:
        raise ImportFailed([f"Mapping file: {exc.problems[0]}"]) from exc
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportFailed(["Mapping file: empty"])
    header = [cell.strip().lower() for cell in rows[0]]
    if "item" not in header or "column" not in header:
        raise ImportFailed(["Mapping file, row 1: expected the columns item and column"])
    item_at, column_at = header.index("item"), header.index("column")
    mapping: dict[str, str] = {}
    for row in rows[1:]:
        padded = row + [""] * (len(header) - len(row))
        if padded[item_at].strip():
            mapping[padded[item_at].strip()] = padded[column_at].strip()
    return mapping


def resolve_mapping(
    framework: Framework, header: list[str], given: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Each item's column: as given, or else the column named by the item's id or its text.

    Headers are compared without case. Returns (item -> header, problems).
    """
    present = set(header)
    result: dict[str, str] = {}
    problems: list[str] = []
    for item in framework.items:
        wanted = (given.get(item.id) or "").strip().lower()
        if wanted:
            if wanted not in present:
                problems.append(
                    f"Mapping, item {item.id}: there is no column {given.get(item.id)!r} "
                    "in the file"
                )
                continue
            result[item.id] = wanted
            continue
        for candidate in (item.id.lower(), item.text.strip().lower()):
            if candidate in present:
                result[item.id] = candidate
                break
        else:
            problems.append(
                f"Mapping, item {item.id}: no column given, and no column is headed "
                f"{item.id!r} or with the statement's text"
            )
    unknown = [i for i in given if given[i].strip() and i not in set(framework.item_ids)]
    if unknown:
        problems.append(f"Mapping: not items of this framework: {', '.join(unknown)}")
    return result, problems


def _answer(cell: str, framework: Framework) -> tuple[int | None, str | None]:
    """A number on the scale, a scale label, or not applicable."""
    text = cell.strip()
    lowered = text.lower()
    if lowered in NOT_APPLICABLE_WORDS:
        return None, None
    labels = {
        label.lower(): framework.scale.min + i for i, label in enumerate(framework.scale.labels)
    }
    if lowered in labels:
        return labels[lowered], None
    number, reason = parse_answer(text, framework.scale)
    if reason is not None:
        return None, reason + " (or one of the scale's labels)"
    return (None if math.isnan(number) else int(number)), None


def parse_response_file(
    data: bytes,
    filename: str,
    framework: Framework,
    mapping: Mapping_,
    partners: Iterable[Organisation],
) -> list[ImportedResponse]:
    """One row per respondent from a survey export, with the columns mapped to items."""
    header, rows = _read(data, filename)
    problems: list[str] = []
    organisation_col = mapping.organisation.strip().lower()
    level_col = mapping.level.strip().lower()
    comment_col = mapping.comment.strip().lower()
    for label, column in (("organisation", organisation_col), ("level", level_col)):
        if not column:
            problems.append(f"Mapping: say which column holds the {label}")
        elif column not in header:
            problems.append(f"Mapping: there is no column {column!r} for the {label} in the file")
    if comment_col and comment_col not in header:
        problems.append(f"Mapping: there is no column {comment_col!r} for comments in the file")
    items, mapping_problems = resolve_mapping(framework, header, mapping.items)
    problems.extend(mapping_problems)
    if problems:
        raise ImportFailed(problems)
    index = _Organisations(partners)
    parsed: list[ImportedResponse] = []
    for row in rows:
        line = row.line
        start = len(problems)
        org_text = row.get(organisation_col, "")
        organisation = index.find(org_text)
        if organisation is None:
            problems.append(
                f"Row {line}, column {organisation_col!r}: "
                + (index.reason(org_text) if org_text.strip() else "is required")
            )
        level = _level(row.get(level_col, ""))
        if level is None:
            problems.append(
                f"Row {line}, column {level_col!r}: {_level_reason(row.get(level_col, ''))}"
            )
        answers: dict[str, int | None] = {}
        for item_id, column in items.items():
            value, reason = _answer(row.get(column, ""), framework)
            if reason is not None:
                problems.append(f"Row {line}, column {column!r}: {reason}")
            answers[item_id] = value
        if len(problems) == start and organisation is not None and level is not None:
            parsed.append(
                ImportedResponse(
                    line=line,
                    organisation=organisation,
                    level=level,
                    answers=answers,
                    comment=row.get(comment_col, "").strip() if comment_col else "",
                )
            )
    if problems:
        raise ImportFailed(problems)
    return parsed
