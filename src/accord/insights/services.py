"""Every change insights makes: loading population estimates. One transaction, one audit event.

The national picture itself changes nothing; it reads (queries.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from accord.core import audit
from accord.core.matching import NameIndex, did_you_mean
from accord.core.problems import Problem, Problems
from accord.orgs.choices import AreaKind
from accord.orgs.models import Area, Organisation

from .models import Population
from .population import PopulationRow, name_keys, problem_at

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class PopulationImport:
    """What an import did, for the command line and the audit event."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)
    #: Column name → the area it was matched to ("Metropolitan Police" → "E23000001").
    matched: dict[str, str] = field(default_factory=dict)
    #: Columns that match no police force area, each with its "did you mean" sentence.
    unmatched: dict[str, str] = field(default_factory=dict)
    #: Police force areas the file gives no population for (the Welsh forces, in ONS's).
    without_population: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "years": f"{min(self.years)}–{max(self.years)}" if self.years else "",
            "areas": len(self.matched),
            "unmatched": sorted(self.unmatched),
            "without_population": self.without_population,
        }


def force_area_index() -> NameIndex[Area]:
    """Police force areas by code, by name, and by their force's name and short name, each
    read as :func:`population.name_keys` reads a column's name."""
    areas = list(Area.objects.filter(kind=AreaKind.POLICE_FORCE_AREA).order_by("code"))
    by_pk = {a.pk: a for a in areas}
    names: dict[int, set[str]] = {a.pk: {a.code, *name_keys(a.name)} for a in areas}
    forces = Organisation.objects.filter(kind="police_force", area_id__in=by_pk).values_list(
        "area_id", "name", "short_name"
    )
    for area_id, name, short_name in forces:
        names[area_id] |= name_keys(name) | name_keys(short_name)
    return NameIndex(areas, keys=lambda a: sorted(names[a.pk]), label=lambda a: a.name)


def _find(index: NameIndex[Area], name: str) -> Area | None:
    for key in sorted(name_keys(name), key=len, reverse=True):
        found = index.find(key)
        if found is not None:
            return found
    return None


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def import_population(
    rows: Iterable[PopulationRow],
    *,
    actor: Any,
    filename: str,
    digest: str = "",
    skip_unmatched: bool = False,
    progress: Progress = _no_progress,
) -> PopulationImport:
    """Write each area's population for each year, all or nothing, and one audit event.

    A column that matches no police force area is a problem, and nothing is written, unless
    `skip_unmatched`: then the others are written and the unmatched are reported (and
    recorded in the event). Two columns matching one area are a problem either way.
    """
    rows = list(rows)
    index = force_area_index()
    result = PopulationImport()
    problems: list[Problem] = []
    areas: dict[str, Area] = {}
    claimed: dict[int, str] = {}
    for row in rows:
        if row.name in areas or row.name in result.unmatched:
            continue
        area = _find(index, row.name)
        if area is None:
            suggestion = did_you_mean([a.name for a in index.suggestions(row.name)])
            result.unmatched[row.name] = suggestion
            if not skip_unmatched:
                problems.append(
                    problem_at(
                        filename,
                        f"matches no police force area.{suggestion}",
                        line=1,
                        column=row.name,
                    )
                )
            continue
        if area.pk in claimed:
            problems.append(
                problem_at(
                    filename,
                    f"is {area.name} ({area.code}), as column {claimed[area.pk]!r} is",
                    line=1,
                    column=row.name,
                )
            )
            continue
        claimed[area.pk] = row.name
        areas[row.name] = area
        result.matched[row.name] = area.code
    if problems:
        raise Problems(problems)
    existing = {
        (p.area_id, p.year): p for p in Population.objects.filter(area__in=list(areas.values()))
    }
    wanted = [row for row in rows if row.name in areas]
    for done, row in enumerate(wanted, start=1):
        area = areas[row.name]
        current = existing.get((area.pk, row.year))
        if current is None:
            Population.objects.create(
                area=area,
                year=row.year,
                population=row.population,
                source=filename,
                source_name=row.name,
            )
            result.created += 1
        elif (current.population, current.source_name) != (row.population, row.name):
            current.population, current.source, current.source_name = (
                row.population,
                filename,
                row.name,
            )
            current.save(update_fields=["population", "source", "source_name"])
            result.updated += 1
        else:
            result.unchanged += 1
        progress(done, len(wanted))
    result.years = sorted({row.year for row in wanted})
    with_population = set(Population.objects.values_list("area_id", flat=True))
    result.without_population = list(
        Area.objects.filter(kind=AreaKind.POLICE_FORCE_AREA)
        .exclude(pk__in=with_population)
        .order_by("name")
        .values_list("name", flat=True)
    )
    audit.record(
        actor=actor,
        action="population.import",
        object_type=Population._meta.label_lower,
        object_label=filename,
        after={**result.summary(), "file": filename, "sha256": digest},
    )
    return result


def matched_areas_sentence(result: PopulationImport) -> str:
    """The import's report in words, a line each, for the command line."""
    lines = [
        f"Population: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, for {len(result.matched)} police force areas"
        + (f", {min(result.years)} to {max(result.years)}." if result.years else ".")
    ]
    for name, suggestion in sorted(result.unmatched.items()):
        lines.append(f"Not imported: {name!r} matches no police force area.{suggestion}")
    if result.without_population:
        lines.append(
            "No population for: " + ", ".join(result.without_population) + " (not in the file)."
        )
    return "\n".join(lines)
