"""The documentation's screenshots, at 1280 px and at 375 px wide, from the demo (`accord
demo`): the register's list, a record, the collaboration form, a round's results and an
appraisal's results and the national picture's map, seen by the demo's contributor at
Lincolnshire Fire and Rescue.

Written only when ACCORD_SCREENSHOTS names a folder (or is 1, for docs/images):

    ACCORD_SCREENSHOTS=docs/images .venv/bin/pytest tests/browser/test_screenshots_browser.py

Each is named `<page>-<width>.png` (register-1280.png, round-results-375.png, ...), as the docs
link them. An ordinary run writes no files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, watch_csp

FOLDER = os.environ.get("ACCORD_SCREENSHOTS", "")
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not FOLDER, reason="set ACCORD_SCREENSHOTS=docs/images to write them"),
]

PASSWORD = "demo-screenshot-password"
WIDTHS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 812}}
#: The pages pictured, as the images are named: nothing else writes into docs/images
#: (tests/core/test_docs_images.py holds the folder and the docs to these).
PAGES = (
    "register",
    "record",
    "collaboration-form",
    "round-results",
    "appraisal-results",
    "insights-national-map",
    "insights-findings",
    "home-dashboard",
)


def image_names() -> list[str]:
    """Every file this test writes: register-1280.png, register-375.png, ...; and the board
    pack's page and PDF page, which tests/insights/test_reports_images.py writes."""
    from tests.insights.test_reports_images import IMAGES as REPORT_IMAGES

    return [f"{name}-{width}.png" for name in PAGES for width in WIDTHS] + list(REPORT_IMAGES)


def _folder() -> Path:
    return DOCS_IMAGES if FOLDER == "1" else Path(FOLDER)


@pytest.fixture
def demo(site: str) -> dict[str, str]:
    """The demo on the live server; the paths of the pages to show."""
    from accord import demo as demo_loader
    from accord.appraisal.models import Appraisal
    from accord.assessments.models import Round

    demo_loader.load(password=PASSWORD)
    latest_round = Round.objects.filter(collaboration__reference="JACP").order_by("-opens_on")[0]
    appraisal = Appraisal.objects.get(collaboration__reference="CRIT")
    paths = {
        "register": "/collaborations/",
        "record": "/collaborations/JACP/",
        "collaboration-form": "/collaborations/JACP/edit/",
        "round-results": f"/assessments/rounds/{latest_round.pk}/",
        "appraisal-results": f"/appraisals/{appraisal.pk}/",
        # With the resilience forums' outlines, as docs/insights.md describes it.
        "insights-national-map": "/insights/?forums=1",
        "insights-findings": "/insights/findings/",
        # The demo contributor's dashboard, as docs/home.md shows it.
        "home-dashboard": "/",
    }
    assert tuple(paths) == PAGES
    return paths


@pytest.fixture
def signed_in_at(browser: Any, site: str, csp_violations: list[str]) -> Iterator[Any]:
    from accord.demo import DEMO_PEOPLE

    contributor = next(email for email, code, role in DEMO_PEOPLE if role == "contributor")
    contexts: list[Any] = []

    def make(width: int) -> Any:
        phone = width < 800
        context = browser.new_context(
            viewport=WIDTHS[width], is_mobile=phone, has_touch=phone, device_scale_factor=1
        )
        context.set_default_timeout(15_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site}/accounts/sign-in/")
        page.get_by_label("Email address").fill(contributor)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/accounts/sign-in/" not in page.url
        return page

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_for_the_docs(
    signed_in_at: Any, site: str, demo: dict[str, str], width: int
) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    page = signed_in_at(width)
    for name, path in demo.items():
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status == 200, (name, path)
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-accord-chart]")
        for index in range(charts.count()):
            charts.nth(index).locator("svg").wait_for()
        # The picture is of the page as it is: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        shot = folder / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
