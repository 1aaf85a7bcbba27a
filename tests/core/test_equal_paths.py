"""A record someone may not see answers exactly as one that does not exist: the same 404, the
same page, and the same work on the way (the same queries, so the same time), for a
collaboration, an assessment round and an appraisal. Two queries for a hidden round against
one for a missing one took about 4 ms longer and so told them apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.support.factories import AppraisalFactory, CollaborationFactory, RoundFactory

MISSING = 987_654


def _answer(client: Client, url: str) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # The same statements, whatever the number asked for: ids and references become "?".
    shapes = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries]
    # The sign-out form's CSRF token is masked afresh on every page: it says nothing of the record.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, page, shapes


def _hidden_collaboration() -> Any:
    return CollaborationFactory(title="Hidden pilot", visibility="partners")


CASES: dict[str, Callable[[], tuple[str, str]]] = {
    "collaboration": lambda: (
        f"/collaborations/{_hidden_collaboration().reference}/",
        "/collaborations/NOPE-0000/",
    ),
    "round": lambda: (
        f"/assessments/rounds/{RoundFactory(collaboration=_hidden_collaboration()).pk}/",
        f"/assessments/rounds/{MISSING}/",
    ),
    "appraisal": lambda: (
        f"/appraisals/{AppraisalFactory(collaboration=_hidden_collaboration()).pk}/",
        f"/appraisals/{MISSING}/",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", CASES)
def test_a_hidden_record_answers_as_a_missing_one(kind: str, outsider: Any) -> None:
    hidden_url, missing_url = CASES[kind]()
    client = Client()
    client.force_login(outsider)
    client.get("/")  # the session and the person loaded once, outside the comparison
    hidden = _answer(client, hidden_url)
    missing = _answer(client, missing_url)
    assert hidden[0] == missing[0] == 404
    assert hidden[1] == missing[1]
    assert hidden[2] == missing[2]


@pytest.mark.django_db
def test_the_owner_still_sees_the_round(owner: Any) -> None:
    found = RoundFactory(collaboration=CollaborationFactory(visibility="partners"))
    client = Client()
    client.force_login(owner)
    assert client.get(f"/assessments/rounds/{found.pk}/").status_code == 200
