"""KPIs in a real browser: a contributor adopts an indicator, enters a measurement and sees its
control chart drawn under the Content-Security-Policy; axe finds nothing serious or critical on
the KPI pages at 1280 and 375 pixels wide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def world(site: str) -> dict[str, Any]:
    from tests.support.factories import CollaborationFactory, IndicatorFactory
    from tests.support.people import make_person

    return {
        "owner": make_person("owner"),
        "collaboration": CollaborationFactory(title="Joint response pilot"),
        "indicator": IndicatorFactory(
            title="Co-responder attendances", unit="count", direction="increase"
        ),
    }


def test_a_contributor_adopts_an_indicator_enters_a_measurement_and_sees_the_chart(
    page: Any, site: str, world: dict[str, Any], csp_violations: list[str]
) -> None:
    reference = world["collaboration"].reference
    sign_in(page, site, world["owner"].email)
    page.goto(f"{site}/kpis/c/{reference}/")
    page.get_by_role("button", name="Adopt an indicator").click()
    page.get_by_label("Indicator").select_option(label="Co-responder attendances (count, monthly)")
    # The organisation picker is GOV.UK's accessible autocomplete.
    box = page.get_by_label("Measured for")
    box.wait_for()
    box.focus()
    page.keyboard.type("East Midlands")
    page.wait_for_selector(".autocomplete__option", state="attached")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_label("Target (optional)", exact=True).fill("150")
    page.get_by_role("button", name="Adopt indicator").click()
    page.wait_for_load_state()
    assert "Adopted Co-responder attendances" in page.content()

    page.get_by_role("button", name="Enter a measurement").click()
    page.get_by_label("Month").fill("8")
    page.get_by_label("Year").fill("2019")
    page.get_by_label("Value").fill("120")
    page.get_by_role("button", name="Save measurement").click()
    page.wait_for_load_state()
    assert "Recorded Co-responder attendances for August 2019" in page.content()
    page.get_by_role("button", name="Enter a measurement").click()
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2019")
    page.get_by_label("Value").fill("135")
    page.get_by_role("button", name="Save measurement").click()
    page.wait_for_load_state()

    # vega-embed draws the chart into its placeholder; its numbers are in the table below.
    page.wait_for_selector("[data-accord-chart] svg", timeout=10_000)
    chart = page.locator("[data-accord-chart] svg")
    assert chart.count() == 1
    assert chart.locator("path").count() > 0
    table = page.locator("table[id^='kpi-']")
    assert "August 2019" in table.inner_text() and "135" in table.inner_text()
    assert "Variation" in page.content() and "Assurance" in page.content()
    assert csp_violations == []


@pytest.fixture
def kpi_pages(site: str) -> dict[str, Any]:
    """A collaboration with a KPI of two years' figures and a go-live, for axe."""
    from tests.kpis.kpi_pages_helpers import LOWER, STEADY, go_live, make_kpi
    from tests.support.factories import CollaborationFactory
    from tests.support.people import make_person

    collaboration: Any = CollaborationFactory(title="Joint control room")
    adoption = make_kpi(
        collaboration,
        STEADY + LOWER,
        indicator_title="Category 2 mean",
        indicator_unit="seconds",
        indicator_direction="decrease",
        target_value=1080.0,
        baseline_value=480.0,
        baseline_period=dt.date(2018, 1, 1),
        target_by=dt.date(2020, 3, 1),
    )
    go_live(adoption, dt.date(2019, 1, 1))
    make_kpi(collaboration, indicator_title="Prevention visits", organisation=None)
    measurement = adoption.measurements.order_by("period").first()
    return {
        "owner": make_person("owner"),
        "admin": make_person("platform_admin"),
        "paths": [
            f"/kpis/c/{collaboration.reference}/",
            f"/kpis/{adoption.pk}/",
            "/kpis/",
            "/kpis/?status=stale&indicator=" + adoption.indicator.key,
            "/kpis/indicators/",
            f"/kpis/c/{collaboration.reference}/adopt/",
            f"/kpis/c/{collaboration.reference}/import/",
            f"/kpis/{adoption.pk}/measurements/new/",
            f"/kpis/{adoption.pk}/milestones/new/",
            f"/kpis/measurements/{measurement.pk}/edit/",
            f"/collaborations/{collaboration.reference}/",
        ],
        "admin_paths": ["/kpis/indicators/new/", "/kpis/indicators/upload/"],
    }


@pytest.mark.parametrize("width", [1280, 375])
def test_the_kpi_pages_pass_axe(
    browser: Any, site: str, kpi_pages: dict[str, Any], width: int, csp_violations: list[str]
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    watch_csp(context, csp_violations)
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}
    too_wide: list[str] = []
    try:
        for who, paths in (("owner", kpi_pages["paths"]), ("admin", kpi_pages["admin_paths"])):
            context.clear_cookies()
            sign_in(page, site, kpi_pages[who].email)
            for path in paths:
                response = page.goto(f"{site}{path}")
                assert response is not None and response.status == 200, path
                if page.locator("[data-accord-chart]").count():
                    page.wait_for_selector("[data-accord-chart] svg")
                # A form sent with nothing: its error summary and messages checked too.
                if path.endswith(("/new/", "/adopt/")):
                    found[path] = axe_blocking(page)
                    page.locator("main form button[type=submit]").last.click()
                    page.wait_for_load_state()
                    path += " (with errors)"
                found[path] = axe_blocking(page)
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    too_wide.append(path)
    finally:
        context.close()
    assert csp_violations == []
    failing = {path: v for path, v in found.items() if v}
    assert not failing, "\n".join(f"== {path}\n{describe(v)}" for path, v in failing.items())
    assert not too_wide, f"wider than the screen at {width} px: {too_wide}"
