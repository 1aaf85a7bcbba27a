"""Reading ONS lookups and GeoJSON boundaries into rows the services can write.

Pure of the database: each reader returns plain rows or raises ImportProblems listing every
problem with its row and column, so that the service can write all or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .choices import AreaKind

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


class ImportProblems(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
        self.problems = problems


@dataclass
class AreaRow:
    code: str
    name: str
    kind: str
    within: list[str] = field(default_factory=list)


def read_lookup(data: bytes, filename: str = "lookup.csv") -> list[AreaRow]:
    """An ONS lookup: the first code column is the base area; the others contain it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblems([f"{filename}: not a UTF-8 CSV file"]) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    pairs: list[tuple[str, str, str]] = []  # (code column, name column, kind)
    for column in header:
        match = _CODE_COLUMN.match(column)
        if not match or match["prefix"] not in PREFIX_KINDS:
            continue
        name_column = column[: -len("_code")] + "_name"
        if name_column not in header:
            raise ImportProblems([f"{filename}: column {column} has no matching {name_column}"])
        pairs.append((column, name_column, PREFIX_KINDS[match["prefix"]]))
    if not pairs:
        raise ImportProblems(
            [
                f"{filename}: no area columns found; expected ONS columns such as "
                "ltla24_code, ltla24_name, pfa24_code, pfa24_name, fra24_code, fra24_name"
            ]
        )
    rows: dict[str, AreaRow] = {}
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        codes = []
        for code_col, name_col, kind in pairs:
            code, name = record.get(code_col, ""), record.get(name_col, "")
            if not code:
                problems.append(f"{filename} line {line}, column {code_col}: empty code")
                continue
            if not name:
                problems.append(f"{filename} line {line}, column {name_col}: empty name")
                continue
            existing = rows.get(code)
            if existing is None:
                rows[code] = AreaRow(code=code, name=name, kind=kind)
            elif existing.kind != kind:
                problems.append(
                    f"{filename} line {line}, column {code_col}: code {code} is already a "
                    f"{existing.kind} area"
                )
            codes.append(code)
        if codes:
            base = rows[codes[0]]
            for parent in codes[1:]:
                if parent not in base.within:
                    base.within.append(parent)
    if problems:
        raise ImportProblems(problems)
    if not rows:
        raise ImportProblems([f"{filename}: the file has no rows"])
    return list(rows.values())


@dataclass
class BoundaryRow:
    code: str
    name: str
    kind: str
    geometry: dict[str, Any]


def read_boundaries(data: bytes, filename: str = "boundaries.geojson") -> list[BoundaryRow]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblems([f"{filename}: not a GeoJSON file ({exc})"]) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportProblems([f"{filename}: expected a GeoJSON FeatureCollection"])
    result: list[BoundaryRow] = []
    problems: list[str] = []
    for index, feature in enumerate(document.get("features") or []):
        where = f"{filename} features[{index}]"
        properties = feature.get("properties") or {}
        code = _first(properties, ("code",), suffix="cd")
        name = _first(properties, ("name",), suffix="nm")
        geometry = feature.get("geometry")
        if not code:
            problems.append(f"{where}: no code property (expected 'code' or an ONS ...CD field)")
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in {
            "Polygon",
            "MultiPolygon",
        }:
            problems.append(f"{where} ({code}): geometry must be a Polygon or MultiPolygon")
            continue
        kind = GSS_KINDS.get(code[:3], AreaKind.OTHER)
        result.append(BoundaryRow(code=code, name=name or code, kind=kind, geometry=geometry))
    if problems:
        raise ImportProblems(problems)
    if not result:
        raise ImportProblems([f"{filename}: the file has no features"])
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
