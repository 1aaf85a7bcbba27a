"""Two people editing one appraisal, or one unit cost, at once (issue 11, "Nothing lost"): the
second save is merged with the first field by field and line by line, and a field both changed
is chosen before it saves."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.register.helpers import page_data

from accord.appraisal import services
from accord.appraisal.models import UnitCost

pytestmark = pytest.mark.django_db


def appraisal_data(context: Any, **overrides: Any) -> dict[str, Any]:
    """What the browser sends back for the appraisal page as shown, with `overrides` typed."""
    data: dict[str, Any] = page_data(context["form"])
    for formset in (context["costs"], context["benefits"]):
        data.update(page_data(formset.management_form))
        for line in formset.forms:
            data.update(page_data(line))
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_now(record: Any) -> Any:
    record.refresh_from_db()
    return services.stored_appraisal(record)


def _opened(user: Any, url: str) -> tuple[Client, Any]:
    browser = Client()
    browser.force_login(user)
    page = browser.get(url)
    assert page.status_code == 200
    return browser, page.context


def _choices(context: Any) -> set[str]:
    forms_shown: list[forms.BaseForm] = [context["form"]]
    for formset in (context["costs"], context["benefits"]):
        forms_shown += list(formset.forms)
    return {
        f[name].html_name for f in forms_shown for name in f.fields if name.startswith("keep__")
    }


def test_two_people_changing_different_fields_of_an_appraisal_keep_both(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    url = f"/appraisals/{record.pk}/edit/"
    first, first_page = _opened(owner, url)
    second, second_page = _opened(partner_user, url)
    saved = first.post(url, appraisal_data(first_page, title="Owner's appraisal"))
    assert saved.status_code == 302

    response = second.post(
        url, appraisal_data(second_page, **{"costs-0-amounts": "200000, 0, 0", "seed": "9"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: owner@lincs-fire.test changed this after you opened it" in page
    assert not _choices(response.context)
    merged = response.context
    assert merged["form"]["title"].value() == "Owner's appraisal"
    assert merged["costs"].forms[0]["amounts"].value() == "200000, 0, 0"

    assert second.post(url, appraisal_data(merged)).status_code == 302
    stored = stored_now(record)
    assert stored.title == "Owner's appraisal"
    assert stored.costs[0].amounts == (200000.0, 0.0, 0.0)
    assert stored.monte_carlo is not None and stored.monte_carlo.seed == 9
    # Nothing either left alone was put back or lost: the other lines are as they were.
    assert [line.name for line in stored.costs] == ["Vehicles and kit", "Crew time"]
    assert stored.benefits[0].beneficiary == "RX9"


def test_a_field_of_a_line_both_changed_must_be_chosen_and_the_choice_is_saved(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    url = f"/appraisals/{record.pk}/edit/"
    first, first_page = _opened(owner, url)
    second, second_page = _opened(partner_user, url)
    first.post(url, appraisal_data(first_page, **{"costs-1-volumes": "0, 2500, 2500"}))
    response = second.post(
        url,
        appraisal_data(
            second_page, **{"costs-1-volumes": "0, 3500, 3500", "description": "Reviewed"}
        ),
    )
    assert _choices(response.context) == {"costs-1-keep__volumes"}
    page = response.content.decode()
    assert "You both changed this, so choose which to keep" in page
    assert "Cost line 2, volumes in each year" in page
    line = response.context["costs"].forms[1]
    labels = [str(label) for _, label in line.fields["keep__volumes"].choices]
    assert labels == ["Yours: 0, 3500, 3500", "Theirs: 0, 2500, 2500"]

    refused = second.post(url, appraisal_data(response.context))
    assert refused.status_code == 200 and "or theirs" in refused.content.decode()
    assert stored_now(record).costs[1].volumes == (0.0, 2500.0, 2500.0)

    chosen = second.post(url, appraisal_data(refused.context, **{"costs-1-keep__volumes": "mine"}))
    assert chosen.status_code == 302
    stored = stored_now(record)
    assert stored.costs[1].volumes == (0.0, 3500.0, 3500.0)
    assert stored.description == "Reviewed"


def test_a_line_each_person_added_is_kept_and_a_title_both_changed_can_keep_theirs(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    url = f"/appraisals/{record.pk}/edit/"
    first, first_page = _opened(owner, url)
    second, second_page = _opened(partner_user, url)
    first.post(
        url,
        appraisal_data(
            first_page,
            title="Owner's title",
            **{"costs-2-name": "Training", "costs-2-amounts": "5000, 0, 0"},
        ),
    )
    response = second.post(
        url,
        appraisal_data(
            second_page,
            title="Partner's title",
            **{"costs-2-name": "Fuel", "costs-2-amounts": "700, 700, 700"},
        ),
    )
    merged = response.context
    assert _choices(merged) == {"keep__title"}
    names = [f["name"].value() for f in merged["costs"].forms if f["name"].value()]
    assert names == ["Vehicles and kit", "Crew time", "Training", "Fuel"]
    assert second.post(url, appraisal_data(merged, keep__title="theirs")).status_code == 302
    stored = stored_now(record)
    assert stored.title == "Owner's title"
    assert [line.name for line in stored.costs] == [
        "Vehicles and kit",
        "Crew time",
        "Training",
        "Fuel",
    ]


def test_a_line_removed_by_one_and_changed_by_the_other_is_kept_or_removed_by_choice(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    url = f"/appraisals/{record.pk}/edit/"
    first, first_page = _opened(owner, url)
    second, second_page = _opened(partner_user, url)
    first.post(url, appraisal_data(first_page, **{"costs-1-confidence": "4"}))
    response = second.post(url, appraisal_data(second_page, **{"costs-1-DELETE": "on"}))
    merged = response.context
    assert _choices(merged) == {"costs-1-keep__line"}
    assert "you removed this line and owner@lincs-fire.test changed it" in (
        response.content.decode()
    )
    assert (
        second.post(url, appraisal_data(merged, **{"costs-1-keep__line": "remove"})).status_code
        == 302
    )
    assert [line.name for line in stored_now(record).costs] == ["Vehicles and kit"]


# Unit costs ----------------------------------------------------------------------------------


def _unit_cost() -> UnitCost:
    from accord.core.actors import SystemActor

    return services.create_unit_cost(
        SystemActor("test"),
        services.UnitCostData(
            name="Fire: attendance at a dwelling fire",
            category="Fire",
            value=services.Decimal("3000"),
            unit="per incident",
            price_year=2016,
            source="A test source, table 1",
            confidence=4,
        ),
    )


def test_two_administrators_changing_different_fields_of_a_unit_cost_keep_both(
    platform_admin: Any,
) -> None:
    item = _unit_cost()
    url = f"/appraisals/unit-costs/{item.pk}/edit/"
    first, first_page = _opened(platform_admin, url)
    second, second_page = _opened(platform_admin, url)
    assert first.post(url, page_data(first_page["form"], value="3100")).status_code == 302
    response = second.post(url, page_data(second_page["form"], notes="Checked in 2025"))
    assert "Not saved" in response.content.decode()
    merged = response.context["form"]
    assert merged["value"].value() == "3100.00" and not _unit_choices(merged)
    assert second.post(url, page_data(merged)).status_code == 302
    item.refresh_from_db()
    assert (item.value, item.notes) == (3100, "Checked in 2025")


def test_a_unit_cost_value_both_changed_must_be_chosen(platform_admin: Any) -> None:
    item = _unit_cost()
    url = f"/appraisals/unit-costs/{item.pk}/edit/"
    first, first_page = _opened(platform_admin, url)
    second, second_page = _opened(platform_admin, url)
    first.post(url, page_data(first_page["form"], value="3100"))
    merged = second.post(url, page_data(second_page["form"], value="2900")).context["form"]
    assert _unit_choices(merged) == {"keep__value"}
    assert [str(label) for _, label in merged.fields["keep__value"].choices] == [
        "Yours: 2,900.00",
        "Theirs: 3,100.00",
    ]
    assert second.post(url, page_data(merged)).status_code == 200  # not chosen: not saved
    assert second.post(url, page_data(merged, keep__value="theirs")).status_code == 302
    item.refresh_from_db()
    assert item.value == 3100 and item.version == 3


def _unit_choices(form: forms.BaseForm) -> set[str]:
    return {name for name in form.fields if name.startswith("keep__")}
