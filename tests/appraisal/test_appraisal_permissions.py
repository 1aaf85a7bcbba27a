"""Who may see and change appraisals and the unit cost library.

An appraisal is seen exactly where its collaboration is (absent, 404, elsewhere); it is changed
by whoever may edit the collaboration, and someone who may see it but not change it gets the
refusal page (403) that says why. The unit cost library is read by anyone signed in and changed
by platform administrators only.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.appraisal.test_appraisal_helpers import FORM_YAML, form_post, make_appraisal

from accord.appraisal import services
from accord.appraisal.models import Appraisal, RealisedBenefit, UnitCost
from accord.appraisal.services import UnitCostData
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused

pytestmark = pytest.mark.django_db


def appraisal_urls(record: Any) -> list[str]:
    ref = record.collaboration.reference
    return [
        f"/appraisals/{record.pk}/",
        f"/appraisals/{record.pk}/download.yaml",
        f"/appraisals/{record.pk}/download.xlsx",
        f"/appraisals/{record.pk}/realised/",
        f"/appraisals/{record.pk}/edit/",
        f"/appraisals/{record.pk}/upload/",
        f"/appraisals/for/{ref}/new/",
        f"/appraisals/for/{ref}/upload/",
    ]


READ_URLS = 4  # the first four read; the rest change


def test_an_outsider_gets_404_on_every_appraisal_url_of_a_partners_only_collaboration(
    client: Client, outsider: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(outsider)
    for url in appraisal_urls(record):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"text": FORM_YAML, "year": "0", "amount": "1"}).status_code == 404
    assert client.get("/appraisals/").context["total"] == 0
    assert Appraisal.objects.get().version == 1 and not RealisedBenefit.objects.exists()


def test_a_reader_at_a_partner_can_view_but_not_change(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(colleague)
    urls = appraisal_urls(record)
    for url in urls[:READ_URLS]:
        assert client.get(url).status_code == 200, url
    for url in urls[READ_URLS:]:
        # They may see it, so its existence is no secret: the refusal page says why.
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You may not" in response.content.decode()
        assert client.post(url, {"text": FORM_YAML}).status_code == 403, url
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "Co-responding appraisal" in page and "New appraisal" not in page
    assert "Edit<span" not in client.get(urls[0]).content.decode()


def test_a_contributor_at_a_partner_can_change(
    client: Client, partner_user: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    client.force_login(partner_user)
    for url in appraisal_urls(record):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "New appraisal" in page and "Upload YAML" in page
    assert "£" in page  # the NPV headline


def test_a_platform_administrator_may_change_any_appraisal(
    client: Client, platform_admin: Any, collaboration: Any
) -> None:
    client.force_login(platform_admin)
    response = client.post(f"/appraisals/for/{collaboration.reference}/new/", form_post())
    assert response.status_code == 302


def test_anonymous_visitors_see_appraisals_of_public_collaborations_only(
    client: Client, make_collaboration: Any
) -> None:
    public = make_appraisal(make_collaboration("Open pilot", visibility="public"))
    members = make_appraisal(make_collaboration("Members pilot", visibility="signed_in"))
    assert client.get(f"/appraisals/{public.pk}/").status_code == 200
    assert client.get(f"/appraisals/{public.pk}/download.yaml").status_code == 200
    for url in appraisal_urls(members)[:READ_URLS]:
        assert client.get(url).status_code == 404, url
    listed = client.get("/appraisals/").context["page"].object_list
    assert [a.pk for a in listed] == [public.pk]
    # Changing needs signing in first.
    response = client.get(f"/appraisals/{public.pk}/edit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_the_index_lists_what_each_person_may_see_filtered_and_paginated(
    client: Client, settings: Any, outsider: Any, owner: Any, make_collaboration: Any
) -> None:
    settings.PAGE_SIZE = 2
    mine = make_collaboration("Partners pilot")
    for i in range(3):
        make_appraisal(mine, FORM_YAML.replace("Co-responding appraisal", f"Mine {i}"))
    make_appraisal(make_collaboration("Open pilot", visibility="public"))
    client.force_login(owner)
    first = client.get("/appraisals/")
    assert first.context["total"] == 4 and len(first.context["page"].object_list) == 2
    assert "unit cost library" in first.content.decode()
    assert client.get("/appraisals/?q=open").context["total"] == 1
    by_reference = client.get("/appraisals/", {"q": mine.reference})
    assert by_reference.context["total"] == 3
    client.force_login(outsider)
    assert client.get("/appraisals/").context["total"] == 1


# The unit cost library -----------------------------------------------------------------------


def unit_cost_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Fire: attendance at a dwelling fire",
        "category": "Fire",
        "value": "3000",
        "unit": "per incident",
        "price_year": "2016",
        "confidence": "4",
        "source": "A test source, table 1",
        "version": "",
    }
    data.update(overrides)
    return data


def test_everyone_signed_in_reads_the_library_with_uplifted_values(
    client: Client, colleague: Any
) -> None:
    services.load_unit_cost_library("test")
    assert client.get("/appraisals/unit-costs/").status_code == 302  # sign in first
    client.force_login(colleague)
    response = client.get("/appraisals/unit-costs/?q=robbery&price_year=2023")
    rows = response.context["rows"]
    assert [item.name for item, _ in rows] == ["Crime: robbery"]
    table = services.deflator_table()
    assert rows[0][1] == pytest.approx(11320 * table[2023] / table[2015])
    page = response.content.decode()
    assert "Add a unit cost" not in page and "ONS series YBGB" in page


def test_only_platform_administrators_change_the_library_and_every_change_is_audited(
    client: Client, owner: Any, platform_admin: Any
) -> None:
    client.force_login(owner)
    assert client.get("/appraisals/unit-costs/new/").status_code == 403
    assert client.post("/appraisals/unit-costs/new/", unit_cost_post()).status_code == 403
    assert not UnitCost.objects.exists()

    client.force_login(platform_admin)
    assert client.post("/appraisals/unit-costs/new/", unit_cost_post()).status_code == 302
    item = UnitCost.objects.get()
    assert AuditEvent.objects.filter(action="unit_cost.create", actor=platform_admin).exists()
    response = client.post(
        f"/appraisals/unit-costs/{item.pk}/edit/", unit_cost_post(value="3100", version="1")
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.value == 3100 and item.version == 2
    event = AuditEvent.objects.get(action="unit_cost.update")
    assert event.before["value"] == "3000.00" and event.after["value"] == "3100.00"
    # A crossing edit is refused.
    response = client.post(
        f"/appraisals/unit-costs/{item.pk}/edit/", unit_cost_post(value="9", version="1")
    )
    assert "Not saved" in response.content.decode()
    item.refresh_from_db()
    assert item.value == 3100

    client.force_login(owner)
    assert client.get(f"/appraisals/unit-costs/{item.pk}/edit/").status_code == 403
    assert (
        client.post(f"/appraisals/unit-costs/{item.pk}/edit/", unit_cost_post()).status_code == 403
    )
    assert client.get(f"/appraisals/unit-costs/{item.pk + 1}/edit/").status_code == 404


def test_the_service_refuses_a_non_administrator(owner: Any) -> None:
    with pytest.raises(PermissionRefused):
        services.create_unit_cost(
            owner,
            UnitCostData(name="x", value=1, unit="u", price_year=2016, source="s", confidence=1),  # type: ignore[arg-type]
        )
