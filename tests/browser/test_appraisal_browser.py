"""Appraisal pages in a real browser: charts draw under the Content-Security-Policy, and axe finds
nothing serious."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def demo_appraisal(site: str) -> Any:
    from accord.appraisal.demo import load_demo
    from accord.appraisal.models import Appraisal
    from accord.core.actors import SystemActor
    from accord.register.demo import load_demo_collaborations

    load_demo_collaborations(SystemActor("test"))
    load_demo(SystemActor("test"))
    return Appraisal.objects.get(collaboration__reference="CRIT")


@pytest.fixture
def admin(site: str) -> Any:
    from tests.conftest import PASSWORD

    from accord.orgs.models import Organisation, User

    return User.objects.create_user(
        email="admin@browser.test",
        password=PASSWORD,
        organisation=Organisation.objects.get(code="X-HO"),
        role="platform_admin",
    )


def test_appraisal_pages_draw_their_charts_and_pass_axe(
    page: Any, site: str, demo_appraisal: Any, admin: Any, csp_violations: list[str]
) -> None:
    sign_in(page, site, admin.email)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, path in (
        ("results", f"/appraisals/{demo_appraisal.pk}/"),
        ("edit form", f"/appraisals/{demo_appraisal.pk}/edit/"),
        ("realised benefits", f"/appraisals/{demo_appraisal.pk}/realised/"),
        ("upload", "/appraisals/for/CRIT/upload/"),
        ("index", "/appraisals/"),
        ("unit costs", "/appraisals/unit-costs/"),
    ):
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status == 200, (name, path)
        if name == "results":
            # vega-embed replaces each chart's placeholder with an SVG drawing.
            page.wait_for_selector("[data-accord-chart] svg", timeout=10_000)
            assert page.locator("[data-accord-chart] svg").count() >= 3
            # Drawn under the Content-Security-Policy: no eval, no inline style.
            assert csp_violations == []
            # The tooltip over a bar, styled by accord.scss rather than vega-tooltip's <style>.
            page.locator("[data-accord-chart] svg g.mark-rect path").first.hover(force=True)
            tooltip = page.locator("#vg-tooltip-element.visible")
            tooltip.wait_for()
            assert "£" in tooltip.inner_text()
            assert tooltip.evaluate("e => getComputedStyle(e).position") == "fixed"
        found[name] = axe_blocking(page)
    assert csp_violations == []
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"== {name}\n{describe(v)}" for name, v in failing.items())
