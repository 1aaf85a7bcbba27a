from typing import Any

import pytest
from django.test import Client
from tests.register.helpers import edit_data, form_data

from accord.core.models import AuditEvent
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db


# Create ------------------------------------------------------------------------------------


def test_a_contributor_adds_a_collaboration_and_sees_it(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.post("/collaborations/new/", form_data(), follow=True)
    c = Collaboration.objects.get(title="Co-responding pilot")
    assert response.redirect_chain[-1][0] == f"/collaborations/{c.reference}/"
    page = response.content.decode()
    assert "Co-responding pilot" in page
    assert "East Midlands Ambulance Service" in page
    assert c.service_mix == "fire_ambulance"
    assert [(p.organisation.code, p.role) for p in c.partners.order_by("role")] == [
        ("E31000025", "lead"),
        ("RX9", "partner"),
    ]
    assert c.champions.count() == 2
    assert AuditEvent.objects.filter(action="collaboration.create", actor=owner).exists()


def test_a_reader_cannot_add_collaborations(client: Client, colleague: Any) -> None:
    client.force_login(colleague)
    page = client.get("/collaborations/new/")
    assert page.status_code == 403
    assert "contributor role to add collaborations" in page.content.decode()
    assert client.post("/collaborations/new/", form_data()).status_code == 403
    assert not Collaboration.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/collaborations/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_contributor_cannot_add_a_collaboration_their_organisation_is_not_in(
    client: Client, outsider: Any
) -> None:
    client.force_login(outsider)
    response = client.post("/collaborations/new/", form_data())
    assert "Your organisation must be one of the partners" in response.content.decode()
    assert not Collaboration.objects.exists()


def test_the_form_explains_each_mistake(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.post(
        "/collaborations/new/",
        form_data(title="", started_on="2020-01-01", ended_on="2019-01-01", evidence="x | nope"),
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a title" in page
    assert "The end date must be on or after the start date" in page
    assert "is not a web address" in page
    assert not Collaboration.objects.exists()


# Edit --------------------------------------------------------------------------------------


def test_a_partner_contributor_edits_and_the_version_moves_on(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    response = client.post(
        f"/collaborations/{collaboration.reference}/edit/",
        edit_data(collaboration, title="Renamed pilot"),
        follow=True,
    )
    assert "Renamed pilot" in response.content.decode()
    collaboration.refresh_from_db()
    assert collaboration.title == "Renamed pilot"
    assert collaboration.version == 2


@pytest.mark.parametrize(
    ("who", "status"),
    # A reader who may see it is told why not; an outsider is not told it exists.
    [("colleague", 403), ("outsider", 404)],
)
def test_readers_and_non_partners_cannot_edit(
    client: Client, collaboration: Any, who: str, status: int, request: Any
) -> None:
    client.force_login(request.getfixturevalue(who))
    url = f"/collaborations/{collaboration.reference}/edit/"
    assert client.get(url).status_code == status
    assert client.post(url, edit_data(collaboration, title="Hijacked")).status_code == status
    collaboration.refresh_from_db()
    assert collaboration.title == "Joint response pilot"


def test_platform_administrators_may_edit_any_collaboration(
    client: Client, platform_admin: Any, collaboration: Any
) -> None:
    client.force_login(platform_admin)
    client.post(
        f"/collaborations/{collaboration.reference}/edit/",
        edit_data(collaboration, title="Fixed by admin"),
    )
    collaboration.refresh_from_db()
    assert collaboration.title == "Fixed by admin"


# Archive and reviews ------------------------------------------------------------------------


def test_archiving_hides_from_lists_but_keeps_the_record(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    client.post(f"/collaborations/{collaboration.reference}/archive/")
    collaboration.refresh_from_db()
    assert collaboration.archived_at is not None
    assert list(client.get("/collaborations/").context["page"].object_list) == []
    archived = client.get("/collaborations/?archived=on").context["page"].object_list
    assert [c.pk for c in archived] == [collaboration.pk]
    assert (
        "Archived on" in client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    )
    client.post(f"/collaborations/{collaboration.reference}/archive/")
    collaboration.refresh_from_db()
    assert collaboration.archived_at is None


def test_a_reader_cannot_archive(client: Client, colleague: Any, collaboration: Any) -> None:
    client.force_login(colleague)
    assert client.post(f"/collaborations/{collaboration.reference}/archive/").status_code == 403
    collaboration.refresh_from_db()
    assert collaboration.archived_at is None


def test_a_duty_review_is_recorded_and_clears_the_review_risk(
    client: Client, owner: Any, collaboration: Any
) -> None:
    from django.utils import timezone

    from accord.orgs.models import Organisation

    client.force_login(owner)
    detail = f"/collaborations/{collaboration.reference}/"
    assert 'data-risk="no_review"' in client.get(detail).content.decode()
    client.post(
        f"{detail}reviews/new/",
        {
            "opportunity": "Shared fire and ambulance station at Long Sutton",
            "considered_on": timezone.localdate().isoformat(),
            "notified": [Organisation.objects.get(code="E23000020").pk],
            "decision": "collaborate",
            "reason": "Faster response in rural areas",
        },
    )
    page = client.get(detail).content.decode()
    assert "Shared fire and ambulance station at Long Sutton" in page
    # The force notified, by its short name, in the review's row.
    assert '<td class="govuk-table__cell">Lincolnshire</td>' in page
    assert 'data-risk="no_review"' not in page


def test_the_detail_page_flags_sustainability_risks(
    client: Client, make_collaboration: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from accord.orgs.models import Organisation

    c = make_collaboration(
        "Risky pilot",
        visibility="public",
        has_written_agreement=False,
        champions=[("Chief Fire Officer", Organisation.objects.get(code="E31000025"))],
        funding_ends_on=timezone.localdate() + dt.timedelta(days=90),
    )
    page = client.get(f"/collaborations/{c.reference}/").content.decode()
    for risk in ("single_champion", "funding_ending", "no_agreement", "no_review"):
        assert f'data-risk="{risk}"' in page


# List, filters and pagination ---------------------------------------------------------------


def test_filters_narrow_the_list_and_counts_follow(client: Client, make_collaboration: Any) -> None:
    make_collaboration("Fire medics", visibility="public", nature="co_responding")
    make_collaboration(
        "Shared HQ",
        visibility="public",
        nature="shared_estates",
        partners=(("E23000020", "lead"), ("E31000025", "partner")),
        status="implementing",
    )
    page = client.get("/collaborations/", {"nature": "shared_estates"})
    assert page.context["total"] == 1
    assert "Shared HQ" in page.content.decode()
    assert "Fire medics" not in page.content.decode()
    assert client.get("/collaborations/", {"mix": "police_fire"}).context["total"] == 1
    assert client.get("/collaborations/", {"sector": "ambulance"}).context["total"] == 1
    assert client.get("/collaborations/", {"organisation": "E23000020"}).context["total"] == 1
    assert client.get("/collaborations/", {"status": "implementing"}).context["total"] == 1
    assert client.get("/collaborations/", {"q": "medics"}).context["total"] == 1
    assert client.get("/collaborations/", {"q": "Lincolnshire Police"}).context["total"] == 1
    facets = client.get("/collaborations/").context["facets"]
    assert facets["nature"]["shared_estates"] == 1
    assert facets["nature"]["co_responding"] == 1
    assert facets["sector"]["fire"] == 2


def test_the_list_is_paginated_and_sorted(
    client: Client, make_collaboration: Any, settings: Any
) -> None:
    for n in range(30):
        make_collaboration(f"Pilot {n:02d}", visibility="public")
    page1 = client.get("/collaborations/")
    assert page1.context["page"].paginator.num_pages == 2
    assert len(page1.context["page"].object_list) == settings.PAGE_SIZE
    assert page1.context["page"].object_list[0].title == "Pilot 00"
    page2 = client.get("/collaborations/", {"page": 2})
    assert page2.context["page"].object_list[0].title == f"Pilot {settings.PAGE_SIZE:02d}"
    newest = client.get("/collaborations/", {"sort": "-updated"}).context["page"].object_list[0]
    assert newest.title == "Pilot 29"


def test_an_empty_register_says_so(client: Client) -> None:
    assert "No collaborations match" in client.get("/collaborations/").content.decode()


def test_the_place_filter_finds_collaborations_by_area(
    client: Client, make_collaboration: Any, shared_data: Any
) -> None:
    from accord.cli import main as accord

    assert accord(["import", "areas", str(shared_data / "lad24_pfa_fra.csv")]) == 0
    make_collaboration("Lincolnshire pilot", visibility="public")  # Lincolnshire Fire leads
    make_collaboration("Hampshire pilot", visibility="public", partners=(("E23000030", "lead"),))
    found = client.get("/collaborations/", {"place": "E31000025"}).context["page"].object_list
    assert [c.title for c in found] == ["Lincolnshire pilot"]
    assert client.get("/collaborations/", {"place": "Hampshire"}).context["total"] == 1


@pytest.mark.parametrize(
    ("who", "status"),
    # A reader at a partner is told why not; an outsider is not told the record exists.
    [("colleague", 403), ("outsider", 404)],
)
def test_a_review_is_refused_to_those_who_may_not_edit(
    client: Client, collaboration: Any, who: str, status: int, request: Any
) -> None:
    from django.utils import timezone

    client.force_login(request.getfixturevalue(who))
    response = client.post(
        f"/collaborations/{collaboration.reference}/reviews/new/",
        {
            "opportunity": "A review nobody asked for",
            "considered_on": timezone.localdate().isoformat(),
            "decision": "collaborate",
            "reason": "None",
        },
    )
    assert response.status_code == status
    assert not collaboration.reviews.exists()


def test_a_reference_already_taken_is_a_form_error_whoever_holds_it(
    client: Client, owner: Any, make_collaboration: Any
) -> None:
    # Held by a record the owner may not see (Hampshire's own, partners only) and by one
    # they may: the same words for both, and nothing else is said of either.
    make_collaboration("Hidden", reference="HIDDEN-1", partners=(("E23000030", "lead"),))
    make_collaboration("Visible", reference="SEEN-1")
    client.force_login(owner)
    pages = []
    for reference in ("HIDDEN-1", "SEEN-1"):
        response = client.post("/collaborations/new/", form_data(reference=reference))
        assert response.status_code == 200
        pages.append(response.content.decode())
        assert "is already in use" in pages[-1]
        assert "Hidden" not in pages[-1]
    assert Collaboration.objects.count() == 2
