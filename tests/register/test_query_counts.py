"""The register's pages make a fixed number of SQL queries, however many collaborations there are.

Each page is counted with 3 collaborations and again with 30 (with two to four partners each, so
that a query per row or per partner would show). The list page's count is also pinned exactly, so
that a new query is a deliberate change to this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Anonymous (no session cookie, so no session query): the audit chain's head (the version the
# cached counts are kept under), the page of rows and the partners' names. The first request
# after a change also counts the rows and every filter's values, in one query.
LIST_QUERIES_ANONYMOUS = 3
LIST_QUERIES_ANONYMOUS_COUNTING = 4
# Signed in: the same, plus loading the session and the user; when counting, one more query for
# what the person sees through their own organisation.
LIST_QUERIES_SIGNED_IN = 5
LIST_QUERIES_SIGNED_IN_COUNTING = 7

PARTNER_SETS = (
    (("E31000025", "lead"), ("RX9", "partner")),
    (("E31000025", "lead"), ("E23000030", "partner"), ("RX9", "supporter")),
    (("E31000025", "partner"), ("E23000001", "lead"), ("E31000001", "partner"), ("RX9", "partner")),
    (("E23000030", "lead"), ("E31000002", "partner")),
)
VISIBILITIES = ("public", "signed_in", "partners")
NATURES = ("co_responding", "shared_estates", "interoperability")
STATUSES = ("operational", "implementing", "idea")


def _seed(make_collaboration: Callable[..., Any], start: int, stop: int) -> list[Any]:
    made = []
    for i in range(start, stop):
        made.append(
            make_collaboration(
                f"Pilot number {i}",
                partners=PARTNER_SETS[i % len(PARTNER_SETS)],
                visibility=VISIBILITIES[i % len(VISIBILITIES)],
                nature=NATURES[i % len(NATURES)],
                status=STATUSES[(i // 3) % len(STATUSES)],
                champions=[(f"Champion {i}", None)] * (i % 3),
                evidence=[(f"Report {i}-{k}", "") for k in range(i % 4)],
            )
        )
    return made


def _count(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if not response.streaming:
        assert response.content
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _counts_at_3_and_30(
    client: Client, make_collaboration: Callable[..., Any], url_for: Callable[[list[Any]], str]
) -> tuple[int, int, list[str], list[str]]:
    made = _seed(make_collaboration, 0, 3)
    few, few_sql = _count(client, url_for(made))
    made += _seed(make_collaboration, 3, 30)
    many, many_sql = _count(client, url_for(made))
    return few, many, few_sql, many_sql


def _explain(few: int, many: int, few_sql: list[str], many_sql: list[str]) -> str:
    return f"{few} queries with 3 collaborations, {many} with 30.\nWith 30:\n" + "\n".join(
        f"  {sql[:200]}" for sql in many_sql
    )


PAGES = {
    "list": lambda made: "/collaborations/",
    "list filtered": lambda made: "/collaborations/?nature=co_responding&status=operational",
    "list searched and sorted": lambda made: "/collaborations/?q=pilot&sort=-updated&sector=fire",
    "list page 2": lambda made: "/collaborations/?page=2",
    "export csv": lambda made: "/collaborations/export/?format=csv",
    "export csv filtered": lambda made: "/collaborations/export/?format=csv&nature=co_responding",
    "export json": lambda made: "/collaborations/export/?format=json",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_pages_do_not_grow_with_data(
    client: Client, make_collaboration: Callable[..., Any], name: str
) -> None:
    few, many, few_sql, many_sql = _counts_at_3_and_30(client, make_collaboration, PAGES[name])
    assert few == many, _explain(few, many, few_sql, many_sql)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_signed_in_pages_do_not_grow_with_data(
    client: Client, owner: Any, make_collaboration: Callable[..., Any], name: str
) -> None:
    client.force_login(owner)
    few, many, few_sql, many_sql = _counts_at_3_and_30(client, make_collaboration, PAGES[name])
    assert few == many, _explain(few, many, few_sql, many_sql)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_detail_page_does_not_grow_with_data(
    client: Client, owner: Any, make_collaboration: Callable[..., Any], signed_in: bool
) -> None:
    """The detail of a public record: the same queries with 3 or 30 records, and whatever the
    number of its partners, champions and evidence links."""
    if signed_in:
        client.force_login(owner)

    def first_public(made: list[Any]) -> str:
        return f"/collaborations/{made[0].reference}/"

    few, many, few_sql, many_sql = _counts_at_3_and_30(client, make_collaboration, first_public)
    assert few == many, _explain(few, many, few_sql, many_sql)
    # A record with four partners and two evidence links, against the first (two partners).
    richer = next(c for c in _seed(make_collaboration, 30, 40) if c.partners.count() == 4)
    richer_count, richer_sql = _count(client, f"/collaborations/{richer.reference}/")
    assert richer_count == many, _explain(many, richer_count, many_sql, richer_sql)


def test_list_page_query_count_is_pinned(
    client: Client, owner: Any, make_collaboration: Callable[..., Any]
) -> None:
    from django.core.cache import cache

    _seed(make_collaboration, 0, 30)
    anonymous, anonymous_sql = _count(client, "/collaborations/")
    assert anonymous == LIST_QUERIES_ANONYMOUS_COUNTING, "\n".join(anonymous_sql)
    anonymous, anonymous_sql = _count(client, "/collaborations/")
    assert anonymous == LIST_QUERIES_ANONYMOUS, "\n".join(anonymous_sql)
    client.force_login(owner)
    cache.clear()
    signed_in, signed_in_sql = _count(client, "/collaborations/")
    assert signed_in == LIST_QUERIES_SIGNED_IN_COUNTING, "\n".join(signed_in_sql)
    signed_in, signed_in_sql = _count(client, "/collaborations/")
    assert signed_in == LIST_QUERIES_SIGNED_IN, "\n".join(signed_in_sql)


def test_list_page_with_django_assert_num_queries(
    client: Client,
    owner: Any,
    make_collaboration: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    _seed(make_collaboration, 0, 12)
    client.force_login(owner)
    with django_assert_num_queries(LIST_QUERIES_SIGNED_IN_COUNTING):
        client.get("/collaborations/?nature=co_responding")
    with django_assert_num_queries(LIST_QUERIES_SIGNED_IN):
        client.get("/collaborations/?nature=co_responding")
