"""docs/images holds exactly the screenshots that tests/browser/test_screenshots_browser.py
writes (`ACCORD_SCREENSHOTS=docs/images`), each linked from the README or the docs, and every
image they link is there: no picture left over from a page's older look, no broken link."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.test_screenshots_browser import image_names

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"


def _linked() -> set[str]:
    """The images the README and the docs link, by file name."""
    names: set[str] = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]:
        names.update(re.findall(r"images/([\w.-]+\.png)", doc.read_text(encoding="utf-8")))
    return names


def test_docs_images_holds_only_the_screenshots_the_screenshot_test_writes() -> None:
    assert sorted(p.name for p in IMAGES.iterdir()) == sorted(image_names())


def test_every_screenshot_is_linked_and_every_linked_image_exists() -> None:
    linked = _linked()
    assert linked - set(image_names()) == set(), "linked but never written"
    assert set(image_names()) - linked == set(), "written but linked from nowhere"
