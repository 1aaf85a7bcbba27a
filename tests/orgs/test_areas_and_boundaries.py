import csv
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main as accord
from accord.orgs import importers, services
from accord.orgs.models import Area, Organisation

pytestmark = pytest.mark.django_db


def test_every_force_and_fire_authority_in_the_ons_lookup_is_a_shipped_organisation(
    shared_data: Path,
) -> None:
    with (shared_data / "lad24_pfa_fra.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    codes = {r["pfa24_code"] for r in rows} | {r["fra24_code"] for r in rows}
    shipped = set(Organisation.objects.values_list("code", flat=True))
    assert codes - shipped == set()
    assert Organisation.objects.filter(kind="police_force").count() == 43
    assert Organisation.objects.filter(kind="fire_authority").count() == 47


def test_import_areas_links_districts_to_force_and_fire_areas_and_organisations(
    shared_data: Path, capsys: Any
) -> None:
    assert accord(["import", "areas", str(shared_data / "lad24_pfa_fra.csv")]) == 0
    boston = Area.objects.get(code="E07000136")
    assert boston.kind == "district"
    assert set(boston.within.values_list("code", flat=True)) == {
        "E22000173",
        "E23000020",
        "E31000025",
    }
    assert Area.objects.filter(kind="police_force_area").count() == 43
    assert Area.objects.filter(kind="fire_authority_area").count() == 47
    assert Organisation.objects.get(code="E31000025").area.code == "E31000025"
    unlinked = Organisation.objects.filter(
        kind__in=["police_force", "fire_authority"], area__isnull=True
    )
    assert list(unlinked) == []
    # Importing again changes nothing and doubles nothing.
    assert accord(["import", "areas", str(shared_data / "lad24_pfa_fra.csv")]) == 0
    assert Area.objects.filter(kind="district").count() == 318


def test_import_ambulance_lookup_links_trusts(shared_data: Path) -> None:
    rows = importers.read_lookup((shared_data / "lad20_ambulance_service.csv").read_bytes())
    services.import_areas(rows)
    assert Organisation.objects.get(code="RX9").area.kind == "ambulance_area"


def test_import_boundaries_stores_polygons(shared_data: Path) -> None:
    path = shared_data / "police_force_areas_2020.geojson"
    assert accord(["import", "boundaries", str(path)]) == 0
    met = Area.objects.get(code="E23000001")
    assert met.boundary["type"] in {"Polygon", "MultiPolygon"}
    assert Area.objects.filter(kind="police_force_area", boundary__isnull=False).count() == 43
    assert Organisation.objects.get(code="E23000001").area == met
    lrf = shared_data / "local_resilience_forums_2020.geojson"
    assert accord(["import", "boundaries", str(lrf)]) == 0
    assert Area.objects.filter(kind="lrf").count() == 42


def test_a_lookup_without_area_columns_is_refused_with_a_reason(
    tmp_path: Path, capsys: Any
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,1\n")
    assert accord(["import", "areas", str(bad)]) == 2
    assert "no area columns" in capsys.readouterr().err
    assert Area.objects.count() == 0


def test_a_lookup_with_an_empty_code_names_the_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ltla24_code,ltla24_name,pfa24_code,pfa24_name\n"
        "E07000136,Boston,E23000020,Lincolnshire\n"
        "E07000137,East Lindsey,,Lincolnshire\n"
    )
    with pytest.raises(importers.ImportProblems) as caught:
        importers.read_lookup(bad.read_bytes(), "bad.csv")
    assert caught.value.problems == ["bad.csv line 3, column pfa24_code: empty code"]


def test_boundaries_that_are_not_geojson_are_refused(tmp_path: Path) -> None:
    with pytest.raises(importers.ImportProblems, match="not a GeoJSON"):
        importers.read_boundaries(b"not json", "x.geojson")
    with pytest.raises(importers.ImportProblems, match="Polygon"):
        importers.read_boundaries(
            b'{"type":"FeatureCollection","features":[{"properties":{"code":"E23000001"},'
            b'"geometry":{"type":"Point","coordinates":[0,0]}}]}',
            "x.geojson",
        )
