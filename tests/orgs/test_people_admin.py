"""People in the Django admin: never deleted, deactivated through the service, every change
audited; and the other writes to organisations that must leave an event (linking an
organisation to its area, Django's own `createsuperuser`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from tests.support.people import PASSWORD

from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused
from accord.orgs import services
from accord.orgs.importers import AreaRow
from accord.orgs.models import Organisation, User

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orgs/user/"


@pytest.fixture
def admin_client(client: Client, platform_admin: Any) -> Client:
    assert platform_admin.is_staff and platform_admin.is_superuser
    client.force_login(platform_admin)
    return client


@pytest.fixture
def staff_org_admin(org_admin: Any) -> Any:
    """Staff with Django's permission to view and change people, but not a platform
    administrator: what a mistaken grant in the admin would make."""
    org_admin.is_staff = True
    org_admin.save()
    org_admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orgs", codename__in=["view_user", "change_user"]
        )
    )
    return User.objects.get(pk=org_admin.pk)  # permissions are cached on the instance


def test_the_bulk_action_deactivates_the_selected_people_and_audits_each(
    admin_client: Client, platform_admin: Any, owner: Any, colleague: Any, outsider: Any
) -> None:
    response = admin_client.post(
        CHANGELIST,
        {"action": "deactivate_selected", "_selected_action": [owner.pk, colleague.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Deactivated 2 people." in response.content.decode()
    active = dict(User.objects.values_list("email", "is_active"))
    assert (active[owner.email], active[colleague.email], active[outsider.email]) == (
        False,
        False,
        True,
    )
    events = AuditEvent.objects.filter(action="user.deactivate")
    assert {(e.object_id, e.actor_label) for e in events} == {
        (str(owner.pk), platform_admin.email),
        (str(colleague.pk), platform_admin.email),
    }
    for event in events:
        assert (event.before["is_active"], event.after["is_active"]) == (True, False)
    # Deactivating again changes nothing and records nothing.
    admin_client.post(CHANGELIST, {"action": "deactivate_selected", "_selected_action": [owner.pk]})
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 2


def test_people_cannot_be_deleted_in_the_admin(admin_client: Client, outsider: Any) -> None:
    page = admin_client.get(CHANGELIST).content.decode()
    assert 'value="deactivate_selected"' in page
    assert "Deactivate selected people" in page
    assert 'value="delete_selected"' not in page
    assert admin_client.post(f"{CHANGELIST}{outsider.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [outsider.pk]})
    assert User.objects.filter(pk=outsider.pk, is_active=True).exists()
    assert not AuditEvent.objects.filter(action="user.delete").exists()


def test_a_platform_administrator_cannot_deactivate_themselves(
    admin_client: Client, platform_admin: Any
) -> None:
    response = admin_client.post(
        CHANGELIST,
        {"action": "deactivate_selected", "_selected_action": [platform_admin.pk]},
        follow=True,
    )
    assert "You cannot deactivate yourself: ask another platform administrator." in (
        response.content.decode()
    )
    platform_admin.refresh_from_db()
    assert platform_admin.is_active


def test_staff_who_are_not_platform_administrators_are_not_offered_the_action(
    client: Client, staff_org_admin: Any, outsider: Any
) -> None:
    client.force_login(staff_org_admin)
    page = client.get(CHANGELIST)
    assert page.status_code == 200  # they may look ...
    assert 'value="deactivate_selected"' not in page.content.decode()
    # ... and a forged request for the action deactivates nobody.
    client.post(CHANGELIST, {"action": "deactivate_selected", "_selected_action": [outsider.pk]})
    assert User.objects.get(pk=outsider.pk).is_active
    assert not AuditEvent.objects.filter(action="user.deactivate").exists()


def test_people_who_are_not_staff_never_reach_the_admin(
    client: Client, colleague: Any, outsider: Any
) -> None:
    client.force_login(colleague)
    response = client.post(
        CHANGELIST, {"action": "deactivate_selected", "_selected_action": [outsider.pk]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert User.objects.get(pk=outsider.pk).is_active


def test_the_service_refuses_anyone_but_a_platform_administrator(
    org_admin: Any, outsider: Any
) -> None:
    with pytest.raises(PermissionRefused):
        services.deactivate_people(org_admin, [outsider])
    assert User.objects.get(pk=outsider.pk).is_active


def test_an_edit_by_staff_who_are_not_platform_administrators_is_refused(
    client: Client, staff_org_admin: Any, outsider: Any
) -> None:
    client.force_login(staff_org_admin)
    response = client.post(
        f"{CHANGELIST}{outsider.pk}/change/",
        {
            "email": outsider.email,
            "organisation": outsider.organisation_id,
            "role": "platform_admin",
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    assert User.objects.get(pk=outsider.pk).role == "contributor"


def test_a_person_added_in_the_admin_is_audited(admin_client: Client, platform_admin: Any) -> None:
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "new@emas.test",
            "organisation": Organisation.objects.get(code="RX9").pk,
            "role": "reader",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="new@emas.test")
    assert person.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="user.create", object_id=str(person.pk))
    assert event.actor_label == platform_admin.email
    assert event.after["role"] == "reader"


def test_a_password_set_in_the_admin_is_audited_without_the_password(
    admin_client: Client, platform_admin: Any, outsider: Any
) -> None:
    new_password = "another-long-passphrase"
    response = admin_client.post(
        f"{CHANGELIST}{outsider.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    outsider.refresh_from_db()
    assert outsider.check_password(new_password)
    event = AuditEvent.objects.get(action="user.set_password", object_id=str(outsider.pk))
    assert event.actor_label == platform_admin.email
    assert new_password not in str(event.after) and outsider.password not in str(event.after)


def test_linking_an_organisation_to_its_area_records_an_event() -> None:
    lincs_fire = Organisation.objects.get(code="E31000025")
    assert lincs_fire.area is None
    rows = [
        AreaRow("E07000136", "Boston", "district", within=["E31000025"]),
        AreaRow("E31000025", "Lincolnshire", "fire_authority_area"),
    ]
    services.import_areas(rows, actor="operator@accord.test")
    lincs_fire.refresh_from_db()
    assert lincs_fire.area is not None and lincs_fire.area.code == "E31000025"
    event = AuditEvent.objects.get(action="organisation.link_area")
    assert (event.object_type, event.object_id) == ("orgs.organisation", str(lincs_fire.pk))
    assert event.actor_label == "operator@accord.test"
    assert (event.before, event.after) == ({"area": None}, {"area": "E31000025"})
    # The same lookup again links nothing new and records no second link.
    services.import_areas(rows)
    assert AuditEvent.objects.filter(action="organisation.link_area").count() == 1


def test_djangos_createsuperuser_is_refused_for_the_audited_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="accord user add"):
        call_command("createsuperuser", "--noinput", "--email", "root@accord.test", verbosity=0)
    assert not User.objects.filter(email="root@accord.test").exists()
