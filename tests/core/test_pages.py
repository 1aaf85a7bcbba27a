from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_and_health_answer(client: Client) -> None:
    assert "Accord" in client.get("/").content.decode()
    assert client.get("/healthz").json() == {"status": "ok"}


def test_every_page_shows_the_protective_marking(client: Client) -> None:
    assert "OFFICIAL-SENSITIVE" in client.get("/collaborations/").content.decode()


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
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_api_documents_itself_without_reaching_outside(client: Client) -> None:
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    schema = client.get("/api/openapi.json").json()
    assert "/api/collaborations" in schema["paths"]


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
