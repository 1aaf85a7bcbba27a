"""Browser tests: headless Chromium (Debian's, never a downloaded one) against the live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.browser.support import CHROMIUM, watch_csp


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_organisations(django_db_blocker: Any) -> Iterator[None]:
    """The live server's flush after each test empties every table, and the session fixture
    loaded the reference organisations only once: put them back for the tests that follow."""
    yield
    from accord.orgs.services import load_reference_organisations

    with django_db_blocker.unblock():
        load_reference_organisations()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    """The live server over plain http, with the reference organisations (re)loaded."""
    from accord.orgs.services import load_reference_organisations

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # The transactional flush between tests empties every table; put them back.
    load_reference_organisations()
    return str(live_server.url)


@pytest.fixture
def csp_violations() -> list[str]:
    """What the Content-Security-Policy blocked on the pages the test's `page` visited."""
    return []


@pytest.fixture
def page(browser: Any, csp_violations: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    watch_csp(context, csp_violations)
    pg = context.new_page()
    yield pg
    context.close()
    # Every browser test guards the policy: anything it blocked is something the page lost.
    assert csp_violations == [], "blocked by the Content-Security-Policy:\n" + "\n".join(
        csp_violations
    )
