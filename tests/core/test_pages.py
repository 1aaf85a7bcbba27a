from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_and_health_answer(client: Client) -> None:
    assert "Accord" in client.get("/").content.decode()
    assert client.get("/healthz").json() == {"status": "ok"}


def test_every_page_shows_the_protective_marking(client: Client, owner: Any) -> None:
    # An anonymous visitor sees public records only: marked as public (tests/core/test_marking.py).
    marking = 'aria-label="Protective marking">{}</div>'
    assert marking.format("OFFICIAL") in client.get("/collaborations/").content.decode()
    client.force_login(owner)
    assert marking.format("OFFICIAL-SENSITIVE") in client.get("/collaborations/").content.decode()


def test_the_audit_log_page_is_for_platform_administrators_only(
    client: Client, platform_admin: Any, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    assert client.get("/audit/").status_code == 404
    client.force_login(platform_admin)
    page = client.get("/audit/").content.decode()
    assert "collaboration.create" in page


def test_sessions_are_secure_by_default() -> None:
    import os

    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    if "ACCORD_SECURE_COOKIES" not in os.environ:
        assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    import accord.settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_api_documents_itself_without_reaching_outside(client: Client) -> None:
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    schema = client.get("/api/openapi.json").json()
    assert "/api/collaborations" in schema["paths"]


def test_the_api_documentation_is_in_the_sites_layout(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.get("/api/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert ">API documentation</h1>" in html
    assert '<a href="/" class="govuk-back-link">Back to Accord</a>' in html
    # How to sign requests, and where tokens come from.
    assert "Authorization: Bearer" in html and 'href="/accounts/tokens/"' in html
    assert 'href="/api/openapi.json"' in html
    # Swagger UI started from a static file, its settings as data.
    assert '<script id="swagger-settings" type="application/json">' in html
    assert "/static/accord/swagger-init.js" in html
    assert 'id="navigation"' in html and "Accessibility statement" in html


@pytest.fixture
def admin_client(client: Client, platform_admin: Any) -> Client:
    """Signed in to the Django admin as a platform administrator with staff rights."""
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    return client


def test_the_admin_shows_but_never_changes_records(
    admin_client: Client, collaboration: Any
) -> None:
    client = admin_client
    url = f"/admin/register/collaboration/{collaboration.pk}/change/"
    assert client.get(url).status_code == 200  # view only
    assert client.post(url, {"title": "Changed behind the audit log"}).status_code == 403
    assert (
        client.post(f"/admin/register/collaboration/{collaboration.pk}/delete/").status_code == 403
    )
    collaboration.refresh_from_db()
    assert collaboration.title == "Joint response pilot"


def test_organisations_and_areas_cannot_be_changed_behind_the_audit_log(
    admin_client: Client,
) -> None:
    from accord.orgs.models import Organisation

    client = admin_client
    ambulance = Organisation.objects.get(code="RX9")
    url = f"/admin/orgs/organisation/{ambulance.pk}/change/"
    assert client.get(url).status_code == 200  # view only
    assert client.post(url, {"name": "Renamed behind the audit log"}).status_code == 403
    assert client.get("/admin/orgs/area/add/").status_code == 403
    ambulance.refresh_from_db()
    assert ambulance.name != "Renamed behind the audit log"


def test_a_change_to_a_person_in_the_admin_is_audited(
    admin_client: Client, platform_admin: Any, outsider: Any
) -> None:
    from accord.core.models import AuditEvent

    response = admin_client.post(
        f"/admin/orgs/user/{outsider.pk}/change/",
        {
            "email": outsider.email,
            "first_name": "",
            "last_name": "",
            "organisation": outsider.organisation_id,
            "role": "reader",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    outsider.refresh_from_db()
    assert outsider.role == "reader"
    event = AuditEvent.objects.filter(action="user.update", object_id=str(outsider.pk)).get()
    assert event.before["role"] == "contributor"
    assert event.after["role"] == "reader"
    assert event.actor_label == platform_admin.email


# The layout and the site's own pages -------------------------------------------------------


def _text(response: Any) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _navigation(html: str) -> str:
    start = html.index('<ul class="govuk-service-navigation__list" id="navigation">')
    return html[start : html.index("</ul>", start)]


def test_account_links_are_in_the_header_not_the_navigation(client: Client, owner: Any) -> None:
    client.force_login(owner)
    html = client.get("/collaborations/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Your account" in header and "Sign out" in header
    navigation = _navigation(html)
    assert "Sign out" not in navigation and "Your account" not in navigation
    assert "Collaborations" in navigation and "Help" in navigation
    # The menu button GOV.UK Frontend shows on a phone.
    assert (
        'class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" '
        'aria-controls="navigation"' in html
    )
    # The current section is marked for screen readers.
    assert (
        'aria-current="true"><strong class="govuk-service-navigation__active-fallback">'
        "Collaborations" in navigation
    )


def test_someone_not_signed_in_is_offered_sign_in_in_the_header(client: Client) -> None:
    html = client.get("/help/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Sign in" in header and "Sign out" not in header


def test_a_page_can_ask_for_the_plain_header(rf: Any, owner: Any) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/assessments/respond/x/")
    request.user = owner
    html = render_to_string("errors/csrf.html", {"plain_header": True}, request)
    assert 'id="navigation"' not in html
    assert "Your account" not in html and "Sign out" not in html
    assert "Emergency services collaboration" in html


FOOTER_PAGES = {
    "/help/": "Help",
    "/accessibility/": "Accessibility statement for Accord",
    "/privacy/": "Privacy notice",
    "/cookies/": "Cookies",
    "/contact/": "Contact",
}


def test_every_footer_link_is_a_real_page(client: Client) -> None:
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    for url, heading in FOOTER_PAGES.items():
        assert f'href="{url}"' in footer, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert f">{heading}</h1>" in response.content.decode(), url


def test_the_accessibility_statement_follows_the_govuk_model(client: Client) -> None:
    page = _text(client.get("/accessibility/"))
    for section in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "How we tested this service",
        "Preparation of this accessibility statement",
    ):
        assert section in page, section
    assert "partially compliant" in page
    assert "Equality and Human Rights Commission" in page


def test_the_cookies_page_names_each_cookie_accord_sets_and_no_analytics(client: Client) -> None:
    from django.conf import settings

    page = _text(client.get("/cookies/"))
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"):
        assert name in page
    assert "essential cookies" in page
    assert "no analytics" in page


def test_the_privacy_notice_says_what_personal_data_is_held(client: Client) -> None:
    page = _text(client.get("/privacy/"))
    for held in ("name and email address", "audit log", "network address", "anonymous survey"):
        assert held in page, held
    assert "OFFICIAL-SENSITIVE" in page
    # Not every page is marked so: what holds only public records carries the public marking.
    assert "what holds only public records carries OFFICIAL" in page


def test_the_contact_address_comes_from_the_setting(client: Client, settings: Any) -> None:
    settings.CONTACT_EMAIL = ""
    assert "have not published a contact address" in _text(client.get("/contact/"))
    settings.CONTACT_EMAIL = "accord@service.example"
    html = client.get("/contact/").content.decode()
    assert 'href="mailto:accord@service.example"' in html
    assert "accord@service.example" in _text(client.get("/accessibility/"))


def test_each_help_page_explains_its_term_and_names_its_source(client: Client) -> None:
    from accord.core.views import HELP_TOPICS

    index = client.get("/help/").content.decode()
    assert len(HELP_TOPICS) == 9
    for topic in HELP_TOPICS:
        assert f'href="/help/{topic.slug}/"' in index, topic.slug
        page = _text(client.get(f"/help/{topic.slug}/"))
        assert topic.title in page
        assert "Where this comes from" in page, topic.slug
    assert "Skills for Justice" in _text(client.get("/help/three-cs/"))
    assert "Green Book" in _text(client.get("/help/optimism-bias/"))
    assert "A guide to Social Return on Investment" in _text(client.get("/help/deadweight/"))
    assert client.get("/help/no-such-term/").status_code == 404


def test_the_disclosure_threshold_page_gives_this_sites_threshold(
    client: Client, settings: Any
) -> None:
    settings.DISCLOSURE_THRESHOLD = 7
    page = _text(client.get("/help/disclosure-threshold/"))
    assert "at least 7 people" in page and "fewer than 7 responses" in page


def test_organisations_are_looked_up_by_name_or_code(client: Client) -> None:
    response = client.get(
        "/help/organisations/",
        {"organisations": ["E31000025", "east midlands ambulance service nhs trust"]},
    )
    html = response.content.decode()
    table = html[html.index('id="found-organisations"') :]
    assert "Lincolnshire Fire and Rescue" in table and "RX9" in table
    refused = _text(client.get("/help/organisations/", {"organisations": "Lincs fyre"}))
    assert "Did you mean Lincolnshire Fire and Rescue (E31000025)" in refused
