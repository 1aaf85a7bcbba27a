"""The lessons' list is drawn once for each state of what it reads and kept
(lessons.views.lesson_list): what a person is shown is still exactly what they may see, and
a change through the services shows at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.support.lessons_factories import make_lesson

from accord.lessons import services

pytestmark = pytest.mark.django_db


def _page(client: Client, path: str = "/lessons/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_list_is_not_shown_to_someone_who_may_see_less(
    client: Client, owner: Any, moderator: Any, outsider: Any
) -> None:
    make_lesson(
        owner,
        state="published",
        moderator=moderator,
        title="Own service only",
        audience="organisation",
    )
    client.force_login(owner)
    assert "Own service only" in _page(client)
    assert "Own service only" in _page(client)  # kept, and still theirs
    client.force_login(outsider)
    assert "Own service only" not in _page(client)
    assert "Own service only" not in _page(Client())


def test_a_lesson_published_after_the_list_was_kept_shows_at_once(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    make_lesson(owner, state="published", moderator=moderator, title="First lesson")
    client.force_login(partner_user)
    assert "Second lesson" not in _page(client)
    assert "Second lesson" not in _page(client, "/lessons/?q=talkgroup")
    make_lesson(owner, state="published", moderator=moderator, title="Second lesson")
    assert "Second lesson" in _page(client)
    assert "Second lesson" in _page(client, "/lessons/?q=talkgroup")


def test_a_withdrawn_lesson_leaves_the_kept_list(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator, title="Soon withdrawn")
    client.force_login(partner_user)
    assert "Soon withdrawn" in _page(client)
    services.withdraw(owner, lesson, reason="Superseded")
    assert "Soon withdrawn" not in _page(client)


def test_the_second_view_of_a_search_does_not_search_again(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    make_lesson(owner, state="published", moderator=moderator)
    client.force_login(partner_user)
    _page(client, "/lessons/?q=talkgroup")
    with CaptureQueriesContext(connection) as captured:
        page = _page(client, "/lessons/?q=talkgroup")
    assert "Radio handover" in page
    assert not any("MATCH" in q["sql"] or "tsquery" in q["sql"] for q in captured), [
        q["sql"][:80] for q in captured
    ]


def test_a_filter_with_an_error_is_drawn_each_time_with_its_message(
    client: Client, partner_user: Any
) -> None:
    client.force_login(partner_user)
    for _ in range(2):
        page = _page(client, "/lessons/?after=not-a-date")
        assert "govuk-error-message" in page or "govuk-error-summary" in page
