"""Places that work: the shipped force and fire authority areas, loaded by `accord import
organisations` and the demo, and the register's place filter, which takes a code or a name in
any case and answers a near miss with the places it might mean."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accord.cli import main as accord
from accord.core.models import AuditEvent
from accord.core.problems import Problems
from accord.orgs import importers, services
from accord.orgs.models import Area, Organisation

pytestmark = pytest.mark.django_db

AREAS_FILE = services.REFERENCE_AREAS_FILE


def _shipped_rows() -> list[dict[str, str]]:
    with AREAS_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _titles(response: Any) -> list[str]:
    return [c.title for c in response.context["page"].object_list]


@pytest.fixture
def places() -> int:
    return services.load_reference_areas(actor="test")


# The shipped areas ---------------------------------------------------------------------------


def test_the_shipped_areas_are_every_force_and_fire_authority_area_and_no_other() -> None:
    rows = _shipped_rows()
    kinds = {(r["code"][:3], r["kind"]) for r in rows}
    assert kinds == {
        ("E23", "police_force_area"),
        ("W15", "police_force_area"),
        ("E31", "fire_authority_area"),
        ("W25", "fire_authority_area"),
    }
    assert sum(r["kind"] == "police_force_area" for r in rows) == 43
    assert sum(r["kind"] == "fire_authority_area" for r in rows) == 47
    # Each is the area a shipped force or fire authority serves: the same code.
    forces_and_fire = set(
        Organisation.objects.filter(kind__in=["police_force", "fire_authority"]).values_list(
            "code", flat=True
        )
    )
    assert {r["code"] for r in rows} == forces_and_fire


def test_the_shipped_areas_have_the_codes_of_the_ons_lookup(shared_data: Path) -> None:
    """Derived from the ONS lookup (its codes), not copied from it: names are Accord's own
    where the lookup's read badly ("London, City of", "Devon & Cornwall")."""
    with (shared_data / "lad24_pfa_fra.csv").open(encoding="utf-8-sig") as handle:
        lookup = list(csv.DictReader(handle))
    ons = {r["pfa24_code"] for r in lookup} | {r["fra24_code"] for r in lookup}
    assert {r["code"] for r in _shipped_rows()} == ons
    names = {r["code"]: r["name"] for r in _shipped_rows()}
    assert names["E23000034"] == "City of London"
    assert names["E23000035"] == "Devon and Cornwall"
    assert names["E31000046"] == "Greater London"


def test_the_areas_file_names_its_source() -> None:
    readme = (AREAS_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "areas.csv" in readme
    assert "lad24_pfa_fra.csv" in readme and "Open Government Licence" in readme


def test_loading_the_areas_creates_each_once_links_the_organisations_and_audits_it(
    places: int,
) -> None:
    assert places == 90
    assert Area.objects.filter(kind="police_force_area").count() == 43
    assert Area.objects.filter(kind="fire_authority_area").count() == 47
    lincs_fire = Organisation.objects.get(code="E31000025")
    assert lincs_fire.area is not None and lincs_fire.area.name == "Lincolnshire"
    unlinked = Organisation.objects.filter(
        kind__in=["police_force", "fire_authority"], area__isnull=True
    )
    assert list(unlinked) == []
    assert AuditEvent.objects.filter(action="area.create").count() == 90
    # Again: nothing changes, nothing doubles.
    assert services.load_reference_areas(actor="test") == 0
    assert Area.objects.count() == 90


def test_loading_again_restores_a_renamed_area_and_says_who(places: int) -> None:
    Area.objects.filter(code="E23000020").update(name="Lincs")
    assert services.load_reference_areas(actor="operator@accord.test") == 1
    assert Area.objects.get(code="E23000020").name == "Lincolnshire"
    event = AuditEvent.objects.get(action="area.update")
    assert event.before == {"name": "Lincs", "kind": "police_force_area"}
    assert event.actor_label == "operator@accord.test"


def test_loading_keeps_what_an_ons_lookup_put_the_areas_within(shared_data: Path) -> None:
    assert accord(["import", "areas", str(shared_data / "lad24_pfa_fra.csv")]) == 0
    services.load_reference_areas(actor="test")
    boston = Area.objects.get(code="E07000136")
    assert set(boston.within.values_list("code", flat=True)) >= {"E23000020", "E31000025"}


def test_import_organisations_loads_the_areas_too(capsys: Any) -> None:
    assert accord(["import", "organisations"]) == 0
    out = capsys.readouterr().out
    assert "Reference areas (police force and fire authority areas): 90 created or updated." in out
    assert Area.objects.count() == 90


def test_the_demo_loads_the_areas() -> None:
    from accord import demo

    demo.load(password="demo-password-for-tests")
    assert Area.objects.filter(kind="police_force_area").count() == 43
    assert Organisation.objects.get(code="E23000020").area.code == "E23000020"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,name,kind\nE23000020,Lincolnshire,county\n", "line 2, column kind: 'county'"),
        ("code,name,kind\nE23000020,,police_force_area\n", "line 2, column name: is required"),
        ("code,name,kind\nlincs,Lincolnshire,police_force_area\n", "'lincs' is not an area code"),
        (
            "code,name,kind\nE23000020,A,police_force_area\nE23000020,B,police_force_area\n",
            "line 3, column code: E23000020 repeats line 2",
        ),
        ("code,title\nE23000020,Lincolnshire\n", "line 1, column name: the header has no"),
    ],
)
def test_a_bad_areas_file_names_each_problem_and_loads_nothing(
    tmp_path: Path, text: str, problem: str
) -> None:
    bad = tmp_path / "areas.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(Problems) as refused:
        services.load_reference_areas(bad)
    assert any(problem in str(p) for p in refused.value.problems), refused.value.problems
    assert Area.objects.count() == 0


def test_read_areas_reads_the_shipped_file() -> None:
    rows = importers.read_areas(AREAS_FILE.read_bytes(), AREAS_FILE.name)
    assert len(rows) == 90 and rows[0].code == "E23000001"


# The place filter ----------------------------------------------------------------------------


@pytest.fixture
def pilots(places: int, make_collaboration: Any) -> None:
    # Lincolnshire Fire leads the first; Hampshire's police the second; Devon and Cornwall's
    # the third.
    make_collaboration("Lincolnshire pilot", visibility="public")
    make_collaboration("Hampshire pilot", visibility="public", partners=(("E23000030", "lead"),))
    make_collaboration("Peninsula pilot", visibility="public", partners=(("E23000035", "lead"),))


@pytest.mark.parametrize("typed", ["E31000025", "e31000025", " E31000025 "])
def test_the_place_filter_takes_an_areas_code_in_any_case(
    client: Client, pilots: None, typed: str
) -> None:
    assert _titles(client.get("/collaborations/", {"place": typed})) == ["Lincolnshire pilot"]


@pytest.mark.parametrize("typed", ["Lincolnshire", "lincolnshire", "LINCOLNSHIRE  "])
def test_the_place_filter_takes_a_name_in_any_case(
    client: Client, pilots: None, typed: str
) -> None:
    # Lincolnshire is a police force area and a fire authority area: both count.
    assert _titles(client.get("/collaborations/", {"place": typed})) == ["Lincolnshire pilot"]


def test_a_name_two_areas_share_finds_what_either_serves(
    client: Client, places: int, make_collaboration: Any
) -> None:
    make_collaboration("Fire's", visibility="public", partners=(("E31000025", "lead"),))
    make_collaboration("Police's", visibility="public", partners=(("E23000020", "lead"),))
    assert _titles(client.get("/collaborations/", {"place": "Lincolnshire"})) == [
        "Fire's",
        "Police's",
    ]
    assert _titles(client.get("/collaborations/", {"place": "E23000020"})) == ["Police's"]


@pytest.mark.parametrize("typed", ["Devon and Cornwall", "Devon & Cornwall", "devon &  cornwall"])
def test_and_and_an_ampersand_are_the_same_in_a_place_name(
    client: Client, pilots: None, typed: str
) -> None:
    assert _titles(client.get("/collaborations/", {"place": typed})) == ["Peninsula pilot"]


def test_a_collaboration_recorded_in_an_area_is_found_there(
    client: Client, places: int, make_collaboration: Any
) -> None:
    make_collaboration(
        "Recorded in Kent",
        visibility="public",
        partners=(("E23000030", "lead"),),
        areas=[Area.objects.get(code="E31000022")],
    )
    assert _titles(client.get("/collaborations/", {"place": "Kent"})) == ["Recorded in Kent"]


def test_a_district_finds_what_its_force_and_fire_authority_do(
    client: Client, pilots: None, shared_data: Path
) -> None:
    assert accord(["import", "areas", str(shared_data / "lad24_pfa_fra.csv")]) == 0
    assert _titles(client.get("/collaborations/", {"place": "Boston"})) == ["Lincolnshire pilot"]


def test_a_near_miss_is_answered_with_the_place_it_might_mean(client: Client, pilots: None) -> None:
    response = client.get("/collaborations/", {"place": "Lincs"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No place called “Lincs”. Did you mean Lincolnshire?" in page
    assert response.context["form"].errors["place"] == [
        "No place called “Lincs”. Did you mean Lincolnshire?"
    ]
    # The suggestion is a link to the list filtered by it.
    assert 'href="?place=Lincolnshire">Lincolnshire</a>' in page
    assert "<title>Error: Collaborations" in page


def test_an_unknown_place_leaves_the_other_filters_working(client: Client, pilots: None) -> None:
    response = client.get("/collaborations/", {"place": "Atlantis", "q": "Hampshire"})
    assert _titles(response) == ["Hampshire pilot"]
    assert "No place called “Atlantis”." in response.content.decode()


def test_an_unknown_place_leaves_the_export_unfiltered_by_place_too(
    client: Client, pilots: None
) -> None:
    body = b"".join(
        client.get("/collaborations/export/", {"place": "Atlantis", "format": "csv"})
    ).decode()
    assert "Hampshire pilot" in body and "Lincolnshire pilot" in body


def test_the_place_filter_shows_a_partners_record_to_a_partner_only(
    client: Client, places: int, make_collaboration: Any, outsider: Any, owner: Any
) -> None:
    make_collaboration("Partners' Lincolnshire pilot")  # partners only
    assert _titles(client.get("/collaborations/", {"place": "Lincolnshire"})) == []
    client.force_login(outsider)
    assert _titles(client.get("/collaborations/", {"place": "Lincolnshire"})) == []
    client.force_login(owner)
    assert _titles(client.get("/collaborations/", {"place": "Lincolnshire"})) == [
        "Partners' Lincolnshire pilot"
    ]
