"""Single sign-on through the whole redirect flow, against a real OpenID Connect provider.

The provider is django-oauth-toolkit in a Django project of its own
(tests/support/oidc_provider), started in a second process on 127.0.0.1 with an RSA key made
here, one confidential client registered for Accord's callback (consent skipped) and the people
below. Accord runs as pytest-django's live server. Each test drives what a browser does, over
HTTP: Accord's start URL, the provider's authorisation endpoint, its sign-in form, back to
Accord's callback (where Accord exchanges the code, checks the ID token against the provider's
published key and reads its userinfo), and the page Accord then shows.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.support.people import LINCS_FIRE, make_person

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "/accounts/sso/callback/"
PROVIDER_NAME = "Test Directory"
PROVIDER_PASSWORD = "provider-password"

#: The people with an account at the provider: (username, email, first, last).
PROVIDER_PEOPLE = [
    ("newcomer", "New.Person@Lincs-Fire.test", "Nia", "Newcomer"),
    ("stranger", "someone@unmapped.test", "Sam", "Stranger"),
    # The owner persona's address, written with other capitals.
    ("owner", "Owner@LINCS-Fire.TEST", "Olu", "Owner"),
    # The partner persona's: their domain has no mapping, and they have an account.
    ("crew", "crew@emas.test", "Cai", "Crew"),
    ("colleague", "colleague@lincs-fire.test", "Cora", "Colleague"),
    ("unverified", "unverified@lincs-fire.test", "Uma", "Unverified"),
]


@dataclass
class Provider:
    url: str
    client_id: str
    client_secret: str
    started_in: float
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _first_line(stream: Any, seconds: float) -> str:
    """The process's first line of output, or '' if none came within `seconds`."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return lines[0] if lines else ""


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    folder = tmp_path_factory.mktemp("oidc_provider")
    config = {
        "secret_key": secrets.token_urlsafe(50),
        "database": str(folder / "provider.sqlite3"),
        "rsa_private_key": _private_key_pem(),
        "client_id": "accord-test-client",
        "client_secret": secrets.token_urlsafe(32),
        "redirect_uri": f"{live_server.url}{CALLBACK}",
        "people": [
            {
                "username": username,
                "email": email,
                "password": PROVIDER_PASSWORD,
                "first_name": first,
                "last_name": last,
            }
            for username, email, first, last in PROVIDER_PEOPLE
        ],
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    log = folder / "provider.log"
    began = time.perf_counter()
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.oidc_provider", str(config_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        # Migrating the provider's database takes a few seconds; more on a busy machine.
        line = _first_line(process.stdout, 90)
        if not line:
            pytest.fail(f"the test provider did not start: {log.read_text()[-2000:]}")
        yield Provider(
            url=json.loads(line)["url"],
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            started_in=time.perf_counter() - began,
            log=log,
        )
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_organisations(django_db_blocker: Any) -> Iterator[None]:
    """The live server's flush after each test empties every table: put the reference
    organisations back for the modules that follow."""
    yield
    from accord.orgs.services import load_reference_organisations

    with django_db_blocker.unblock():
        load_reference_organisations()


@pytest.fixture
def accord(live_server: Any, settings: Any, provider: Provider, db: Any) -> str:
    """Accord with single sign-on on, its endpoints discovered from the provider's issuer, and
    lincs-fire.test mapped to Lincolnshire Fire and Rescue.

    (`db`, which the live server makes transactional, also puts the test under the suite's
    audit watch: what the live server writes during the test must be audited.)"""
    from accord.orgs import services
    from accord.orgs.models import EmailDomain

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SSO_ENABLED = True
    settings.SSO_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        setattr(settings, name, "")
    # The transactional flush between tests empties every table; put them back.
    services.load_reference_organisations()
    admin = make_person("platform_admin")
    services.save_email_domain(
        EmailDomain(domain="lincs-fire.test", organisation_id=_org_id(LINCS_FIRE)),
        actor=admin,
        created=True,
    )
    return str(live_server.url)


def _org_id(code: str) -> int:
    from accord.orgs.models import Organisation

    return Organisation.objects.get(code=code).pk


@dataclass
class Journey:
    """What a browser went through: each step's name, status and time, and where it ended."""

    session: requests.Session
    steps: list[tuple[str, int, float]] = field(default_factory=list)
    page: requests.Response | None = None
    callback_url: str = ""

    @property
    def seconds(self) -> float:
        return sum(s for _, _, s in self.steps)

    def step(self, name: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        began = time.perf_counter()
        response = self.session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
        self.steps.append((name, response.status_code, time.perf_counter() - began))
        return response

    def report(self) -> str:
        lines = [f"  {name}: {status} in {s * 1000:.0f} ms" for name, status, s in self.steps]
        return "\n".join([*lines, f"  total: {self.seconds * 1000:.0f} ms"])


def _location(response: requests.Response) -> str:
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return urljoin(response.url, response.headers["Location"])


def sign_on(accord: str, provider: Provider, username: str, start: str = "") -> Journey:
    """Everything from the sign-in page's button to the page Accord shows afterwards."""
    journey = Journey(requests.Session())
    to_provider = _location(journey.step("Accord's start URL", "GET", f"{accord}{start}"))
    assert to_provider.startswith(f"{provider.issuer}/authorize/")
    asked = parse_qs(urlparse(to_provider).query)
    assert asked["scope"] == ["openid email profile"]
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["redirect_uri"] == [f"{accord}{CALLBACK}"]

    to_login = _location(journey.step("provider's authorize (not signed in)", "GET", to_provider))
    form = journey.step("provider's sign-in form", "GET", to_login)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf, form.text[:500]
    following = re.search(r'name="next" value="([^"]+)"', form.text)
    assert following
    signed_in_there = journey.step(
        "provider's sign-in (POST)",
        "POST",
        to_login,
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "username": username,
            "password": PROVIDER_PASSWORD,
            "next": following.group(1).replace("&amp;", "&"),
        },
    )
    to_authorize = _location(signed_in_there)
    # Consent is skipped for this client: authorize answers with the code at once.
    to_callback = _location(journey.step("provider's authorize (signed in)", "GET", to_authorize))
    assert to_callback.startswith(f"{accord}{CALLBACK}?")
    assert "code" in parse_qs(urlparse(to_callback).query)
    journey.callback_url = to_callback
    landed = _location(journey.step("Accord's callback", "GET", to_callback))
    journey.page = journey.step("the page Accord sends them to", "GET", landed)
    return journey


def _banner_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Tests -------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_person_signs_on_as_a_reader_at_their_domains_organisation(
    accord: str, provider: Provider
) -> None:
    from accord.core.models import AuditEvent
    from accord.orgs.models import User

    journey = sign_on(accord, provider, "newcomer", "/accounts/sso/start/?next=/assessments/")
    assert journey.page is not None
    # Where they were going when they chose to sign in.
    assert urlparse(journey.page.url).path == "/assessments/"
    assert journey.page.status_code == 200
    assert "Sign out new.person@lincs-fire.test" in _banner_text(journey.page.text)

    person = User.objects.get(email="new.person@lincs-fire.test")
    assert person.organisation is not None and person.organisation.code == LINCS_FIRE
    assert person.role == "reader"
    assert (person.first_name, person.last_name) == ("Nia", "Newcomer")
    # They sign in through the provider or not at all.
    assert not person.has_usable_password()
    created = AuditEvent.objects.get(action="user.create", object_id=str(person.pk))
    assert created.actor_label == "single sign-on"
    assert created.after["organisation"] == LINCS_FIRE
    assert created.after["role"] == "reader"

    # The session Accord started is theirs: a page behind sign-in answers.
    tokens = journey.session.get(f"{accord}/accounts/tokens/", allow_redirects=False)
    assert tokens.status_code == 200

    print(f"\nprovider started in {provider.started_in:.1f} s\nsign-on flow:\n{journey.report()}")

    # The second time, the same account: nobody new.
    again = sign_on(accord, provider, "newcomer", "/accounts/sso/start/")
    assert again.page is not None and urlparse(again.page.url).path == "/collaborations/"
    assert User.objects.filter(email__iexact="new.person@lincs-fire.test").count() == 1
    assert AuditEvent.objects.filter(action="user.create", object_id=str(person.pk)).count() == 1


def test_an_address_at_an_unmapped_domain_is_refused_and_nobody_is_created(
    accord: str, provider: Provider
) -> None:
    from accord.core.models import AuditEvent
    from accord.orgs.models import User

    people_before = User.objects.count()
    events_before = AuditEvent.objects.count()
    journey = sign_on(accord, provider, "stranger", "/accounts/sso/start/")
    assert journey.page is not None
    assert urlparse(journey.page.url).path == "/accounts/sign-in/"
    text = _banner_text(journey.page.text)
    assert f"You could not sign in with {PROVIDER_NAME}" in text
    assert (
        "Accord does not know which organisation email addresses at unmapped.test belong to, "
        "so it cannot make you an account."
    ) in text
    assert "Sign out" not in text
    assert User.objects.count() == people_before
    assert not User.objects.filter(email="someone@unmapped.test").exists()
    assert AuditEvent.objects.count() == events_before
    # The message is shown once, not on every later visit.
    later = journey.session.get(f"{accord}/accounts/sign-in/")
    assert "unmapped.test" not in later.text


def test_an_existing_person_is_matched_ignoring_case_and_keeps_their_role(
    accord: str, provider: Provider
) -> None:
    from accord.orgs.models import User

    owner = make_person("owner")
    people_before = User.objects.count()
    journey = sign_on(accord, provider, "owner", "/accounts/sso/start/")
    assert journey.page is not None and journey.page.status_code == 200
    assert "Sign out owner@lincs-fire.test" in _banner_text(journey.page.text)
    owner.refresh_from_db()
    assert owner.role == "contributor"
    assert owner.organisation is not None and owner.organisation.code == LINCS_FIRE
    assert owner.has_usable_password()  # their password still works too
    assert User.objects.count() == people_before
    # A contributor's page: creating a collaboration, which a reader may not.
    assert journey.session.get(f"{accord}/collaborations/new/").status_code == 200


def test_an_existing_person_needs_no_domain_mapping(accord: str, provider: Provider) -> None:
    partner = make_person("partner_user")
    journey = sign_on(accord, provider, "crew", "/accounts/sso/start/")
    assert journey.page is not None
    assert "Sign out crew@emas.test" in _banner_text(journey.page.text)
    partner.refresh_from_db()
    assert partner.organisation is not None and partner.organisation.code == "RX9"
    assert partner.role == "contributor"


def test_a_deactivated_person_is_refused(accord: str, provider: Provider) -> None:
    from accord.orgs import services

    colleague = make_person("colleague")
    services.deactivate_people(make_person("platform_admin"), [colleague])
    journey = sign_on(accord, provider, "colleague", "/accounts/sso/start/")
    assert journey.page is not None
    assert urlparse(journey.page.url).path == "/accounts/sign-in/"
    text = _banner_text(journey.page.text)
    assert "The Accord account for colleague@lincs-fire.test has been deactivated." in text
    assert "Sign out" not in text
    refused = journey.session.get(f"{accord}/accounts/tokens/", allow_redirects=False)
    assert refused.status_code == 302


def test_an_address_the_provider_has_not_verified_is_refused(
    accord: str, provider: Provider
) -> None:
    from accord.orgs.models import User

    journey = sign_on(accord, provider, "unverified", "/accounts/sso/start/")
    assert journey.page is not None
    text = _banner_text(journey.page.text)
    assert f"{PROVIDER_NAME} has not verified your email address unverified@lincs-fire.test" in text
    assert not User.objects.filter(email="unverified@lincs-fire.test").exists()


def test_a_callback_used_once_signs_nobody_in_again(accord: str, provider: Provider) -> None:
    journey = sign_on(accord, provider, "newcomer", "/accounts/sso/start/")
    # The provider's answer (its code and Accord's state), sent again: from another browser,
    # which never asked, and from the same one, whose state was spent.
    for browser in (requests.Session(), journey.session):
        replay = browser.get(journey.callback_url, timeout=30)
        assert urlparse(replay.url).path == "/accounts/sign-in/"
        assert "Single sign-on did not complete" in _banner_text(replay.text)
        assert "Sign out" not in _banner_text(replay.text)


def test_endpoints_set_one_by_one_need_no_discovery(
    accord: str, provider: Provider, settings: Any
) -> None:
    """A provider configured with its four endpoints and no issuer: nothing is discovered."""
    settings.OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/.well-known/jwks.json"
    owner = make_person("owner")
    journey = sign_on(accord, provider, "owner", "/accounts/sso/start/")
    assert journey.page is not None
    assert "Sign out owner@lincs-fire.test" in _banner_text(journey.page.text)
    owner.refresh_from_db()
    assert owner.role == "contributor"
