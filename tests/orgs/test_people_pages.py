"""People pages: organisation administrators invite, re-role, deactivate and reactivate the
people of their own organisation; platform administrators anyone's. Every change is audited,
and every rule is tried with someone who passes and someone who does not."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from tests.support.people import PASSWORD, make_person

from accord.core.models import AuditEvent
from accord.core.problems import NotVisible, PermissionRefused, Problems
from accord.orgs import services
from accord.orgs.models import Organisation, User

pytestmark = pytest.mark.django_db

PEOPLE = "/accounts/people/"
INVITE = "/accounts/people/invite/"
SITE = "https://accord.example.gov.uk"
NEW_PASSWORD = "lantern-orchard-quietly-7"
SRC = Path(__file__).resolve().parents[2] / "src" / "accord"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def other_admin(db: Any) -> Any:
    """An organisation administrator at Hampshire police, which the others are not part of."""
    person, _ = services.add_user(
        email="admin@hampshire-police.test",
        organisation_code="E23000030",
        role="org_admin",
        password=PASSWORD,
        actor="test",
    )
    return person


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def person_page(person: Any) -> str:
    return f"/accounts/people/{person.pk}/"


def invitation_link() -> str:
    message = mail.outbox[-1]
    found = re.search(re.escape(SITE) + r"(/accounts/invitation/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def events(action: str, person: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(person.pk)))


# Who sees the people pages ---------------------------------------------------------------------


def test_an_organisation_administrator_lists_their_own_organisations_people_only(
    org_admin: Any, colleague: Any, owner: Any, outsider: Any
) -> None:
    page = signed_in(org_admin).get(PEOPLE)
    assert page.status_code == 200
    listed = {p.email for p in page.context["page"].object_list}
    assert listed == {org_admin.email, colleague.email, owner.email}
    text = page.content.decode()
    assert "People at Lincolnshire Fire and Rescue" in text
    assert "Contributor" in text and "Active" in text


def test_a_platform_administrator_lists_everyone(
    platform_admin: Any, colleague: Any, outsider: Any
) -> None:
    page = signed_in(platform_admin).get(PEOPLE)
    listed = {p.email for p in page.context["page"].object_list}
    assert {colleague.email, outsider.email, platform_admin.email} <= listed
    assert "People in every organisation" in page.content.decode()


@pytest.mark.parametrize("name", ["colleague", "owner", "moderator", "partner_user", "outsider"])
def test_people_who_are_not_administrators_are_refused_the_people_pages(
    name: str, colleague: Any
) -> None:
    client = signed_in(make_person(name))
    for path in (PEOPLE, INVITE, person_page(colleague)):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "administrators can manage its people" in response.content.decode()


def test_nobody_signed_in_is_asked_to_sign_in(db: Any) -> None:
    response = Client().get(PEOPLE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_another_organisations_person_is_absent_for_an_organisation_administrator(
    org_admin: Any, outsider: Any, other_admin: Any, colleague: Any
) -> None:
    assert signed_in(org_admin).get(person_page(outsider)).status_code == 404
    assert signed_in(other_admin).get(person_page(colleague)).status_code == 404
    assert signed_in(other_admin).get(person_page(outsider)).status_code == 200


def test_the_list_is_paginated_and_searchable(org_admin: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for number in range(3):
        services.invite_person(org_admin, email=f"crew{number}@lincs-fire.test", role="reader")
    client = signed_in(org_admin)
    first = client.get(PEOPLE)
    assert first.context["total"] == 4
    assert len(first.context["page"].object_list) == 2
    assert "page 1 of 2" in first.content.decode()
    second = client.get(PEOPLE + "?page=2")
    assert len(second.context["page"].object_list) == 2
    found = client.get(PEOPLE + "?q=crew1")
    assert [p.email for p in found.context["page"].object_list] == ["crew1@lincs-fire.test"]
    assert "Invited" in found.content.decode()


# Inviting --------------------------------------------------------------------------------------


def test_an_organisation_administrator_invites_a_colleague_who_sets_a_password_and_signs_in(
    org_admin: Any,
) -> None:
    response = signed_in(org_admin).post(
        INVITE,
        {
            "email": "New.Crew@Lincs-Fire.test",
            "first_name": "Sam",
            "last_name": "Okafor",
            "role": "contributor",
        },
    )
    invited = User.objects.get(email="new.crew@lincs-fire.test")
    assert response.status_code == 302 and response["Location"] == person_page(invited)
    assert invited.organisation == org_admin.organisation
    assert invited.role == "contributor" and not invited.has_usable_password()
    (event,) = events("user.invite", invited)
    assert event.actor_id == org_admin.pk
    assert event.after == {
        "email": "new.crew@lincs-fire.test",
        "organisation": "E31000025",
        "role": "contributor",
    }

    (message,) = mail.outbox
    assert message.to == ["new.crew@lincs-fire.test"]
    assert "Hello Sam," in message.body
    assert "Lincolnshire Fire and Rescue, as: Contributor" in message.body
    assert "for the next 7 days" in message.body

    newcomer = Client()
    form = newcomer.get(invitation_link(), follow=True)
    assert "Set your password" in form.content.decode()
    done = newcomer.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == "/accounts/invitation/done/"
    assert "Your password is set" in newcomer.get(done["Location"]).content.decode()
    signing_in = newcomer.post(
        "/accounts/sign-in/", {"username": invited.email, "password": NEW_PASSWORD}
    )
    assert signing_in.status_code == 302
    assert newcomer.get("/accounts/").context["person"] == invited
    # Used once: the link no longer works.
    assert (
        "This link does not work" in Client().get(invitation_link(), follow=True).content.decode()
    )


def test_an_invitation_expires(org_admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    services.invite_person(org_admin, email="late@lincs-fire.test", role="reader")
    monkeypatch.setattr(services, "INVITATION_VALID_FOR", services.dt.timedelta(seconds=-1))
    page = Client().get(invitation_link(), follow=True).content.decode()
    assert "This link does not work" in page
    assert "ask the person who invited you to send a new invitation" in page


def test_a_password_reset_link_is_no_invitation_and_the_other_way_round(
    org_admin: Any,
) -> None:
    invited = services.invite_person(org_admin, email="late@lincs-fire.test", role="reader")
    reset_path = invitation_link().replace("/accounts/invitation/", "/accounts/password/reset/")
    assert "This link does not work" in Client().get(reset_path, follow=True).content.decode()
    assert invited.has_usable_password() is False


def test_an_administrator_sends_a_new_invitation_until_the_password_is_set(
    org_admin: Any,
) -> None:
    invited = services.invite_person(org_admin, email="late@lincs-fire.test", role="reader")
    client = signed_in(org_admin)
    assert "Send a new invitation" in client.get(person_page(invited)).content.decode()
    client.post(person_page(invited) + "invite-again/")
    assert len(mail.outbox) == 2
    assert len(events("user.invite_again", invited)) == 1

    services.set_password(invited, NEW_PASSWORD, actor=invited)
    refused = client.post(person_page(invited) + "invite-again/")
    assert refused.status_code == 403
    assert len(mail.outbox) == 2


def test_an_organisation_administrator_cannot_invite_into_another_organisation(
    org_admin: Any,
) -> None:
    page = signed_in(org_admin).get(INVITE)
    assert "organisation" not in page.context["form"].fields
    hampshire = Organisation.objects.get(code="E23000030")
    with pytest.raises(Problems) as refused:
        services.invite_person(
            org_admin, email="spy@hampshire-police.test", role="reader", organisation=hampshire
        )
    assert [p.field for p in refused.value.problems] == ["organisation"]
    assert not User.objects.filter(email="spy@hampshire-police.test").exists()


def test_a_platform_administrator_invites_into_any_organisation(platform_admin: Any) -> None:
    hampshire = Organisation.objects.get(code="E23000030")
    signed_in(platform_admin).post(
        INVITE,
        {"email": "new@hampshire-police.test", "organisation": hampshire.code, "role": "reader"},
    )
    assert User.objects.get(email="new@hampshire-police.test").organisation == hampshire


def test_a_platform_administrator_chooses_the_organisation_with_the_picker(
    platform_admin: Any,
) -> None:
    client = signed_in(platform_admin)
    page = client.get(INVITE).content.decode()
    # The shared picker: GOV.UK's accessible autocomplete over a select grouped by sector and
    # sent by code (no plain list of every organisation in one alphabet).
    picker = page.split('name="organisation"', 1)[1].split("</select>", 1)[0]
    assert 'data-accord-organisation="one"' in picker
    assert '<optgroup label="Police">' in picker
    assert 'value="E23000030"' in picker
    assert '<option value="">Choose an organisation</option>' in picker

    def invite(organisation: str, email: str) -> Any:
        return client.post(INVITE, {"email": email, "organisation": organisation, "role": "reader"})

    # Its short name, as the import would read it ...
    assert invite("hampshire and isle of wight", "one@hampshire-police.test").status_code == 302
    assert User.objects.get(email="one@hampshire-police.test").organisation.code == "E23000030"
    # ... and a near miss refused with a suggestion, nobody invited.
    near = invite("Hampshire and Isle of Wight Constabularly", "two@hampshire-police.test")
    assert "Did you mean Hampshire and Isle of Wight Constabulary (E23000030)," in (
        near.content.decode()
    )
    assert not User.objects.filter(email="two@hampshire-police.test").exists()


def test_only_a_platform_administrator_may_make_a_platform_administrator(
    org_admin: Any, platform_admin: Any
) -> None:
    form = signed_in(org_admin).get(INVITE).context["form"]
    assert "platform_admin" not in dict(form.fields["role"].choices)
    refused = signed_in(org_admin).post(
        INVITE, {"email": "x@lincs-fire.test", "role": "platform_admin"}
    )
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert not User.objects.filter(email="x@lincs-fire.test").exists()

    lincs = Organisation.objects.get(code="E31000025")
    made = services.invite_person(
        platform_admin, email="x@lincs-fire.test", role="platform_admin", organisation=lincs
    )
    assert made.is_staff and made.is_superuser


def test_an_address_with_an_account_is_refused_with_the_reason(
    org_admin: Any, colleague: Any
) -> None:
    response = signed_in(org_admin).post(
        INVITE, {"email": "Colleague@lincs-fire.test", "role": "reader"}
    )
    assert "colleague@lincs-fire.test already has an account" in response.content.decode()
    assert mail.outbox == []


def test_the_invite_form_asks_in_govuk_words_and_preselects_no_role(org_admin: Any) -> None:
    client = signed_in(org_admin)
    page = client.get(INVITE).content.decode()
    assert "checked" not in page
    response = client.post(INVITE, {"email": ""}).content.decode()
    assert "Enter their email address" in response
    assert "Select a role" in response


# Changing a role -------------------------------------------------------------------------------


def test_an_organisation_administrator_changes_a_colleagues_role_audited(
    org_admin: Any, colleague: Any
) -> None:
    response = signed_in(org_admin).post(
        person_page(colleague), {"role": "contributor"}, follow=True
    )
    assert "is now: Contributor" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.role == "contributor"
    (event,) = events("user.change_role", colleague)
    assert event.actor_id == org_admin.pk
    assert (event.before["role"], event.after["role"]) == ("reader", "contributor")


def test_another_organisations_administrator_cannot_change_the_role(
    other_admin: Any, colleague: Any
) -> None:
    response = signed_in(other_admin).post(person_page(colleague), {"role": "org_admin"})
    assert response.status_code == 404
    with pytest.raises(NotVisible):
        services.change_role(other_admin, colleague, "org_admin")
    colleague.refresh_from_db()
    assert colleague.role == "reader" and events("user.change_role", colleague) == []


@pytest.mark.parametrize("name", ["owner", "moderator", "outsider"])
def test_people_who_are_not_administrators_cannot_change_a_role(name: str, colleague: Any) -> None:
    actor = make_person(name)
    assert signed_in(actor).post(person_page(colleague), {"role": "org_admin"}).status_code == 403
    with pytest.raises(PermissionRefused):
        services.change_role(actor, colleague, "org_admin")
    colleague.refresh_from_db()
    assert colleague.role == "reader"


def test_nobody_changes_their_own_role(org_admin: Any, platform_admin: Any) -> None:
    page = signed_in(org_admin).get(person_page(org_admin)).content.decode()
    assert "This is you" in page and "Save role" not in page
    for actor in (org_admin, platform_admin):
        with pytest.raises(PermissionRefused):
            services.change_role(actor, actor, "reader")


def test_an_organisation_administrator_cannot_change_a_platform_administrator(
    org_admin: Any, platform_admin: Any
) -> None:
    lincs = Organisation.objects.get(code="E31000025")
    chief = services.invite_person(
        platform_admin, email="chief@lincs-fire.test", role="platform_admin", organisation=lincs
    )
    with pytest.raises(PermissionRefused):
        services.change_role(org_admin, chief, "reader")
    with pytest.raises(PermissionRefused):
        services.set_active(org_admin, chief, active=False)
    services.change_role(platform_admin, chief, "reader")
    chief.refresh_from_db()
    assert chief.role == "reader" and not chief.is_staff and not chief.is_superuser


def test_a_platform_administrator_changes_anyones_role(platform_admin: Any, outsider: Any) -> None:
    signed_in(platform_admin).post(person_page(outsider), {"role": "org_admin"})
    outsider.refresh_from_db()
    assert outsider.role == "org_admin"
    assert events("user.change_role", outsider)[0].actor_id == platform_admin.pk


# Deactivating and reactivating -------------------------------------------------------------------


def test_an_organisation_administrator_deactivates_and_reactivates_a_colleague(
    org_admin: Any, colleague: Any
) -> None:
    client = signed_in(org_admin)
    response = client.post(person_page(colleague) + "deactivate/", follow=True)
    assert "has been deactivated" in response.content.decode()
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert (
        Client()
        .post("/accounts/sign-in/", {"username": colleague.email, "password": PASSWORD})
        .status_code
        == 200
    )  # refused: the form again
    (event,) = events("user.deactivate", colleague)
    assert event.actor_id == org_admin.pk
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)
    assert User.objects.filter(pk=colleague.pk).exists()  # never deleted

    client.post(person_page(colleague) + "reactivate/")
    colleague.refresh_from_db()
    assert colleague.is_active
    assert len(events("user.reactivate", colleague)) == 1
    assert (
        Client()
        .post("/accounts/sign-in/", {"username": colleague.email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_another_organisations_administrator_cannot_deactivate(
    other_admin: Any, colleague: Any
) -> None:
    assert signed_in(other_admin).post(person_page(colleague) + "deactivate/").status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active and events("user.deactivate", colleague) == []


@pytest.mark.parametrize("name", ["owner", "outsider"])
def test_people_who_are_not_administrators_cannot_deactivate(name: str, colleague: Any) -> None:
    actor = make_person(name)
    assert signed_in(actor).post(person_page(colleague) + "deactivate/").status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_nobody_deactivates_themselves(org_admin: Any) -> None:
    assert signed_in(org_admin).post(person_page(org_admin) + "deactivate/").status_code == 403
    org_admin.refresh_from_db()
    assert org_admin.is_active


def test_a_deactivated_administrator_manages_nobody(org_admin: Any, colleague: Any) -> None:
    services.deactivate_people(make_person("platform_admin"), [org_admin])
    org_admin.refresh_from_db()
    with pytest.raises(PermissionRefused):
        services.set_active(org_admin, colleague, active=False)


# One's own account -------------------------------------------------------------------------------


def test_the_account_page_shows_who_one_is_and_the_ways_on(owner: Any) -> None:
    page = signed_in(owner).get("/accounts/").content.decode()
    assert "owner@lincs-fire.test" in page and "Contributor" in page
    assert 'href="/accounts/password/"' in page and 'href="/accounts/tokens/"' in page
    assert 'href="/accounts/people/"' not in page


def test_the_account_page_links_administrators_to_their_people(org_admin: Any) -> None:
    page = signed_in(org_admin).get("/accounts/").content.decode()
    assert 'href="/accounts/people/"' in page
    assert "Manage the people of Lincolnshire Fire and Rescue" in page


def test_a_person_turns_a_notice_off_and_on_again_audited(owner: Any) -> None:
    client = signed_in(owner)
    page = client.get("/accounts/")
    codes = page.context["form"].codes()
    assert {"funding_ending", "review_due", "edited"} <= set(codes)
    assert "When the funding of a collaboration you lead ends" in page.content.decode()
    kept = [code for code in codes if code != "edited"]
    client.post("/accounts/", {"notices": kept})
    owner.refresh_from_db()
    assert owner.notices_off == ["edited"]
    (event,) = events("user.notices", owner)
    assert event.actor_id == owner.pk and event.after == {"notices_off": ["edited"]}
    # The boxes show what was saved.
    assert "edited" not in client.get("/accounts/").context["form"].initial["notices"]
    client.post("/accounts/", {"notices": codes})
    owner.refresh_from_db()
    assert owner.notices_off == []


def test_the_account_page_needs_signing_in(db: Any) -> None:
    assert Client().get("/accounts/").status_code == 302


# The Django admin --------------------------------------------------------------------------------


def test_the_django_admin_is_for_platform_administrators_only(
    org_admin: Any, platform_admin: Any
) -> None:
    assert signed_in(org_admin).get("/admin/").status_code == 302
    assert signed_in(platform_admin).get("/admin/").status_code == 200


def test_an_organisation_administrator_made_platform_administrator_reaches_the_admin_and_back(
    platform_admin: Any, org_admin: Any
) -> None:
    services.change_role(platform_admin, org_admin, "platform_admin")
    assert signed_in(org_admin).get("/admin/").status_code == 200
    services.change_role(platform_admin, org_admin, "org_admin")
    assert signed_in(org_admin).get("/admin/").status_code == 302


def test_no_page_links_to_the_django_admin() -> None:
    """The admin is reached by typing its address: no template of the site links to it."""
    linking = re.compile(r"""href=["'](?:/admin\b|\{% url ["']admin:)""")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.html")
        if linking.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# The rest of the rules, each with someone refused ------------------------------------------------


@pytest.mark.parametrize("name", ["colleague", "owner", "moderator", "outsider"])
def test_people_who_are_not_administrators_cannot_invite(name: str) -> None:
    response = signed_in(make_person(name)).post(
        INVITE, {"email": "new@lincs-fire.test", "role": "reader"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@lincs-fire.test").exists()
    assert mail.outbox == []


def test_only_their_own_organisations_administrators_reactivate_someone(
    org_admin: Any, other_admin: Any, outsider: Any, colleague: Any
) -> None:
    services.set_active(org_admin, colleague, active=False)
    assert signed_in(other_admin).post(person_page(colleague) + "reactivate/").status_code == 404
    assert signed_in(outsider).post(person_page(colleague) + "reactivate/").status_code == 403
    colleague.refresh_from_db()
    assert not colleague.is_active
    signed_in(org_admin).post(person_page(colleague) + "reactivate/")
    colleague.refresh_from_db()
    assert colleague.is_active


def test_only_their_own_organisations_administrators_send_a_new_invitation(
    org_admin: Any, other_admin: Any, owner: Any
) -> None:
    invited = services.invite_person(org_admin, email="late@lincs-fire.test", role="reader")
    mail.outbox.clear()
    assert signed_in(other_admin).post(person_page(invited) + "invite-again/").status_code == 404
    assert signed_in(owner).post(person_page(invited) + "invite-again/").status_code == 403
    assert mail.outbox == []
