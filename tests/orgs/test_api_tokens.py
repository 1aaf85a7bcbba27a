"""Personal API tokens: what a token reads, when it is refused, its rate limit, the command that
makes one and the account page that lists and revokes them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from accord.core.models import AuditEvent
from accord.orgs import services
from accord.orgs.models import ApiToken

pytestmark = pytest.mark.django_db

SECURITY_MIDDLEWARE = "accord.core.security.SecurityHeadersMiddleware"


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# What a token reads ------------------------------------------------------------------------


def test_a_token_reads_a_partners_only_record_as_its_owner_does(
    client: Client, owner: Any, outsider: Any, collaboration: Any
) -> None:
    _, owners = services.create_token(owner, "scripts")
    _, outsiders = services.create_token(outsider, "scripts")
    path = f"/api/collaborations/{collaboration.reference}"

    assert client.get(path).status_code == 404  # anonymous: partners only
    mine = client.get(path, **bearer(owners))
    assert mine.status_code == 200
    assert mine.json()["reference"] == collaboration.reference
    assert client.get(path, **bearer(outsiders)).status_code == 404


def test_a_token_lists_what_its_owner_sees_and_anonymous_callers_still_see_public_records(
    client: Client, owner: Any, outsider: Any, make_collaboration: Any
) -> None:
    hidden = make_collaboration("Partners only pilot")
    public = make_collaboration("Public pilot", visibility="public")
    _, owners = services.create_token(owner)
    _, outsiders = services.create_token(outsider)

    def listed(**headers: Any) -> set[str]:
        response = client.get("/api/collaborations?limit=100", **headers)
        assert response.status_code == 200
        return {item["reference"] for item in response.json()["items"]}

    assert {hidden.reference, public.reference} <= listed(**bearer(owners))
    assert hidden.reference not in listed(**bearer(outsiders))
    assert public.reference in listed(**bearer(outsiders))
    anonymous = listed()
    assert public.reference in anonymous and hidden.reference not in anonymous


def test_the_browser_session_still_reads_the_api(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    assert client.get(f"/api/collaborations/{collaboration.reference}").status_code == 200


def test_a_revoked_token_is_refused_not_read_as_anonymous(
    client: Client, owner: Any, make_collaboration: Any
) -> None:
    make_collaboration("Public pilot", visibility="public")
    token, plain = services.create_token(owner)
    assert client.get("/api/collaborations", **bearer(plain)).status_code == 200
    services.revoke_token(owner, token.pk)
    assert client.get("/api/collaborations", **bearer(plain)).status_code == 401


def test_a_deactivated_persons_token_is_refused(
    client: Client, owner: Any, platform_admin: Any
) -> None:
    _, plain = services.create_token(owner)
    services.deactivate_people(platform_admin, [owner])
    assert client.get("/api/collaborations", **bearer(plain)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer accord_" + "x" * 43,  # the right shape, but no such token
        "Bearer",
        "Token accord_abc",
        "Basic b3duZXI6cGFzc3dvcmQ=",
    ],
)
def test_a_malformed_or_unknown_token_is_refused(client: Client, header: str) -> None:
    response = client.get("/api/collaborations", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_token_records_when_it_was_last_used(client: Client, owner: Any) -> None:
    token, plain = services.create_token(owner)
    assert token.last_used_at is None
    client.get("/api/collaborations", **bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at is not None


# The rate limit ----------------------------------------------------------------------------


@override_settings(API_RATE_PER_MINUTE=3)
def test_each_token_is_limited_per_minute_with_retry_after(
    client: Client, owner: Any, colleague: Any
) -> None:
    _, plain = services.create_token(owner)
    _, other = services.create_token(colleague)
    # As served: with core.security's middleware (the test below goes without it).
    assert SECURITY_MIDDLEWARE in settings.MIDDLEWARE
    statuses = [client.get("/api/collaborations", **bearer(plain)).status_code for _ in range(3)]
    refused = client.get("/api/collaborations", **bearer(plain))
    # Another token has its own count.
    theirs = client.get("/api/collaborations", **bearer(other))
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert theirs.status_code == 200


def test_the_window_resets_after_the_minute() -> None:
    from accord.api.auth import TokenRateExceeded, count_request

    with override_settings(API_RATE_PER_MINUTE=2):
        count_request(1, now=120.0)
        count_request(1, now=150.0)
        with pytest.raises(TokenRateExceeded) as refused:
            count_request(1, now=170.5)
        assert refused.value.wait == 10  # 180 - 170.5, rounded up
        count_request(1, now=180.0)  # a new minute


def test_a_refusal_says_when_to_retry_even_without_the_security_middleware(
    client: Client, owner: Any, settings: Any
) -> None:
    settings.API_RATE_PER_MINUTE = 1
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != SECURITY_MIDDLEWARE]
    _, plain = services.create_token(owner)
    assert client.get("/api/collaborations", **bearer(plain)).status_code == 200
    refused = client.get("/api/collaborations", **bearer(plain))
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_count_is_kept_in_the_database_and_old_minutes_are_cleared() -> None:
    from accord.api.auth import count_request
    from accord.core.models import RateWindow

    with override_settings(API_RATE_PER_MINUTE=10):
        count_request(5, now=60.0)
        count_request(5, now=61.0)
        count_request(6, now=62.0)
        assert dict(RateWindow.objects.values_list("key", "count")) == {
            "api-token:5": 2,
            "api-token:6": 1,
        }
        count_request(5, now=600.0)  # minutes later: the old minutes are of no more use
    assert list(RateWindow.objects.values_list("key", "window_start", "count")) == [
        ("api-token:5", 600, 1)
    ]


RATE_WORKER = """
import sys, time
import django
django.setup()
from django.db import connection
from accord.api.auth import TokenRateExceeded, count_request
from accord.core.models import RateWindow
if sys.argv[1] == "create":
    with connection.schema_editor() as editor:
        editor.create_model(RateWindow)
else:
    start, requests = float(sys.argv[2]), int(sys.argv[3])
    while time.time() < start:  # both processes begin together
        time.sleep(0.01)
    allowed = refused = 0
    for _ in range(requests):
        try:
            count_request(7, now=6000.0)
            allowed += 1
        except TokenRateExceeded:
            refused += 1
        time.sleep(0.002)  # as requests come, not back to back: the two take turns
    print(allowed, refused)
"""


def test_two_processes_count_against_one_limit(tmp_path: Any) -> None:
    """As two gunicorn workers would: each makes 150 requests with one token at once, and
    between them exactly the 200 the limit allows get through, none counted twice or lost."""
    import os
    import sqlite3
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "accord.settings",
        "ACCORD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rate.sqlite3'}",
        "ACCORD_API_RATE_PER_MINUTE": "200",
    }

    def worker(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", RATE_WORKER, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def output(process: subprocess.Popen[str]) -> str:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        return out.strip()

    output(worker("create"))
    start = str(time.time() + 3)
    both = [worker("run", start, "150"), worker("run", start, "150")]
    results = [tuple(int(n) for n in output(p).split()) for p in both]
    assert sum(allowed for allowed, _ in results) == 200
    assert sum(refused for _, refused in results) == 100
    with sqlite3.connect(tmp_path / "rate.sqlite3") as db:
        assert db.execute("SELECT count FROM core_ratewindow").fetchall() == [(300,)]


# The command line --------------------------------------------------------------------------


def test_the_command_prints_the_token_alone_on_its_last_line_and_stores_only_its_hash(
    owner: Any, capsys: Any
) -> None:
    from tests.orgs.test_orgs_commands import accord

    assert accord("user", "token", "Owner@Lincs-Fire.test", "--name", "nightly export") == 0
    lines = capsys.readouterr().out.rstrip("\n").split("\n")
    plain = lines[-1]
    assert plain.startswith("accord_") and " " not in plain and len(plain) > 40
    token = ApiToken.objects.get(owner=owner)
    assert token.name == "nightly export"
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    stored = [getattr(token, f.attname) for f in ApiToken._meta.concrete_fields]
    assert plain not in [str(v) for v in stored]
    assert plain.startswith(token.prefix) and len(token.prefix) < 16
    event = AuditEvent.objects.filter(action="token.create").get()
    assert plain not in str(event.after)
    assert services.token_in_use(plain) == token


def test_the_accord_command_offers_it(owner: Any, capsys: Any) -> None:
    from accord.cli import main

    assert main(["user", "token", "owner@lincs-fire.test"]) == 0
    plain = capsys.readouterr().out.rstrip("\n").split("\n")[-1]
    assert services.token_in_use(plain) is not None


def test_the_command_refuses_an_unknown_person(db: Any, capsys: Any) -> None:
    from tests.orgs.test_orgs_commands import accord

    assert accord("user", "token", "nobody@example.test") == 2
    assert "no person has the email nobody@example.test" in capsys.readouterr().err


# The account page --------------------------------------------------------------------------


def test_the_account_page_asks_to_sign_in(client: Client) -> None:
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_the_account_page_creates_a_token_shown_once_and_lists_it(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    created = client.post("/accounts/tokens/", {"name": "dashboard"})
    assert created.status_code == 200
    plain = created.context["new_token"]
    assert plain in created.content.decode()

    page = client.get("/accounts/tokens/").content.decode()
    assert plain not in page
    token = ApiToken.objects.get(owner=owner)
    assert "dashboard" in page and token.prefix in page and "Never" in page
    assert services.token_in_use(plain) == token


def test_the_account_page_revokes_ones_own_token(client: Client, owner: Any) -> None:
    token, plain = services.create_token(owner, "old script")
    client.force_login(owner)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "Revoked the token &#x27;old script&#x27;" in response.content.decode()
    assert "You have no tokens in use." in response.content.decode()
    assert services.token_in_use(plain) is None
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(token.pk)).exists()


def test_someone_else_cannot_revoke_your_token(client: Client, owner: Any, colleague: Any) -> None:
    token, plain = services.create_token(owner, "mine")
    client.force_login(colleague)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert "mine" not in client.get("/accounts/tokens/").content.decode()
    assert services.token_in_use(plain) is not None


def test_revoking_is_a_post(client: Client, owner: Any) -> None:
    token, _ = services.create_token(owner)
    client.force_login(owner)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_revoking_needs_the_csrf_token(owner: Any) -> None:
    token, plain = services.create_token(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
    assert services.token_in_use(plain) is not None
