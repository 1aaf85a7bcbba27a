"""KPI measurements out to CSV, XLSX and JSON: what the person may see, labels beside codes,
formula injection neutralised in the spreadsheets, and the protective marking."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.kpis.kpi_pages_helpers import make_kpi

from accord.kpis import exports

pytestmark = pytest.mark.django_db

ATTACK = '=HYPERLINK("https://example.com","click")'


def _get(client: Client, query: str) -> bytes:
    response: Any = client.get(f"/kpis/export/?{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def kpis(collaboration: Any, make_collaboration: Any) -> dict[str, Any]:
    hidden = make_kpi(
        collaboration,
        [480.25, 470.5],
        indicator_title="Category 1 mean",
        indicator_unit="seconds",
        indicator_direction="decrease",
        notes={1: ATTACK},
    )
    public = make_kpi(
        make_collaboration("Open pilot", visibility="public"),
        [12.0],
        organisation=None,
        indicator_title="Prevention visits",
    )
    return {"hidden": hidden, "public": public}


def test_the_csv_holds_each_point_with_labels_beside_codes(
    client: Client, colleague: Any, kpis: dict[str, Any], settings: Any
) -> None:
    client.force_login(colleague)
    body = _get(client, "format=csv")
    header = body.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == list(exports.COLUMNS)
    # The import's columns first, so that an edited file imports again.
    assert header[:7] == [
        "indicator",
        "indicator_title",
        "organisation",
        "organisation_name",
        "period",
        "value",
        "note",
    ]
    rows = _rows(body)
    assert len(rows) == 3
    first = next(r for r in rows if r["period"] == "2018-01" and r["unit"] == "seconds")
    assert first["indicator"] == kpis["hidden"].indicator.key
    assert first["indicator_title"] == "Category 1 mean"
    assert first["organisation"] == "RX9" and "East Midlands" in first["organisation_name"]
    assert first["value"] == "480.25"
    assert first["unit_label"] == "Seconds" and first["direction_label"] == "Lower is better"
    assert first["source"] == "entered" and first["source_label"] == "Entered"
    assert first["protective_marking"] == settings.PROTECTIVE_MARKING
    whole = next(r for r in rows if r["indicator_title"] == "Prevention visits")
    assert (
        whole["organisation"] == "" and whole["organisation_name"] == "The collaboration as a whole"
    )
    assert whole["protective_marking"] == settings.PUBLIC_MARKING


def test_formula_injection_is_neutralised_in_csv_and_xlsx_but_kept_in_json(
    client: Client, colleague: Any, kpis: dict[str, Any]
) -> None:
    client.force_login(colleague)
    notes = [r["note"] for r in _rows(_get(client, "format=csv"))]
    assert "'" + ATTACK in notes and ATTACK not in notes
    workbook = load_workbook(io.BytesIO(_get(client, "format=xlsx")))
    sheet = workbook.worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'" + ATTACK in cells and ATTACK not in cells
    records = json.loads(_get(client, "format=json"))["records"]
    assert ATTACK in [r["note"] for r in records]


def test_the_files_are_marked_as_the_highest_of_their_collaborations(
    client: Client, colleague: Any, outsider: Any, kpis: dict[str, Any], settings: Any
) -> None:
    client.force_login(colleague)
    document = json.loads(_get(client, "format=json"))
    assert document["protective_marking"] == settings.PROTECTIVE_MARKING
    assert document["count"] == 3
    workbook = load_workbook(io.BytesIO(_get(client, "format=xlsx")))
    about = workbook["About"]
    assert about["B1"].value == settings.PROTECTIVE_MARKING
    header = workbook.worksheets[0].oddHeader
    assert header is not None and settings.PROTECTIVE_MARKING in str(header.center.text)
    # Only public records: the public marking.
    client.force_login(outsider)
    document = json.loads(_get(client, "format=json"))
    assert document["protective_marking"] == settings.PUBLIC_MARKING
    assert [r["indicator_title"] for r in document["records"]] == ["Prevention visits"]


def test_the_json_keeps_numbers_at_full_precision(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    make_kpi(collaboration, [0.1 + 0.2], indicator_title="Precise")
    client.force_login(colleague)
    (record,) = json.loads(_get(client, "format=json"))["records"]
    assert record["value"] == 0.1 + 0.2 and record["period"] == "2018-01"


def test_the_export_follows_the_portfolios_filters(
    client: Client, colleague: Any, kpis: dict[str, Any]
) -> None:
    client.force_login(colleague)
    reference = kpis["hidden"].collaboration.reference
    rows = _rows(_get(client, f"collaboration={reference}&format=csv"))
    assert {r["collaboration"] for r in rows} == {reference}
    rows = _rows(_get(client, "organisation=whole&format=csv"))
    assert [r["indicator_title"] for r in rows] == ["Prevention visits"]
    rows = _rows(_get(client, "status=stale&format=csv"))
    assert len(rows) == 3  # both end in 2018
    assert _rows(_get(client, "status=met&format=csv")) == []


def test_an_unknown_format_is_not_found(client: Client) -> None:
    assert client.get("/kpis/export/?format=pdf").status_code == 404


def test_published_figures_are_exported_as_the_chart_shows_them(
    client: Client, colleague: Any, collaboration: Any, shared_data: Any
) -> None:
    from accord.core.actors import SystemActor
    from accord.kpis import library, services
    from accord.kpis.models import Indicator

    actor = SystemActor("test")
    services.load_library(actor, library.shipped_text(), "shipped")
    path = shared_data / "ambsys_2017-08_to_2019-12.csv"
    services.import_ambsys(actor, path.read_bytes(), path.name)
    make_kpi(collaboration, indicator=Indicator.objects.get(published_column="A25"))
    client.force_login(colleague)
    rows = _rows(_get(client, "format=csv"))
    first = rows[0]
    assert (first["period"], first["value"], first["source"]) == ("2017-08", "480.0", "ambsys")
    assert first["source_label"] == "NHS England AmbSYS"


def _published_kpi(collaboration: Any, shared_data: Any) -> Any:
    from accord.core.actors import SystemActor
    from accord.kpis import library, services
    from accord.kpis.models import Indicator

    actor = SystemActor("test")
    services.load_library(actor, library.shipped_text(), "shipped")
    path = shared_data / "ambsys_2017-08_to_2019-12.csv"
    services.import_ambsys(actor, path.read_bytes(), path.name)
    return make_kpi(collaboration, indicator=Indicator.objects.get(published_column="A25"))


def test_englands_series_is_exported_beside_a_published_kpi(
    client: Client, colleague: Any, collaboration: Any, shared_data: Any
) -> None:
    from accord.kpis import queries

    adoption = _published_kpi(collaboration, shared_data)
    make_kpi(collaboration, [3.0], indicator_title="Prevention visits")
    client.force_login(colleague)
    rows = _rows(_get(client, "format=csv"))
    national = [r for r in rows if r["series"] == "england"]
    own = [r for r in rows if r["series"] == "kpi" and r["indicator"] == adoption.indicator.key]
    expected = queries.comparator(adoption)
    assert len(national) == len(expected) == 29 and len(own) == 29
    assert {(r["organisation"], r["organisation_name"]) for r in national} == {("Eng", "England")}
    assert {r["series_label"] for r in national} == {"England (national comparator)"}
    assert {r["indicator"] for r in national} == {adoption.indicator.key}
    assert [r["period"] for r in national] == [p.label for p in expected]
    assert [float(r["value"]) for r in national] == [p.value for p in expected]
    # An indicator without a national series has no England rows.
    assert not [r for r in national if r["indicator_title"] == "Prevention visits"]
    # Machine outputs keep the values as numbers, at full precision.
    records = json.loads(_get(client, "format=json"))["records"]
    england = [r for r in records if r["series"] == "england"]
    assert [r["value"] for r in england] == [p.value for p in expected]
    workbook = load_workbook(io.BytesIO(_get(client, "format=xlsx")))
    sheet = workbook.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    values = [
        row[header.index("value")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[header.index("series")] == "england"
    ]
    assert values == [p.value for p in expected]


@pytest.mark.unaudited_writes("a published national figure written as an import would")
def test_englands_figures_are_exact_and_neutralised_where_they_are_text(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    from tests.support.factories import IndicatorFactory

    from accord.kpis.choices import Source
    from accord.kpis.models import Measurement

    indicator = IndicatorFactory(published_column="A25", title=ATTACK)
    Measurement.objects.create(
        indicator=indicator,
        national=True,
        period=exports_month(),
        value=0.1 + 0.2,
        note=ATTACK,
        source=Source.AMBSYS,
    )
    make_kpi(collaboration, indicator=indicator)
    client.force_login(colleague)
    (row,) = _rows(_get(client, "format=csv"))
    assert row["series"] == "england" and row["value"] == repr(0.1 + 0.2)
    assert row["note"] == "'" + ATTACK and row["indicator_title"] == "'" + ATTACK
    (record,) = json.loads(_get(client, "format=json"))["records"]
    assert record["value"] == 0.1 + 0.2 and record["note"] == ATTACK
    sheet = load_workbook(io.BytesIO(_get(client, "format=xlsx"))).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'" + ATTACK in cells and ATTACK not in cells
    # A number in the workbook (openpyxl writes 16 significant digits, more than Excel shows).
    assert pytest.approx(0.1 + 0.2, rel=1e-15) in [c for c in cells if isinstance(c, float)]


def exports_month() -> Any:
    import datetime as dt

    return dt.date(2019, 3, 1)


def test_an_exported_file_imports_again_leaving_out_what_was_not_entered(
    client: Client, owner: Any, collaboration: Any, make_collaboration: Any, shared_data: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accord.kpis.models import Measurement

    published = _published_kpi(collaboration, shared_data)
    entered = make_kpi(collaboration, [5.0, 6.0], indicator_title="Gain entry jobs")
    client.force_login(owner)
    body = _get(client, f"collaboration={collaboration.reference}&format=csv")
    text = body.decode("utf-8-sig").replace(",6.0,", ",7.5,")
    before = Measurement.objects.count()
    response = client.post(
        f"/kpis/c/{collaboration.reference}/import/",
        {"file": SimpleUploadedFile("kpis.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # The edited figure is changed; nothing published or England's became an entered figure.
    assert Measurement.objects.count() == before
    assert sorted(entered.measurements.values_list("value", flat=True)) == [5.0, 7.5]
    assert not published.measurements.exists()
    # A row of another collaboration is refused, naming it.
    other = make_collaboration("Another")
    wrong = text.replace(f",{collaboration.reference},", f",{other.reference},", 1)
    page = client.post(
        f"/kpis/c/{collaboration.reference}/import/",
        {"file": SimpleUploadedFile("kpis.csv", wrong.encode(), content_type="text/csv")},
    ).content.decode()
    assert "this row is for" in page and other.reference in page
