"""Signing in: one account per email address whatever its case, and a lockout that locks the
address a guesser uses, never the person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory, override_settings
from tests.support.people import PASSWORD

from accord.core.problems import Problems
from accord.orgs import services
from accord.orgs.models import User
from accord.orgs.signin import client_address, lockout_username

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
GUESSER = "203.0.113.5"  # TEST-NET-3 (RFC 5737)
OWN_COMPUTER = "198.51.100.7"  # TEST-NET-2

#: The lockout as settings.py is to have it (see the report to the lead); set here so that the
#: tests hold whether or not settings.py has it yet.
LOCKOUT = {
    "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
    "AXES_USERNAME_CALLABLE": "accord.orgs.signin.lockout_username",
    "AXES_CLIENT_IP_CALLABLE": "accord.orgs.signin.client_address",
    "AXES_FAILURE_LIMIT": 5,
}


@pytest.fixture
def lockout() -> Iterator[None]:
    with override_settings(**LOCKOUT):
        yield


def sign_in(email: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(SIGN_IN, {"username": email, "password": password})


def signed_in_as(response: Any) -> Any:
    return response.wsgi_request.user if response.status_code == 302 else None


# Case ------------------------------------------------------------------------------------


def test_the_address_is_matched_ignoring_case(owner: Any) -> None:
    response = sign_in("Owner@Lincs-Fire.TEST", PASSWORD, OWN_COMPUTER)
    assert response.status_code == 302
    assert signed_in_as(response) == owner


def test_the_django_admin_sign_in_ignores_case_too(platform_admin: Any) -> None:
    client = Client(REMOTE_ADDR=OWN_COMPUTER)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "Admin@Accord.TEST", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_authenticating_ignores_case(owner: Any) -> None:
    request = RequestFactory().post(SIGN_IN)
    assert authenticate(request, username="OWNER@lincs-fire.test", password=PASSWORD) == owner


def test_a_second_account_differing_only_in_case_is_refused(owner: Any) -> None:
    with pytest.raises(Problems) as refused:
        services.add_user(
            email="Owner@LINCS-fire.test",
            organisation_code="E31000025",
            role="reader",
            password=PASSWORD,
            actor="test",
        )
    assert [str(p) for p in refused.value.problems] == [
        "email: a user with owner@lincs-fire.test already exists"
    ]


def test_the_admins_form_check_refuses_it_too(owner: Any) -> None:
    """The admin's forms call full_clean: the address is lower-cased, then found taken."""
    with pytest.raises(ValidationError) as refused:
        User(email="OWNER@Lincs-Fire.test", organisation=owner.organisation).full_clean(
            exclude=["password"]
        )
    assert "already exists" in str(refused.value)


def test_addresses_are_stored_in_lower_case(db: Any) -> None:
    user, _ = services.add_user(
        email="New.Person@Lincs-Fire.test",
        organisation_code="E31000025",
        role="reader",
        password=PASSWORD,
        actor="test",
    )
    user.refresh_from_db()
    assert user.email == "new.person@lincs-fire.test"


# Lockout ---------------------------------------------------------------------------------


def test_five_failures_from_one_address_lock_that_address_for_that_account(
    owner: Any, lockout: None
) -> None:
    # The case varies: one count, not one per spelling.
    for email in ["owner@lincs-fire.test", "Owner@lincs-fire.test", "OWNER@LINCS-FIRE.TEST"] * 2:
        failed = sign_in(email, "wrong password!", GUESSER)
        if failed.status_code != 200:
            break
    locked = sign_in("owner@lincs-fire.test", PASSWORD, GUESSER)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_the_person_still_signs_in_from_their_own_computer(owner: Any, lockout: None) -> None:
    for _ in range(6):
        sign_in("owner@lincs-fire.test", "wrong password!", GUESSER)
    assert sign_in("owner@lincs-fire.test", PASSWORD, GUESSER).status_code == 429
    response = sign_in("owner@lincs-fire.test", PASSWORD, OWN_COMPUTER)
    assert response.status_code == 302
    assert signed_in_as(response) == owner


def test_others_still_sign_in_from_the_locked_address(
    owner: Any, colleague: Any, lockout: None
) -> None:
    for _ in range(6):
        sign_in("owner@lincs-fire.test", "wrong password!", GUESSER)
    response = sign_in("colleague@lincs-fire.test", PASSWORD, GUESSER)
    assert signed_in_as(response) == colleague


def test_four_failures_do_not_lock(owner: Any, lockout: None) -> None:
    for _ in range(4):
        sign_in("owner@lincs-fire.test", "wrong password!", GUESSER)
    assert signed_in_as(sign_in("owner@lincs-fire.test", PASSWORD, GUESSER)) == owner


# Behind a proxy --------------------------------------------------------------------------


def test_the_lockout_username_is_the_address_in_lower_case() -> None:
    request = RequestFactory().post(SIGN_IN, {"username": " Owner@X.test "})
    assert lockout_username(request) == "owner@x.test"
    assert lockout_username(request, {"username": "A@B.test"}) == "a@b.test"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),  # no proxy: X-Forwarded-For is the client's own say
        (1, "192.0.2.1", "192.0.2.1"),
        # A client sending its own X-Forwarded-For cannot choose its address: the proxy's entry
        # (the rightmost) is the one read.
        (1, "192.0.2.99, 192.0.2.1", "192.0.2.1"),
        (2, "192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.2"),  # fewer entries than proxies: the connection's address
    ],
)
def test_the_client_address_behind_trusted_proxies(
    proxies: int, forwarded: str, expected: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PROXY_COUNT=proxies):
        assert client_address(request) == expected
