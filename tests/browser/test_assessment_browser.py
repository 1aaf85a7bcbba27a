"""A survey answered through its personal link in a real browser, then the round's results seen
by an editor. Headless Chromium against pytest-django's live server; skipped where
/usr/bin/chromium is missing. The screenshot for the docs is written only with
ACCORD_SCREENSHOTS=1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, sign_in
from tests.conftest import PASSWORD

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "assessment-results.png"

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
    assert page.locator("#progress").inner_text() == f"Factor 1 of {len(factors)}"
    assert axe_blocking(page) == []
    _answer_every_question(page, "Agree")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert page.locator("#progress").inner_text() == f"Factor 2 of {len(factors)}"

    page.get_by_role("link", name="Show all the statements on one page").click()
    page.wait_for_load_state()
    # The first factor's saved answers are shown again.
    first = page.locator("fieldset.govuk-fieldset").first
    assert first.get_by_label("Agree", exact=True).is_checked()
    answered = _answer_every_question(page, "Strongly agree")
    assert answered == len(found.framework.framework.items)
    page.get_by_label("Anything else you would like to say?").fill("Working well together.")
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
    violations = axe_blocking(page)
    assert violations == [], violations


@pytest.mark.skipif(
    os.environ.get("ACCORD_SCREENSHOTS") != "1", reason="set ACCORD_SCREENSHOTS=1 to write it"
)
def test_screenshot_of_round_results(page: Any, site: str, editor: Any) -> None:
    from accord.assessments.demo import load_demo
    from accord.core.actors import SystemActor
    from accord.register.demo import load_demo_collaborations

    load_demo_collaborations(SystemActor())
    rounds = load_demo(SystemActor())
    sign_in(page, site, editor.email)
    page.goto(f"{site}/assessments/rounds/{rounds[1].pk}/")
    page.wait_for_load_state("networkidle")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
