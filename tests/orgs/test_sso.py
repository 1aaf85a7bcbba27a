"""Single sign-on's parts that need no provider: off by default, the sign-in page's button, the
email-domain mapping and who keeps it, the new person's account, and the ID token checks.

The whole redirect flow against a real provider is in test_sso_flow.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from tests.support.people import LINCS_FIRE, PASSWORD

from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.orgs import services, sso
from accord.orgs.models import EmailDomain, Organisation, User

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
START = "/accounts/sso/start/"
CALLBACK = "/accounts/sso/callback/"
#: Nothing listens here (the discard port): a provider that cannot be reached.
UNREACHABLE = "http://127.0.0.1:9/o"


@pytest.fixture
def sso_on(settings: Any) -> Any:
    settings.SSO_ENABLED = True
    settings.SSO_PROVIDER_NAME = "Lincolnshire Directory"
    settings.OIDC_ISSUER = UNREACHABLE
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_TIMEOUT = 2
    return settings


def lincs() -> Organisation:
    return Organisation.objects.get(code=LINCS_FIRE)


# Off by default ----------------------------------------------------------------------------


def test_off_by_default_the_sso_urls_are_not_there(client: Client) -> None:
    assert client.get(START).status_code == 404
    assert client.get(f"{CALLBACK}?code=x&state=y").status_code == 404


def test_off_by_default_the_sign_in_page_has_no_sso_button(client: Client) -> None:
    page = client.get(SIGN_IN).content.decode()
    assert "Sign in with" not in page
    assert START not in page
    assert 'type="submit"' in page  # the password form is there


def test_on_the_sign_in_page_offers_the_provider_keeping_where_they_were_going(
    client: Client, sso_on: Any
) -> None:
    page = client.get(f"{SIGN_IN}?next=/assessments/").content.decode()
    assert "Sign in with Lincolnshire Directory" in page
    assert f'href="{START}?next=/assessments/"' in page
    assert "Or sign in with your email address and password" in page


def test_enabling_without_the_client_or_provider_stops_start_up() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACCORD_OIDC_", "DJANGO_SETTINGS"))
    }
    env.update({"ACCORD_OIDC_ENABLED": "1", "ACCORD_OIDC_CLIENT_SECRET": "s"})
    result = subprocess.run(
        [sys.executable, "-c", "import accord.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert (
        "ACCORD_OIDC_ENABLED is on but these are not set: ACCORD_OIDC_CLIENT_ID, "
        "ACCORD_OIDC_ISSUER (or all four ACCORD_OIDC_*_ENDPOINT)"
    ) in result.stderr


def test_password_sign_in_never_reaches_the_provider(
    client: Client, sso_on: Any, owner: Any
) -> None:
    """The backend answers no password, even at a URL carrying a code and state."""
    began = time.perf_counter()
    response = client.post(
        f"{SIGN_IN}?code=c&state=s", {"username": owner.email, "password": "wrong password!"}
    )
    assert response.status_code == 200
    assert time.perf_counter() - began < 2  # no attempt at the unreachable provider
    request = RequestFactory().get(f"{CALLBACK}?code=c&state=s")
    assert (
        sso.SignOnBackend().authenticate(request, username=owner.email, password=PASSWORD) is None
    )


# When something goes wrong -----------------------------------------------------------------


def test_an_unreachable_provider_sends_people_back_to_sign_in_saying_so(
    client: Client, sso_on: Any
) -> None:
    response = client.get(START, follow=True)
    assert response.redirect_chain[-1][0] == SIGN_IN
    page = response.content.decode()
    assert "The single sign-on service could not be reached" in page
    assert "Error: Sign in" in page


def test_a_callback_this_browser_never_asked_for_signs_nobody_in(
    client: Client, sso_on: Any
) -> None:
    response = client.get(f"{CALLBACK}?code=c&state=forged", follow=True)
    assert response.redirect_chain[-1][0] == SIGN_IN
    assert "Single sign-on did not complete" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_declining_at_the_provider_signs_out_whoever_was_signed_in(
    client: Client, sso_on: Any, owner: Any
) -> None:
    client.force_login(owner)
    response = client.get(f"{CALLBACK}?error=access_denied&state=s", follow=True)
    assert "Single sign-on did not complete" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_deactivated_persons_sso_session_ends(owner: Any, platform_admin: Any) -> None:
    backend = sso.SignOnBackend()
    assert backend.get_user(owner.pk) == owner
    services.deactivate_people(platform_admin, [owner])
    assert backend.get_user(owner.pk) is None


# The mapping of email domains to organisations -----------------------------------------------


def test_a_platform_admin_maps_a_domain_stored_in_lower_case_and_audited(
    platform_admin: Any,
) -> None:
    mapping = services.save_email_domain(
        EmailDomain(domain=" @Lincs-Fire.GOV.uk ", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    mapping.refresh_from_db()
    assert mapping.domain == "lincs-fire.gov.uk"
    event = AuditEvent.objects.get(action="email_domain.create", object_id=str(mapping.pk))
    assert event.actor_label == platform_admin.email
    assert event.after == {
        "domain": "lincs-fire.gov.uk",
        "organisation": LINCS_FIRE,
        "archived_at": None,
    }
    assert services.organisation_for_email("someone@LINCS-fire.gov.uk") == lincs()


@pytest.mark.parametrize("person", ["org_admin", "owner", "colleague"])
def test_only_a_platform_admin_maps_domains(person: str, request: Any) -> None:
    with pytest.raises(PermissionRefused):
        services.save_email_domain(
            EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
            actor=request.getfixturevalue(person),
            created=True,
        )
    assert not EmailDomain.objects.exists()


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("lincs fire.gov.uk", "'lincs fire.gov.uk' is not an email domain"),
        ("someone@lincs-fire.gov.uk", "is not an email domain"),
        ("localhost", "'localhost' is not an email domain"),
        ("", "This field cannot be blank."),
    ],
)
def test_a_domain_that_is_not_one_is_refused(platform_admin: Any, domain: str, reason: str) -> None:
    with pytest.raises(Problems) as refused:
        services.save_email_domain(
            EmailDomain(domain=domain, organisation=lincs()), actor=platform_admin, created=True
        )
    assert reason in str(refused.value)
    assert not EmailDomain.objects.exists()


def test_a_domain_is_mapped_once_whatever_its_case(platform_admin: Any) -> None:
    services.save_email_domain(
        EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    with pytest.raises(Problems) as refused:
        services.save_email_domain(
            EmailDomain(domain="LINCS-Fire.gov.uk", organisation=lincs()),
            actor=platform_admin,
            created=True,
        )
    assert "already exists" in str(refused.value)


def test_an_archived_domain_places_nobody_and_can_be_restored(platform_admin: Any) -> None:
    mapping = services.save_email_domain(
        EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    assert services.set_email_domains_archived(platform_admin, [mapping], archived=True) == 1
    assert services.organisation_for_email("a@lincs-fire.gov.uk") is None
    assert services.set_email_domains_archived(platform_admin, [mapping], archived=True) == 0
    assert services.set_email_domains_archived(platform_admin, [mapping], archived=False) == 1
    assert services.organisation_for_email("a@lincs-fire.gov.uk") == lincs()
    actions = list(
        AuditEvent.objects.filter(object_id=str(mapping.pk), object_type="orgs.emaildomain")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["email_domain.create", "email_domain.archive", "email_domain.restore"]


def test_only_a_platform_admin_archives_domains(platform_admin: Any, org_admin: Any) -> None:
    mapping = services.save_email_domain(
        EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    with pytest.raises(PermissionRefused):
        services.set_email_domains_archived(org_admin, [mapping], archived=True)


# In the Django admin -----------------------------------------------------------------------


def test_a_platform_admin_adds_a_domain_in_the_admin(client: Client, platform_admin: Any) -> None:
    client.force_login(platform_admin)
    assert client.get("/admin/orgs/emaildomain/").status_code == 200
    response = client.post(
        "/admin/orgs/emaildomain/add/",
        {"domain": "EMAS.nhs.uk", "organisation": str(Organisation.objects.get(code="RX9").pk)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = EmailDomain.objects.get()
    assert (mapping.domain, mapping.organisation.code) == ("emas.nhs.uk", "RX9")
    assert AuditEvent.objects.filter(action="email_domain.create").count() == 1


def test_the_admin_archives_rather_than_deletes(client: Client, platform_admin: Any) -> None:
    mapping = services.save_email_domain(
        EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    client.force_login(platform_admin)
    client.post(
        "/admin/orgs/emaildomain/",
        {"action": "archive_selected", "_selected_action": [str(mapping.pk)]},
    )
    mapping.refresh_from_db()
    assert mapping.archived
    assert client.get(f"/admin/orgs/emaildomain/{mapping.pk}/delete/").status_code == 403


@pytest.mark.parametrize("person", ["owner", "org_admin"])
def test_nobody_else_reaches_the_domains_in_the_admin(
    client: Client, person: str, request: Any
) -> None:
    client.force_login(request.getfixturevalue(person))
    response = client.get("/admin/orgs/emaildomain/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# The new person ------------------------------------------------------------------------------


def test_a_new_person_is_a_reader_without_a_password_audited(platform_admin: Any) -> None:
    services.save_email_domain(
        EmailDomain(domain="lincs-fire.gov.uk", organisation=lincs()),
        actor=platform_admin,
        created=True,
    )
    person = services.add_person_from_sign_on(
        email="New.Person@Lincs-Fire.gov.uk",
        first_name="Nia",
        last_name="Newcomer",
        provider="Lincolnshire Directory",
    )
    assert (person.email, person.role, person.organisation) == (
        "new.person@lincs-fire.gov.uk",
        "reader",
        lincs(),
    )
    assert not person.has_usable_password()
    event = AuditEvent.objects.get(action="user.create", object_id=str(person.pk))
    assert event.actor_label == "single sign-on"
    assert event.after["by"] == "single sign-on (Lincolnshire Directory)"


def test_a_new_person_at_an_unmapped_domain_is_refused_and_nothing_written(db: Any) -> None:
    people, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionRefused) as refused:
        services.add_person_from_sign_on(email="someone@unmapped.test")
    assert "email addresses at unmapped.test" in refused.value.message
    assert (User.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_claims_without_a_verified_email_are_refused(sso_on: Any) -> None:
    backend = sso.SignOnBackend()
    with pytest.raises(sso.SignOnRefused, match="did not tell Accord your email address"):
        backend.verify_claims({"sub": "1"})
    with pytest.raises(sso.SignOnRefused, match=r"has not verified your email address a@b\.test"):
        backend.verify_claims({"email": "a@b.test", "email_verified": False})
    assert backend.verify_claims({"email": "a@b.test", "email_verified": True})
    # Directories that issue the addresses themselves often send no such claim.
    assert backend.verify_claims({"email": "a@b.test"})


# The ID token --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _backend_trusting(key: Any, issuer: str = "https://id.example.test") -> sso.SignOnBackend:
    backend = sso.SignOnBackend()
    backend.provider = sso.Provider(
        issuer=issuer,
        client_id="accord",
        client_secret="secret",
        authorization_endpoint="",
        token_endpoint="",
        userinfo_endpoint="",
        jwks_endpoint="",
    )
    backend.OIDC_RP_SIGN_ALGO = "RS256"
    backend.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    backend.OIDC_RP_CLIENT_SECRET = "secret"
    return backend


def _id_token(key: Any, **claims: Any) -> str:
    body = {
        "iss": "https://id.example.test",
        "aud": "accord",
        "sub": "1",
        "nonce": "n",
        "exp": int(time.time()) + 300,
        "iat": int(time.time()),
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256")


def test_an_id_token_for_this_client_from_the_issuer_is_accepted(signing_key: Any) -> None:
    backend = _backend_trusting(signing_key)
    payload = backend.verify_token(_id_token(signing_key), nonce="n")
    assert payload["sub"] == "1"
    assert backend.verify_token(_id_token(signing_key, aud=["other", "accord"]), nonce="n")


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"aud": "another-client"}, "issued to another client"),
        ({"iss": "https://elsewhere.example.test"}, "another issuer"),
        ({"nonce": "replayed"}, "Nonce verification failed"),
    ],
)
def test_an_id_token_meant_for_someone_else_is_refused(
    signing_key: Any, claims: dict[str, Any], why: str
) -> None:
    with pytest.raises(SuspiciousOperation, match=why):
        _backend_trusting(signing_key).verify_token(_id_token(signing_key, **claims), nonce="n")


def test_an_id_token_signed_with_another_key_or_expired_is_refused(signing_key: Any) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = _backend_trusting(signing_key)
    with pytest.raises((SuspiciousOperation, jwt.PyJWTError)):
        backend.verify_token(_id_token(other), nonce="n")
    with pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(_id_token(signing_key, exp=int(time.time()) - 600), nonce="n")


def test_userinfo_about_someone_other_than_the_id_token_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    answer = {"sub": "2", "email": "someone.else@lincs-fire.test"}
    monkeypatch.setattr(OIDCAuthenticationBackend, "get_userinfo", lambda *a, **k: answer)
    backend = sso.SignOnBackend()
    with pytest.raises(SuspiciousOperation, match="someone other than the ID token"):
        backend.get_userinfo("access", "id", {"sub": "1"})
    answer["sub"] = "1"
    assert backend.get_userinfo("access", "id", {"sub": "1"}) == answer
