"""The protective marking follows what a page or export holds: a public record, and the pages
an anonymous visitor reads, are not marked OFFICIAL-SENSITIVE; a record that is not public is."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.assessments.assessment_helpers import invite, make_round

from accord.core.marking import choose_marking, marking_for

MARKED = 'aria-label="Protective marking">{}</div>'


@pytest.mark.parametrize(
    ("visibilities", "expected"),
    [
        ([], "PUBLIC"),
        (["public"], "PUBLIC"),
        (["public", "public"], "PUBLIC"),
        (["public", "partners"], "RESTRICTED"),
        (["signed_in"], "RESTRICTED"),
        (["named"], "RESTRICTED"),
        # Anything not exactly public is not public: a blank, a missing or an unknown value.
        ([None], "RESTRICTED"),
        ([""], "RESTRICTED"),
        (["Public"], "RESTRICTED"),
    ],
)
def test_any_record_that_is_not_public_marks_the_whole(
    visibilities: list[str | None], expected: str
) -> None:
    assert choose_marking(visibilities, restricted="RESTRICTED", public="PUBLIC") == expected


def test_the_markings_come_from_the_settings(settings: Any) -> None:
    assert marking_for(["partners"]) == "OFFICIAL-SENSITIVE"
    assert marking_for(["public"]) == "OFFICIAL"
    assert marking_for(iter([])) == "OFFICIAL"  # an empty export, any iterable
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE COMMERCIAL"
    settings.PUBLIC_MARKING = "PUBLIC"
    assert marking_for(["partners", "public"]) == "OFFICIAL-SENSITIVE COMMERCIAL"
    assert marking_for(["public"]) == "PUBLIC"


@pytest.mark.django_db
def test_an_anonymous_visitors_public_pages_are_not_marked_official_sensitive(
    client: Client, make_collaboration: Any
) -> None:
    public = make_collaboration("Open co-responding scheme", visibility="public")
    for path in ("/collaborations/", f"/collaborations/{public.reference}/", "/help/", "/"):
        page = client.get(path).content.decode()
        assert MARKED.format("OFFICIAL") in page, path
        assert "OFFICIAL-SENSITIVE" not in page, path


@pytest.mark.django_db
def test_a_signed_in_page_of_a_restricted_record_is_marked(
    client: Client, owner: Any, outsider: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert collaboration.title in page
    assert MARKED.format("OFFICIAL-SENSITIVE") in page
    # Anyone signed in reads pages that may hold what they may see: marked, whatever is on them.
    client.force_login(outsider)
    assert MARKED.format("OFFICIAL-SENSITIVE") in client.get("/collaborations/").content.decode()


@pytest.mark.django_db
def test_a_survey_reached_by_a_personal_link_is_marked_though_nobody_is_signed_in(
    client: Client, collaboration: Any
) -> None:
    """A respondent is anonymous, but the round is of a partners-only collaboration."""
    found = make_round(collaboration)
    (token,) = invite(found, [("someone@example.org", "E31000025", "tactical")])
    response = client.get(f"/assessments/respond/{token}/")
    assert response.status_code == 200
    assert MARKED.format("OFFICIAL-SENSITIVE") in response.content.decode()


@pytest.mark.django_db
def test_the_public_marking_is_a_setting(client: Client, settings: Any) -> None:
    settings.PUBLIC_MARKING = "UNCLASSIFIED"
    assert MARKED.format("UNCLASSIFIED") in client.get("/collaborations/").content.decode()


@pytest.mark.django_db
def test_a_views_own_marking_wins_over_the_layouts(rf: Any, owner: Any) -> None:
    """A view that knows its page shows only public records may say so."""
    from django.shortcuts import render

    request = rf.get("/somewhere/")
    request.user = owner
    page = render(request, "base.html", {"protective_marking": "OFFICIAL"}).content.decode()
    assert MARKED.format("OFFICIAL") in page and "OFFICIAL-SENSITIVE" not in page
