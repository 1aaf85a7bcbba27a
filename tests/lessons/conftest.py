"""The browser tests' fixtures (tests/browser/conftest.py) for this app's browser test."""

from tests.browser.conftest import (  # noqa: F401
    _restore_reference_organisations,
    browser,
    csp_violations,
    page,
    site,
)
