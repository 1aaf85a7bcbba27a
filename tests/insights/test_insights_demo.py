"""The demo's national picture: ONS's boundaries and populations from ../shared/data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.core.actors import SystemActor
from accord.insights import demo, queries
from accord.insights.models import Population
from accord.orgs import services as orgs

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_map_and_the_populations(shared_data: Path) -> None:
    actor = SystemActor("test")
    orgs.load_reference_areas(actor=actor)
    lines = demo.load_demo(actor, shared_data)
    assert lines.lines == [
        "Insights: 43 police force area boundaries from police_force_areas_2020.geojson.",
        "Insights: 42 local resilience forum boundaries from local_resilience_forums_2020.geojson.",
        "Insights: population estimates for 39 police force areas from "
        "ons_population_police_force_areas_2009_2019.csv (429 new).",
    ]
    assert len(queries.map_features()) == 43
    # Again: nothing doubled.
    assert len(queries.forum_features()) == 42
    assert "(0 new)" in demo.load_demo(actor, shared_data).lines[-1]
    assert Population.objects.count() == 429


def test_without_the_shared_data_the_demo_says_so(tmp_path: Path, db: Any) -> None:
    lines = demo.load_demo(SystemActor("test"), tmp_path).lines
    assert lines == [
        "Insights: police_force_areas_2020.geojson is not in ../shared/data/, so no map.",
        "Insights: ons_population_police_force_areas_2009_2019.csv is not in ../shared/data/, "
        "so no rates per 100,000.",
    ]
