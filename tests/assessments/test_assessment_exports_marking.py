"""A round's scores export: marked as its collaboration's visibility says, with each code's
name beside it, and its figures at full precision."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.assessments.assessment_helpers import add_responses, make_round

from accord.assessments import exports, results

pytestmark = pytest.mark.django_db


def _scored_round(collaboration: Any) -> Any:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6, ("E31000025", "strategic"): 6}, value=4)
    return found


def _xlsx(client: Client, found: Any) -> Any:
    response = client.get(f"/assessments/rounds/{found.pk}/export.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _markings(workbook: Any) -> set[str]:
    """Every place the workbook carries its marking: each sheet's printed header and footer,
    and the About sheet."""
    found = set()
    for sheet in workbook.worksheets:
        found |= {sheet.oddHeader.center.text, sheet.oddFooter.center.text}
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    return found | {about["Protective marking"]}


def test_a_public_collaborations_scores_are_marked_official(
    client: Client, owner: Any, make_collaboration: Any
) -> None:
    found = _scored_round(make_collaboration("Open scheme", visibility="public"))
    client.force_login(owner)
    assert _markings(_xlsx(client, found)) == {"OFFICIAL"}


def test_a_restricted_collaborations_scores_are_marked_official_sensitive(
    client: Client, owner: Any, collaboration: Any
) -> None:
    assert collaboration.visibility == "partners"
    found = _scored_round(collaboration)
    client.force_login(owner)
    assert _markings(_xlsx(client, found)) == {"OFFICIAL-SENSITIVE"}


def test_each_code_has_its_name_beside_it(client: Client, owner: Any, collaboration: Any) -> None:
    found = _scored_round(collaboration)
    client.force_login(owner)
    body = client.get(f"/assessments/rounds/{found.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    header = list(rows[0])
    for code, name in (("framework", "framework_title"), ("group", "group_name"), ("id", "title")):
        assert header.index(name) == header.index(code) + 1, code
    # The columns there were keep their order, the names between them.
    before = [c for c in header if c not in ("framework_title", "group_name")]
    assert before == [
        "round",
        "framework",
        "version",
        "breakdown",
        "group",
        "measure",
        "id",
        "title",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "band",
        "note",
    ]
    assert {r["framework_title"] for r in rows} == {found.framework.title}
    names = {(r["breakdown"], r["group"]): r["group_name"] for r in rows}
    assert names[("overall", "all")] == "All responses"
    assert names[("organisation", "RX9")] == "East Midlands Ambulance Service NHS Trust"
    assert names[("organisation", "E31000025")] == "Lincolnshire Fire and Rescue"
    assert names[("level", "tactical")] == "Tactical"
    assert names[("level", "strategic")] == "Strategic"
    factor = found.framework.framework.factors[0]
    overall = next(r for r in rows if r["breakdown"] == "overall" and r["id"] == factor.id)
    assert overall["title"] == factor.title


def test_the_figures_keep_full_precision(client: Client, owner: Any, collaboration: Any) -> None:
    found = _scored_round(collaboration)
    client.force_login(owner)
    shown = results.round_results(found)
    factor = shown.factors[0]
    assert factor.mean is not None and factor.sd is not None
    body = client.get(f"/assessments/rounds/{found.pk}/export.csv").content.decode("utf-8-sig")
    (cell,) = [
        r
        for r in csv.DictReader(io.StringIO(body))
        if r["breakdown"] == "overall" and r["measure"] == "factor" and r["id"] == factor.id
    ]
    # Every digit Python holds, not the page's one decimal place.
    assert float(cell["sd"]) == factor.sd and float(cell["ci_low"]) == factor.ci_low
    sheet = _xlsx(client, found).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header == list(exports.EXPORT_COLUMNS)
    at = {name: header.index(name) for name in header}
    (row,) = [
        r
        for r in values[1:]
        if r[at["breakdown"]] == "overall" and r[at["measure"]] == "factor"
        if r[at["id"]] == factor.id
    ]
    # A workbook's numbers hold 16 significant digits (Excel shows 15): as near as it can.
    assert row[at["mean"]] == factor.mean
    assert row[at["sd"]] == pytest.approx(factor.sd, rel=1e-15, abs=0)
