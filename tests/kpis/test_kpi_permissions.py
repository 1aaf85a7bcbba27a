"""Who may see and change KPIs, for every page, export and API route: a KPI is seen exactly
where its collaboration is (anyone else is answered 404, as if it did not exist), and changed
by those who may edit the collaboration (a reader who may see it is refused, 403). The table
of every URL (tests/core/test_url_permissions.py) holds each GET; here each change is sent as
a POST by one who may and by those who may not, and nothing changes for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.kpis.kpi_pages_helpers import go_live, make_kpi
from tests.support.factories import IndicatorFactory

from accord.core.models import AuditEvent
from accord.kpis import exports, queries
from accord.kpis.models import Adoption, Indicator, Measurement, Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(collaboration: Any) -> Any:
    found = make_kpi(collaboration, [480.0, 470.0], indicator_title="Category 1 mean")
    go_live(found, dt.date(2018, 2, 1), title="Old go-live")
    return found


def _csv(name: str, text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


#: Each change: its address, what it sends, and how to count what it would change.
Change = tuple[str, Callable[[Any], str], Callable[[Any], dict[str, Any]], Callable[[], int]]


def _changes() -> list[Change]:
    return [
        (
            "adopt",
            lambda k: f"/kpis/c/{k.collaboration.reference}/adopt/",
            lambda k: {"indicator": IndicatorFactory().key, "organisation": "RX9"},
            lambda: Adoption.objects.count(),
        ),
        (
            "milestone",
            lambda k: f"/kpis/{k.pk}/milestones/new/",
            lambda k: {
                "title": "Go-live",
                "on-day": "1",
                "on-month": "6",
                "on-year": "2018",
                "kind": "go_live",
            },
            lambda: Milestone.objects.count(),
        ),
        (
            "measurement",
            lambda k: f"/kpis/{k.pk}/measurements/new/",
            lambda k: {"period-month": "9", "period-year": "2018", "value": "5"},
            lambda: Measurement.objects.count(),
        ),
        (
            "edit measurement",
            lambda k: f"/kpis/measurements/{k.measurements.first().pk}/edit/",
            lambda k: {"value": "1", "note": "changed"},
            lambda: Measurement.objects.filter(note="changed").count(),
        ),
        (
            "edit adoption",
            lambda k: f"/kpis/{k.pk}/edit/",
            lambda k: {"tolerance": "7", "target_value": "450"},
            lambda: Adoption.objects.filter(tolerance=7, target_value=450).count(),
        ),
        (
            "archive adoption",
            lambda k: f"/kpis/{k.pk}/archive/",
            lambda k: {},
            lambda: Adoption.objects.filter(archived_at__isnull=False).count(),
        ),
        (
            "remove milestone",
            lambda k: f"/kpis/milestones/{k.milestones.get(title='Old go-live').pk}/remove/",
            lambda k: {},
            lambda: 1 - Milestone.objects.filter(title="Old go-live").count(),
        ),
        (
            "import",
            lambda k: f"/kpis/c/{k.collaboration.reference}/import/",
            lambda k: {
                "file": _csv(
                    "m.csv",
                    f"indicator,organisation,period,value,note\n{k.indicator.key},RX9,2018-10,3,\n",
                )
            },
            lambda: Measurement.objects.count(),
        ),
    ]


@pytest.mark.parametrize("change", _changes(), ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("person", "expected"),
    [("anonymous", 302), ("colleague", 403), ("outsider", 404), ("outside_reader", 404)],
)
def test_those_who_may_not_change_a_kpi_are_refused_and_nothing_changes(
    client: Client, kpi: Any, change: Change, person: str, expected: int, request: Any
) -> None:
    _, url, data, count = change
    if person != "anonymous":
        client.force_login(request.getfixturevalue(person))
    before, events = count(), _kpi_events()
    response = client.post(url(kpi), data(kpi))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/sign-in/")
    assert count() == before and _kpi_events() == events


def _kpi_events() -> int:
    """Audit events of KPI changes (not the indicator a test adds to choose from)."""
    return (
        AuditEvent.objects.filter(action__startswith="kpi.")
        .exclude(action="kpi.indicator.create")
        .count()
    )


@pytest.mark.parametrize("change", _changes(), ids=lambda c: c[0])
@pytest.mark.parametrize("person", ["owner", "partner_user", "platform_admin"])
def test_those_who_may_edit_the_collaboration_change_its_kpis(
    client: Client, kpi: Any, change: Change, person: str, request: Any
) -> None:
    _, url, data, count = change
    client.force_login(request.getfixturevalue(person))
    before = count()
    response = client.post(url(kpi), data(kpi))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert count() == before + 1


@pytest.mark.parametrize("person", ["colleague", "owner", "outsider"])
def test_only_platform_administrators_change_the_library(
    client: Client, person: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(person))
    new = {
        "key": "joint-patrols",
        "title": "Joint patrols",
        "description": "d",
        "unit": "count",
        "direction": "increase",
        "frequency": "monthly",
        "aggregation": "sum",
        "source": "Entered",
    }
    assert client.post("/kpis/indicators/new/", new).status_code == 403
    upload = _csv("library.yaml", "indicators: []\n")
    assert client.post("/kpis/indicators/upload/", {"file": upload}).status_code == 403
    assert not Indicator.objects.filter(key="joint-patrols").exists()


def test_a_kpi_whose_collaboration_is_hidden_is_absent_everywhere(
    client: Client, outsider: Any, colleague: Any, kpi: Any
) -> None:
    """Not on its pages (404), not in the portfolio, the panel, the exports or the API."""
    from accord.orgs import services as people

    client.force_login(outsider)
    reference = kpi.collaboration.reference
    for url in (
        f"/kpis/c/{reference}/",
        f"/kpis/{kpi.pk}/",
        f"/collaborations/{reference}/",
    ):
        assert client.get(url).status_code == 404, url
    # (The indicator itself is in the library, which is public: its filter offers it.)
    assert f'href="/kpis/{kpi.pk}/"' not in client.get("/kpis/").content.decode()
    for fmt in ("csv", "json"):
        response: Any = client.get(f"/kpis/export/?format={fmt}")
        body = b"".join(response.streaming_content)
        assert b"Category 1 mean" not in body and reference.encode() not in body
    _, token = people.create_token(outsider, "t")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/kpis/adoptions", **headers).json()["count"] == 0
    for url in (
        f"/api/kpis/adoptions/{kpi.pk}",
        f"/api/kpis/adoptions/{kpi.pk}/measurements",
        f"/api/kpis/adoptions/{kpi.pk}/spc",
    ):
        assert client.get(url, **headers).status_code == 404, url
    assert queries.visible_adoptions(outsider).count() == 0
    assert exports.render(queries.visible_adoptions(outsider), "csv").count(b"\n") == 1
    # The same KPI, for one who may see it.
    client.force_login(colleague)
    assert f'href="/kpis/{kpi.pk}/"' in client.get("/kpis/").content.decode()
    assert client.get(f"/kpis/{kpi.pk}/").status_code == 200


def test_an_archived_kpi_is_absent_from_its_pages(client: Client, colleague: Any, kpi: Any) -> None:
    from accord.core.actors import SystemActor
    from accord.kpis import services

    services.archive_adoption(SystemActor("test"), kpi)
    client.force_login(colleague)
    assert client.get(f"/kpis/{kpi.pk}/").status_code == 404
    assert (
        "Category 1 mean"
        not in client.get(f"/kpis/c/{kpi.collaboration.reference}/").content.decode()
    )
    assert f'href="/kpis/{kpi.pk}/"' not in client.get("/kpis/").content.decode()


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("anonymous", 302),
        ("colleague", 403),
        ("outsider", 404),
        ("outside_reader", 404),
        ("owner", 302),
        ("partner_user", 302),
        ("platform_admin", 302),
    ],
)
def test_an_archived_kpi_is_restored_by_those_who_may_edit_only(
    client: Client, collaboration: Any, person: str, expected: int, request: Any
) -> None:
    from tests.kpis.kpi_pages_helpers import make_archived_kpi

    archived = make_archived_kpi(collaboration, indicator_title="Gain entry jobs")
    if person != "anonymous":
        client.force_login(request.getfixturevalue(person))
    events = _kpi_events()
    response = client.post(f"/kpis/{archived.pk}/restore/")
    assert response.status_code == expected
    archived.refresh_from_db()
    may = person in ("owner", "partner_user", "platform_admin")
    assert (archived.archived_at is None) == may
    assert _kpi_events() == events + (1 if may else 0)
    if may:
        assert response["Location"] == f"/kpis/{archived.pk}/"
