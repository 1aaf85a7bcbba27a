"""Journeys through a real browser: headless Chromium against pytest-django's live server.

Skipped where /usr/bin/chromium is missing. The accessibility checks run axe-core on each of the
main pages and fail on any "serious" or "critical" violation. The documentation's screenshots are
tests/browser/test_screenshots_browser.py's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def contributor(site: str) -> Any:
    from accord.orgs.models import Organisation, User

    return User.objects.create_user(
        email="journey@lincs-fire.test",
        password=PASSWORD,
        organisation=Organisation.objects.get(code="E31000025"),
        role="contributor",
    )


# The journey -----------------------------------------------------------------------------


def test_contributor_adds_finds_and_edits_a_collaboration(
    page: Any, site: str, contributor: Any
) -> None:
    sign_in(page, site, contributor.email)

    page.goto(f"{site}/collaborations/new/")
    page.get_by_label("Title", exact=True).fill("Shared fire and ambulance station at Louth")
    page.get_by_label("Summary", exact=True).fill("Crews from both services share one station.")
    page.get_by_role("radio", name="Effective services").check()
    page.get_by_label("Nature of the collaboration").select_option("shared_estates")
    page.get_by_label("Status", exact=True).select_option("operational")
    lead = page.get_by_label("Lead organisation")
    # Preselected to the contributor's own organisation, shown by name and code.
    assert contributor.organisation.code in lead.input_value()
    page.get_by_role("radio", name="Not known").check()
    page.get_by_role("radio", name="All signed-in users").check()
    # Typed as people write money, with separators: a text box takes them (a browser's number
    # box would send nothing).
    page.get_by_label("Funding amount (£)").fill("1,250,000")
    page.get_by_role("button", name="Add collaboration").click()
    page.wait_for_load_state()

    assert re.search(r"/collaborations/[A-Z0-9-]+/$", page.url), page.url
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Shared fire and ambulance station at Louth"
    assert "£1,250,000" in page.locator("main").inner_text()
    detail_url = page.url

    page.goto(f"{site}/collaborations/")
    page.locator("select[name=nature]").select_option("shared_estates")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "nature=shared_estates" in page.url
    table = page.locator("#collaborations")
    assert table.get_by_role("link", name="Shared fire and ambulance station at Louth").count() == 1

    page.goto(detail_url)
    page.get_by_role("link", name=re.compile(r"^Edit\b")).click()
    page.wait_for_load_state()
    assert page.get_by_label("Funding amount (£)").input_value() == "1,250,000"
    page.get_by_label("Title", exact=True).fill("Shared fire and ambulance station, Louth")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert page.url == detail_url
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Shared fire and ambulance station, Louth"
    )


# Accessibility ---------------------------------------------------------------------------


def test_pages_have_no_serious_accessibility_violations(
    page: Any, site: str, contributor: Any, make_collaboration: Any
) -> None:
    make_collaboration("Tri-service public safety officers", visibility="public")
    collaboration = make_collaboration(
        "Joint response pilot",
        partners=(("E31000025", "lead"), ("RX9", "partner")),
        visibility="partners",
    )
    found: dict[str, list[dict[str, Any]]] = {}

    page.goto(f"{site}/accounts/sign-in/")
    found["sign-in"] = axe_blocking(page)
    sign_in(page, site, contributor.email)
    for name, path in (
        ("list", "/collaborations/"),
        ("detail", f"/collaborations/{collaboration.reference}/"),
        ("add form", "/collaborations/new/"),
        ("import", "/collaborations/import/"),
    ):
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status == 200, (name, path)
        found[name] = axe_blocking(page)

    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"== {name}\n{describe(v)}" for name, v in failing.items())
