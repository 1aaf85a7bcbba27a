"""A survey answered through its personal link in a real browser, then the round's results seen
by an editor. Headless Chromium against pytest-django's live server; skipped where
/usr/bin/chromium is missing. The documentation's screenshot of a round's results is
tests/browser/test_screenshots_browser.py's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, sign_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def editor(site: str) -> Any:
    from accord.orgs.models import Organisation, User

    return User.objects.create_user(
        email="editor@lincs-fire.test",
        password=PASSWORD,
        organisation=Organisation.objects.get(code="E31000025"),
        role="contributor",
    )


def _answer_every_question(page: Any, label: str) -> int:
    groups = page.locator("fieldset.govuk-fieldset")
    for index in range(groups.count()):
        groups.nth(index).get_by_label(label, exact=True).check()
    return int(groups.count())


def test_a_survey_answered_by_link_then_the_results_seen_by_an_editor(
    page: Any, site: str, editor: Any, make_collaboration: Any, csp_violations: list[str]
) -> None:
    from tests.assessments.assessment_helpers import add_responses, invite, make_round

    from accord.assessments.models import Response

    collaboration = make_collaboration("Joint response pilot")
    found = make_round(collaboration, title="Spring survey")
    (token,) = invite(found, [("crew@emas.test", "RX9", "operational")])
    factors = found.framework.framework.factors

    page.goto(f"{site}/assessments/respond/{token}/")
    assert "This survey is anonymous" in page.content()
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Part 1 of {len(factors)}"
    assert axe_blocking(page) == []
    _answer_every_question(page, "Agree")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Part 2 of {len(factors)}"

    page.get_by_role("link", name="Show all the statements on one page").click()
    page.wait_for_load_state()
    # The first factor's saved answers are shown again.
    first = page.locator("fieldset.govuk-fieldset").first
    assert first.get_by_label("Agree", exact=True).is_checked()
    answered = _answer_every_question(page, "Strongly agree")
    assert answered == len(found.framework.framework.items)
    page.get_by_label("Anything else you would like to say?").fill("Working well together.")
    page.get_by_role("button", name="Save and check your answers").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    response = Response.objects.get(round=found)
    assert response.submitted and set(response.answers.values()) == {5}

    add_responses(found, {("RX9", "operational"): 2, ("E31000025", "strategic"): 2})
    sign_in(page, site, editor.email)
    page.goto(f"{site}/collaborations/{collaboration.reference}/")
    page.get_by_role("link", name="Spring survey").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Spring survey"
    assert page.locator("#response-count").inner_text() == "5"
    assert page.locator("#round-factors-table").count() == 1
    # The chart above that table is drawn, and nothing was blocked by the policy on the way.
    page.wait_for_selector("[data-accord-chart] svg")
    assert csp_violations == []
    assert "Working well together." in page.locator("#comment-list").inner_text()
    assert page.get_by_role("link", name="Invite people and see who is invited").count() == 1
    violations = _blocking_outside_header(page)
    assert violations == [], violations


SHOTS = os.environ.get("ACCORD_SHOTS_DIR", "")


def _blocking_outside_header(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical findings on what the assessments app draws: the site's
    header is the layout's, checked by the layout's own tests."""
    from axe_playwright_python.sync_playwright import Axe
    from tests.browser.support import BLOCKING_IMPACTS

    found = Axe().run(page, context={"exclude": [[".govuk-header"]]})
    return [v for v in found.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def _look(page: Any, name: str, *, reload: bool = True) -> None:
    """axe at 1280 and 375 px (no serious or critical finding), nothing wider than a phone,
    and screenshots of both when ACCORD_SHOTS_DIR is set."""
    from tests.browser.support import describe

    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        if reload:  # as a phone would load it, charts drawn at that width
            page.reload()
        page.wait_for_load_state("networkidle")
        violations = _blocking_outside_header(page)
        assert violations == [], f"{name} at {width} px:\n" + describe(violations)
        if width == 375:
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{name} is {wide} px wider than a 375 px screen"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}-top.png"))
            charts = page.locator("figure")
            for index in range(charts.count()):
                charts.nth(index).screenshot(
                    path=str(Path(SHOTS) / f"{name}-{width}-figure{index + 1}.png")
                )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_assessment_pages_at_desktop_and_phone_widths(
    page: Any, site: str, editor: Any, make_collaboration: Any
) -> None:
    from tests.assessments.assessment_helpers import add_responses, all_answers, invite, make_round

    from accord.assessments import services

    collaboration = make_collaboration("Joint response pilot")
    found = make_round(collaboration, title="Spring survey")
    tokens = invite(found, [(f"crew{i}@emas.test", "RX9", "operational") for i in range(6)])
    for token in tokens[:5]:
        services.save_answers(token, all_answers(found, 4), submit=True)
    add_responses(found, {("E31000025", "strategic"): 6, ("E31000025", "tactical"): 2})
    few = make_round(collaboration, title="Autumn check-in")
    invite(few, [(f"lead{i}@lincs-fire.test", "E31000025", "strategic") for i in range(5)])
    sign_in(page, site, editor.email)

    page.goto(f"{site}/assessments/rounds/{found.pk}/")
    assert page.locator("#response-count").inner_text() == "13"
    _look(page, "round-results")
    page.goto(f"{site}/assessments/rounds/{few.pk}/")
    assert "0 of 5 so far (5 invited)" in page.locator("#threshold-panel").inner_text()
    _look(page, "round-below-threshold")
    page.goto(f"{site}/assessments/")
    _look(page, "assessments-index")
    page.goto(f"{site}/assessments/c/{collaboration.reference}/")
    _look(page, "collaboration-rounds")
    page.goto(f"{site}/assessments/c/{collaboration.reference}/new/")
    _look(page, "round-form")
    page.goto(f"{site}/assessments/rounds/{found.pk}/invite/")
    _look(page, "invite")
    page.get_by_label("Email addresses").fill("new.person@emas.test")
    # The organisation through GOV.UK's accessible autocomplete, as a keyboard user picks it.
    box = page.locator("input.autocomplete__input")
    box.wait_for()
    box.focus()
    page.keyboard.type("East Midlands")
    page.wait_for_selector(".autocomplete__option", state="attached")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("select[name=organisation]").input_value() == "RX9"
    page.locator("fieldset", has_text="Level").first.get_by_label("Tactical").check()
    page.locator("fieldset", has_text="How will people get their links?").first.get_by_label(
        "Email each person their link from Accord"
    ).check()
    page.get_by_role("button", name="Make links", exact=True).click()
    page.wait_for_load_state()
    assert "Emailed 1 person their link." in page.locator("#emailed").inner_text()
    # Each link has its copy button (drawn by the page's script, where a clipboard exists).
    assert page.get_by_role("button", name="Copy the link for new.person@emas.test").count() == 1
    _look(page, "links", reload=False)  # the answer to a POST: not to be sent again
    page.goto(f"{site}/assessments/rounds/{found.pk}/remind/")
    assert page.locator("#not-answered").inner_text() == "2"
    _look(page, "remind")
