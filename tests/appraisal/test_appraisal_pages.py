"""Appraisals on the web: built in the form or uploaded, always the CLI's numbers."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.appraisal.test_appraisal_helpers import (
    FORM_YAML,
    form_post,
    make_appraisal,
    management,
    many_lines_yaml,
)

from accord.appraisal import engine, services
from accord.appraisal.appraise_cli import main as appraise_cli
from accord.appraisal.models import Appraisal, RealisedBenefit, UnitCost
from accord.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def cli_json(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert appraise_cli([str(path), "--json"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


# Build in the form -------------------------------------------------------------------------


def test_an_editor_builds_an_appraisal_in_the_form_and_sees_the_clis_numbers(
    client: Client, owner: Any, collaboration: Any, tmp_path: Path
) -> None:
    client.force_login(owner)
    page = client.get(f"/appraisals/for/{collaboration.reference}/new/").content.decode()
    assert "what would have happened anyway" in page  # deadweight explained in plain English
    response = client.post(f"/appraisals/for/{collaboration.reference}/new/", form_post())
    record = Appraisal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appraisals/{record.pk}/"
    assert record.collaboration == collaboration and record.version == 1
    # The form stands for the same appraisal as the hand-written file.
    expected = services.parse_yaml_text(FORM_YAML)
    stored = services.stored_appraisal(record)
    assert stored == expected.__class__(
        **{**expected.__dict__, "collaboration": record.collaboration.reference}
    )

    page = client.get(f"/appraisals/{record.pk}/").content.decode()
    yaml_file = tmp_path / "form.yaml"
    yaml_file.write_text(FORM_YAML)
    cli = cli_json(yaml_file)
    report = Appraisal.objects.get().report
    for key in ("pv_costs", "pv_benefits", "npv", "bcr", "fiscal_bcr", "sroi", "payback_year"):
        assert report[key] == cli[key], key
    assert report["monte_carlo"] == cli["monte_carlo"]
    assert report["tornado"] == cli["tornado"]
    assert f"£{cli['npv']:,.0f}".replace("£-", "−£") in page
    assert AuditEvent.objects.filter(action="appraisal.create", actor=owner).exists()


def test_the_form_shows_each_problem_beside_its_line_and_saves_nothing(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    response = client.post(
        f"/appraisals/for/{collaboration.reference}/new/",
        form_post(
            **{
                "costs-0-amounts": "180000, 0",  # two values for three years
                "benefits-0-attribution": "1.5",
                "benefits-0-unit_cost": "lots",
                "costs-2-amounts": "5, 5, 5",  # a line with no name
            }
        ),
    )
    page = response.content.decode()
    assert "There is a problem: nothing was saved" in page
    assert "Cost line 1, amount in each year (£): must have 3 values, one per year, got 2" in page
    assert "Cost line 3, name: Give the line a name" in page
    assert (
        "Benefit line 1, unit cost (£): &#x27;lots&#x27; is not a number or a distribution" in page
    )
    assert not Appraisal.objects.exists()
    # Once the field problems are fixed, the file's own rules are shown beside the field.
    response = client.post(
        f"/appraisals/for/{collaboration.reference}/new/",
        form_post(**{"costs-0-amounts": "180000, 0", "benefits-0-attribution": "1.5"}),
    )
    page = response.content.decode()
    assert "Cost line 1, amount in each year (£): must have 3 values, one per year, got 2" in page
    assert "Benefit line 1, attribution: share must be between 0 and 1, got 1.5" in page
    assert not Appraisal.objects.exists()


def test_the_form_offers_the_green_book_health_schedule(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    url = f"/appraisals/for/{collaboration.reference}/new/"
    assert (
        "Green Book for health effects: 1.5% a year to year 30" in client.get(url).content.decode()
    )
    client.post(url, form_post(discount="green_book_health"))
    record = Appraisal.objects.get()
    assert "discount: green_book_health" in record.yaml_text
    factors = [row["discount_factor"] for row in services.report_for(record)["per_year"]]
    assert factors == pytest.approx([1, 1 / 1.015, 1 / 1.015**2])
    page = client.get(f"/appraisals/{record.pk}/edit/")
    assert page.context["form"].initial["discount"] == "green_book_health"


def test_a_unit_cost_from_the_library_is_uplifted_to_the_price_year(
    client: Client, owner: Any, collaboration: Any
) -> None:
    services.load_unit_cost_library("test")
    robbery = UnitCost.objects.get(name="Crime: robbery")
    client.force_login(owner)
    client.post(
        f"/appraisals/for/{collaboration.reference}/new/",
        form_post(
            **{
                "benefits-1-name": "Robberies prevented",
                "benefits-1-library_cost": str(robbery.pk),
                "benefits-1-volumes": "0, 2, 2",
            }
        ),
    )
    line = services.stored_appraisal(Appraisal.objects.get()).benefits[1]
    # At full precision (it was rounded to the penny): the file is a machine output.
    expected = 11320 * services.deflator_table()[2016] / services.deflator_table()[2015]
    assert line.unit_cost == expected
    assert line.source is not None and "uplifted from 2015-16 to 2016-17 prices" in line.source


def test_editing_keeps_every_line_and_moves_the_version_on(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(owner)
    page = client.get(f"/appraisals/{record.pk}/edit/")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["title"] == "Co-responding appraisal" and initial["version"] == 1
    costs = page.context["costs"]
    assert costs.forms[1].initial["unit_cost"] == "triangular(38, 42, 50)"
    data = form_post(
        title="Renamed appraisal",
        version="1",
        **management("costs", 3, initial=2),
        **management("benefits", 3, initial=1),
    )
    response = client.post(f"/appraisals/{record.pk}/edit/", data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "Renamed appraisal" and record.version == 2
    assert record.report is None  # the old report is gone with the old version
    assert len(services.stored_appraisal(record).costs) == 2


# Upload and download -----------------------------------------------------------------------


def test_a_good_file_uploads_and_a_bad_one_saves_nothing_and_lists_every_problem(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    url = f"/appraisals/for/{collaboration.reference}/upload/"
    bad = FORM_YAML.replace("amounts: [180000, 0, 0]", "amounts: [180000, 0]").replace(
        "deadweight: 0.1", "deadweight: 1.2\n    colour: red"
    )
    response = client.post(url, {"file": io.BytesIO(bad.encode()), "text": ""})
    page = response.content.decode()
    assert "Nothing was saved: the file has 3 problems" in page
    assert "costs[0].amounts: must have 3 values, one per year, got 2" in page
    assert "benefits[0].deadweight: share must be between 0 and 1, got 1.2" in page
    assert "benefits[0].colour: unknown key" in page
    assert not Appraisal.objects.exists()
    response = client.post(url, {"text": "title: [unclosed"})
    assert "not valid YAML" in response.content.decode()
    assert not Appraisal.objects.exists()

    upload = io.BytesIO(FORM_YAML.encode())
    upload.name = "co-responding.yaml"
    response = client.post(url, {"file": upload})
    record = Appraisal.objects.get()
    assert response["Location"] == f"/appraisals/{record.pk}/"
    assert AuditEvent.objects.filter(action="appraisal.create.upload").exists()


def test_what_is_downloaded_uploads_again_to_the_same_results(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(owner)
    downloaded = client.get(f"/appraisals/{record.pk}/download.yaml")
    assert downloaded["Content-Type"].startswith("application/yaml")
    assert "attachment" in downloaded["Content-Disposition"]
    text = downloaded.content.decode()
    assert text == record.yaml_text and f"collaboration: {record.collaboration.reference}" in text
    client.post(f"/appraisals/for/{collaboration.reference}/upload/", {"text": text})
    again = Appraisal.objects.exclude(pk=record.pk).get()
    assert again.yaml_text == record.yaml_text
    assert services.report_for(again) == services.report_for(record)


def test_uploading_a_new_version_replaces_it_and_checks_the_version(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(owner)
    url = f"/appraisals/{record.pk}/upload/"
    new = FORM_YAML.replace("title: Co-responding appraisal", "title: Version two")
    assert client.post(url, {"text": new, "version": "1"}).status_code == 302
    record.refresh_from_db()
    assert record.title == "Version two" and record.version == 2
    response = client.post(url, {"text": FORM_YAML, "version": "1"})
    page = response.content.decode()
    # A file is one document: the page shows what changed in it since, as a diff.
    assert "Not saved" in page and "+title: Version two" in page
    assert "-title: Co-responding appraisal" in page
    record.refresh_from_db()
    assert record.title == "Version two"


def test_the_workbook_has_three_sheets_a_marking_and_no_formulas(
    client: Client, owner: Any, collaboration: Any
) -> None:
    text = FORM_YAML.replace("name: Crew time", "name: '=HYPERLINK(\"http://x\")'")
    record = make_appraisal(collaboration, text)
    client.force_login(owner)
    response = client.get(f"/appraisals/{record.pk}/download.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Inputs", "Per year", "Results"]
    names = [row[1] for row in workbook["Inputs"].iter_rows(values_only=True) if row[0] == "Cost"]
    assert names == ["Vehicles and kit", '\'=HYPERLINK("http://x")']
    for sheet in workbook.worksheets:
        assert sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE"
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    per_year = list(workbook["Per year"].iter_rows(values_only=True))
    assert len(per_year) == 1 + 3
    results = {row[0]: row[1] for row in workbook["Results"].iter_rows(values_only=True) if row}
    assert results["Net present value (£)"] == pytest.approx(services.report_for(record)["npv"])


# Results page ------------------------------------------------------------------------------


def test_the_results_page_shows_every_chart_with_its_table(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(colleague)
    response = client.get(f"/appraisals/{record.pk}/")
    page = response.content.decode()
    for chart in ("by-year", "cumulative", "organisations", "monte-carlo", "tornado"):
        assert f'id="{chart}-table"' in page, chart
    assert "East Midlands Ambulance Service NHS Trust (RX9)" in page  # names, not just codes
    assert "Chance that NPV is above zero" in page
    assert "vega-embed" in page
    report = services.report_for(record)
    assert sum(b["count"] for b in report["npv_histogram"]) == report["monte_carlo"]["iterations"]


FALLS_BACK_YAML = """\
title: Falls back
price_year: 2020
years: 4
discount: 0.0
costs:
  - {name: Set-up and refit, amounts: [100, 0, 50, 0]}
benefits:
  - {name: Savings, amounts: [0, 120, 0, 60]}
"""


def _payback_on_page(client: Client, record: Any) -> str:
    page = client.get(f"/appraisals/{record.pk}/").content.decode()
    match = re.search(r'data-figure="payback_year">([^<]*)<', page)
    assert match, "no payback figure on the page"
    return match.group(1)


def test_the_results_page_gives_the_payback_year_by_the_corrected_rule(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    # Cumulative -100, 20, -30, 30: the crossing in year 1 falls back, so year 3.
    client.force_login(colleague)
    assert _payback_on_page(client, make_appraisal(collaboration, FALLS_BACK_YAML)) == "Year 3"
    no_costs = FALLS_BACK_YAML.replace("[100, 0, 50, 0]", "[0, 0, 0, 0]")
    record = make_appraisal(collaboration, no_costs.replace("Falls back", "No costs"))
    assert _payback_on_page(client, record) == "None: there are no costs to pay back"
    never = FALLS_BACK_YAML.replace("[0, 120, 0, 60]", "[0, 120, 0, 10]")
    record = make_appraisal(collaboration, never.replace("Falls back", "Never"))
    assert _payback_on_page(client, record) == "Not within the appraisal"


DISBENEFIT_YAML = """\
title: With a disbenefit
price_year: 2020
years: 2
discount: 0.0
costs:
  - {name: Set-up, amounts: [100, 0]}
benefits:
  - {name: Savings, class: fiscal_cashable, amounts: [0, 300]}
  - {name: Noise for neighbours, amounts: [0, -50]}
"""


def test_disbenefits_show_apart_on_the_page_and_in_the_workbook(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    # Benefits 300, disbenefit 50, costs 100: net benefits 250, NPV 150, BCR 2.5.
    record = make_appraisal(collaboration, DISBENEFIT_YAML)
    client.force_login(colleague)
    page = client.get(f"/appraisals/{record.pk}/").content.decode()
    assert re.search(r'data-figure="pv_gross_benefits">£300<', page)
    assert re.search(r'data-figure="pv_disbenefits">−£50<', page)
    assert re.search(r'data-figure="pv_benefits">£250<', page)
    assert re.search(r'data-figure="bcr">2.50<', page)
    assert "Disbenefits" in page  # the by-year chart's table
    workbook = load_workbook(
        io.BytesIO(client.get(f"/appraisals/{record.pk}/download.xlsx").content)
    )
    kinds = [row[:2] for row in workbook["Inputs"].iter_rows(values_only=True) if row[0]]
    assert ("Disbenefit", "Noise for neighbours") in kinds and ("Benefit", "Savings") in kinds
    results = {row[0]: row[1] for row in workbook["Results"].iter_rows(values_only=True) if row}
    assert results["Present value of disbenefits (£), already subtracted"] == pytest.approx(50)
    assert results["Present value of benefits, net of disbenefits (£)"] == pytest.approx(250)
    text = client.get(f"/appraisals/{record.pk}/download.yaml").content.decode()
    assert "amounts: [0, -50]" in text


def test_exports_carry_full_precision_and_pages_round(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    text = FALLS_BACK_YAML.replace("discount: 0.0", "discount: 0.035").replace(
        "[100, 0, 50, 0]", "[100.123456789, 0, 50, 0]"
    )
    record = make_appraisal(collaboration, text)
    report = services.report_for(record)
    engine_result = engine.appraise(services.stored_appraisal(record))
    assert report["npv"] == engine_result.npv  # stored exactly, not rounded
    client.force_login(colleague)
    workbook = load_workbook(
        io.BytesIO(client.get(f"/appraisals/{record.pk}/download.xlsx").content)
    )
    results = {row[0]: row[1] for row in workbook["Results"].iter_rows(values_only=True) if row}
    assert results["Net present value (£)"] == engine_result.npv
    per_year = list(workbook["Per year"].iter_rows(values_only=True))
    assert per_year[2][1] == 1 / 1.035  # the discount factor, every digit
    yaml_text = client.get(f"/appraisals/{record.pk}/download.yaml").content.decode()
    assert "100.123456789" in yaml_text
    page = client.get(f"/appraisals/{record.pk}/").content.decode()
    assert re.search(r'data-figure="npv">−?£[\d,]+<', page)  # whole pounds for reading


def test_the_report_is_computed_once_per_version(
    client: Client, colleague: Any, collaboration: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(colleague)
    calls = []
    real = services.compute_report
    monkeypatch.setattr(services, "compute_report", lambda a: calls.append(1) or real(a))
    client.get(f"/appraisals/{record.pk}/")
    client.get(f"/appraisals/{record.pk}/")
    client.get(f"/appraisals/{record.pk}/download.xlsx")
    assert len(calls) == 1


def test_a_page_caps_the_monte_carlo_and_says_so(collaboration: Any) -> None:
    text = FORM_YAML.replace("iterations: 2000", "iterations: 250000")
    report = services.report_for(make_appraisal(collaboration, text))
    assert report["monte_carlo"]["iterations"] == services.PAGE_MAX_ITERATIONS
    assert report["iterations_asked"] == 250_000


# Results page: a fixed number of queries, however many lines ----------------------------------

# Session and user, the appraisal with its collaboration (visibility decided in the same query),
# the edit permission (partner lookup), the organisation names and the history.
DETAIL_QUERIES = 6


def _count(client: Client, url: str) -> int:
    client.get(url)  # the first view computes and keeps the report
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_results_page_query_count_does_not_grow_with_lines(
    client: Client, owner: Any, collaboration: Any
) -> None:
    small = make_appraisal(collaboration, many_lines_yaml(2))
    large = make_appraisal(collaboration, many_lines_yaml(40))
    client.force_login(owner)
    assert _count(client, f"/appraisals/{small.pk}/") == DETAIL_QUERIES
    assert _count(client, f"/appraisals/{large.pk}/") == DETAIL_QUERIES


# Benefits realisation ----------------------------------------------------------------------


def test_realised_benefits_stand_beside_the_forecast_with_the_gaps(
    client: Client, owner: Any, colleague: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    forecast = [row["benefits"] for row in services.report_for(record)["per_year"]]
    client.force_login(owner)
    url = f"/appraisals/{record.pk}/realised/"
    for year, amount in ((1, "100000"), (2, "90000")):
        response = client.post(
            url, {"year": str(year), "amount": amount, "note": "From the trust", "evidence": ""}
        )
        assert response.status_code == 302
    # Recording a year again corrects it, and the audit log keeps both.
    client.post(url, {"year": "1", "amount": "110000", "note": "Corrected"})
    assert RealisedBenefit.objects.get(appraisal=record, year=1).amount == 110000
    assert AuditEvent.objects.filter(action="appraisal.realised.update").count() == 1

    client.force_login(colleague)
    response = client.get(url)
    rows = response.context["rows"]
    assert rows[0].realised is None and rows[0].cumulative_gap == pytest.approx(-forecast[0])
    assert rows[1].gap == pytest.approx(110000 - forecast[1])
    assert rows[2].cumulative_gap == pytest.approx(200000 - sum(forecast))
    page = response.content.decode()
    assert 'id="realisation-table"' in page and "Record a realised benefit" not in page
    assert client.post(url, {"year": "1", "amount": "1"}).status_code == 403  # readers cannot


def test_a_year_outside_the_appraisal_is_refused(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(owner)
    response = client.post(f"/appraisals/{record.pk}/realised/", {"year": "7", "amount": "5"})
    assert (
        response.status_code == 200 and "Select a year from the list" in response.content.decode()
    )
    assert not RealisedBenefit.objects.exists()
