"""The register's list and a record in a real browser (Debian's Chromium) with the demo's
collaborations: the MOJ filter folded behind "Show filter" on a phone, chosen filters as tags
that remove themselves, no page wider than a 375 px screen, and axe at 1280 and 375 px.

Screenshots go to $ACCORD_UI_SHOTS (a folder) when it is set, for people to look at; an
ordinary run writes no files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("ACCORD_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.fixture
def demo(site: str) -> str:
    """The demo's organisations, areas, collaborations and people on the live server."""
    from accord import demo as demo_loader

    demo_loader.load(password="demo-browser-password")
    return site


@pytest.fixture
def context_at(browser: Any, csp_violations: list[str]) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(viewport: dict[str, int]) -> Any:
        phone = viewport is PHONE
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.set_default_timeout(10_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)


def test_on_a_phone_the_filter_folds_away_and_the_list_fits_the_screen(
    context_at: Any, demo: str
) -> None:
    page = context_at(PHONE)
    page.goto(f"{demo}/collaborations/")
    show = page.get_by_role("button", name="Show filter")
    show.wait_for()
    panel = page.locator(".moj-filter")
    assert not panel.is_visible()
    assert page.locator("#collaborations").is_visible()
    assert _width(page) <= PHONE["width"]
    shoot(page, "register-list-375")

    show.click()
    assert panel.is_visible()
    assert page.get_by_role("button", name="Hide filter").is_visible()
    assert _width(page) <= PHONE["width"]
    # The folded-out panel lies over the page: it is not in the page's width, so measure it.
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "register-list-375-filter-open")


def test_choosing_filters_shows_each_as_a_tag_that_removes_it(context_at: Any, demo: str) -> None:
    page = context_at(DESKTOP)
    page.goto(f"{demo}/collaborations/")
    page.get_by_label("Status").select_option("operational")
    page.get_by_label("At risk only").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    tags = page.locator(".moj-filter__tag")
    assert [" ".join(t.split()) for t in tags.all_inner_texts()] == [
        "Remove this filter: Operational",
        "Remove this filter: At risk only",
    ]
    assert page.locator("#result-count").inner_text().endswith("your filters.")
    shoot(page, "register-list-1280-filtered")
    page.get_by_role("link", name="Remove this filter: At risk only").click()
    page.wait_for_load_state()
    assert "at_risk" not in page.url and "status=operational" in page.url
    assert [" ".join(t.split()) for t in tags.all_inner_texts()] == [
        "Remove this filter: Operational"
    ]


def test_a_near_miss_place_offers_the_place_as_a_link(context_at: Any, demo: str) -> None:
    page = context_at(PHONE)
    page.goto(f"{demo}/collaborations/?place=Lincs")
    message = page.locator("#place-not-found")
    assert "No place called “Lincs”. Did you mean Lincolnshire?" in message.inner_text()
    assert _width(page) <= PHONE["width"]
    shoot(page, "register-list-375-place-near-miss")
    message.get_by_role("link", name="Lincolnshire").click()
    page.wait_for_load_state()
    assert "place=Lincolnshire" in page.url
    assert page.locator("#place-not-found").count() == 0


def test_the_list_sorts_by_risks_from_its_column_heading(context_at: Any, demo: str) -> None:
    page = context_at(DESKTOP)
    page.goto(f"{demo}/collaborations/")
    page.locator("thead a", has_text="Risks").click()
    page.wait_for_load_state()
    assert "sort=risks" in page.url
    heading = page.locator("th[aria-sort='ascending']")
    assert "Risks" in heading.inner_text()
    counts = [
        int(n)
        for n in page.locator("td[data-risks]").evaluate_all(
            "cells => cells.map(c => c.dataset.risks)"
        )
    ]
    assert counts == sorted(counts)


@VIEWPORTS
def test_axe_finds_nothing_serious_on_the_list(
    context_at: Any, demo: str, viewport: dict[str, int]
) -> None:
    page = context_at(viewport)
    for name, path in (
        ("list", "/collaborations/"),
        ("list-filtered", "/collaborations/?status=operational&at_risk=on&sort=-risks"),
        ("list-place-near-miss", "/collaborations/?place=Lincs"),
    ):
        page.goto(f"{demo}{path}")
        page.wait_for_load_state("networkidle")
        blocking = axe_blocking(page)
        assert blocking == [], f"{path} at {viewport['width']}:\n{describe(blocking)}"
        assert _width(page) <= viewport["width"], path
        shoot(page, f"register-{name}-{viewport['width']}")


@VIEWPORTS
def test_axe_finds_nothing_serious_on_a_record_and_its_history(
    context_at: Any, demo: str, viewport: dict[str, int]
) -> None:
    from accord.register.models import Collaboration

    page = context_at(viewport)
    record = Collaboration.objects.get(reference="JACP")
    page.goto(f"{demo}/collaborations/{record.reference}/")
    page.wait_for_load_state("networkidle")
    crumbs = page.locator(".govuk-breadcrumbs")
    assert record.title in crumbs.inner_text()
    blocking = axe_blocking(page)
    assert blocking == [], describe(blocking)
    assert _width(page) <= viewport["width"]
    shoot(page, f"register-record-{viewport['width']}")

    # Signed in as someone who may edit it, the history reads as sentences.
    from accord.demo import DEMO_PEOPLE

    editor = next(email for email, code, role in DEMO_PEOPLE if role == "contributor")
    sign_in_demo(page, demo, editor)
    page.goto(f"{demo}/collaborations/{record.reference}/")
    history = page.locator("#history + ul").inner_text()
    assert "Collaboration added by the demo loader on " in history
    assert "collaboration.create" not in page.content()
    blocking = axe_blocking(page)
    assert blocking == [], describe(blocking)
    assert _width(page) <= viewport["width"]
    shoot(page, f"register-record-signed-in-{viewport['width']}")


def sign_in_demo(page: Any, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("demo-browser-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" not in page.url, page.content()[:2000]
