"""`accord import population FILE`: ONS's estimates matched to the police force areas, all or
nothing, audited, with every name it cannot match reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.cli import main as accord
from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.core.problems import Problems
from accord.insights import services
from accord.insights.models import Population
from accord.insights.population import name_keys, read_population
from accord.orgs import services as orgs

pytestmark = pytest.mark.django_db

ONS_FILE = "ons_population_police_force_areas_2009_2019.csv"


@pytest.fixture
def reference_areas(db: Any) -> None:
    orgs.load_reference_areas(actor=SystemActor("test"))


def test_name_keys_read_a_force_as_people_write_it() -> None:
    assert "metropolitan" in name_keys("Metropolitan Police")
    assert "metropolitan" in name_keys("Metropolitan Police District")
    assert "metropolitan" in name_keys("Metropolitan Police Service")
    assert "city of london" in name_keys("London, City of")
    assert "devon and cornwall" in name_keys("Devon & Cornwall")
    assert name_keys("Suffolk Constabulary") >= {"suffolk constabulary", "suffolk"}
    # A name that is only a body word keeps it.
    assert name_keys("Police") == {"police"}


def test_the_ons_file_imports_every_english_force(
    shared_data: Path, reference_areas: None, capsys: Any
) -> None:
    assert accord(["import", "population", str(shared_data / ONS_FILE)]) == 0
    out = capsys.readouterr().out
    assert "Population: 429 created, 0 updated, 0 unchanged, for 39 police force areas" in out
    assert "2009 to 2019" in out
    # The file has no Welsh force: said so, not silently.
    assert "No population for: Dyfed-Powys, Gwent, North Wales, South Wales" in out
    assert Population.objects.count() == 39 * 11
    met = Population.objects.get(area__code="E23000001", year=2009)
    assert (met.population, met.source_name) == (7461878, "Metropolitan Police")
    assert Population.objects.get(area__code="E23000034", year=2009).population == 7472
    event = AuditEvent.objects.filter(action="population.import").get()
    assert event.object_type == "insights.population"
    assert event.after["created"] == 429
    assert event.after["file"] == ONS_FILE
    assert len(event.after["sha256"]) == 64
    # Again: nothing new, nothing doubled.
    assert accord(["import", "population", str(shared_data / ONS_FILE)]) == 0
    assert "0 created, 0 updated, 429 unchanged" in capsys.readouterr().out
    assert Population.objects.count() == 429


def test_matches_areas_made_by_the_boundaries_import(shared_data: Path, capsys: Any) -> None:
    # Without the reference list: the boundary file names the Met's area "Metropolitan Police"
    # and the City's "London, City of".
    assert (
        accord(["import", "boundaries", str(shared_data / "police_force_areas_2020.geojson")]) == 0
    )
    assert accord(["import", "population", str(shared_data / ONS_FILE)]) == 0
    assert Population.objects.values("area").distinct().count() == 39


def test_a_name_it_cannot_match_stops_the_import_and_is_named(
    tmp_path: Path, reference_areas: None, capsys: Any
) -> None:
    path = tmp_path / "pop.csv"
    path.write_text("year,Cleveland,Lincs,British Transport Police\n2019,567351,761224,1\n")
    assert accord(["import", "population", str(path)]) == 2
    err = capsys.readouterr().err
    assert "column Lincs: matches no police force area. Did you mean Lincolnshire?" in err
    assert "column British Transport Police: matches no police force area" in err
    assert Population.objects.count() == 0
    assert not AuditEvent.objects.filter(action="population.import").exists()
    # Told to skip them: the rest imported, the others reported and recorded.
    assert accord(["import", "population", str(path), "--skip-unmatched"]) == 0
    out = capsys.readouterr().out
    assert "Not imported: 'Lincs' matches no police force area. Did you mean Lincolnshire?" in out
    assert list(Population.objects.values_list("area__code", "year", "population")) == [
        ("E23000013", 2019, 567351)
    ]
    event = AuditEvent.objects.get(action="population.import")
    assert event.after["unmatched"] == ["British Transport Police", "Lincs"]


def test_two_columns_for_one_area_are_refused(reference_areas: None) -> None:
    rows = read_population(b"year,Metropolitan Police,Metropolitan Police Service\n2019,1,2\n")
    with pytest.raises(Problems) as caught:
        services.import_population(rows, actor=SystemActor("test"), filename="x.csv")
    assert "is Metropolitan Police District (E23000001), as column 'Metropolitan Police'" in str(
        caught.value.problems[0]
    )


def test_a_revised_figure_is_updated(reference_areas: None) -> None:
    actor = SystemActor("test")
    services.import_population(
        read_population(b"year,Cleveland\n2019,100\n"), actor=actor, filename="a.csv"
    )
    result = services.import_population(
        read_population(b"year,Cleveland Police\n2019,200\n2018,150\n"),
        actor=actor,
        filename="b.csv",
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert Population.objects.get(year=2019).population == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", "line 1, column year: the first column must be 'year'"),
        (b"county,Cleveland\n", "line 1, column year: the first column must be 'year'"),
        (b"year,Cleveland\n20x9,5\n", "line 2, column year: '20x9' is not a year"),
        (b"year,Cleveland\n2019,-5\n", "line 2, column Cleveland: '-5' is not a population"),
        (b"year,Cleveland\n2019,\n", "line 2, column Cleveland: '' is not a population"),
        (b"year,Cleveland\n2019,5,6\n", "line 2: has 3 fields; the header has 2"),
        (b"year,Cleveland\n2019,5\n2019,6\n", "line 3, column year: 2019 repeats line 2"),
        (b"year,Cleveland,cleveland\n2019,5,6\n", "line 1, column cleveland: repeats column 2"),
        (b"year,Cleveland\n", "the file has no rows"),
        (b"\xff\xfe", "not a UTF-8 CSV file"),
    ],
)
def test_bad_files_are_refused_with_where_and_why(text: bytes, expected: str) -> None:
    with pytest.raises(Problems) as caught:
        read_population(text, "pop.csv")
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems


def test_every_problem_at_once() -> None:
    with pytest.raises(Problems) as caught:
        read_population(b"year,A,B\n2019,x,y\nnope,1,2\n", "pop.csv")
    assert len(caught.value.problems) == 3


def test_import_population_help() -> None:
    with pytest.raises(SystemExit):
        accord(["import", "population", "--help"])
