"""Passwords: reset by an emailed link that never says whether an address has an account, and
changed in the site when signed in. Emails go to Django's locmem backend (`mail.outbox`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from tests.support.people import PASSWORD

from accord.core.models import AuditEvent
from accord.orgs import forms

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
NEW_PASSWORD = "lantern-orchard-quietly-7"
SITE = "https://accord.example.gov.uk"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


def emailed_link() -> str:
    (message,) = mail.outbox
    found = re.search(re.escape(SITE) + r"(/accounts/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def ask_for_reset(client: Client, email: str) -> Any:
    return client.post(RESET, {"email": email})


def set_password_from(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    # Django moves the token out of the address into the session before showing the form.
    return client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )


def signs_in(email: str, password: str) -> bool:
    response = Client().post("/accounts/sign-in/", {"username": email, "password": password})
    return response.status_code == 302


# The journey ---------------------------------------------------------------------------------


def test_a_person_resets_their_password_by_email_and_signs_in_with_it(
    owner: Any, configured_password_hashing: list[str]
) -> None:
    client = Client()
    response = ask_for_reset(client, "Owner@Lincs-Fire.test")
    assert response.status_code == 302 and response["Location"] == SENT
    page = client.get(SENT).content.decode()
    assert "Check your email" in page

    (message,) = mail.outbox
    assert message.to == ["owner@lincs-fire.test"]
    assert message.subject == "Reset your Accord password"
    assert "It works once, for the next 2 hours." in message.body

    done = set_password_from(client, emailed_link())
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert "Your password has been changed" in client.get(done["Location"]).content.decode()

    assert signs_in(owner.email, NEW_PASSWORD)
    assert not signs_in(owner.email, PASSWORD)
    event = AuditEvent.objects.filter(action="user.set_password", object_id=str(owner.pk)).get()
    assert event.actor_id == owner.pk
    owner.refresh_from_db()
    assert owner.password.startswith("argon2")
    assert NEW_PASSWORD not in str(event.after) and owner.password not in str(event.after)


def test_the_link_starts_with_the_site_url_not_the_host_the_request_named(
    owner: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    Client(HTTP_HOST="attacker.example").post(RESET, {"email": owner.email})
    (message,) = mail.outbox
    assert f"{SITE}/accounts/password/reset/" in message.body
    assert "attacker.example" not in message.body


def test_the_link_works_only_once(owner: Any) -> None:
    client = Client()
    ask_for_reset(client, owner.email)
    link = emailed_link()
    set_password_from(client, link)
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again
    assert "Ask for a new link" in again


def test_an_old_link_no_longer_works(owner: Any, settings: Any) -> None:
    client = Client()
    ask_for_reset(client, owner.email)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is already too old
    page = client.get(emailed_link(), follow=True).content.decode()
    assert "This link does not work" in page


def test_a_deactivated_persons_link_does_not_bring_them_back(owner: Any, org_admin: Any) -> None:
    from accord.orgs import services

    client = Client()
    ask_for_reset(client, owner.email)
    services.set_active(org_admin, owner, active=False)
    page = Client().get(emailed_link(), follow=True).content.decode()
    assert "This link does not work" in page


# Saying nothing about who has an account -------------------------------------------------------


def test_an_unknown_address_gets_the_same_answer_and_no_email(owner: Any) -> None:
    known = ask_for_reset(Client(), owner.email)
    mail.outbox.clear()
    unknown = ask_for_reset(Client(), "nobody@lincs-fire.test")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_deactivated_people_and_those_without_a_password_get_no_email(
    owner: Any, org_admin: Any
) -> None:
    from accord.orgs import services

    services.set_active(org_admin, owner, active=False)
    invited = services.invite_person(org_admin, email="new@lincs-fire.test", role="reader")
    mail.outbox.clear()
    for email in (owner.email, invited.email):
        assert ask_for_reset(Client(), email)["Location"] == SENT
    assert mail.outbox == []


def test_a_badly_typed_address_is_asked_for_again_in_govuk_words(db: Any) -> None:
    page = ask_for_reset(Client(), "not an address").content.decode()
    assert "There is a problem" in page
    assert "Enter an email address in the correct format" in page
    empty = ask_for_reset(Client(), "").content.decode()
    assert "Enter your email address" in empty


def test_one_address_gets_at_most_three_emails_an_hour(owner: Any) -> None:
    answers = {ask_for_reset(Client(), owner.email)["Location"] for _ in range(5)}
    assert answers == {SENT}  # the same page each time: the limit says nothing either
    assert len(mail.outbox) == forms.RESETS_PER_ADDRESS == 3


def test_one_client_address_may_ask_only_so_often(db: Any, owner: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(forms.RESETS_PER_CLIENT):
        client.post(RESET, {"email": f"someone{number}@example.test"})
    assert mail.outbox == []
    client.post(RESET, {"email": owner.email})
    assert mail.outbox == []  # past the client's limit
    Client(REMOTE_ADDR="198.51.100.7").post(RESET, {"email": owner.email})
    assert len(mail.outbox) == 1


# Lockout ---------------------------------------------------------------------------------------


@override_settings(
    AXES_LOCKOUT_PARAMETERS=[["username", "ip_address"]],
    AXES_FAILURE_LIMIT=5,
)
def test_resetting_the_password_ends_a_lockout(owner: Any) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(6):
        guesser.post("/accounts/sign-in/", {"username": owner.email, "password": "wrong one!"})
    locked = guesser.post("/accounts/sign-in/", {"username": owner.email, "password": PASSWORD})
    assert locked.status_code == 429

    ask_for_reset(guesser, owner.email)
    set_password_from(guesser, emailed_link())
    response = guesser.post(
        "/accounts/sign-in/", {"username": owner.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


# New passwords ---------------------------------------------------------------------------------


def test_a_weak_new_password_is_refused_in_govuk_words(owner: Any) -> None:
    client = Client()
    ask_for_reset(client, owner.email)
    response = set_password_from(client, emailed_link(), password="short")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Password must be 12 characters or more" in page
    assert "This password is too short" not in page
    mismatch = client.post(
        response.wsgi_request.path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    ).content.decode()
    assert "The passwords do not match" in mismatch


# Changing one's password when signed in ------------------------------------------------------


def test_a_signed_in_person_changes_their_password(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password has been changed." in response.content.decode()
    # Still signed in: the session follows the new password.
    assert response.context["user"] == owner
    assert signs_in(owner.email, NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.set_password", actor_id=owner.pk).count() == 1


def test_the_current_password_must_be_right(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Your current password is not right" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_changing_a_password_needs_signing_in(db: Any) -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


# The sign-in page ------------------------------------------------------------------------------


def test_the_sign_in_page_offers_a_reset_and_says_how_to_get_an_account(db: Any) -> None:
    page = Client().get("/accounts/sign-in/").content.decode()
    assert f'href="{RESET}"' in page and "Forgotten your password?" in page
    assert "If you do not have an account" in page
    assert "Ask your organisation's Accord administrator to invite you" in page


def test_the_sign_in_pages_contact_link_is_a_page(db: Any) -> None:
    page = Client().get("/accounts/sign-in/").content.decode()
    assert 'href="/contact/">contact us</a>' in page
    assert Client().get("/contact/").status_code == 200
