"""API lists are paged with bounds: a limit above 500 or an offset past what a database holds is
a 400 that says why, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.support.factories import CollaborationFactory


@pytest.mark.django_db
def test_pages_of_the_register_follow_limit_and_offset(client: Client) -> None:
    for n in range(3):
        CollaborationFactory(title=f"Public pilot {n}", visibility="public")
    body = client.get("/api/collaborations", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 3
    assert len(body["items"]) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"limit": 501}, "limit must be between 1 and 500"),
        ({"limit": 0}, "limit must be between 1 and 500"),
        ({"offset": -1}, "offset must be between 0"),
        ({"offset": 2**63}, "offset must be between 0"),
        ({"limit": 2**64}, "limit must be between 1 and 500"),
    ],
)
def test_a_page_out_of_range_is_a_400_that_says_why(
    client: Client, query: dict[str, int], says: str
) -> None:
    response = client.get("/api/collaborations", query)
    assert response.status_code == 400
    assert says in response.json()["detail"]
