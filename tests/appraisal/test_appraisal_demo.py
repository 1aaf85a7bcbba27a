"""The demo appraisals: the briefing's published figures, loaded once however often it runs."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.appraisal import services
from accord.appraisal.appraise_cli import main as appraise_cli
from accord.appraisal.demo import DEMO_DIR, load_demo
from accord.appraisal.models import Appraisal, UnitCost
from accord.core.actors import SystemActor
from accord.register.demo import load_demo_collaborations

DEMO_FILES = sorted(DEMO_DIR.glob("*.yaml"))


@pytest.mark.django_db
def test_the_demo_loads_once_however_often_it_runs() -> None:
    actor = SystemActor("demo loader")
    load_demo_collaborations(actor)
    created = load_demo(actor)
    assert sorted(a.collaboration.reference for a in created) == ["CRIT", "H3", "JACP"]
    unit_costs = UnitCost.objects.count()
    assert unit_costs >= 5
    assert load_demo(actor) == []
    assert Appraisal.objects.count() == 3 and UnitCost.objects.count() == unit_costs
    crit = Appraisal.objects.get(collaboration__reference="CRIT")
    report = services.report_for(crit)
    # "Three teams added over £13m of value for under £800k in six months."
    assert report["pv_costs"] == 800_000 and report["pv_benefits"] == 13_000_000
    assert report["bcr"] == pytest.approx(16.25)


@pytest.mark.parametrize("path", DEMO_FILES, ids=[p.stem for p in DEMO_FILES])
def test_each_demo_file_runs_on_the_command_line_and_names_its_sources(path: Path) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert appraise_cli([str(path), "--json"]) == 0
    assert json.loads(out.getvalue())["npv"] is not None
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    assert data["collaboration"] in {"CRIT", "H3", "JACP"}
    for line in data["costs"] + data["benefits"]:
        assert line.get("source"), line["name"]
    assert "assumption:" in path.read_text()
