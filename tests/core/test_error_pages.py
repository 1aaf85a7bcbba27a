"""Error pages in the site's layout, each with advice: a missing page, a survey link that does
not work, a form refused for its security token (CSRF), and a server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _raise(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke")


# This module is a URLconf for the server-error test: the site's own URLs, a view that fails,
# and the site's handler for it (Django reads handler500 from the root URLconf).
urlpatterns = [path("boom/", _raise), path("", include("accord.urls"))]
handler500 = "accord.core.views.server_error"


@pytest.mark.django_db
def test_a_missing_page_is_page_not_found_in_the_layout(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = _text(response)
    assert "<title>Page not found – Accord</title>" in response.content.decode()
    assert "Page not found" in page and "check it is correct" in page
    # The whole layout: navigation and the account links in the header.
    assert 'id="navigation"' in response.content.decode()
    assert "Your account" in page and "Sign out" in page
    assert "Accessibility statement" in page


@pytest.mark.django_db
def test_a_record_someone_may_not_see_gets_the_same_page(client: Client, outsider: Any) -> None:
    from tests.support.factories import CollaborationFactory

    hidden = CollaborationFactory(visibility="partners")
    client.force_login(outsider)
    response = client.get(f"/collaborations/{hidden.reference}/")
    assert response.status_code == 404
    assert "Page not found" in _text(response)


@pytest.mark.django_db
def test_a_survey_link_that_does_not_work_says_to_ask_for_a_new_one(client: Client) -> None:
    for url in ("/assessments/respond/not-a-real-token/", "/assessments/respond/"):
        response = client.get(url)
        assert response.status_code == 404, url
        page = _text(response)
        assert "This link is not valid" in page, url
        assert "Ask the person who sent it for a new one." in page
        # A respondent sees the plain header: no navigation, no account links.
        assert 'id="navigation"' not in response.content.decode()
        assert "Sign in" not in page and "Your account" not in page


@pytest.mark.django_db
def test_a_form_refused_for_its_security_token_says_why_and_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "a@b.test", "password": "x"})
    assert response.status_code == 403
    page = _text(response)
    assert "Your form could not be sent" in page
    assert "Nothing was saved" in page
    assert "open for a long time" in page and "blocking cookies" in page
    assert "Go back to the page, reload it" in page
    assert 'id="navigation"' in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_a_page_in_the_layout_that_needs_no_database() -> None:
    # No django_db mark: the page must render with the database out of reach.
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = _text(response)
    assert "Sorry, there is a problem with the service" in page
    assert "Try again later." in page
    assert "OFFICIAL-SENSITIVE" in page
    assert "Accessibility statement" in page
    assert response["Content-Security-Policy"]
