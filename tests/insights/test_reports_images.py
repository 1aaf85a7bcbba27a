"""The board pack's pictures for the docs, from the demo (`accord demo`), seen by the demo's
contributor at Lincolnshire Fire and Rescue: its printable page at 1280 and 375 px, and the
first page of its PDF as poppler's pdftoppm draws it.

Written only when ACCORD_SCREENSHOTS names a folder (or is 1, for docs/images), as
tests/browser/test_screenshots_browser.py writes the others (whose `image_names` lists these
too, so that tests/core/test_docs_images.py holds docs/images to them):

    ACCORD_SCREENSHOTS=1 .venv/bin/pytest tests/insights/test_reports_images.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import browser, csp_violations, site
from tests.browser.support import CHROMIUM, watch_csp

__all__ = ["browser", "csp_violations", "site"]

FOLDER = os.environ.get("ACCORD_SCREENSHOTS", "")
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PASSWORD = "demo-screenshot-password"
WIDTHS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 812}}
PATH = "/insights/c/JACP/board-pack/"
#: Every file this test writes.
IMAGES = ("board-pack-1280.png", "board-pack-375.png", "board-pack-pdf-page-1.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not FOLDER, reason="set ACCORD_SCREENSHOTS=1 to write them"),
]


def _folder() -> Path:
    return DOCS_IMAGES if FOLDER == "1" else Path(FOLDER)


def _signed_in(browser: Any, site: str, width: int, violations: list[str]) -> Any:
    from accord.demo import DEMO_PEOPLE

    contributor = next(email for email, code, role in DEMO_PEOPLE if role == "contributor")
    phone = width < 800
    context = browser.new_context(
        viewport=WIDTHS[width], is_mobile=phone, has_touch=phone, device_scale_factor=1
    )
    context.set_default_timeout(30_000)
    watch_csp(context, violations)
    page = context.new_page()
    page.goto(f"{site}/accounts/sign-in/")
    page.get_by_label("Email address").fill(contributor)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" not in page.url
    return page


def test_board_pack_pictures_for_the_docs(
    browser: Any, site: str, csp_violations: list[str], tmp_path: Path
) -> None:
    from accord import demo

    demo.load(password=PASSWORD)
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = _signed_in(browser, site, width, csp_violations)
        response = page.goto(f"{site}{PATH}")
        assert response is not None and response.status == 200
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-accord-chart]")
        for index in range(charts.count()):
            charts.nth(index).locator("svg").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot = folder / f"board-pack-{width}.png"
        # The pack's first screens (its KPIs' tables run long): the record, the risks, the
        # assessment and the first KPI.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 4 * 900)
        page.screenshot(
            path=str(shot),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )
        assert shot.stat().st_size > 10_000
        if width == 1280:
            pdf = page.request.get(f"{site}/insights/c/JACP/board-pack.pdf")
            assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
            (tmp_path / "pack.pdf").write_bytes(pdf.body())
        page.context.close()
    assert csp_violations == [], "\n".join(csp_violations)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm (poppler-utils) draws the PDF's page: apt-get install poppler-utils")
    first_page = ["-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile"]
    pdf_file, png_stem = str(tmp_path / "pack.pdf"), str(folder / "board-pack-pdf-page-1")
    subprocess.run([pdftoppm, *first_page, pdf_file, png_stem], check=True)
    assert (folder / "board-pack-pdf-page-1.png").stat().st_size > 10_000
