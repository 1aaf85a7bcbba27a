"""Reading measurements from files: a collaboration's own (CSV or XLSX) and NHS England's
AmbSYS. Every problem is collected with its row and reason; the services write nothing unless
the whole file is good (kpis/services.py writes, in one transaction).

The measurements file has the columns ``indicator, organisation, period, value, note``:

- ``indicator``: an indicator's id (``prevention-visits``) the collaboration has adopted;
- ``organisation``: the organisation it is measured for, by code or name, or blank for the
  collaboration as a whole;
- ``period``: ``YYYY-MM`` or ``YYYY-MM-DD`` (the first day of the month, quarter or year);
- ``value``: a number (``1,089`` and ``£4,000`` are read as 1089 and 4000);
- ``note``: optional text.

The AmbSYS file is read by column name, so either of its column sets (before and after
October 2019) reads the same: ``Year``, ``Month``, ``Org Code`` and the columns the published
indicators name (``A25``...). England (``Eng``) is the national comparator; the NHS regions
(``Y56``...``Y63``) are skipped and counted; ``.`` is a missing value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.core.matching import NameIndex
from accord.core.problems import Problem, Problems
from accord.core.spreadsheets import Row, UnreadableFile, read_rows
from accord.core.uploads import import_max_bytes

from .models import Adoption, Indicator
from .spc_cli import period_key

#: The measurements file's columns, in the order a template lists them.
COLUMNS = ("indicator", "organisation", "period", "value", "note")
REQUIRED = ("indicator", "period", "value")
#: The export's other columns (kpis.exports.COLUMNS), so that an exported file, edited in a
#: spreadsheet, imports again: the labels are left as they are; a row whose ``source`` is not
#: ``entered`` or whose ``series`` is not ``kpi`` (published, worked out by Accord, England's)
#: is not a figure entered for the collaboration and is left out; a row of another
#: collaboration (``collaboration``) is refused.
EXPORTED_COLUMNS = (
    "indicator_title",
    "organisation_name",
    "collaboration",
    "collaboration_title",
    "unit",
    "unit_label",
    "direction",
    "direction_label",
    "source",
    "source_label",
    "series",
    "series_label",
    "protective_marking",
)
ENTERED_SOURCE, OWN_SERIES = "entered", "kpi"
#: What a value may be written as when it is not there.
MISSING_WORDS = ("", ".", "na", "n/a")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Digits a value may have: a measurement is a count, a time or money, never 30 digits long.
MAX_DIGITS = 20
#: The longest note a measurement keeps.
MAX_NOTE = 2000


def parse_number(text: str) -> float:
    """A value as people write it: ``1,089``, ``£4,000``, ``-3.5``, ``1e3``; ValueError if not."""
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    if sum(ch.isdigit() for ch in cleaned) > MAX_DIGITS or not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"{_shown(text)} is not a number")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"{_shown(text)} is not a number")
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text):,} characters)"


def parse_period(text: str) -> dt.date:
    """A period's first day from ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError saying why not."""
    found = period_key(text.strip())
    if found is None:
        raise ValueError(f"{_shown(text)} is not a month (YYYY-MM) or a date (YYYY-MM-DD)")
    if found.day != 1:
        raise ValueError(
            f"{text.strip()!r} is not the first day of a period: write {found:%Y-%m} "
            f"(or {found:%Y-%m}-01) for the period that starts that month"
        )
    return found


def _read(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    if not data.strip():
        raise Problems([Problem("the file is empty", source=filename)])
    try:
        return read_rows(data, filename, max_bytes=import_max_bytes())
    except UnreadableFile as exc:
        raise Problems(exc.problems) from exc


# A collaboration's measurements ----------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementRow:
    """One good row: the adoption it is for, its period, value and note."""

    line: int
    adoption: Adoption
    period: dt.date
    value: float
    note: str


def parse_measurements(
    data: bytes,
    filename: str,
    *,
    adoptions: Collection[Adoption],
    organisations: NameIndex[Any],
) -> list[MeasurementRow]:
    """Every row of a measurements file matched to one of `adoptions` (the collaboration's,
    not archived), or :class:`Problems` listing every row that is wrong and why.

    `organisations` finds an organisation by code or name (core.matching), with "did you
    mean" for a near miss.
    """
    header, rows = _read(data, filename)
    problems: list[Problem] = []
    unknown = [name for name in header if name and name not in (*COLUMNS, *EXPORTED_COLUMNS)]
    if unknown:
        problems.append(
            Problem(
                f"unknown column(s) {', '.join(unknown)}; the columns are " + ", ".join(COLUMNS),
                field="Header",
            )
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(Problem(f"missing column(s) {', '.join(missing)}", field="Header"))
        raise Problems(problems)
    if not rows:
        raise Problems([*problems, Problem("the file has a header but no rows", source=filename)])
    by_key = {(a.indicator.key.casefold(), a.organisation_id): a for a in adoptions}
    keys = sorted({a.indicator.key for a in adoptions})
    references = {
        a.collaboration.reference.casefold(): a.collaboration.reference for a in adoptions
    }
    seen: dict[tuple[int, dt.date], int] = {}
    parsed: list[MeasurementRow] = []
    for row in rows:
        line = row.line

        def problem(column: str, reason: str, line: int = line) -> None:
            problems.append(Problem(reason, row=line, field=column))

        named = row.get("collaboration", "").strip()
        if named and references and named.casefold() not in references:
            problem(
                "collaboration",
                f"this row is for {_shown(named)}, not {', '.join(sorted(references.values()))}",
            )
            continue
        if row.get("source", "").strip().casefold() not in ("", ENTERED_SOURCE) or row.get(
            "series", ""
        ).strip().casefold() not in ("", OWN_SERIES):
            continue  # an exported row of published, worked-out or England's figures

        start = len(problems)
        for name in REQUIRED:
            if not row.get(name, "").strip():
                problem(name, "is required")
        key = row.get("indicator", "").strip()
        organisation_text = row.get("organisation", "").strip()
        organisation = None
        if organisation_text:
            organisation = organisations.find(organisation_text)
            if organisation is None:
                problem(
                    "organisation",
                    f"no organisation matches {_shown(organisation_text)}."
                    f"{organisations.did_you_mean(organisation_text, limit=1)}",
                )
        adoption = None
        if key and (organisation is not None or not organisation_text):
            adoption = by_key.get((key.casefold(), organisation.pk if organisation else None))
            if adoption is None:
                problem("indicator", _not_adopted(key, organisation, keys, adoptions))
        period = None
        if row.get("period", "").strip():
            try:
                period = parse_period(row["period"])
            except ValueError as exc:
                problem("period", str(exc))
        value = None
        raw_value = row.get("value", "").strip()
        if raw_value:
            if raw_value.casefold() in MISSING_WORDS:
                problem("value", f"{raw_value!r} is not a value: leave the row out instead")
            else:
                try:
                    value = parse_number(raw_value)
                except ValueError as exc:
                    problem("value", str(exc))
        note = row.get("note", "").strip()
        if len(note) > MAX_NOTE:
            problem("note", f"is longer than {MAX_NOTE:,} characters")
        if adoption is not None and adoption.indicator.computed:
            problem(
                "indicator",
                f"{adoption.indicator.key} is worked out by Accord from its own records, not "
                "entered",
            )
        if adoption is not None and period is not None:
            earlier = seen.get((adoption.pk, period))
            if earlier is not None:
                problem(
                    "period",
                    f"{period:%Y-%m} for {key} repeats row {earlier} (one value a period)",
                )
            else:
                seen[(adoption.pk, period)] = line
        if len(problems) > start or adoption is None or period is None or value is None:
            continue
        parsed.append(
            MeasurementRow(line=line, adoption=adoption, period=period, value=value, note=note)
        )
    if problems:
        raise Problems(problems)
    return parsed


def _not_adopted(
    key: str, organisation: Any, keys: list[str], adoptions: Collection[Adoption]
) -> str:
    whom = f"for {organisation.code}" if organisation is not None else "for the whole collaboration"
    if key.casefold() not in {k.casefold() for k in keys}:
        if not Indicator.objects.filter(key__iexact=key).exists():
            return f"no indicator has the id {key!r}" + (
                f"; the collaboration's are {', '.join(keys)}" if keys else ""
            )
        return f"the collaboration has not adopted {key}"
    adopted_for = sorted(
        a.organisation.code if a.organisation else "the whole collaboration (blank)"
        for a in adoptions
        if a.indicator.key.casefold() == key.casefold()
    )
    return (
        f"the collaboration has adopted {key} only for {', '.join(adopted_for)}, not {whom}"
        if adopted_for
        else f"the collaboration has not adopted {key} {whom}"
    )


# AmbSYS ----------------------------------------------------------------------------------------

AMBSYS_REQUIRED = ("year", "month", "org code")
ENGLAND_CODES = ("eng",)
#: The NHS regions' codes (Y56 London ... Y63 North East and Yorkshire): aggregates of trusts
#: that Accord does not keep.
REGION_CODE = re.compile(r"^y\d{2}$", re.IGNORECASE)


@dataclass(frozen=True)
class AmbsysValue:
    """One published value: for an organisation's code, or for England (code None)."""

    code: str | None
    period: dt.date
    column: str
    value: float


@dataclass
class AmbsysFile:
    """What an AmbSYS file holds for the columns asked for."""

    values: list[AmbsysValue] = field(default_factory=list)
    #: The periods each (code, column) was given as `.` (missing): a re-import removes them.
    missing: list[tuple[str | None, dt.date, str]] = field(default_factory=list)
    rows: int = 0
    regional_rows: int = 0
    england_rows: int = 0
    #: Codes of rows that are neither England, a region nor one of `codes`, with their rows.
    unknown_codes: dict[str, int] = field(default_factory=dict)
    #: Columns asked for that the file does not have (a column set without them).
    absent_columns: list[str] = field(default_factory=list)
    periods: set[dt.date] = field(default_factory=set)


def parse_ambsys(
    data: bytes, filename: str, *, columns: Collection[str], codes: Mapping[str, Any]
) -> AmbsysFile:
    """The values of `columns` (``A25``...) in an AmbSYS file, for England and each trust whose
    code is in `codes` (upper case); :class:`Problems` listing every cell that is wrong."""
    header, rows = _read(data, filename)
    problems: list[Problem] = []
    missing = [name for name in AMBSYS_REQUIRED if name not in header]
    if missing:
        names = ", ".join(name.title() if name != "org code" else "Org Code" for name in missing)
        raise Problems(
            [
                Problem(
                    f"missing column(s) {names}: is this an AmbSYS file? It needs Year, Month, "
                    "Org Code and the indicators' columns (A8, A25...)",
                    field="Header",
                    source=filename,
                )
            ]
        )
    wanted = {column.casefold(): column for column in columns}
    present = [name for name in header if name in wanted]
    found = AmbsysFile(absent_columns=sorted(c for k, c in wanted.items() if k not in header))
    if not present:
        raise Problems(
            [
                Problem(
                    "none of the published indicators' columns is in the file "
                    f"({', '.join(sorted(wanted.values()))})",
                    field="Header",
                    source=filename,
                )
            ]
        )
    seen: dict[tuple[str, dt.date], int] = {}
    for row in rows:
        line = row.line
        found.rows += 1
        code_text = row.get("org code", "").strip()
        if REGION_CODE.match(code_text):
            found.regional_rows += 1
            continue
        period = _ambsys_period(row, line, problems)
        if not code_text:
            problems.append(Problem("is blank", row=line, field="Org Code"))
            continue
        code: str | None
        if code_text.casefold() in ENGLAND_CODES:
            code = None
            found.england_rows += 1
        else:
            code = code_text.upper()
            if code not in codes:
                found.unknown_codes[code] = found.unknown_codes.get(code, 0) + 1
                continue
        if period is None:
            continue
        name = code or "Eng"
        if (name, period) in seen:
            problems.append(
                Problem(
                    f"{name} {period:%Y-%m} is also on row {seen[(name, period)]}",
                    row=line,
                    field="Org Code",
                )
            )
            continue
        seen[(name, period)] = line
        found.periods.add(period)
        for key in present:
            raw = row.get(key, "").strip()
            column = wanted[key]
            if raw.casefold() in MISSING_WORDS:
                found.missing.append((code, period, column))
                continue
            try:
                value = parse_number(raw)
            except ValueError as exc:
                problems.append(Problem(f"{exc} ('.' is a missing value)", row=line, field=column))
                continue
            found.values.append(AmbsysValue(code, period, column, value))
    if problems:
        raise Problems([p.placed(source=filename) for p in problems])
    return found


def _ambsys_period(row: Row, line: int, problems: list[Problem]) -> dt.date | None:
    year_text, month_text = row.get("year", "").strip(), row.get("month", "").strip()
    try:
        year, month = int(year_text), int(month_text)
        if not 1990 <= year <= 2200 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        problems.append(
            Problem(
                f"Year {_shown(year_text)} and Month {_shown(month_text)} are not a month "
                "(a year such as 2019 and a month from 1 to 12)",
                row=line,
                field="Month",
            )
        )
        return None
    return dt.date(year, month, 1)
