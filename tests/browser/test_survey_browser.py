"""The survey by personal link in a real browser: parts counted as the start page promised, a
gentle warning for a page left blank, and the check-your-answers page with its change links,
at 1280 px and at 375 px, with axe. Screenshots go to ACCORD_SHOTS_DIR when it is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

SHOTS = os.environ.get("ACCORD_SHOTS_DIR", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        # And the first screenful, which a person sees first (and a reviewer can read).
        page.screenshot(path=str(Path(SHOTS) / f"{name}-top.png"))


def _answer_every_question(page: Any, label: str) -> None:
    groups = page.locator("fieldset.govuk-fieldset")
    for index in range(groups.count()):
        groups.nth(index).get_by_label(label, exact=True).check()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _checked_by_axe(page: Any, name: str) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_blocking(page)
        assert violations == [], f"{name} at {width} px:\n" + describe(violations)
        _shot(page, f"{name}-{width}")
        if width == 375:
            assert _fits(page), f"{name} is wider than a 375 px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_survey_s_check_answers_page(page: Any, site: str, make_collaboration: Any) -> None:
    from tests.assessments.assessment_helpers import invite, make_round

    from accord.assessments.models import Response

    collaboration = make_collaboration("Joint response pilot")
    found = make_round(collaboration, title="Spring survey")
    (token,) = invite(found, [("crew@emas.test", "RX9", "operational")])
    framework = found.framework.framework
    parts = len(framework.factors)
    url = f"{site}/assessments/respond/{token}/"

    page.goto(url)
    assert f"in {parts} parts" in page.locator("#parts-promise").inner_text()
    # A respondent sees a plain header: no navigation, no account links.
    assert page.locator("#navigation").count() == 0
    assert page.get_by_role("link", name="Sign in").count() == 0
    _checked_by_axe(page, "survey-start")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Part 1 of {parts}"
    _answer_every_question(page, "Agree")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()

    # Part 2 left blank: warned, not refused, and let through on the second press.
    assert page.locator("#progress").inner_text() == f"Part 2 of {parts}"
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert (
        "You have not answered any statement on this page"
        in page.locator("#blank-warning").inner_text()
    )
    assert page.locator(".govuk-error-summary").count() == 0
    _checked_by_axe(page, "survey-blank-warning")
    page.get_by_role("button", name="Continue without answering").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Part 3 of {parts}"

    page.goto(f"{url}?page={parts}")
    _answer_every_question(page, "Neither agree nor disagree")
    page.get_by_label("Anything else you would like to say?").fill("Joint training helps.")
    _checked_by_axe(page, "survey-part")
    page.get_by_role("button", name="Save and check your answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your answers before submitting them"
    )
    summary = page.locator("#answered-summary").inner_text()
    answered = len(framework.factors[0].items) + len(framework.factors[-1].items)
    assert f"You have answered {answered} of the {len(framework.items)}" in summary
    assert "Joint training helps." in page.content()
    _checked_by_axe(page, "survey-check-answers")

    # Change part 2's first answer and come straight back.
    first = framework.factors[1].items[0]
    page.get_by_role("link", name=f"Change your answer to: {first.text}").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Part 2 of {parts}"
    page.locator(f"#id_item_{first.id}_0").check()
    page.get_by_role("button", name="Save and return to check your answers").click()
    page.wait_for_load_state()
    row = page.locator(".govuk-summary-list__row", has_text=first.text)
    assert "Strongly disagree" in row.inner_text()

    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    _checked_by_axe(page, "survey-done")
    response = Response.objects.get(round=found)
    assert response.submitted and response.answers[first.id] == 1
    assert response.comment == "Joint training helps."
