"""/insights/: the national picture, drawn from what each person may see."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.support.factories import DutyReviewFactory

from accord.core.actors import SystemActor
from accord.insights import queries, services
from accord.insights.population import read_population
from accord.orgs import importers as org_importers
from accord.orgs import services as orgs
from accord.orgs.models import Area
from accord.register import queries as register_queries
from accord.register import services as register

pytestmark = pytest.mark.django_db

LINCS_POLICE, HUMBERSIDE, HAMPSHIRE = "E23000020", "E23000012", "E23000030"
ACTOR = SystemActor("test")


def square(x: float, y: float) -> dict[str, Any]:
    """A small square, counter-clockwise as GeoJSON writes it."""
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.5, y], [x + 0.5, y + 0.5], [x, y + 0.5], [x, y]]],
    }


@pytest.fixture
def areas(db: Any) -> None:
    orgs.load_reference_areas(actor=ACTOR)
    rows = [
        org_importers.BoundaryRow(code, code, "police_force_area", square(i, 52))
        for i, code in enumerate((LINCS_POLICE, HUMBERSIDE, HAMPSHIRE))
    ]
    orgs.import_boundaries(rows, actor=ACTOR)
    # Illustrative populations (round numbers for hand-worked rates, not ONS's figures).
    services.import_population(
        read_population(b"year,Lincolnshire,Humberside,Hampshire\n2019,200000,100000,400000\n"),
        actor=ACTOR,
        filename="test.csv",
    )


@pytest.fixture
def world(areas: None, make_collaboration: Callable[..., Any]) -> dict[str, Any]:
    """P: public, Lincolnshire Police and Lincolnshire Fire, tri-service with EMAS, started
    2018. S: partners only (Lincolnshire Fire leads, EMAS), recorded in Humberside, started
    2021, reviewed last month: the owner (Lincolnshire Fire) sees it, the outsider (Hampshire
    Police) does not."""
    public = make_collaboration(
        "Tri-service station",
        partners=(("E23000020", "lead"), ("E31000025", "partner"), ("RX9", "partner")),
        visibility="public",
        nature="shared_estates",
        started_on=dt.date(2018, 4, 1),
    )
    secret = make_collaboration(
        "Partners' pilot",
        visibility="partners",
        areas=[Area.objects.get(code=HUMBERSIDE)],
        started_on=dt.date(2021, 1, 1),
    )
    DutyReviewFactory(collaboration=secret, considered_on=dt.date.today() - dt.timedelta(days=30))
    return {"public": public, "secret": secret}


def page(client: Client, user: Any = None, **params: str) -> Any:
    if user is not None:
        client.force_login(user)
    response = client.get("/insights/", params)
    assert response.status_code == 200
    return response


def counts(response: Any) -> dict[str, int]:
    """Each area's collaborations, as the table shows them."""
    html = response.content.decode()
    found = {}
    for code, count in re.findall(
        r'id="area-(\w+)">\s*<td[^>]*>.*?</td>\s*<td[^>]*data-sort-value="(\d+)"', html, re.S
    ):
        found[code] = int(count)
    return found


def test_the_figures_differ_exactly_by_the_record_one_may_see(
    world: dict[str, Any], owner: Any, outsider: Any
) -> None:
    seen_by_owner = counts(page(Client(), owner))
    seen_by_outsider = counts(page(Client(), outsider))
    assert len(seen_by_owner) == 43
    difference = {
        code: seen_by_owner[code] - seen_by_outsider[code]
        for code in seen_by_owner
        if seen_by_owner[code] != seen_by_outsider[code]
    }
    # S touches Humberside (recorded) only: its partners are a fire service and an ambulance
    # trust, whose areas are not police force areas.
    assert difference == {HUMBERSIDE: 1}
    assert seen_by_owner[LINCS_POLICE] == seen_by_outsider[LINCS_POLICE] == 1
    owner_picture = queries.picture(owner)
    outsider_picture = queries.picture(outsider)
    assert owner_picture.collaborations - outsider_picture.collaborations == 1
    # Humberside's rate: 1 per 100,000 people (1 × 100,000 / 100,000) for the owner, 0 else.
    humberside = {a.code: a for a in owner_picture.now.areas}[HUMBERSIDE]
    assert humberside.rate == pytest.approx(1.0)
    assert humberside.reviewed
    assert {a.code: a for a in outsider_picture.now.areas}[HUMBERSIDE].rate == 0
    # The review is the owner's only: one fewer area without a review.
    assert outsider_picture.now.no_review - owner_picture.now.no_review == pytest.approx(1 / 43)
    # Year by year: from 2021 on, S is among the owner's collaborations and not the outsider's.
    owner_years = {y.year: y.collaborations for y in owner_picture.years}
    outsider_years = {y.year: y.collaborations for y in outsider_picture.years}
    assert owner_years[2020] == outsider_years[2020] == 1
    assert owner_years[2021] - outsider_years[2021] == 1


def test_the_public_page_is_drawn_from_public_records_only(
    world: dict[str, Any], platform_admin: Any
) -> None:
    anonymous = page(Client())
    assert "published as public records" in anonymous.content.decode()
    assert counts(anonymous)[HUMBERSIDE] == 0
    assert queries.picture(None).collaborations == 1
    assert counts(page(Client(), platform_admin))[HUMBERSIDE] == 1


@pytest.mark.parametrize("who", ["anonymous", "owner", "outsider", "platform_admin"])
def test_each_area_counts_what_the_register_lists_when_filtered_to_it(
    world: dict[str, Any], who: str, request: Any
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    shown = counts(page(Client(), user))
    visible = register.visible_collaborations(user)
    for code, count in shown.items():
        listed = register_queries.apply_filters(visible, {"place": code}).count()
        assert count == listed, code


def test_each_area_links_to_the_register_filtered_to_it(world: dict[str, Any], owner: Any) -> None:
    html = page(Client(), owner, measure="mix:tri_service").content.decode()
    assert f'href="/collaborations/?place={LINCS_POLICE}&amp;mix=tri_service"' in html
    client = Client()
    client.force_login(owner)
    listed = client.get("/collaborations/", {"place": LINCS_POLICE, "mix": "tri_service"})
    assert "Tri-service station" in listed.content.decode()


def test_the_map_embeds_its_boundaries_shaded_by_the_chosen_measure(
    world: dict[str, Any], owner: Any
) -> None:
    html = page(Client(), owner, measure="status:operational").content.decode()
    spec = json.loads(
        re.search(
            r'<script id="national-map-spec" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    features = spec["data"]["values"]
    assert {f["id"] for f in features} == {LINCS_POLICE, HUMBERSIDE, HAMPSHIRE}
    humberside = next(f for f in features if f["id"] == HUMBERSIDE)
    assert humberside["properties"]["value"] == 1
    assert humberside["properties"]["href"] == (
        f"/collaborations/?place={HUMBERSIDE}&status=operational"
    )
    assert spec["layer"][0]["mark"]["type"] == "geoshape"
    # Wound for d3-geo: the exterior ring clockwise (GeoJSON's was counter-clockwise).
    ring = humberside["geometry"]["coordinates"][0]
    assert sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) < 0
    # No inline script: only data, and the page's scripts by address.
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_measures_are_on_the_page_with_their_formulas(world: dict[str, Any], owner: Any) -> None:
    html = page(Client(), owner).content.decode()
    for text in (
        "Coefficient of variation",
        "CV = σ / μ",
        "G = Σᵢ Σⱼ | rᵢ − rⱼ | / (2 n² μ)",
        "Areas with no tri-service collaboration",
        "Areas with no duty-to-collaborate review in the last 12 months",
        "Areas with no collaboration of each nature",
        'id="consistency-years-spec"',
    ):
        assert text in html, text
    # Rates for three areas (Lincolnshire 0.5, Humberside 1.0, Hampshire 0): mean 0.5,
    # Gini (−2×0 + 0×0.5 + 2×1) / (3 × 1.5) = 0.44.
    now = queries.picture(owner).now
    assert now.rated == 3
    assert now.gini == pytest.approx(2 / 4.5)
    assert "0.44" in html


def test_an_unknown_measure_shades_by_the_rate(areas: None) -> None:
    html = page(Client(), measure="nonsense").content.decode()
    assert '<option value="rate" selected>' in html


def test_without_boundaries_or_populations_the_page_says_how_to_load_them(db: Any) -> None:
    orgs.load_reference_areas(actor=ACTOR)
    html = page(Client()).content.decode()
    assert 'id="no-boundaries"' in html
    assert "accord import population FILE" in html


def test_the_picture_is_kept_until_the_register_changes(
    world: dict[str, Any],
    owner: Any,
    make_collaboration: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    client = Client()
    client.force_login(owner)
    page(client)
    with django_assert_max_num_queries(8):
        page(client)
    make_collaboration("Another", areas=[Area.objects.get(code=HAMPSHIRE)])
    assert counts(page(client))[HAMPSHIRE] == 1


def test_the_real_boundaries_payload(shared_data: Path, db: Any) -> None:
    """ONS's 43 force areas: simplified and rounded on the server, the map's data is well under
    half the stored boundaries."""
    rows = org_importers.read_boundaries(
        (shared_data / "police_force_areas_2020.geojson").read_bytes()
    )
    orgs.import_boundaries(rows, actor=ACTOR)
    features = queries.map_features()
    assert len(features) == 43
    stored = len(json.dumps([r.geometry for r in rows], separators=(",", ":")))
    sent = len(json.dumps(features, separators=(",", ":")))
    assert sent < 0.45 * stored
    assert sent < 80_000


def test_the_resilience_forums_are_a_second_layer_when_asked(areas: None) -> None:
    forum = org_importers.BoundaryRow("E48000001", "Test Forum", "lrf", square(0, 52))
    orgs.import_boundaries([forum], actor=ACTOR)

    def map_of(html: str) -> dict[str, Any]:
        found = re.search(
            r'<script id="national-map-spec" type="application/json">(.*?)</script>', html, re.S
        )
        assert found is not None
        return json.loads(found.group(1))

    assert len(map_of(page(Client()).content.decode())["layer"]) == 2
    html = page(Client(), forums="1").content.decode()
    layers = map_of(html)["layer"]
    assert len(layers) == 3
    assert [f["properties"]["name"] for f in layers[2]["data"]["values"]] == ["Test Forum"]
    assert layers[2]["mark"]["filled"] is False
    assert 'id="forums" name="forums" type="checkbox" value="1" checked' in html


def test_a_kind_of_collaboration_per_100000_people(world: dict[str, Any], owner: Any) -> None:
    html = page(Client(), owner, measure="mix:tri_service", per="1").content.decode()
    found = re.search(
        r'<script id="national-map-spec" type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None
    spec = json.loads(found.group(1))
    values = {f["id"]: f["properties"] for f in spec["data"]["values"]}
    # Lincolnshire: 1 tri-service collaboration × 100,000 / 200,000 people = 0.5.
    assert values[LINCS_POLICE]["value"] == pytest.approx(0.5)
    assert values[LINCS_POLICE]["href"] == f"/collaborations/?place={LINCS_POLICE}&mix=tri_service"
    assert values[HUMBERSIDE]["value"] == 0
    assert "Tri-service collaborations per 100,000 people, by police force area" in html
    assert 'id="per" name="per" type="checkbox" value="1" checked' in html
    row = re.search(rf'id="area-{LINCS_POLICE}">.*?</tr>', html, re.S)
    assert row is not None
    assert 'data-sort-value="0.500000">0.50</td>' in row.group(0)


def test_none_of_each_nature_year_by_year(world: dict[str, Any], owner: Any) -> None:
    html = page(Client(), owner).content.decode()
    table = re.search(r'<table[^>]*id="natures-by-year".*?</table>', html, re.S)
    assert table is not None
    row = re.search(r"Shared estates</th>(.*?)</tr>", table.group(0), re.S)
    assert row is not None
    cells = re.findall(r">([^<]*)</td>", row.group(1))
    # From 2018 (its first year) the public station touches Lincolnshire: 42 of 43 areas have
    # no shared estates collaboration (98%).
    assert cells[0] == "98%"
    series = {y.year: y for y in queries.picture(owner).years}
    assert series[2018].consistency.no_nature["shared_estates"] == pytest.approx(42 / 43)
    assert series[2021].consistency.no_nature["co_responding"] == pytest.approx(42 / 43)
    assert series[2020].consistency.no_nature["co_responding"] == 1.0
