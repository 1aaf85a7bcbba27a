"""Every page, export and API response carries the Content-Security-Policy (django-csp) and is
never stored by a browser or proxy; static files stay cacheable; and no template has the inline
script or style that the policy would block."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.assessments.assessment_helpers import add_responses, make_round

from accord.orgs import services

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "accord"


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    found = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def assert_protected(response: Any) -> None:
    policy = directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    assert response["Cache-Control"] == "no-store"


# Every kind of page ------------------------------------------------------------------------


def test_the_sign_in_page(client: Client) -> None:
    response = client.get("/accounts/sign-in/")
    assert response.status_code == 200
    assert_protected(response)


def test_the_home_page(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.get("/")
    assert response.status_code == 200
    assert_protected(response)


def test_the_register_list_and_a_record(client: Client, owner: Any, collaboration: Any) -> None:
    client.force_login(owner)
    listed = client.get("/collaborations/")
    record = client.get(f"/collaborations/{collaboration.reference}/")
    assert (listed.status_code, record.status_code) == (200, 200)
    assert collaboration.title in record.content.decode()
    assert_protected(listed)
    assert_protected(record)


def test_an_assessment_rounds_results(client: Client, owner: Any, collaboration: Any) -> None:
    found = make_round(collaboration)
    add_responses(found, {("E31000025", "operational"): 3, ("RX9", "strategic"): 3})
    client.force_login(owner)
    response = client.get(f"/assessments/rounds/{found.pk}/")
    assert response.status_code == 200
    # The page draws a chart, whose spec travels as data, not as a script.
    assert 'type="application/json"' in response.content.decode()
    assert_protected(response)


def test_an_appraisals_results(client: Client, owner: Any, collaboration: Any) -> None:
    appraisal = make_appraisal(collaboration)
    client.force_login(owner)
    response = client.get(f"/appraisals/{appraisal.pk}/")
    assert response.status_code == 200
    assert "data-accord-chart" in response.content.decode()
    assert_protected(response)


def test_a_page_with_personal_data(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.get("/accounts/tokens/")
    assert response.status_code == 200
    assert_protected(response)


def test_an_export(client: Client, owner: Any, collaboration: Any) -> None:
    client.force_login(owner)
    response = client.get("/collaborations/export/?format=csv")
    assert response.status_code == 200
    assert_protected(response)


def test_an_api_response_read_with_a_token(client: Client, owner: Any) -> None:
    _, plain = services.create_token(owner)
    response = client.get("/api/collaborations", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    assert_protected(response)


def test_refusals_are_not_stored_either(client: Client) -> None:
    response = client.get("/api/collaborations", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401
    assert_protected(response)


def test_static_files_stay_cacheable(client: Client) -> None:
    response = client.get("/static/accord/charts.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_single_sign_on_can_add_its_identity_provider_to_form_action() -> None:
    # The policy holds the list itself, so an origin appended to it later is in the header.
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] is (
        settings.FORM_ACTION_SOURCES
    )


# No inline script or style in any template --------------------------------------------------

TAG = re.compile(r"<(script|style)\b([^>]*)>|<[a-zA-Z][^<>]*>", re.IGNORECASE)
# Data for scripts to read (what json_script writes), which the browser does not run.
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
INLINE_ATTRIBUTE = re.compile(r"""\s(style|on[a-z]+)\s*=|javascript:""", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    """Each inline script, <style> element, style attribute, event handler or javascript: URL."""
    return [match.group(0) for match in TAG.finditer(text) if _blocked(match)]


def _blocked(match: re.Match[str]) -> bool:
    element, attributes = (match.group(1) or "").lower(), match.group(2) or ""
    inline_element = element == "style" or (
        element == "script" and "src=" not in attributes and not DATA_TYPE.search(attributes)
    )
    return inline_element or bool(INLINE_ATTRIBUTE.search(match.group(0)))


def test_the_scan_finds_what_the_policy_would_block() -> None:
    blocked = [
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        "<style>p { color: red }</style>",
        '<div class="x" style="width:100%">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ]
    allowed = [
        '<script src="/static/accord/charts.js"></script>',
        '<script type="module" src="/static/accord/govuk-init.js"></script>',
        '<script id="c-spec" type="application/json">{"a": 1}</script>',
        '<div class="accord-chart" data-accord-chart="c-spec">',
    ]
    assert [inline_code(html) != [] for html in blocked] == [True] * len(blocked)
    assert [inline_code(html) for html in allowed] == [[]] * len(allowed)


def test_no_template_has_inline_script_or_style() -> None:
    templates = sorted(SRC.rglob("*.html"))
    assert len(templates) > 20
    found = {
        str(path.relative_to(SRC)): inline
        for path in templates
        if (inline := inline_code(path.read_text()))
    }
    assert found == {}
