"""Choosing a collaboration's areas in a real browser (Debian's Chromium): by keyboard with the
accessible autocomplete and "add another area", and without JavaScript from checkboxes grouped
by kind. Any Content-Security-Policy violation fails the test (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

LINCS_POLICE = "Lincolnshire (police force area, E23000020)"
LINCS_FIRE = "Lincolnshire (fire and rescue authority area, E31000025)"
DEVON_POLICE = "Devon and Cornwall (police force area, E23000035)"


@pytest.fixture
def contributor(site: str) -> Any:
    from tests.support.people import make_person

    from accord.orgs import services

    services.load_reference_areas(actor="test")
    return make_person("owner")


@pytest.fixture
def no_javascript(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fill_the_rest(page: Any, title: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary", exact=True).fill("Crews from both services share one station.")
    page.get_by_role("radio", name="Effective services").check()
    page.get_by_label("Nature of the collaboration").select_option("shared_estates")
    page.get_by_label("Status", exact=True).select_option("operational")
    page.get_by_role("radio", name="Not known").check()
    page.get_by_role("radio", name="All signed-in users").check()


def _options(page: Any) -> Any:
    # The areas' own menu: the lead organisation's autocomplete has one too.
    return page.locator('[data-accord-id="id_areas"] .autocomplete__option')


def _choose(page: Any, box_label: str, typed: str) -> None:
    box = page.get_by_label(box_label, exact=True)
    box.focus()
    page.keyboard.type(typed)
    _options(page).first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def _errors(page: Any) -> str:
    summary = page.locator(".govuk-error-summary")
    return summary.inner_text() if summary.count() else page.url


def _saved_areas(title: str) -> list[str]:
    from accord.register.models import Collaboration

    return sorted(a.code for a in Collaboration.objects.get(title=title).areas.all())


def test_an_area_is_chosen_by_keyboard_with_the_autocomplete(
    page: Any, site: str, contributor: Any
) -> None:
    sign_in(page, site, contributor.email)
    page.goto(f"{site}/collaborations/new/")
    picker = page.locator('[data-accord-id="id_areas"]')
    box = page.get_by_label("Add an area", exact=True)
    box.wait_for()
    # The grouped checkboxes give way to the autocomplete.
    assert not picker.locator(".accord-organisations__groups").is_visible()
    assert picker.locator(".accord-organisations__none").inner_text() == "None chosen yet."

    # Typing part of a name offers both areas of that name, each with its kind.
    box.focus()
    page.keyboard.type("lincolnshire pol")
    _options(page).first.wait_for()
    assert _options(page).all_inner_texts() == [LINCS_POLICE]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = picker.locator(".accord-organisations__chosen")
    assert chosen.locator("li span").first.inner_text() == LINCS_POLICE
    status = picker.locator(".accord-organisations__status")
    assert status.inner_text() == f"Added {LINCS_POLICE}. 1 area chosen."

    # Add another: the box is empty again and says so; "&" finds "and".
    another = page.get_by_label("Add another area", exact=True)
    assert another.input_value() == ""
    _choose(page, "Add another area", "devon & corn")
    assert chosen.locator("li").count() == 2
    assert status.inner_text() == f"Added {DEVON_POLICE}. 2 areas chosen."
    # One already chosen is not offered again.
    another.focus()
    page.keyboard.type("E23000020")
    _options(page).first.wait_for()
    assert "already chosen" in _options(page).first.inner_text()
    page.keyboard.press("Escape")
    another.fill("")

    # Remove one by keyboard: focus returns to the box.
    remove = chosen.get_by_role("button", name=f"Remove {DEVON_POLICE}")
    remove.focus()
    page.keyboard.press("Enter")
    assert chosen.locator("li").count() == 1
    assert page.evaluate("document.activeElement.id") == "id_areas"

    blocking = axe_blocking(page)
    assert blocking == [], describe(blocking)

    _fill_the_rest(page, "Shared station at Louth")
    page.get_by_role("button", name="Add collaboration").click()
    page.wait_for_load_state()
    assert re.search(r"/collaborations/[A-Z0-9-]+/$", page.url), _errors(page)
    assert _saved_areas("Shared station at Louth") == ["E23000020"]

    # Editing shows the area chosen, by its label.
    page.get_by_role("link", name=re.compile(r"^Edit\b")).click()
    page.wait_for_load_state()
    picker = page.locator('[data-accord-id="id_areas"]')
    page.get_by_label("Add another area", exact=True).wait_for()
    assert picker.locator(".accord-organisations__chosen li > span").all_inner_texts() == [
        LINCS_POLICE
    ]


def test_areas_are_chosen_without_javascript_from_checkboxes_grouped_by_kind(
    no_javascript: Any, site: str, contributor: Any
) -> None:
    page = no_javascript
    sign_in(page, site, contributor.email)
    page.goto(f"{site}/collaborations/new/")
    picker = page.locator('[data-accord-id="id_areas"]')
    groups = picker.locator("details summary").all_inner_texts()
    assert groups == ["Police force areas (43)", "Fire and rescue authority areas (47)"]
    picker.get_by_text(re.compile(r"^Fire and rescue authority areas \(")).click()
    page.get_by_label(LINCS_FIRE, exact=True).check()
    _fill_the_rest(page, "Shared fire station at Louth")
    page.get_by_label("Lead organisation").select_option("E31000025")
    page.get_by_role("button", name="Add collaboration").click()
    page.wait_for_load_state()
    assert re.search(r"/collaborations/[A-Z0-9-]+/$", page.url), _errors(page)
    assert _saved_areas("Shared fire station at Louth") == ["E31000025"]
