"""Full-text search through the one gateway (lessons/search.py), on whichever database the
suite runs: SQLite's FTS5 here, PostgreSQL's tsvector when DATABASE_URL names one (the CI runs
both). Stemmed, ranked, highlighted, and only published, redacted text is indexed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from tests.support.lessons_factories import make_lesson

from accord.lessons import search, services
from accord.lessons.models import Lesson

pytestmark = pytest.mark.django_db


def ids(query: str, user: Any) -> list[int]:
    return list(
        search.matching(Lesson.objects.visible_to(user), query).values_list("pk", flat=True)
    )


def test_ranked_stemmed_and_highlighted(owner: Any, moderator: Any, partner_user: Any) -> None:
    body = make_lesson(
        owner,
        state="published",
        moderator=moderator,
        title="Handsets",
        what_happened="The crews were triaging casualties at the rendezvous point.",
    )
    title = make_lesson(
        owner,
        state="published",
        moderator=moderator,
        title="Joint triage of casualties",
        what_happened="Triage by fire and ambulance together.",
    )
    make_lesson(
        owner,
        state="published",
        moderator=moderator,
        title="Other",
        what_happened="Nothing about it.",
    )
    assert ids("triaged", partner_user) == [title.pk, body.pk]
    assert ids("TRIAGE casualties", partner_user) == [title.pk, body.pk]
    assert ids("triage rendezvous", partner_user) == [body.pk]
    marks = search.highlights([title.pk, body.pk], "triaged")
    assert search.MARK_START + "triage" in marks[title.pk][0].lower()
    assert search.MARK_START + "triaging" in marks[body.pk][1].lower()


@pytest.mark.parametrize("query", ['"', "NOT", "a OR b", "*", "x AND (", "'; drop", "-:^"])
def test_search_syntax_in_a_query_is_only_words(owner: Any, query: str) -> None:
    assert isinstance(ids(query, owner), list)  # read as words, never an error


def test_only_published_lessons_are_indexed_and_withdrawn_ones_leave(
    owner: Any, moderator: Any
) -> None:
    draft = make_lesson(owner, title="Unpublished radio lesson")
    assert ids("unpublished", owner) == []
    published = make_lesson(owner, state="published", moderator=moderator, title="Radio lesson")
    assert ids("radio", owner) == [published.pk]
    services.withdraw(owner, published)
    assert ids("radio", owner) == []
    assert draft.pk


def test_the_engine_is_the_databases_own() -> None:
    assert connection.vendor in ("sqlite", "postgresql")
