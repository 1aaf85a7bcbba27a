"""Starting a round: dates that have passed, and archived collaborations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.assessments.assessment_helpers import framework_version, make_round

from accord.assessments import services
from accord.assessments.models import Round
from accord.core.problems import PermissionRefused, Problems
from accord.register import services as register

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _data(opens_on: dt.date, closes_on: dt.date) -> services.RoundData:
    return services.RoundData(
        title="Autumn survey", framework=framework_version(), opens_on=opens_on, closes_on=closes_on
    )


def _post(client: Client, collaboration: Any, opens: dt.date, closes: dt.date) -> Any:
    return client.post(
        f"/assessments/c/{collaboration.reference}/new/",
        {
            "title": "Autumn survey",
            "framework": framework_version().pk,
            "opens_on-day": opens.day,
            "opens_on-month": opens.month,
            "opens_on-year": opens.year,
            "closes_on-day": closes.day,
            "closes_on-month": closes.month,
            "closes_on-year": closes.year,
            "anonymous": "yes",
        },
    )


def test_a_round_that_closed_before_today_is_refused(collaboration: Any, owner: Any) -> None:
    today = timezone.localdate()
    with pytest.raises(Problems) as caught:
        services.create_round(
            owner, collaboration, _data(today - dt.timedelta(days=30), today - dt.timedelta(1))
        )
    assert caught.value.problems[0].field == "closes_on"
    assert caught.value.problems[0].reason == "Closing date must be today or in the future"
    page = _post(_client(owner), collaboration, today - dt.timedelta(30), today - dt.timedelta(1))
    text = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in text
    assert "Closing date must be today or in the future" in text
    assert not Round.objects.exists()


def test_a_round_closing_today_is_allowed(collaboration: Any, owner: Any) -> None:
    today = timezone.localdate()
    assert services.create_round(owner, collaboration, _data(today, today)).pk


def test_a_round_that_opened_already_is_allowed_with_a_warning(
    collaboration: Any, owner: Any
) -> None:
    today = timezone.localdate()
    opened = today - dt.timedelta(days=3)
    client = _client(owner)
    response = _post(client, collaboration, opened, today + dt.timedelta(days=10))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Its opening date, {opened:%-d %B %Y}, has passed: people can answer from today" in (
        page
    )
    assert Round.objects.get().opens_on == opened


def test_a_round_ending_before_it_opens_is_refused_in_gov_uk_words(
    collaboration: Any, owner: Any
) -> None:
    today = timezone.localdate()
    page = _post(
        _client(owner), collaboration, today + dt.timedelta(10), today + dt.timedelta(5)
    ).content.decode()
    assert "Closing date must be the same as or after the opening date" in page


def test_an_archived_collaboration_offers_no_new_rounds(
    collaboration: Any, owner: Any, colleague: Any
) -> None:
    today = timezone.localdate()
    register.archive_collaboration(owner, collaboration)
    archived = register.get_visible(owner, collaboration.reference)
    # The service refuses, whoever asks: an editor (who could otherwise) and a reader.
    for person in (owner, colleague):
        with pytest.raises(PermissionRefused):
            services.create_round(person, archived, _data(today, today + dt.timedelta(7)))
    assert not services.can_start_round(owner, archived)
    client = _client(owner)
    assert client.get(f"/assessments/c/{collaboration.reference}/new/").status_code == 403
    rounds = client.get(f"/assessments/c/{collaboration.reference}/").content.decode()
    assert "Start an assessment round" not in rounds and 'id="archived-note"' in rounds
    record = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "Start an assessment round" not in record


def test_a_current_collaboration_offers_rounds_to_its_editors_only(
    collaboration: Any, owner: Any, colleague: Any
) -> None:
    assert services.can_start_round(owner, collaboration)
    assert not services.can_start_round(colleague, collaboration)
    page = _client(owner).get(f"/assessments/c/{collaboration.reference}/").content.decode()
    assert "Start an assessment round" in page
    page = _client(colleague).get(f"/assessments/c/{collaboration.reference}/").content.decode()
    assert "Start an assessment round" not in page


def test_the_index_lists_rounds_open_or_closed_with_links(
    collaboration: Any, make_collaboration: Any, colleague: Any, outsider: Any
) -> None:
    today = timezone.localdate()
    open_round = make_round(collaboration, title="Open one")
    closed = make_round(
        collaboration,
        title="Closed one",
        opens_on=today - dt.timedelta(60),
        closes_on=today - dt.timedelta(30),
    )
    hidden = make_round(make_collaboration("Hidden", visibility="partners", partners=[]))
    page = _client(colleague).get("/assessments/").content.decode()
    rounds = page.split('id="rounds"')[1].split("</table>")[0]
    for found, state in ((open_round, "Open"), (closed, "Closed")):
        row = rounds.split(f'data-round="{found.pk}"')[1].split("</tr>")[0]
        assert f'href="/assessments/rounds/{found.pk}/"' in row and f">{state}<" in row
        assert f'href="/assessments/c/{collaboration.reference}/"' in row
    assert f'data-round="{hidden.pk}"' not in rounds
    theirs = _client(outsider).get("/assessments/").content.decode()
    assert f'data-round="{open_round.pk}"' not in theirs
