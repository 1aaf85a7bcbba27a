"""Reading the reference organisations, ONS lookups and GeoJSON boundaries into rows the
services can write.

Pure of the database: each reader returns plain rows or raises the kernel's
:class:`~accord.core.problems.Problems`, listing every problem at once with its file, line,
column and reason, so that the service can write all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from accord.core.choices import Sector
from accord.core.problems import Problem, Problems

from .choices import AreaKind, Nation, OrganisationKind

# ONS column prefixes, by what they name. The year digits vary (lad20, ltla24, pfa24...).
PREFIX_KINDS: dict[str, str] = {
    "lad": AreaKind.DISTRICT,
    "ltla": AreaKind.DISTRICT,
    "csp": AreaKind.COMMUNITY_SAFETY_PARTNERSHIP,
    "pfa": AreaKind.POLICE_FORCE_AREA,
    "fra": AreaKind.FIRE_AUTHORITY_AREA,
    "ambulance": AreaKind.AMBULANCE_AREA,
    "lrf": AreaKind.RESILIENCE_FORUM,
}
_CODE_COLUMN = re.compile(r"^(?P<prefix>[a-z]+?)(?P<year>\d{2})?_code$")
# GSS code prefixes, for boundary files whose features carry a code only.
GSS_KINDS: dict[str, str] = {
    "E23": AreaKind.POLICE_FORCE_AREA,
    "W15": AreaKind.POLICE_FORCE_AREA,
    "E31": AreaKind.FIRE_AUTHORITY_AREA,
    "W25": AreaKind.FIRE_AUTHORITY_AREA,
    "E48": AreaKind.RESILIENCE_FORUM,
    "W41": AreaKind.RESILIENCE_FORUM,
    "E22": AreaKind.COMMUNITY_SAFETY_PARTNERSHIP,
    "W22": AreaKind.COMMUNITY_SAFETY_PARTNERSHIP,
    "E06": AreaKind.DISTRICT,
    "E07": AreaKind.DISTRICT,
    "E08": AreaKind.DISTRICT,
    "E09": AreaKind.DISTRICT,
    "W06": AreaKind.DISTRICT,
}


def problem_at(
    filename: str, reason: str, *, line: int | None = None, column: str | None = None
) -> Problem:
    """A problem in a file: "lookup.csv: line 3, column pfa24_code: empty code"."""
    return Problem(reason, row=line, field=column, source=filename, row_word="line")


def _decode(data: bytes, filename: str, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problems([problem_at(filename, f"not a UTF-8 {what} file")]) from exc


# The reference organisations --------------------------------------------------------------

ORGANISATION_COLUMNS = ("code", "name", "short_name", "sector", "kind", "nation", "website")
_REQUIRED_ORGANISATION_COLUMNS = ("code", "name", "sector", "kind", "nation")


@dataclass
class OrganisationRow:
    code: str
    name: str
    short_name: str
    sector: str
    kind: str
    nation: str
    website: str = ""

    def values(self) -> dict[str, str]:
        """Everything but the code: what an update compares and writes."""
        return {
            "name": self.name,
            "short_name": self.short_name,
            "sector": self.sector,
            "kind": self.kind,
            "nation": self.nation,
            "website": self.website,
        }


def _csv_with_columns(data: bytes, filename: str, columns: tuple[str, ...]) -> csv.DictReader[str]:
    """A shipped CSV file's rows, refused with every column its header lacks."""
    reader = csv.DictReader(io.StringIO(_decode(data, filename, "CSV")))
    header = list(reader.fieldnames or [])
    missing = [c for c in columns if c not in header]
    if missing:
        raise Problems(
            [
                problem_at(filename, "the header has no such column", line=1, column=c)
                for c in missing
            ]
        )
    return reader


def read_organisations(data: bytes, filename: str = "organisations.csv") -> list[OrganisationRow]:
    """The shipped reference list (data/organisations.csv): one organisation a line."""
    reader = _csv_with_columns(data, filename, ORGANISATION_COLUMNS)
    choices = {
        "sector": set(Sector.values),
        "kind": set(OrganisationKind.values),
        "nation": set(Nation.values),
    }
    rows: list[OrganisationRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(problem_at(filename, "more fields than the header has", line=line))
            continue
        record = {c: (raw.get(c) or "").strip() for c in ORGANISATION_COLUMNS}
        bad = False
        for column in _REQUIRED_ORGANISATION_COLUMNS:
            if not record[column]:
                problems.append(problem_at(filename, "is required", line=line, column=column))
                bad = True
        for column, allowed in choices.items():
            if record[column] and record[column] not in allowed:
                problems.append(
                    problem_at(
                        filename,
                        f"{record[column]!r} is not one of {', '.join(sorted(allowed))}",
                        line=line,
                        column=column,
                    )
                )
                bad = True
        code = record["code"]
        if code in seen:
            problems.append(
                problem_at(filename, f"{code} repeats line {seen[code]}", line=line, column="code")
            )
            bad = True
        seen.setdefault(code, line)
        if not bad:
            rows.append(
                OrganisationRow(
                    code=code,
                    name=record["name"],
                    short_name=record["short_name"] or record["name"],
                    sector=record["sector"],
                    kind=record["kind"],
                    nation=record["nation"],
                    website=record["website"],
                )
            )
    if problems:
        raise Problems(problems)
    return rows


# ONS lookups ------------------------------------------------------------------------------


@dataclass
class AreaRow:
    code: str
    name: str
    kind: str
    within: list[str] = field(default_factory=list)


def read_lookup(data: bytes, filename: str = "lookup.csv") -> list[AreaRow]:
    """An ONS lookup: the first code column is the base area; the others contain it."""
    reader = csv.DictReader(io.StringIO(_decode(data, filename, "CSV")))
    # Columns are matched whatever their case; problems name them as the file spells them.
    spelled = {h.strip().lower(): h.strip() for h in (reader.fieldnames or []) if h}
    header = list(spelled)
    pairs: list[tuple[str, str, str]] = []  # (code column, name column, kind)
    problems: list[Problem] = []
    for column in header:
        match = _CODE_COLUMN.match(column)
        if not match or match["prefix"] not in PREFIX_KINDS:
            continue
        name_column = column[: -len("_code")] + "_name"
        if name_column not in header:
            problems.append(
                problem_at(
                    filename,
                    f"has no matching {name_column} column",
                    line=1,
                    column=spelled[column],
                )
            )
            continue
        pairs.append((column, name_column, PREFIX_KINDS[match["prefix"]]))
    if problems:
        raise Problems(problems)
    if not pairs:
        raise Problems(
            [
                problem_at(
                    filename,
                    "no area columns found; expected ONS columns such as "
                    "ltla24_code, ltla24_name, pfa24_code, pfa24_name, fra24_code, fra24_name",
                    line=1,
                )
            ]
        )
    rows: dict[str, AreaRow] = {}
    for raw in reader:
        line = reader.line_num
        record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        codes = []
        for code_col, name_col, kind in pairs:
            code, name = record.get(code_col, ""), record.get(name_col, "")
            if not code:
                problems.append(
                    problem_at(filename, "empty code", line=line, column=spelled[code_col])
                )
                continue
            if not name:
                problems.append(
                    problem_at(filename, "empty name", line=line, column=spelled[name_col])
                )
                continue
            existing = rows.get(code)
            if existing is None:
                rows[code] = AreaRow(code=code, name=name, kind=kind)
            elif existing.kind != kind:
                problems.append(
                    problem_at(
                        filename,
                        f"code {code} is already a {existing.kind} area",
                        line=line,
                        column=spelled[code_col],
                    )
                )
            codes.append(code)
        if codes:
            base = rows[codes[0]]
            for parent in codes[1:]:
                if parent not in base.within:
                    base.within.append(parent)
    if problems:
        raise Problems(problems)
    if not rows:
        raise Problems([problem_at(filename, "the file has no rows")])
    return list(rows.values())


# GeoJSON boundaries -----------------------------------------------------------------------


@dataclass
class BoundaryRow:
    code: str
    name: str
    kind: str
    geometry: dict[str, Any]


def read_boundaries(data: bytes, filename: str = "boundaries.geojson") -> list[BoundaryRow]:
    """A FeatureCollection: each feature an area's code, name and polygon.

    JSON keeps no line numbers once read, so a feature is named by its place in the list
    (``features[3]``), as a GeoJSON viewer numbers it.
    """
    text = _decode(data, filename, "GeoJSON")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Problems(
            [
                problem_at(
                    filename,
                    f"not a GeoJSON file ({exc.msg})",
                    line=exc.lineno,
                    column=str(exc.colno),
                )
            ]
        ) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise Problems([problem_at(filename, "expected a GeoJSON FeatureCollection")])
    result: list[BoundaryRow] = []
    problems: list[Problem] = []
    for index, feature in enumerate(document.get("features") or []):
        where = f"features[{index}]"
        if not isinstance(feature, dict):
            problems.append(problem_at(filename, "not a GeoJSON Feature", column=where))
            continue
        properties = feature.get("properties") or {}
        code = _first(properties, ("code",), suffix="cd")
        name = _first(properties, ("name",), suffix="nm")
        geometry = feature.get("geometry")
        if not code:
            problems.append(
                problem_at(
                    filename,
                    "no code property (expected 'code' or an ONS ...CD field)",
                    column=f"{where}.properties",
                )
            )
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in {
            "Polygon",
            "MultiPolygon",
        }:
            problems.append(
                problem_at(
                    filename,
                    f"({code}) geometry must be a Polygon or MultiPolygon",
                    column=f"{where}.geometry",
                )
            )
            continue
        kind = GSS_KINDS.get(code[:3], AreaKind.OTHER)
        result.append(BoundaryRow(code=code, name=name or code, kind=kind, geometry=geometry))
    if problems:
        raise Problems(problems)
    if not result:
        raise Problems([problem_at(filename, "the file has no features")])
    return result


def _first(properties: dict[str, Any], names: tuple[str, ...], *, suffix: str) -> str:
    lowered = {str(k).lower(): v for k, v in properties.items()}
    for name in names:
        if lowered.get(name):
            return str(lowered[name]).strip()
    for key, value in lowered.items():
        if key.endswith(suffix) and value:
            return str(value).strip()
    return ""


# The reference areas ----------------------------------------------------------------------

AREA_COLUMNS = ("code", "name", "kind")
_AREA_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


def read_areas(data: bytes, filename: str = "areas.csv") -> list[AreaRow]:
    """The shipped reference areas (data/areas.csv): one area a line, code, name and kind."""
    reader = _csv_with_columns(data, filename, AREA_COLUMNS)
    kinds = set(AreaKind.values)
    rows: list[AreaRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(problem_at(filename, "more fields than the header has", line=line))
            continue
        record = {c: (raw.get(c) or "").strip() for c in AREA_COLUMNS}
        found = [
            problem_at(filename, "is required", line=line, column=c)
            for c in AREA_COLUMNS
            if not record[c]
        ]
        code = record["code"]
        if code and not _AREA_CODE.match(code):
            found.append(
                problem_at(filename, f"{code!r} is not an area code", line=line, column="code")
            )
        if record["kind"] and record["kind"] not in kinds:
            found.append(
                problem_at(
                    filename,
                    f"{record['kind']!r} is not one of {', '.join(sorted(kinds))}",
                    line=line,
                    column="kind",
                )
            )
        if code in seen:
            found.append(
                problem_at(filename, f"{code} repeats line {seen[code]}", line=line, column="code")
            )
        seen.setdefault(code, line)
        problems.extend(found)
        if not found:
            rows.append(AreaRow(code=code, name=record["name"], kind=record["kind"]))
    if problems:
        raise Problems(problems)
    return rows
