# ruff: noqa: F811 (the browser fixtures imported below are named as parameters)
"""The analysis pages in a real browser (Debian's Chromium): the results' charts (the hotspot
map among them) draw under the Content-Security-Policy, axe finds nothing serious at 1280 and
375 px, and a page left open on a queued run follows it by its script until the results show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# The browser tests' fixtures, shared rather than copied (their module sets up Playwright's
# thread for Django, too).
from tests.browser.conftest import (  # noqa: F401
    _restore_reference_organisations,
    browser,
    csp_violations,
    page,
    site,
)
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in
from tests.support.analytics_factories import make_analysis

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def owner_and_analysis(site: str, shared_data: Path) -> tuple[Any, Any]:
    from tests.support.people import make_person

    from accord.core.actors import SystemActor
    from accord.orgs.models import Organisation
    from accord.register import services

    collaboration = services.create_collaboration(
        SystemActor("test"),
        services.CollaborationData(
            title="Overlap pilot",
            summary="Where the services attend the same incidents.",
            research_area="effective",
            nature="reducing_overlap",
            status="operational",
            partners=[(Organisation.objects.get(code="E31000025"), "lead")],
            visibility="partners",
        ),
    )
    owner = make_person("owner")
    sample = (shared_data / "montco_911_sample.csv").read_bytes()
    analysis = make_analysis(
        collaboration,
        owner,
        title="Montgomery County (US sample data)",
        files=[("montco.csv", sample)],
        layout="montco",
        cell_m=5000.0,
        data_note="US sample data",
    )
    return owner, analysis


def test_the_results_draw_and_pass_axe_at_both_widths(
    page: Any, site: str, owner_and_analysis: tuple[Any, Any], csp_violations: list[str]
) -> None:
    owner, analysis = owner_and_analysis
    sign_in(page, site, owner.email)
    found = {}
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in (
            ("results", f"/analytics/{analysis.pk}/"),
            ("upload", f"/analytics/{analysis.pk}/upload/"),
            ("new", f"/analytics/c/{analysis.collaboration.reference}/new/"),
            ("collaboration", f"/collaborations/{analysis.collaboration.reference}/"),
        ):
            response = page.goto(f"{site}{path}")
            assert response is not None and response.status == 200, (name, path)
            if name == "results":
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-accord-chart]')]"
                    ".every((c) => c.querySelector('svg'))"
                )
                assert page.locator("[data-accord-chart] svg").count() == 4
                assert page.locator("#hotspots-table tbody tr").count() >= 1
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                assert wide <= width, (name, width, wide)
            found[f"{name} at {width}"] = axe_blocking(page)
    assert csp_violations == []
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"== {name}\n{describe(v)}" for name, v in failing.items())


def test_a_queued_run_is_followed_until_its_results_show(
    page: Any, site: str, owner_and_analysis: tuple[Any, Any], settings: Any
) -> None:
    from accord.analytics import services

    settings.ANALYTICS_WORKER = True
    owner, done = owner_and_analysis
    analysis = make_analysis(done.collaboration, owner, title="Queued", run=False)
    services.queue_run(owner, analysis)
    sign_in(page, site, owner.email)
    page.goto(f"{site}/analytics/{analysis.pk}/")
    assert page.locator("#progress").is_visible()
    # What a worker does, while the page waits.
    services.run(analysis.pk)
    page.wait_for_selector("#headline", timeout=15_000)
    assert page.locator("#progress").count() == 0
