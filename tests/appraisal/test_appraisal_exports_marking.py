"""An appraisal's workbook: marked as its collaboration's visibility says, in every sheet's
printed header and footer and on its Results sheet; each code with its name beside it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.appraisal.test_appraisal_helpers import FORM_YAML, make_appraisal

from accord.appraisal import services

pytestmark = pytest.mark.django_db

#: FORM_YAML with a payer that is not an organisation, and one whose line has no flow.
PARTIES_YAML = FORM_YAML.replace(
    "  - name: Crew time\n    payer: E31000025",
    "  - name: Crew time\n    payer: 'not an organisation: Local residents'",
)


def _workbook(client: Client, record: Any) -> Any:
    response = client.get(f"/appraisals/{record.pk}/download.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _markings(workbook: Any) -> set[str]:
    found = set()
    for sheet in workbook.worksheets:
        found |= {sheet.oddHeader.center.text, sheet.oddFooter.center.text}
    results = {row[0]: row[1] for row in workbook["Results"].iter_rows(values_only=True) if row}
    return found | {results["Protective marking"]}


def test_a_public_collaborations_appraisal_is_marked_official(
    client: Client, make_collaboration: Any
) -> None:
    record = make_appraisal(make_collaboration("Open scheme", visibility="public"))
    # Anyone may read it, signed in or not: it is published.
    assert _markings(_workbook(client, record)) == {"OFFICIAL"}


def test_a_restricted_collaborations_appraisal_is_marked_official_sensitive(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(owner)
    assert _markings(_workbook(client, record)) == {"OFFICIAL-SENSITIVE"}


def test_each_code_has_its_name_beside_it(client: Client, owner: Any, collaboration: Any) -> None:
    record = make_appraisal(collaboration, PARTIES_YAML)
    client.force_login(owner)
    workbook = _workbook(client, record)
    inputs = list(workbook["Inputs"].iter_rows(values_only=True))
    settings_rows = {row[0]: row[1] for row in inputs if row and row[0]}
    assert settings_rows["Collaboration"] == collaboration.reference
    assert settings_rows["Collaboration title"] == collaboration.title
    header_at = next(i for i, row in enumerate(inputs) if row and row[0] == "Kind")
    header = list(inputs[header_at])
    assert header[:6] == [
        "Kind",
        "Name",
        "Class",
        "Class name",
        "Payer or beneficiary",
        "Payer or beneficiary name",
    ]
    lines = {row[1]: dict(zip(header, row, strict=True)) for row in inputs[header_at + 1 :]}
    kit = lines["Vehicles and kit"]
    assert kit["Payer or beneficiary"] == "E31000025"
    assert kit["Payer or beneficiary name"] == "Lincolnshire Fire and Rescue"
    crew = lines["Crew time"]
    assert crew["Payer or beneficiary"] == "not an organisation: Local residents"
    assert crew["Payer or beneficiary name"] == "Local residents"
    hours = lines["Ambulance hours released"]
    assert (hours["Class"], hours["Class name"]) == ("fiscal_non_cashable", "Fiscal, non-cashable")
    assert hours["Payer or beneficiary name"] == "East Midlands Ambulance Service NHS Trust"

    results = list(workbook["Results"].iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in results if row}
    report = services.report_for(record)
    assert (
        figures["PV of benefits: Fiscal, non-cashable (fiscal_non_cashable)"]
        == report["pv_benefits_by_class"]["fiscal_non_cashable"]
    )
    # Full precision: the figure as computed, not as the page rounds it.
    assert figures["Net present value (£)"] == pytest.approx(report["npv"], rel=1e-15)
    tornado_at = next(i for i, row in enumerate(results) if row and row[0] == "Tornado input")
    assert results[tornado_at][:2] == ("Tornado input", "Input")
    tornado: dict[str, str] = {}
    for row in results[tornado_at + 1 :]:
        if not row or row[0] is None:  # the blank row after the table
            break
        tornado[row[0]] = row[1]
    assert tornado, "the appraisal has uncertain inputs"
    for path, name in tornado.items():
        assert name and (name != path or path == "discount"), path
    assert any(name.startswith("Ambulance hours released: ") for name in tornado.values())
