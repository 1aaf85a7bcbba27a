"""The GOV.UK date input's errors in a real browser (Debian's Chromium): a date that does not
exist (31 February) is refused in the Design System's words, the error summary's link goes to
the day box and focuses it, the field shows the same message above its boxes, and what was
typed is still there to correct.

On the collaboration form (its start date) and on the assessment round form (its opening date).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

#: The date that does not exist, as a person types it into the three boxes.
NOT_A_DATE = {"Day": "31", "Month": "2", "Year": "2024"}


def _type_the_date(group: Any) -> None:
    for label, value in NOT_A_DATE.items():
        group.get_by_label(label, exact=True).fill(value)


def _refused_as_not_a_real_date(page: Any, group: Any, name: str) -> None:
    """The summary and the field say `name` must be a real date; the summary's link focuses
    the day box; the boxes keep what was typed and the day is marked as the wrong part."""
    message = f"{name} must be a real date"
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    # GOV.UK Frontend moves focus to the summary when the page opens.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    link = summary.get_by_role("link", name=message)
    assert link.count() == 1, summary.inner_text()
    day = group.get_by_label("Day", exact=True)
    day_id = day.get_attribute("id")
    assert link.get_attribute("href") == f"#{day_id}"
    shown = group.locator(".govuk-error-message").inner_text()
    assert " ".join(shown.split()) == f"Error: {message}"
    assert "govuk-input--error" in (day.get_attribute("class") or "")
    assert "govuk-input--error" not in (
        group.get_by_label("Year", exact=True).get_attribute("class") or ""
    )
    assert {label: group.get_by_label(label, exact=True).input_value() for label in NOT_A_DATE} == (
        NOT_A_DATE
    )
    # The field's fieldset names its error for a screen reader.
    described = (group.get_attribute("aria-describedby") or "").split()
    error_id = group.locator(".govuk-error-message").get_attribute("id")
    assert error_id in described
    link.click()
    assert page.evaluate("document.activeElement.id") == day_id
    blocking = axe_blocking(page)
    assert blocking == [], describe(blocking)


def _date_group(page: Any, legend: re.Pattern[str]) -> Any:
    return page.locator("fieldset[role=group]", has=page.locator("legend", has_text=legend))


@pytest.fixture
def contributor(site: str) -> Any:
    from tests.support.people import make_person

    return make_person("owner")


def test_a_start_date_that_does_not_exist_is_refused_on_the_collaboration_form(
    page: Any, site: str, contributor: Any
) -> None:
    sign_in(page, site, contributor.email)
    page.goto(f"{site}/collaborations/new/")
    group = _date_group(page, re.compile(r"^Start"))
    assert group.count() == 1, "the form has no GOV.UK date input for its start date"
    _type_the_date(group)
    page.get_by_role("button", name="Add collaboration").click()
    page.wait_for_load_state()
    legend = group.locator("legend").inner_text().removesuffix(" (optional)")
    # "Start date must be a real date": the field's own name, as the summary and field say it.
    name = "Start date" if legend.casefold().startswith("start date") else legend
    _refused_as_not_a_real_date(page, group, name)


def test_an_opening_date_that_does_not_exist_is_refused_on_the_round_form(
    page: Any, site: str, contributor: Any, make_collaboration: Any
) -> None:
    collaboration = make_collaboration("Joint response pilot")
    sign_in(page, site, contributor.email)
    page.goto(f"{site}/assessments/c/{collaboration.reference}/new/")
    page.get_by_label("Title", exact=True).fill("Spring survey")
    group = _date_group(page, re.compile(r"^Opening date"))
    _type_the_date(group)
    page.get_by_role("button", name="Start round").click()
    page.wait_for_load_state()
    _refused_as_not_a_real_date(page, group, "Opening date")
