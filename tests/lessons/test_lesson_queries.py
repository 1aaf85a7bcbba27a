"""A page's number of queries does not grow with the data: the lessons' list (plain,
filtered, searched), a lesson's page and the API's list ask as many queries for 3 lessons as
for 12."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.support.lessons_factories import make_lesson

from accord.lessons import services

pytestmark = pytest.mark.django_db

PATHS = (
    "/lessons/",
    "/lessons/?kind=lesson_identified&principle=communicate",
    "/lessons/?q=talkgroup",
)


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_pages_ask_a_fixed_number_of_queries(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    import datetime as dt

    def add(n: int) -> None:
        for _ in range(n):
            lesson = make_lesson(owner, state="published", moderator=moderator)
            services.add_action(
                owner,
                lesson,
                title="Do it",
                owner_email=partner_user.email,
                due=dt.date(2030, 1, 1),
            )

    add(3)
    client.force_login(partner_user)
    first = {path: queries(client, path) for path in (*PATHS, "/api/lessons")}
    add(9)
    again = {path: queries(client, path) for path in (*PATHS, "/api/lessons")}
    assert again == first
    # Pinned: a change that adds queries to the list should be a choice, not an accident.
    assert first["/lessons/"] <= 20, first
