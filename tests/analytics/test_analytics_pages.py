"""The analysis pages: each permission rule with someone who passes and someone who does not
(an outsider gets 404), the results with their charts and tables, progress, exports, the
files' visibility, the panel on the collaboration's page, and the cost added to an appraisal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.support.analytics_factories import csv_bytes, make_analysis

from accord.analytics.models import Analysis, State
from accord.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _as(client: Client, person: Any) -> Client:
    client.force_login(person)
    return client


@pytest.fixture
def analysis(collaboration: Any, owner: Any) -> Any:
    return make_analysis(collaboration, owner, keep=True)


def test_the_results_page_for_a_partner(client: Client, analysis: Any, colleague: Any) -> None:
    page = _as(client, colleague).get(f"/analytics/{analysis.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="joint_incidents">3<' in html
    for table in ("by-service", "pairs", "category-pairs", "costing", "files"):
        assert f'id="{table}"' in html
    for chart in ("by-hour", "by-weekday", "by-weekday-hour"):
        assert f'id="{chart}-table"' in html
    assert "Assist ambulance" in html
    assert "incidents.csv" in html  # a partner sees the files
    assert analysis.files.get().sha256[:16] in html
    assert 'id="run"' not in html  # a reader may not run it


def test_an_outsider_gets_404_everywhere(client: Client, analysis: Any, outsider: Any) -> None:
    item = analysis.files.get()
    _as(client, outsider)
    for path in (
        f"/analytics/{analysis.pk}/",
        f"/analytics/{analysis.pk}/progress/",
        f"/analytics/{analysis.pk}/export/?format=csv",
        f"/analytics/{analysis.pk}/files/{item.pk}/",
        f"/analytics/{analysis.pk}/upload/",
        f"/analytics/c/{analysis.collaboration.reference}/new/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/analytics/{analysis.pk}/run/").status_code == 404


def test_anonymous_sees_a_public_collaborations_results_but_not_its_files(
    client: Client, make_collaboration: Any, owner: Any, outsider: Any
) -> None:
    public = make_collaboration("Open pilot", visibility="public")
    analysis = make_analysis(public, owner, keep=True)
    item = analysis.files.get()
    page = client.get(f"/analytics/{analysis.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="joint_incidents">3<' in html
    assert "incidents.csv" not in html and item.sha256[:16] not in html
    assert client.get(f"/analytics/{analysis.pk}/files/{item.pk}/").status_code == 404
    _as(client, outsider)
    assert "incidents.csv" not in client.get(f"/analytics/{analysis.pk}/").content.decode()
    assert client.get(f"/analytics/{analysis.pk}/files/{item.pk}/").status_code == 404


def test_a_kept_file_is_downloaded_by_a_partner(
    client: Client, analysis: Any, partner_user: Any
) -> None:
    item = analysis.files.get()
    answer = _as(client, partner_user).get(f"/analytics/{analysis.pk}/files/{item.pk}/")
    assert answer.status_code == 200 and answer.content == csv_bytes()


def test_a_discarded_files_rows_are_not_there(
    client: Client, collaboration: Any, owner: Any
) -> None:
    analysis = make_analysis(collaboration, owner)
    item = analysis.files.get()
    _as(client, owner)
    assert client.get(f"/analytics/{analysis.pk}/files/{item.pk}/").status_code == 404
    assert "Discarded after the run" in client.get(f"/analytics/{analysis.pk}/").content.decode()


def test_a_partner_makes_uploads_and_runs_on_the_page(
    client: Client, collaboration: Any, partner_user: Any
) -> None:
    _as(client, partner_user)
    ref = collaboration.reference
    assert client.get(f"/analytics/c/{ref}/new/").status_code == 200
    answer = client.post(
        f"/analytics/c/{ref}/new/",
        {
            "title": "Lincoln",
            "layout": "accord",
            "window_minutes": "20",
            "distance_m": "250",
            "cell_m": "1000",
        },
    )
    analysis = Analysis.objects.get()
    assert answer["Location"] == f"/analytics/{analysis.pk}/upload/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("bad.csv", b"service,received_at,latitude,longitude\nfire,soon,1,1\n")
    page = client.post(f"/analytics/{analysis.pk}/upload/", {"file": bad})
    assert page.status_code == 200
    assert "Nothing was stored" in page.content.decode()
    assert "bad.csv" in page.content.decode()
    good = SimpleUploadedFile("lincoln.csv", csv_bytes())
    client.post(f"/analytics/{analysis.pk}/upload/", {"file": good})
    assert analysis.files.get().name == "lincoln.csv"
    client.post(f"/analytics/{analysis.pk}/run/")
    analysis.refresh_from_db()
    assert analysis.state == State.DONE and analysis.run_by == partner_user


def test_with_a_worker_the_page_only_queues_and_shows_progress(
    client: Client, collaboration: Any, owner: Any, settings: Any
) -> None:
    settings.ANALYTICS_WORKER = True
    analysis = make_analysis(collaboration, owner, run=False)
    _as(client, owner).post(f"/analytics/{analysis.pk}/run/")
    analysis.refresh_from_db()
    assert analysis.state == State.QUEUED
    html = client.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "data-accord-progress" in html and "analytics/progress.js" in html
    assert "<script>" not in html  # no inline script: the page obeys the CSP
    progress = json.loads(client.get(f"/analytics/{analysis.pk}/progress/").content)
    assert progress["state"] == "queued" and progress["working"] is True


def test_readers_and_outsiders_may_not_change_an_analysis(
    client: Client, collaboration: Any, owner: Any, colleague: Any
) -> None:
    analysis = make_analysis(collaboration, owner, run=False)
    _as(client, colleague)
    assert client.get(f"/analytics/c/{collaboration.reference}/new/").status_code == 403
    assert client.get(f"/analytics/{analysis.pk}/upload/").status_code == 403
    assert client.post(f"/analytics/{analysis.pk}/run/").status_code == 403
    item = analysis.files.get()
    assert client.post(f"/analytics/{analysis.pk}/files/{item.pk}/remove/").status_code == 403
    analysis.refresh_from_db()
    assert analysis.state == State.DRAFT


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_exports(client: Client, analysis: Any, colleague: Any, fmt: str) -> None:
    answer = _as(client, colleague).get(f"/analytics/{analysis.pk}/export/?format={fmt}")
    assert answer.status_code == 200
    if fmt == "json":
        data = json.loads(answer.content)
        assert data["result"]["joint_incidents"] == 3
        assert data["protective_marking"]
    elif fmt == "csv":
        text = answer.content.decode("utf-8-sig")
        assert text.startswith("section,item,measure,value")
        assert "category_pairs" in text


def test_the_panel_on_the_collaboration_page(
    client: Client, analysis: Any, owner: Any, outsider: Any
) -> None:
    html = _as(client, owner).get(f"/collaborations/{analysis.collaboration.reference}/")
    text = html.content.decode()
    assert 'id="analytics"' in text and f"/analytics/{analysis.pk}/" in text
    assert "Analyse incident records" in text


def test_the_cost_is_added_as_a_benefit_line_to_the_appraisal(
    client: Client, analysis: Any, owner: Any, colleague: Any
) -> None:
    from accord.appraisal import services as appraisal_services

    appraisal_services.load_unit_cost_library("test")
    record = make_appraisal(analysis.collaboration)
    fire = appraisal_services.unit_cost_library().get(name="Fire: dwelling fire")
    _as(client, owner)
    page = client.get(f"/analytics/{analysis.pk}/?price_year=2016&cost_fire={fire.pk}")
    assert page.status_code == 200
    assert 'id="benefit-form"' in page.content.decode()
    post = {"appraisal": record.pk, "from_year": 1, "cost_fire": fire.pk}
    # A reader may not.
    _as(client, colleague)
    assert client.post(f"/analytics/{analysis.pk}/benefit/", post).status_code == 403
    _as(client, owner)
    answer = client.post(f"/analytics/{analysis.pk}/benefit/", post)
    assert answer.status_code == 302 and answer["Location"] == f"/appraisals/{record.pk}/"
    record.refresh_from_db()
    assert record.version == 2
    assert "Duplicated attendance avoided" in record.yaml_text
    assert AuditEvent.objects.filter(action="appraisal.update.analytics").count() == 1
    line = appraisal_services.stored_appraisal(record).benefits[-1]
    assert line.amounts is not None and line.amounts[0] == 0.0
    # Three duplicated fire attendances over three days with records, for a year.
    uplifted = appraisal_services.uplifted(
        fire.value, fire.price_year, record.price_year, appraisal_services.deflator_table()
    )
    assert uplifted is not None
    assert line.amounts[1] == pytest.approx(round(uplifted * 3 * 365 / 3, 2))


def test_costing_defaults_to_the_librarys_ambulance_call_out(
    client: Client, collaboration: Any, owner: Any
) -> None:
    from accord.appraisal import services as appraisal_services

    appraisal_services.load_unit_cost_library("test")
    rows = [
        ("f1", "fire", "2024-03-04 10:00:00", "53.2300", "-0.5400", "Fire"),
        ("a1", "ambulance", "2024-03-04 10:05:00", "53.2301", "-0.5401", "Burns"),
    ]
    analysis = make_analysis(collaboration, owner, files=[("x.csv", csv_bytes(rows))])
    html = _as(client, owner).get(f"/analytics/{analysis.pk}/").content.decode()
    assert "Ambulance: call-out seen at the scene" in html
    assert 'data-figure="cost_total">£0.00<' not in html


def test_an_administrator_runs_an_analysis_whose_files_they_may_not_see(
    client: Client, collaboration: Any, owner: Any, platform_admin: Any
) -> None:
    analysis = make_analysis(collaboration, owner, run=False)
    html = _as(client, platform_admin).get(f"/analytics/{analysis.pk}/").content.decode()
    assert 'id="run"' in html and "incidents.csv" not in html
    assert "seen only by their uploaders' organisations" in html
    client.post(f"/analytics/{analysis.pk}/run/")
    analysis.refresh_from_db()
    assert analysis.state == State.DONE and analysis.run_by == platform_admin
