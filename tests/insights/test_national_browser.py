"""The national picture in Chromium: the map drawn under the Content-Security-Policy, axe clean
at 1280 and 375 px, no wider than a phone, an area on the map opening the register filtered
to it, and the table sorted by MOJ Frontend's sortable table."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import browser, csp_violations, page, site
from tests.browser.support import CHROMIUM, axe_blocking, describe
from tests.insights.insights_helpers import SHARED_DATA, load_map_data
from tests.support.factories import CollaborationFactory

__all__ = ["browser", "csp_violations", "page", "site"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data is not beside the project"),
]

MAP = "[data-accord-chart='national-map-spec']"


@pytest.fixture
def national(site: str) -> str:
    load_map_data()
    CollaborationFactory(
        title="Tri-service station",
        visibility="public",
        partners=(("E23000020", "lead"), ("E31000025", "partner"), ("RX9", "partner")),
    )
    return site


def _drawn(page: Any) -> None:
    page.wait_for_selector(f"{MAP} svg")
    page.wait_for_selector("[data-accord-chart='consistency-years-spec'] svg")


def test_the_map_draws_and_axe_finds_nothing_serious(national: str, page: Any) -> None:
    page.goto(f"{national}/insights/")
    _drawn(page)
    # 43 areas, each drawn grey beneath (a rate needs a population) and shaded above where it
    # has a value: the 39 English areas.
    assert page.locator(f"{MAP} path").count() >= 43 + 39
    violations = axe_blocking(page)
    assert not violations, describe(violations)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{national}/insights/?measure=mix:tri_service")
    _drawn(page)
    violations = axe_blocking(page)
    assert not violations, describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # With the resilience forums drawn over the areas: their outlines are not tab stops.
    page.goto(f"{national}/insights/?forums=1")
    _drawn(page)
    violations = axe_blocking(page)
    assert not violations, describe(violations)
    assert page.locator(f"{MAP} [tabindex='0']").count() == 43


def test_choosing_an_area_on_the_map_opens_the_register_filtered_to_it(
    national: str, page: Any
) -> None:
    page.goto(f"{national}/insights/?measure=mix:tri_service")
    _drawn(page)
    # Each shape is described as "Area: value"; the shaded layer is drawn last.
    target = page.locator(f"{MAP} path[aria-label^='Lincolnshire:']").last
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/collaborations/?place=E23000020&mix=tri_service")
    assert "Tri-service station" in page.content()


def test_the_table_sorts_in_the_page(national: str, page: Any) -> None:
    page.goto(f"{national}/insights/")
    _drawn(page)
    table = page.locator("#areas")
    table.get_by_role("button", name="Area").click()
    assert table.locator("th").first.get_attribute("aria-sort") == "ascending"
    first = table.locator("tbody tr").first.locator("td").first.inner_text()
    assert first.startswith("Avon and Somerset")
    # Keyboard: the first area's link is reached by tabbing and opens the register.
    link = table.locator("tbody tr").first.get_by_role("link")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/collaborations/?place=*")


def test_an_area_on_the_map_is_reached_by_tab_and_opened_with_enter(
    national: str, page: Any
) -> None:
    page.goto(f"{national}/insights/?measure=mix:tri_service")
    _drawn(page)
    # Each area is one tab stop, named by the area and its figure; the grey shape beneath a
    # shaded one is not a second stop.
    shapes = page.locator(f"{MAP} [role='link'][tabindex='0']")
    assert shapes.count() == 43
    named = page.locator(
        f"{MAP} [role='link'][aria-label='Lincolnshire: 1, tri-service collaborations']"
    )
    assert named.count() == 1
    # From the form's button, tab through the areas (in the page's order) to Lincolnshire.
    page.get_by_role("button", name="Show").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Lincolnshire:"):
            break
    else:
        pytest.fail("Tab never reached Lincolnshire on the map")
    assert page.evaluate("document.activeElement.closest('[data-accord-chart]') !== null")
    # Focused: outlined over its neighbours.
    assert page.locator(f"{MAP} svg > g[aria-hidden='true'] path").count() == 2
    page.keyboard.press("Enter")
    page.wait_for_url("**/collaborations/?place=E23000020&mix=tri_service")
    assert "Tri-service station" in page.content()


def test_the_findings_page_passes_axe_at_both_widths(national: str, page: Any) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{national}/insights/findings/")
        page.wait_for_selector("#finding-political_buy_in")
        violations = axe_blocking(page)
        assert not violations, describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
