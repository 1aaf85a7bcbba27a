"""Every response carries the Content-Security-Policy; pages, exports and API responses are
never stored by a browser or proxy; static files stay cacheable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.orgs.test_api_tokens import with_security_headers

from accord.core.security import CONTENT_SECURITY_POLICY
from accord.orgs import services

pytestmark = pytest.mark.django_db


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    found = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def assert_protected(response: Any) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["Cache-Control"] == "no-store"


def test_a_page_with_personal_data(client: Client, owner: Any) -> None:
    client.force_login(owner)
    with with_security_headers():
        response = client.get("/accounts/tokens/")
    assert response.status_code == 200
    assert_protected(response)


def test_an_export(client: Client, owner: Any, collaboration: Any) -> None:
    client.force_login(owner)
    with with_security_headers():
        response = client.get("/collaborations/export/?format=csv")
    assert response.status_code == 200
    assert_protected(response)


def test_an_api_response_read_with_a_token(client: Client, owner: Any) -> None:
    _, plain = services.create_token(owner)
    with with_security_headers():
        response = client.get("/api/collaborations", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    assert_protected(response)


def test_refusals_are_not_stored_either(client: Client) -> None:
    with with_security_headers():
        response = client.get("/api/collaborations", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401
    assert_protected(response)


def test_static_files_stay_cacheable(client: Client) -> None:
    with with_security_headers():
        response = client.get("/static/accord/charts.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_policy_is_the_one_documented() -> None:
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
