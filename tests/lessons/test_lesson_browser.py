"""Lessons in a real browser (Debian's Chromium): a contributor writes and submits a lesson; a
moderator redacts a name and publishes it; a reader at another organisation finds it by a word
and cannot find the redacted name; axe finds nothing serious or critical on the lesson pages."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

NAME = "Zebedee Quartermaine"


@pytest.fixture
def people(site: str) -> dict[str, Any]:
    from tests.support.people import make_person

    return {
        "owner": make_person("owner"),
        "moderator": make_person("moderator"),
        "reader": make_person("outside_reader"),
    }


def test_write_submit_redact_publish_and_find(
    page: Any, site: str, people: dict[str, Any], csp_violations: list[str]
) -> None:
    violations: list[dict[str, Any]] = []
    sign_in(page, site, people["owner"].email)
    page.goto(f"{site}/lessons/")
    page.get_by_role("button", name="Write a lesson").click()
    page.get_by_label("Notable practice").check()
    page.get_by_label("Title", exact=True).fill("Joint triage at the front door")
    page.get_by_label("Source", exact=True).select_option("exercise")
    page.get_by_label("Day", exact=True).fill("3")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("2025")
    page.get_by_label("Co-ordinate", exact=True).check()
    page.get_by_label("What happened", exact=True).fill(
        f"Crews and paramedics triaged the casualties together; {NAME} led the joint cell."
    )
    page.get_by_label("All signed-in users").check()
    violations += axe_blocking(page)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    assert "Lesson saved as a draft" in page.content()
    violations += axe_blocking(page)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert "Lesson submitted" in page.content()

    page.context.clear_cookies()
    sign_in(page, site, people["moderator"].email)
    page.goto(f"{site}/lessons/?state=submitted")
    page.get_by_role("link", name="Joint triage at the front door").first.click()
    page.get_by_role("button", name="Review").click()
    violations += axe_blocking(page)
    page.get_by_label("Publish, with the chosen spans redacted").check()
    page.get_by_label("Also redact").fill(NAME)
    page.get_by_role("button", name="Send the decision").click()
    page.wait_for_load_state()
    assert "Lesson published" in page.content()

    page.context.clear_cookies()
    sign_in(page, site, people["reader"].email)
    page.goto(f"{site}/lessons/")
    page.get_by_label("Words").fill("triaged")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    # Stemmed: "triaged" finds the title's "triage" too, each highlighted.
    marks = [m.lower() for m in page.locator("#lessons mark").all_inner_texts()]
    assert "triaged" in marks and "triage" in marks
    assert NAME not in page.content()
    violations += axe_blocking(page)
    page.get_by_role("link", name="Joint triage at the front door").click()
    assert "[redacted] led the joint cell" in page.content() and NAME not in page.content()
    violations += axe_blocking(page)
    page.goto(f"{site}/lessons/?q=Quartermaine")
    assert "0 lessons" in page.content()
    assert violations == [], describe(violations)
    assert csp_violations == []
