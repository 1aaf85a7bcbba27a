"""The KPIs Accord works out (the three Cs from assessment rounds, benefits realised against
the appraisal's forecast) kept up to date when they are read: a new response to a round, a
new round opening, a realised benefit recorded or an appraisal changed shows on the KPI's
pages, the portfolio, the export and the API without `accord kpi refresh`, and nothing is
worked out again, or written, while their sources are unchanged."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.support.factories import (
    AdoptionFactory,
    AppraisalFactory,
    InvitationFactory,
    RealisedBenefitFactory,
    ResponseFactory,
    RoundFactory,
)

from accord.appraisal import services as appraisal
from accord.assessments import services as assessments
from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.kpis import services
from accord.kpis.choices import Source
from accord.kpis.models import Indicator, Measurement

pytestmark = pytest.mark.django_db

ADMIN = SystemActor("test")


@pytest.fixture(autouse=True)
def shipped(db: Any) -> None:
    services.load_shipped_library(ADMIN)
    cache.clear()


def _respond(found: Any, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        ResponseFactory(link=InvitationFactory(round=found, email=f"r{i}@lincs-fire.test"))


def _values(adoption: Any) -> list[float]:
    return list(
        Measurement.objects.filter(adoption=adoption, source=Source.ACCORD)
        .order_by("period")
        .values_list("value", flat=True)
    )


def _culture(collaboration: Any) -> Any:
    return AdoptionFactory(
        collaboration=collaboration,
        indicator=Indicator.objects.get(key="three-cs-culture"),
        organisation=None,
    )


def test_a_new_round_shows_on_the_kpi_page_without_a_refresh(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    first: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 3, 5))
    _respond(first, 5)
    adoption = _culture(collaboration)
    assert len(_values(adoption)) == 1
    client.force_login(colleague)
    client.get(f"/kpis/c/{collaboration.reference}/")
    # A second round, answered: read through the assessments' services, not refreshed by hand.
    second: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 9, 2))
    _respond(second, 5, start=10)
    page = client.get(f"/kpis/c/{collaboration.reference}/").content.decode()
    expected = [s.means["culture"] for s in assessments.group_scores(collaboration)]
    assert _values(adoption) == expected and len(expected) == 2
    assert "2024-09" in page or "September 2024" in page
    event = AuditEvent.objects.filter(action="kpi.computed.refresh").latest("sequence")
    assert event.actor_label == "system (KPIs worked out again when read)"
    assert len(event.after["values"]) == 2


def test_more_responses_to_a_round_change_its_figure_where_it_is_read(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    found: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 3, 5))
    _respond(found, 1)  # too few to show: no figure yet
    adoption = _culture(collaboration)
    assert _values(adoption) == []
    _respond(found, 5, start=1)
    client.force_login(colleague)
    body = client.get(f"/api/kpis/adoptions/{adoption.pk}/measurements").json()
    (scores,) = assessments.group_scores(collaboration)
    assert [m["value"] for m in body["items"]] == [scores.means["culture"]]
    assert [m["source"] for m in body["items"]] == ["accord"]


def test_a_realised_benefit_shows_on_the_portfolio_and_in_the_export(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    record: Any = AppraisalFactory(collaboration=collaboration)
    RealisedBenefitFactory(appraisal=record, year=1, amount=Decimal("120000"))
    adoption: Any = AdoptionFactory(
        collaboration=collaboration,
        indicator=Indicator.objects.get(key="benefits-realised"),
        organisation=None,
    )
    (before,) = _values(adoption)
    client.force_login(colleague)
    client.get("/kpis/")
    RealisedBenefitFactory(appraisal=record, year=2, amount=Decimal("160000"))
    rows = appraisal.realisation_for(record, appraisal.report_for(record))
    expected = 100 * 280000 / rows[2].cumulative_forecast
    client.get("/kpis/")
    (after,) = _values(adoption)
    assert after == pytest.approx(expected) and after != before
    # And the export and the API list read it at once too.
    RealisedBenefitFactory(appraisal=record, year=0, amount=Decimal("1000"))
    response: Any = client.get("/kpis/export/?format=json")
    records = json.loads(b"".join(response.streaming_content))["records"]
    (value,) = [r["value"] for r in records if r["indicator"] == "benefits-realised"]
    assert value == _values(adoption)[0] and value != after
    RealisedBenefitFactory(appraisal=record, year=2, amount=Decimal("170000"))
    listed = client.get("/api/kpis/adoptions").json()["items"]
    (found,) = [a for a in listed if a["id"] == adoption.pk]
    assert found["latest_value"] == _values(adoption)[0] != value


def test_unchanged_sources_are_not_worked_out_again(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    found: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 3, 5))
    _respond(found, 5)
    adoption = _culture(collaboration)
    client.force_login(colleague)
    url = f"/kpis/{adoption.pk}/"
    client.get(url)
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    # One query says the sources are as they were; nothing worked out, nothing written.
    assert len(first.captured_queries) == len(second.captured_queries)
    sql = " ".join(q["sql"] for q in second.captured_queries)
    assert "assessments_response" not in sql
    assert AuditEvent.objects.count() == events
    # A change elsewhere than its sources (a KPI's own, the register's) is not a reason.
    assert services.computed_sources_state() == services.computed_sources_state()


def test_the_sources_are_the_other_apps_records_and_the_day(collaboration: Any) -> None:
    today = dt.date(2024, 3, 5)
    before = services.computed_sources_state(today)
    assert services.computed_sources_state(today + dt.timedelta(days=1)) != before
    RoundFactory(collaboration=collaboration, opens_on=today)
    assert services.computed_sources_state(today) != before
    now = services.computed_sources_state(today)
    AppraisalFactory(collaboration=collaboration)
    assert services.computed_sources_state(today) != now


def test_a_round_that_opens_later_counts_from_the_day_it_opens(
    client: Client, colleague: Any, collaboration: Any, monkeypatch: Any
) -> None:
    """A round made ahead of its opening day gives its figure on that day: the day is a source
    too, so no change to any record is needed."""
    from django.utils import timezone

    later = timezone.localdate() + dt.timedelta(days=3)
    found: Any = RoundFactory(collaboration=collaboration, opens_on=later)
    adoption = _culture(collaboration)
    _respond_when_open(found, monkeypatch, later)
    client.force_login(colleague)
    client.get(f"/kpis/{adoption.pk}/")
    assert _values(adoption) == []
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    client.get(f"/kpis/{adoption.pk}/")
    assert len(_values(adoption)) == 1


def _respond_when_open(found: Any, monkeypatch: Any, day: dt.date) -> None:
    from django.utils import timezone

    with monkeypatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: day)
        _respond(found, 5)


def test_an_archived_kpi_is_not_worked_out(collaboration: Any) -> None:
    found: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 3, 5))
    adoption = _culture(collaboration)
    services.archive_adoption(ADMIN, adoption)
    adoption.refresh_from_db()
    _respond(found, 5)
    assert services.refresh_stale_computed([adoption]) == 0
    assert _values(adoption) == []
