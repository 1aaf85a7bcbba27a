"""The KPIs' API: the library, adoptions with their icons, an adoption's series and its SPC
(exactly `accord kpi spc --json` on the same series), and measurements sent with a token."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.kpis.kpi_pages_helpers import LOWER, STEADY, go_live, make_kpi, month
from tests.support.factories import IndicatorFactory

from accord.kpis import queries
from accord.kpis.models import Measurement
from accord.kpis.spc_cli import main as spc_cli

pytestmark = pytest.mark.django_db


def bearer(person: Any) -> dict[str, Any]:
    from accord.orgs import services

    _, plain = services.create_token(person, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_the_library_is_listed_and_paged(client: Client) -> None:
    first = IndicatorFactory(title="A first indicator", standard=420.0)
    IndicatorFactory(title="B second indicator")
    body = client.get("/api/kpis/indicators?limit=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    item = body["items"][0]
    assert item["key"] == first.key and item["standard"] == 420.0
    assert item["published"] is False and item["direction"] == "increase"
    assert client.get(f"/api/kpis/indicators/{first.key}").json()["title"] == first.title
    assert client.get("/api/kpis/indicators/no-such-indicator").status_code == 404
    assert client.get("/api/kpis/indicators?limit=0").status_code == 400


def test_adoptions_are_seen_where_their_collaboration_is(
    client: Client, colleague: Any, outsider: Any, collaboration: Any, make_collaboration: Any
) -> None:
    hidden = make_kpi(collaboration, STEADY, target_value=420.0, indicator_direction="decrease")
    public = make_kpi(make_collaboration("Open pilot", visibility="public"), [1.0, 2.0])
    everyone = client.get("/api/kpis/adoptions").json()
    assert [a["id"] for a in everyone["items"]] == [public.pk]
    assert client.get(f"/api/kpis/adoptions/{hidden.pk}").status_code == 404
    assert client.get(f"/api/kpis/adoptions/{hidden.pk}/measurements").status_code == 404
    assert client.get(f"/api/kpis/adoptions/{hidden.pk}/spc").status_code == 404
    outside = client.get("/api/kpis/adoptions", **bearer(outsider)).json()
    assert [a["id"] for a in outside["items"]] == [public.pk]
    seen = client.get(f"/api/kpis/adoptions/{hidden.pk}", **bearer(colleague)).json()
    assert seen["collaboration"]["reference"] == collaboration.reference
    assert seen["organisation"] == {"code": "RX9", "name": hidden.organisation.name}
    assert seen["target"] == 420.0 and seen["assurance"] == "consistent_fail"
    assert seen["variation"] == "common_cause"
    assert seen["latest_value"] == STEADY[-1] and seen["latest_period"] == "2018-12"


def test_adoptions_filter_by_collaboration_organisation_and_indicator(
    client: Client, colleague: Any, collaboration: Any, make_collaboration: Any
) -> None:
    other = make_collaboration("Second pilot")
    emas = make_kpi(collaboration, [1.0])
    whole = make_kpi(collaboration, [1.0], organisation=None)
    elsewhere = make_kpi(other, [1.0], indicator=emas.indicator)
    headers = bearer(colleague)

    def ids(query: str) -> list[int]:
        body = client.get(f"/api/kpis/adoptions?{query}", **headers).json()
        return sorted(a["id"] for a in body["items"])

    assert ids(f"collaboration={collaboration.reference}") == sorted([emas.pk, whole.pk])
    assert ids("organisation=RX9") == sorted([emas.pk, elsewhere.pk])
    assert ids("organisation=whole") == [whole.pk]
    assert ids(f"indicator={emas.indicator.key}") == sorted([emas.pk, elsewhere.pk])


def test_an_adoptions_measurements_are_its_series_in_period_order(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, [3.0, 1.5, 2.25], notes={1: "Strike"})
    body = client.get(f"/api/kpis/adoptions/{adoption.pk}/measurements", **bearer(colleague)).json()
    assert body["count"] == 3
    assert [(m["period"], m["value"], m["note"], m["source"]) for m in body["items"]] == [
        ("2018-01", 3.0, "", "entered"),
        ("2018-02", 1.5, "Strike", "entered"),
        ("2018-03", 2.25, "", "entered"),
    ]
    assert all(isinstance(m["id"], int) for m in body["items"])


def _cli(points: list[tuple[str, float]], *options: str, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "series.csv"
    path.write_text("period,value\n" + "".join(f"{p},{v!r}\n" for p, v in points))
    out = io.StringIO()
    with redirect_stdout(out):
        assert spc_cli([str(path), "--json", *options]) == 0
    found: dict[str, Any] = json.loads(out.getvalue())
    return found


def test_the_spc_is_the_commands_json_at_full_precision(
    client: Client, colleague: Any, collaboration: Any, tmp_path: Path
) -> None:
    values = [v + 0.1 for v in STEADY + LOWER]  # floats with long binary expansions
    adoption = make_kpi(collaboration, values, target_value=420.0, indicator_direction="decrease")
    go_live(adoption, dt.date(2019, 1, 20))
    response = client.get(f"/api/kpis/adoptions/{adoption.pk}/spc", **bearer(colleague))
    assert response.status_code == 200
    body = response.json()
    points = [(queries.period_label(month(i)), v) for i, v in enumerate(values)]
    expected = _cli(
        points,
        "--direction",
        "decrease",
        "--target",
        "420",
        "--rebase",
        "2019-01",
        tmp_path=tmp_path,
    )
    assert body == expected
    assert list(body) == list(expected)  # the keys in the command's order
    assert len(body["phases"]) == 2 and body["phases"][1]["start"] == "2019-01"
    # Full precision: the floats are the command's to the last bit.
    assert body["phases"][0]["mean"] == expected["phases"][0]["mean"]
    assert repr(body["phases"][0]["amr"]) == repr(expected["phases"][0]["amr"])


# Sending a measurement ------------------------------------------------------------------------


def test_a_contributor_sends_a_measurement_with_a_token(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, [1.0])
    response = client.post(
        f"/api/kpis/adoptions/{adoption.pk}/measurements",
        data={"period": "2019-08", "value": 12.5, "note": "From the control room system"},
        content_type="application/json",
        **bearer(owner),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Measurement.objects.get(pk=body["id"])
    assert stored.period == dt.date(2019, 8, 1) and stored.value == 12.5
    assert stored.entered_by == owner
    assert body == {
        "id": stored.pk,
        "period": "2019-08",
        "value": 12.5,
        "note": "From the control room system",
        "source": "entered",
    }


def test_a_reader_may_not_send_one_and_an_outsider_is_not_told_it_exists(
    client: Client, colleague: Any, outsider: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration)
    url = f"/api/kpis/adoptions/{adoption.pk}/measurements"
    data = {"period": "2019-08", "value": 1.0}
    assert (
        client.post(
            url, data=data, content_type="application/json", **bearer(colleague)
        ).status_code
        == 403
    )
    assert (
        client.post(url, data=data, content_type="application/json", **bearer(outsider)).status_code
        == 404
    )
    assert client.post(url, data=data, content_type="application/json").status_code == 401
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"period": "2019-13", "value": 1.0},
        {"period": "August 2019", "value": 1.0},
        {"period": "2019-08", "value": "many"},
        {"period": "2019-08", "value": "NaN"},
        {"period": "2019-08"},
        {"period": "2019-01", "value": 2.0},  # recorded already
    ],
)
def test_a_measurement_with_a_mistake_is_refused_with_422(
    client: Client, owner: Any, collaboration: Any, data: dict[str, Any]
) -> None:
    adoption = make_kpi(collaboration, [1.0], start=dt.date(2019, 1, 1))
    response = client.post(
        f"/api/kpis/adoptions/{adoption.pk}/measurements",
        data=data,
        content_type="application/json",
        **bearer(owner),
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert Measurement.objects.count() == 1


def test_the_document_declares_every_kpi_operations_errors(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/kpis/adoptions/{adoption_id}/measurements"]["post"]
    assert set(post["responses"]) == {"201", "400", "401", "403", "404", "422", "429"}
    spc = document["paths"]["/api/kpis/adoptions/{adoption_id}/spc"]["get"]
    assert {"200", "404", "401", "429"} <= set(spc["responses"])
