"""A board reading the results is told, in plain words, why the central NPV can lie outside
the Monte Carlo's 5th to 95th percentiles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accord.appraisal.appraisal_file import TEMPLATE, load_appraisal
from accord.appraisal.engine import run_appraisal
from accord.appraisal.presentation import outside_range_text, results_view


def _report(npv: float, p5: float, p95: float) -> dict[str, Any]:
    return {"npv": npv, "monte_carlo": {"npv": {"p5": p5, "p95": p95}}}


def test_a_central_npv_below_the_5th_percentile_is_explained() -> None:
    text = outside_range_text(_report(npv=1000.0, p5=2500.0, p95=9000.0))
    assert text is not None
    assert "(£1,000) is below the 5th percentile of the simulated NPVs (£2,500)" in text
    assert "towards higher values" in text


def test_a_central_npv_above_the_95th_percentile_is_explained() -> None:
    text = outside_range_text(_report(npv=10_000.0, p5=2500.0, p95=9000.0))
    assert text is not None
    assert "above the 95th percentile" in text and "towards lower values" in text


def test_nothing_is_said_when_the_central_npv_is_inside_the_range_or_there_is_no_simulation() -> (
    None
):
    assert outside_range_text(_report(npv=5000.0, p5=2500.0, p95=9000.0)) is None
    assert outside_range_text({"npv": 5000.0}) is None


def test_a_skewed_appraisal_gets_the_explanation_on_its_results(tmp_path: Path) -> None:
    # Every benefit's deadweight ranges far above its central value, so draws fall lower.
    skewed = re.sub(r"deadweight: [^\n]+", "deadweight: {triangular: [0.0, 0.0, 0.9]}", TEMPLATE)
    path = tmp_path / "skewed.yaml"
    path.write_text(skewed, encoding="utf-8")
    report = run_appraisal(load_appraisal(path), iterations=2000, seed=1).to_json_dict()
    mc = report["monte_carlo"]["npv"]
    assert report["npv"] > mc["p95"]
    view = results_view(report, {})
    assert view.outside_range is not None and "above the 95th percentile" in view.outside_range


@pytest.mark.django_db
def test_the_results_page_shows_the_explanation(client: Any, owner: Any) -> None:
    from tests.support.factories import AppraisalFactory, CollaborationFactory

    skewed = re.sub(r"deadweight: [^\n]+", "deadweight: {triangular: [0.0, 0.0, 0.9]}", TEMPLATE)
    record = AppraisalFactory(collaboration=CollaborationFactory(actor=owner), yaml_text=skewed)
    client.force_login(owner)
    page = client.get(f"/appraisals/{record.pk}/").content.decode()
    assert 'id="npv-outside-range"' in page
    assert "That is not a mistake" in page
