"""Every read the pages offer, through the API, to exactly those the pages show it to.

For each read: someone at a partner sees it, someone elsewhere gets the 404 a missing record
gets (the same body), anonymous callers see public records only, a personal token reads as its
owner, and lists page and filter.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.api.conftest import bearer

from accord.orgs import services as people

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not Found"}


def _get(client: Client, path: str, who: Any = None, **query: Any) -> Any:
    if who is not None:
        client.force_login(who)
    return client.get(path, query)


# The register ------------------------------------------------------------------------------


def test_a_record_shows_what_its_page_does_to_a_partner(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    c = world["collaboration"]
    body = _get(client, f"/api/collaborations/{c.reference}", colleague).json()
    assert body["reference"] == c.reference
    assert [(p["code"], p["role"]) for p in body["partners"]] == [
        ("E31000025", "lead"),
        ("RX9", "partner"),
    ]
    assert body["summary"] == "Firefighters respond to medical emergencies."
    (review,) = body["reviews"]
    assert review["decision"] == "collaborate"
    assert [o["code"] for o in review["notified"]] == ["RX9"]
    # The page's sustainability risks: no champion, and an agreement nobody recorded.
    assert {"no_champion", "agreement_not_recorded"} <= {r["code"] for r in body["risks"]}
    assert body["named_organisations"] == []
    assert body["funding_amount"] is None and body["version"] == 1


def test_a_hidden_record_answers_as_a_missing_one(
    client: Client, world: dict[str, Any], outsider: Any
) -> None:
    c = world["collaboration"]
    hidden = _get(client, f"/api/collaborations/{c.reference}", outsider)
    missing = client.get("/api/collaborations/NO-SUCH-THING")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == NOT_FOUND


def test_anonymous_callers_read_public_records_only(client: Client, world: dict[str, Any]) -> None:
    assert client.get(f"/api/collaborations/{world['public'].reference}").status_code == 200
    assert client.get(f"/api/collaborations/{world['collaboration'].reference}").status_code == 404
    listed = {c["reference"] for c in client.get("/api/collaborations").json()["items"]}
    assert listed == {world["public"].reference}


def test_the_list_filters_as_the_register_page_does(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    client.force_login(colleague)

    def listed(**query: Any) -> list[str]:
        response = client.get("/api/collaborations", query)
        assert response.status_code == 200, response.content
        return [c["reference"] for c in response.json()["items"]]

    mine, public = world["collaboration"].reference, world["public"].reference
    assert set(listed()) == {mine, public}
    assert listed(nature="prevention") == [public]
    assert listed(q="Public") == [public]
    assert listed(organisation="RX9", sector="ambulance") == [mine, public]
    assert listed(sort="-updated")[0] == public
    assert listed(limit=1, offset=1) == [public]


@pytest.mark.parametrize(
    "query",
    [{"nature": "no_such_nature"}, {"sort": "sideways"}, {"archived": "perhaps"}, {"q": "a\x00b"}],
)
def test_a_filter_the_page_does_not_offer_is_a_422_that_names_it(
    client: Client, query: dict[str, str]
) -> None:
    response = client.get("/api/collaborations", query)
    assert response.status_code == 422
    (name,) = query
    assert ["query", name] in [e["loc"] for e in response.json()["detail"]]


def test_the_counts_beside_the_filters_are_what_the_person_may_see(
    client: Client, world: dict[str, Any], colleague: Any, outsider: Any
) -> None:
    mine = _get(client, "/api/collaboration-counts", colleague).json()
    assert mine["total"] == 2
    assert mine["nature"]["co_responding"] == 1 and mine["nature"]["prevention"] == 1
    theirs = _get(client, "/api/collaboration-counts", outsider, nature="prevention").json()
    assert theirs["total"] == 1
    assert _get(client, "/api/collaboration-counts", outsider).json()["total"] == 1


def test_a_records_history_is_for_those_who_may_edit_it_as_on_its_page(
    client: Client, world: dict[str, Any], owner: Any, colleague: Any, outsider: Any
) -> None:
    from accord.register import services

    c = world["collaboration"]
    services.archive_collaboration(owner, c, archive=True)
    services.archive_collaboration(owner, c, archive=False)
    path = f"/api/collaborations/{c.reference}/history"
    history = _get(client, path, owner).json()
    assert history["count"] == 3
    assert [e["action"] for e in history["items"]] == [
        "collaboration.restore",
        "collaboration.archive",
        "collaboration.create",
    ]
    assert set(history["items"][0]) == {"at", "action", "actor"}
    assert history["items"][0]["actor"] == "owner@lincs-fire.test"
    second = _get(client, path, owner, limit=1, offset=1).json()["items"]
    assert second == history["items"][1:2]
    # A reader at the partner sees the record but not its history, as on the page.
    refused = _get(client, path, colleague)
    assert refused.status_code == 403 and "history" in refused.json()["detail"]
    assert _get(client, path, outsider).status_code == 404


# Assessments -------------------------------------------------------------------------------


def test_a_round_shows_what_its_page_does(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    found = world["round"]
    body = _get(client, f"/api/assessments/rounds/{found.pk}", colleague).json()
    assert body["id"] == found.pk and body["state"] == "open" and body["responses"] == 9
    assert body["k"] == 5 and body["framework"] == "collaboration-factors"
    assert {(r["label"], r["responded"]) for r in body["rates_by_level"]} == {
        # Operational answered 4 (< k = 5), and Tactical's 5 would give it away from the
        # round's total of 9: both withheld, as the page says "fewer than 5".
        ("Tactical", None),
        ("Operational", None),
    }
    # EMAS's four answers are below k: no organisation pair to compare.
    assert all(d["gap"] is None for d in body["divergence"])
    assert body["comments"] == [{"text": "Good joint working", "by": None}] * 9


def test_a_hidden_round_answers_as_a_missing_one(
    client: Client, world: dict[str, Any], outsider: Any
) -> None:
    found = world["round"]
    for suffix in ("", "/scores"):
        hidden = _get(client, f"/api/assessments/rounds/{found.pk}{suffix}", outsider)
        missing = client.get(f"/api/assessments/rounds/{found.pk + 1000}{suffix}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json() == NOT_FOUND


def test_scores_describe_each_figure_at_full_precision_or_suppressed(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    found = world["round"]
    plain = _get(client, f"/api/assessments/rounds/{found.pk}/scores", colleague).json()
    assert set(plain) == {"framework", "version", "k", "overall"}
    broken = client.get(f"/api/assessments/rounds/{found.pk}/scores", {"by": "level"}).json()
    assert broken["breakdown"]["operational"] == {"suppressed": True}
    # Tactical would give Operational away by subtraction from the overall figures.
    assert broken["breakdown"]["tactical"] == {"suppressed": True}


def test_change_over_time_shows_the_opened_rounds_as_the_page_does(
    client: Client, world: dict[str, Any], colleague: Any, outsider: Any
) -> None:
    path = f"/api/assessments/collaborations/{world['collaboration'].reference}/timelines"
    (timeline,) = _get(client, path, colleague).json()
    assert timeline["framework"] == "collaboration-factors"
    assert [r["id"] for r in timeline["rounds"]] == [world["round"].pk]
    first = timeline["rows"][0]["cells"][0]
    assert first["n"] == 9 and first["change"] is None
    assert _get(client, path, outsider).status_code == 404


def test_the_overview_and_the_frameworks_need_signing_in_as_their_pages_do(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    for path in ("/api/assessments/overview", "/api/assessments/frameworks"):
        refused = client.get(path)
        assert refused.status_code == 401
        assert "Sign in" in refused.json()["detail"]
    client.force_login(colleague)
    overview = client.get("/api/assessments/overview").json()
    assert overview["collaborations"] == 2 and overview["assessed"] == 1
    frameworks = client.get("/api/assessments/frameworks", {"limit": 1}).json()
    assert frameworks["count"] >= 2 and len(frameworks["items"]) == 1
    used = next(
        f
        for f in client.get("/api/assessments/frameworks").json()["items"]
        if f["key"] == "collaboration-factors" and f["in_use"]
    )
    one = client.get(f"/api/assessments/frameworks/{used['key']}/{used['version']}").json()
    assert one["in_use"] and one["factors"] and one["scale"]["min"] == 1
    assert client.get("/api/assessments/frameworks/collaboration-factors/999").status_code == 404


# Appraisals --------------------------------------------------------------------------------


def test_the_appraisals_list_is_the_appraisal_pages_with_its_filter(
    client: Client, world: dict[str, Any], colleague: Any, outsider: Any
) -> None:
    mine, public = world["appraisal"].pk, world["public_appraisal"].pk

    def listed(who: Any = None, **query: Any) -> list[int]:
        response = _get(client, "/api/appraisals", who, **query)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["items"]]

    assert listed() == [public]
    assert set(listed(colleague)) == {mine, public}
    assert listed(colleague, q="Public") == [public]
    assert listed(colleague, collaboration=world["collaboration"].reference) == [mine]
    assert len(listed(colleague, limit=1)) == 1
    assert listed(outsider) == [public]


def test_an_appraisal_gives_the_figures_of_accord_appraise_at_full_precision(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    from accord.appraisal import services

    record = world["appraisal"]
    body = _get(client, f"/api/appraisals/{record.pk}", colleague).json()
    report = services.report_for(record)
    assert body["report"]["npv"] == report["npv"]  # not rounded
    assert body["report"]["bcr"] == report["bcr"]
    assert body["report"]["monte_carlo"]["iterations"] == 2000
    assert body["report"]["per_year"] == report["per_year"]
    assert body["report"]["npv_histogram"][0].keys() == {"from", "to", "count"}
    assert body["yaml"] == record.yaml_text
    assert body["collaboration"]["reference"] == world["collaboration"].reference


def test_a_hidden_appraisal_answers_as_a_missing_one(
    client: Client, world: dict[str, Any], outsider: Any
) -> None:
    record = world["appraisal"]
    for suffix in ("", "/realised", "/history"):
        hidden = _get(client, f"/api/appraisals/{record.pk}{suffix}", outsider)
        missing = client.get(f"/api/appraisals/{record.pk + 1000}{suffix}")
        assert hidden.status_code == missing.status_code == 404, suffix
        assert hidden.json() == missing.json() == NOT_FOUND


def test_benefits_realisation_shows_forecast_beside_realised(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    body = _get(client, f"/api/appraisals/{world['appraisal'].pk}/realised", colleague).json()
    assert [r["year"] for r in body["rows"]] == [0, 1, 2]
    assert body["rows"][1]["realised"] == 120000.0
    assert body["rows"][1]["gap"] == 120000.0 - body["rows"][1]["forecast"]
    (entry,) = body["entries"]
    assert entry["year"] == 1 and entry["amount"] == "120000.00"


def test_an_appraisals_history_is_for_those_who_may_edit_it(
    client: Client, world: dict[str, Any], owner: Any, colleague: Any
) -> None:
    path = f"/api/appraisals/{world['appraisal'].pk}/history"
    actions = {e["action"] for e in _get(client, path, owner).json()["items"]}
    assert any(a.startswith("appraisal.") for a in actions)
    assert _get(client, path, colleague).status_code == 403


def test_the_unit_cost_library_and_deflators_need_signing_in_and_uplift_as_the_page(
    client: Client, world: dict[str, Any], colleague: Any
) -> None:
    from accord.appraisal import services

    assert client.get("/api/appraisals/unit-costs").status_code == 401
    assert client.get("/api/appraisals/deflators").status_code == 401
    client.force_login(colleague)
    table = services.deflator_table()
    library = client.get("/api/appraisals/unit-costs", {"limit": 500}).json()
    assert library["count"] > 5
    item = library["items"][0]
    assert item["in_prices_of"] == table.years[-1]
    assert item["uplifted"] == services.uplifted(
        float(item["value"]), item["price_year"], table.years[-1], table
    )
    first = table.years[0]
    older = client.get("/api/appraisals/unit-costs", {"price_year": first}).json()["items"][0]
    assert older["in_prices_of"] == first
    unknown = client.get("/api/appraisals/unit-costs", {"price_year": 1066}).json()["items"][0]
    assert unknown["uplifted"] is None  # no deflator for that year: said, not guessed
    word = item["name"].split()[0]
    searched = client.get("/api/appraisals/unit-costs", {"q": word}).json()
    assert 1 <= searched["count"] <= library["count"]
    deflators = client.get("/api/appraisals/deflators").json()
    assert [y["year"] for y in deflators["years"]] == table.years
    assert deflators["origin"] == "shipped"


# Tokens read as their owners ---------------------------------------------------------------


def test_a_token_reads_each_kind_of_record_as_its_owner(
    client: Client, world: dict[str, Any], colleague: Any, outsider: Any
) -> None:
    _, theirs = people.create_token(colleague, "scripts")
    _, others = people.create_token(outsider, "scripts")
    paths = [
        f"/api/collaborations/{world['collaboration'].reference}",
        f"/api/assessments/rounds/{world['round'].pk}",
        f"/api/assessments/collaborations/{world['collaboration'].reference}/timelines",
        f"/api/appraisals/{world['appraisal'].pk}",
        f"/api/appraisals/{world['appraisal'].pk}/realised",
    ]
    for path in paths:
        assert client.get(path, **bearer(theirs)).status_code == 200, path
        assert client.get(path, **bearer(others)).status_code == 404, path
    for path in ("/api/assessments/overview", "/api/appraisals/unit-costs"):
        assert client.get(path, **bearer(others)).status_code == 200, path


# The document ------------------------------------------------------------------------------


def test_any_other_address_under_the_api_is_its_json_404(client: Client) -> None:
    for path in ("/api/no-such-thing", "/api/collaborations/", "/api/appraisals/abc/def"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_the_document_declares_every_error_each_read_can_answer(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    operations = [(p, m, o) for p, ops in schema["paths"].items() for m, o in ops.items()]
    assert len(operations) >= 17
    for path, method, operation in operations:
        declared = set(operation["responses"])
        # A POST that adds a record (a KPI's measurement, a lesson) answers 201 Created; one
        # that moves a record on (a lesson submitted or reviewed) answers 200.
        assert declared & ({"200", "201"} if method == "post" else {"200"}), path
        assert {"401", "429"} <= declared, path
        if "{" in path:
            assert "404" in declared, path
        if any(p["name"] == "limit" for p in operation.get("parameters", [])):
            assert "400" in declared, path
        for status, response in operation["responses"].items():
            assert "application/json" in response["content"], (path, status)
        assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_no_two_response_schemas_share_a_name() -> None:
    """The document names each schema by its class: two classes of one name would leave one
    of them described by the other's fields."""
    import inspect

    from ninja import Schema

    from accord.api import appraisal, assessments, register, schemas

    names = [
        cls.__name__
        for module in (appraisal, assessments, register, schemas)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Schema) and cls.__module__ == module.__name__
    ]
    assert len(names) > 40
    assert sorted(names) == sorted(set(names))
