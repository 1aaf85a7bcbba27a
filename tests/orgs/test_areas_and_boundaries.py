import csv
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main as accord
from accord.core.problems import Problems
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
        "ltla24_code,ltla24_name,PFA24_CODE,pfa24_name\n"
        "E07000136,Boston,E23000020,Lincolnshire\n"
        "E07000137,East Lindsey,,Lincolnshire\n"
        "E07000138,,E23000020,Lincolnshire\n"
    )
    with pytest.raises(Problems) as caught:
        importers.read_lookup(bad.read_bytes(), "bad.csv")
    # Every problem at once, each naming the file, the line, the column (as the file spells
    # it) and the reason.
    assert caught.value.problems == [
        "bad.csv: line 3, column PFA24_CODE: empty code",
        "bad.csv: line 4, column ltla24_name: empty name",
    ]
    first = caught.value.problems[0]
    assert (first.source, first.row, first.field, first.reason) == (
        "bad.csv",
        3,
        "PFA24_CODE",
        "empty code",
    )


def test_a_code_column_without_its_name_column_is_named_on_the_header_line() -> None:
    with pytest.raises(Problems) as caught:
        importers.read_lookup(b"lad20_code,pfa20_code,pfa20_name\nE1,E2,X\n", "l.csv")
    assert caught.value.problems == [
        "l.csv: line 1, column lad20_code: has no matching lad20_name column"
    ]


def test_boundaries_that_are_not_geojson_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Problems, match="not a GeoJSON") as caught:
        importers.read_boundaries(b"\n not json", "x.geojson")
    assert caught.value.problems == [
        "x.geojson: line 2, column 2: not a GeoJSON file (Expecting value)"
    ]
    with pytest.raises(Problems, match="Polygon") as caught:
        importers.read_boundaries(
            b'{"type":"FeatureCollection","features":[{"properties":{"code":"E23000001"},'
            b'"geometry":{"type":"Point","coordinates":[0,0]}}, 3]}',
            "x.geojson",
        )
    assert caught.value.problems == [
        "x.geojson: features[0].geometry: (E23000001) geometry must be a Polygon or MultiPolygon",
        "x.geojson: features[1]: not a GeoJSON Feature",
    ]


def test_a_bad_reference_file_names_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "organisations.csv"
    bad.write_text(
        "code,name,short_name,sector,kind,nation,website\n"
        "RX9,Renamed,,ambulance,ambulance_trust,england,\n"
        "X-NEW,,New,navy,ambulance_trust,england,\n"
        "RX9,Again,,ambulance,ambulance_trust,england,\n"
    )
    with pytest.raises(Problems) as caught:
        services.load_reference_organisations(bad)
    assert caught.value.problems == [
        "organisations.csv: line 3, column name: is required",
        "organisations.csv: line 3, column sector: 'navy' is not one of ambulance, fire, "
        "other, police",
        "organisations.csv: line 4, column code: RX9 repeats line 2",
    ]
    assert Organisation.objects.get(code="RX9").name != "Renamed"
    with pytest.raises(Problems, match="line 1, column website: the header has no such column"):
        importers.read_organisations(b"code,name,short_name,sector,kind,nation\n")
