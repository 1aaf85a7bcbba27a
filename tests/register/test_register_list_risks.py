"""Risk flags on the register's list: a column of each collaboration's flags, an "at risk"
filter and a sort by how many flags, all agreeing with register/risks.py."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accord.core.actors import SystemActor
from accord.register import queries, risks, services
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db

TEST_ACTOR = SystemActor("test")


def _review(collaboration: Any, on: dt.date) -> None:
    services.add_review(
        TEST_ACTOR,
        collaboration,
        services.ReviewData(
            opportunity="Shared estates", considered_on=on, decision="collaborate", reason="Cost"
        ),
    )


def _healthy(make_collaboration: Any, title: str, **fields: Any) -> Any:
    """A collaboration with no flag today: two champions, an agreement, a recent review."""
    made = make_collaboration(
        title,
        visibility="public",
        champions=[("Chief Fire Officer", None), ("Director of Operations", None)],
        has_written_agreement=True,
        **fields,
    )
    _review(made, timezone.localdate())
    return made


def _titles(response: Any) -> list[str]:
    return [c.title for c in response.context["page"].object_list]


# The database's rules are risks.py's -----------------------------------------------------------


@pytest.mark.parametrize(
    "today",
    [dt.date(2025, 6, 15), dt.date(2024, 2, 29), dt.date(2025, 3, 31)],
    ids=["mid-month", "leap-day", "month-end"],
)
def test_the_filter_and_the_sort_count_the_flags_risks_py_raises(
    make_collaboration: Any, today: dt.date
) -> None:
    """Every combination of champions, funding, agreement (yes, no, not known) and review,
    either side of each twelve-month boundary, for a running and an ended collaboration: the
    database's count of flags is the length of risks.py's list, and 'at risk' is its being
    non-empty."""
    twelve_on = risks.months_after(today, 12)
    twelve_ago = risks.months_after(today, -12)
    fundings = [None, today - dt.timedelta(days=1), twelve_on, twelve_on + dt.timedelta(days=1)]
    reviews = [None, twelve_ago - dt.timedelta(days=1), twelve_ago]
    cases = itertools.product(
        ("operational", "closed"), (0, 1, 2), fundings, (False, None, True), reviews
    )
    for n, (status, champions, funding, agreement, review) in enumerate(cases):
        if status == "closed" and n % 5:
            continue  # a sample of the ended: they never have flags
        made = make_collaboration(
            f"Case {n:03d}",
            status=status,
            champions=[(f"Champion {k}", None) for k in range(champions)],
            funding_ends_on=funding,
            has_written_agreement=agreement,
        )
        if review is not None:
            _review(made, review)
    everything = Collaboration.objects.all()
    rows = list(queries.with_risk_inputs(everything).order_by("title"))
    expected = {c.title: len(queries.risks_of(c, today)) for c in rows}
    assert len(expected) == 108 + 22  # every running case, and a sample of the ended
    assert any(expected.values()) and not all(expected.values())

    counted = queries.apply_filters(everything, {"sort": "-risks"}, today=today)
    in_order = [(c.title, expected[c.title]) for c in counted]
    assert [n for _, n in in_order] == sorted(expected.values(), reverse=True)
    assert [t for t, n in in_order if n == 0] == sorted(t for t, n in expected.items() if n == 0)

    at_risk = queries.apply_filters(everything, {"at_risk": True}, today=today)
    assert sorted(c.title for c in at_risk) == sorted(t for t, n in expected.items() if n)


def test_twelve_months_on_is_clamped_to_the_end_of_a_short_month() -> None:
    assert risks.months_after(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert risks.months_after(dt.date(2025, 3, 31), -1) == dt.date(2025, 2, 28)
    assert risks.months_after(dt.date(2025, 1, 31), -12) == dt.date(2024, 1, 31)


# The list page ---------------------------------------------------------------------------------


def test_the_list_shows_each_collaborations_flags_in_a_column(
    client: Client, make_collaboration: Any
) -> None:
    make_collaboration(
        "Fragile pilot",
        visibility="public",
        champions=[("Chief", None)],
        has_written_agreement=False,
    )
    _healthy(make_collaboration, "Sturdy pilot")
    page = client.get("/collaborations/").content.decode()
    assert '<th scope="col" class="govuk-table__header" aria-sort="none">' in page
    assert ">Risks<" in page
    fragile = page[page.index("Fragile pilot") : page.index("Sturdy pilot")]
    assert "One champion" in fragile
    assert "No written agreement" in fragile
    assert "No recent review" in fragile
    sturdy = page[page.index("Sturdy pilot") :]
    assert '<span class="govuk-body-s">None</span>' in sturdy.split("</tr>")[0]


def test_an_ended_collaboration_has_no_flags_on_the_list(
    client: Client, make_collaboration: Any
) -> None:
    make_collaboration("Closed pilot", visibility="public", status="closed")
    row = client.get("/collaborations/").context["page"].object_list[0]
    assert row.risks == []


def test_the_at_risk_filter_leaves_out_the_healthy_and_the_ended(
    client: Client, make_collaboration: Any
) -> None:
    make_collaboration("Fragile pilot", visibility="public")
    make_collaboration("Closed pilot", visibility="public", status="closed")
    _healthy(make_collaboration, "Sturdy pilot")
    response = client.get("/collaborations/", {"at_risk": "on"})
    assert _titles(response) == ["Fragile pilot"]
    assert response.context["count_words"] == "1 collaboration matches your filters"
    # The filter is a removable tag, and the export takes it too.
    assert "Remove this filter:</span> At risk only" in response.content.decode()
    body = b"".join(client.get("/collaborations/export/?format=csv&at_risk=on")).decode()
    assert "Fragile pilot" in body and "Sturdy pilot" not in body


def test_the_list_sorts_by_risks_most_first_and_back(
    client: Client, make_collaboration: Any
) -> None:
    _healthy(make_collaboration, "A sturdy pilot")
    make_collaboration("B fragile pilot", visibility="public")  # no champion, agreement, review
    make_collaboration(
        "C middling pilot",
        visibility="public",
        champions=[("Chief", None), ("Director", None)],
    )
    assert _titles(client.get("/collaborations/", {"sort": "-risks"})) == [
        "B fragile pilot",
        "C middling pilot",
        "A sturdy pilot",
    ]
    assert _titles(client.get("/collaborations/", {"sort": "risks"})) == [
        "A sturdy pilot",
        "C middling pilot",
        "B fragile pilot",
    ]
    page = client.get("/collaborations/", {"sort": "risks"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert "sort=-risks" in page  # the heading links to the other order
    assert '<option value="-risks">Most at risk</option>' in page


def test_recording_a_review_takes_a_collaboration_off_the_at_risk_list_at_once(
    client: Client, make_collaboration: Any
) -> None:
    """The counts are cached; a review recorded is a change they are kept under."""
    made = make_collaboration(
        "Reviewed pilot",
        visibility="public",
        champions=[("Chief Fire Officer", None), ("Director of Operations", None)],
        has_written_agreement=True,
    )  # no review yet: at risk
    client.get("/collaborations/", {"at_risk": "on"})
    assert client.get("/collaborations/", {"at_risk": "on"}).context["total"] == 1
    _review(made, timezone.localdate())
    response = client.get("/collaborations/", {"at_risk": "on"})
    assert response.context["total"] == 0
    assert _titles(response) == []


def test_the_list_sorts_by_status_in_the_order_collaborations_move_through(
    client: Client, make_collaboration: Any
) -> None:
    for title, status in (("Closed", "closed"), ("Idea", "idea"), ("Running", "operational")):
        make_collaboration(title, visibility="public", status=status)
    assert _titles(client.get("/collaborations/", {"sort": "status"})) == [
        "Idea",
        "Running",
        "Closed",
    ]
    assert _titles(client.get("/collaborations/", {"sort": "-status"})) == [
        "Closed",
        "Running",
        "Idea",
    ]
