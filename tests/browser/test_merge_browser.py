"""The crossing-edit merge in a real browser (issue 11, "Nothing lost"): two people edit one
collaboration at once; the second sees the first's change brought into the form, their own
kept, and must choose for the field both changed before it saves."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


def test_the_second_of_two_crossing_edits_keeps_both_and_asks_about_the_field_both_changed(
    page: Any,
    browser: Any,
    csp_violations: list[str],
    site: str,
    owner: Any,
    partner_user: Any,
    collaboration: Any,
) -> None:
    url = f"{site}/collaborations/{collaboration.reference}/edit/"
    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    other_context.set_default_timeout(10_000)
    watch_csp(other_context, csp_violations)
    other = other_context.new_page()
    try:
        # Both open the form.
        sign_in(page, site, owner.email)
        page.goto(url)
        sign_in(other, site, partner_user.email)
        other.goto(url)

        # The first saves a new title and board.
        page.get_by_label("Title", exact=True).fill("Joint response pilot, phase 2")
        page.get_by_label("Governing board").fill("Lincolnshire blue light board")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Joint response pilot, phase 2"

        # The second, from the page opened before, changes the title too and the summary.
        other.get_by_label("Title", exact=True).fill("Co-responding pilot")
        other.get_by_label("Summary", exact=True).fill("Crews attend cardiac arrests together.")
        other.get_by_role("button", name="Save changes").click()
        other.wait_for_load_state()
        panel = other.locator("#conflict")
        assert "Not saved: owner@lincs-fire.test changed this after you opened it" in (
            panel.inner_text()
        )
        assert "Governing board" in panel.inner_text()  # their change, now in the form
        # Their board is in the form; the person's own summary and title are kept.
        assert other.get_by_label("Governing board").input_value() == (
            "Lincolnshire blue light board"
        )
        assert other.get_by_label("Summary", exact=True).input_value() == (
            "Crews attend cardiac arrests together."
        )
        assert other.get_by_label("Title", exact=True).input_value() == "Co-responding pilot"
        # Both titles are shown, and nothing is chosen for them.
        yours = other.get_by_role("radio", name="Yours: Co-responding pilot")
        theirs = other.get_by_role("radio", name="Theirs: Joint response pilot, phase 2")
        assert not yours.is_checked() and not theirs.is_checked()
        blocking = axe_blocking(other)
        assert not blocking, describe(blocking)

        # Saving without choosing is refused, with the reason in the error summary.
        other.get_by_role("button", name="Save changes").click()
        other.wait_for_load_state()
        summary = other.locator(".govuk-error-summary").last
        assert "Choose whether to keep your title or theirs" in summary.inner_text()

        # Choosing theirs by keyboard and saving keeps both people's work.
        other.get_by_role("radio", name="Theirs: Joint response pilot, phase 2").focus()
        other.keyboard.press("Space")
        other.get_by_role("button", name="Save changes").click()
        other.wait_for_load_state()
        assert other.url == f"{site}/collaborations/{collaboration.reference}/"
        assert other.get_by_role("heading", level=1).inner_text() == (
            "Joint response pilot, phase 2"
        )
    finally:
        other_context.close()
    collaboration.refresh_from_db()
    assert collaboration.title == "Joint response pilot, phase 2"
    assert collaboration.board == "Lincolnshire blue light board"
    assert collaboration.summary == "Crews attend cardiac arrests together."
