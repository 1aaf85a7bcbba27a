"""The demo's national picture: ONS's police force area boundaries and population estimates,
read from ``../shared/data`` when it is there (as the KPI and analytics demos read theirs), so
that the map and the rates per 100,000 show on a fresh demo. Safe to run again: the boundaries
are written over, the populations changed only where a figure differs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.conf import settings

from accord.orgs import importers as org_importers
from accord.orgs import services as orgs

from . import services
from .population import read_population

BOUNDARIES_FILE: Final = "police_force_areas_2020.geojson"
FORUMS_FILE: Final = "local_resilience_forums_2020.geojson"
POPULATION_FILE: Final = "ons_population_police_force_areas_2009_2019.csv"


@dataclass
class InsightsDemo:
    lines: list[str] = field(default_factory=list)


def shared_file(name: str) -> Path | None:
    for root in (Path(settings.PROJECT_DIR), Path.cwd()):
        candidate = root.parent / "shared" / "data" / name
        if candidate.is_file():
            return candidate
    return None


def load_demo(actor: Any, data_dir: Path | None = None) -> InsightsDemo:
    out = InsightsDemo()
    boundaries = (data_dir / BOUNDARIES_FILE) if data_dir else shared_file(BOUNDARIES_FILE)
    if boundaries is None or not boundaries.is_file():
        out.lines.append(f"Insights: {BOUNDARIES_FILE} is not in ../shared/data/, so no map.")
    else:
        rows = org_importers.read_boundaries(boundaries.read_bytes(), boundaries.name)
        orgs.import_boundaries(rows, actor=actor)
        out.lines.append(
            f"Insights: {len(rows)} police force area boundaries from {BOUNDARIES_FILE}."
        )
    forums = (data_dir / FORUMS_FILE) if data_dir else shared_file(FORUMS_FILE)
    if forums is not None and forums.is_file():
        rows = org_importers.read_boundaries(forums.read_bytes(), forums.name)
        orgs.import_boundaries(rows, actor=actor)
        out.lines.append(
            f"Insights: {len(rows)} local resilience forum boundaries from {FORUMS_FILE}."
        )
    population = (data_dir / POPULATION_FILE) if data_dir else shared_file(POPULATION_FILE)
    if population is None or not population.is_file():
        out.lines.append(
            f"Insights: {POPULATION_FILE} is not in ../shared/data/, so no rates per 100,000."
        )
        return out
    data = population.read_bytes()
    result = services.import_population(
        read_population(data, population.name),
        actor=actor,
        filename=population.name,
        digest=services.file_digest(data),
    )
    out.lines.append(
        f"Insights: population estimates for {len(result.matched)} police force areas "
        f"from {POPULATION_FILE} ({result.created} new)."
    )
    return out
