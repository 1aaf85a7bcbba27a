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
from accord.appraisal.appraisal_file import load_appraisal
from accord.appraisal.appraise_cli import main as appraise_cli
from accord.appraisal.deflators import load_table, uplift
from accord.appraisal.demo import DEMO_DIR, load_demo
from accord.appraisal.engine import Distribution, run_appraisal
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


def _demo(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEMO_DIR / f"{name}.yaml").read_text())
    return data


def test_jacp_deflates_the_wellby_from_2019_to_its_2015_prices() -> None:
    # The WELLBY is £13,000 in 2019 prices; JACP is in 2015 prices. With the shipped table:
    # 13,000 x 83.75 (2015-16) / 90.95 (2019-20) = 11,970.86.
    data = _demo("jacp")
    assert data["price_year"] == 2015
    (line,) = [b for b in data["benefits"] if "WELLBY" in b["source"]]
    expected = uplift(13_000, 2019, 2015, load_table())
    assert line["unit_cost"] == pytest.approx(expected, abs=0.005)
    assert line["unit_cost"] < 13_000  # deflated, not the 2019 figure
    assert "2019 prices" in line["source"] and "deflated to this appraisal's 2015 prices" in (
        " ".join(line["source"].split())
    )


def test_crits_price_year_follows_the_period_of_its_figures() -> None:
    # Published figures for December 2014 to August 2015: 2014-15 prices, Accord's year 2014.
    data = _demo("crit")
    assert data["price_year"] == 2014
    assert "December 2014 to August 2015" in " ".join(data["description"].split())
    result = run_appraisal(load_appraisal(DEMO_DIR / "crit.yaml")).result
    assert result.pv_costs == 800_000 and result.pv_benefits == 13_000_000


def test_h3_is_up_to_4m_a_year_and_its_range_stays_under_the_ceiling() -> None:
    appraisal = load_appraisal(DEMO_DIR / "h3.yaml")
    (line,) = appraisal.benefits
    assert "up to £4m a year" in " ".join((line.source or "").split())
    for value in line.amounts or ():
        assert isinstance(value, Distribution)
        assert max(value.params) <= 4_000_000
    report = run_appraisal(appraisal, iterations=2000)
    assert report.monte_carlo is not None
    # Never above £4m a year, so the Monte Carlo's 95th percentile stays below the central NPV
    # of five years at £4m.
    assert report.monte_carlo.npv.p95 is not None
    assert report.monte_carlo.npv.p95 <= report.result.npv
    assert report.result.payback_year is None  # no published cost: nothing to pay back
