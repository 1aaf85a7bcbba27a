"""The layout and the shared patterns in a real browser (Debian's Chromium): the phone menu,
choosing organisations by keyboard with the autocomplete and without JavaScript, the error
pages, and axe on the site's own pages at desktop and phone widths.

Screenshots go to $ACCORD_UI_SHOTS (a folder) when it is set, for people to look at; an
ordinary run writes no files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in, watch_csp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("ACCORD_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser: Any, csp_violations: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    watch_csp(context, csp_violations)
    yield context.new_page()
    context.close()
    assert csp_violations == [], "\n".join(csp_violations)


@pytest.fixture
def no_javascript(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def reader(site: str) -> Any:
    from tests.conftest import PASSWORD

    from accord.orgs.models import Organisation, User

    return User.objects.create_user(
        email="reader@lincs-fire.test",
        password=PASSWORD,
        organisation=Organisation.objects.get(code="E31000025"),
        role="reader",
    )


# The layout ------------------------------------------------------------------------------------


def test_the_menu_button_opens_the_navigation_on_a_phone(phone: Any, site: str) -> None:
    phone.goto(f"{site}/help/")
    menu = phone.get_by_role("button", name="Menu")
    navigation = phone.locator("#navigation")
    assert menu.is_visible()
    assert not navigation.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    shoot(phone, "help-375-menu-closed")
    menu.click()
    assert navigation.is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    assert phone.get_by_role("link", name="Collaborations").is_visible()
    shoot(phone, "help-375-menu-open")
    # No page wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(page: Any, site: str) -> None:
    page.goto(f"{site}/help/")
    assert page.locator("#navigation").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()


def test_account_links_sit_in_the_header(page: Any, site: str, reader: Any) -> None:
    sign_in(page, site, reader.email)
    page.goto(f"{site}/help/")
    header = page.locator("header.govuk-header")
    assert header.get_by_role("link", name="Your account").is_visible()
    assert header.get_by_role("button", name=re.compile("^Sign out")).is_visible()
    assert page.locator("#navigation").get_by_text("Sign out").count() == 0
    shoot(page, "help-1280-signed-in")


# Choosing organisations --------------------------------------------------------------------------


def test_organisations_are_chosen_by_keyboard_with_the_autocomplete(page: Any, site: str) -> None:
    page.goto(f"{site}/help/organisations/")
    box = page.get_by_label("Add an organisation")
    box.wait_for()
    # The grouped checkboxes give way to the autocomplete.
    assert not page.locator(".accord-organisations__groups").is_visible()
    box.focus()
    page.keyboard.type("Lincolnshire Fi")
    page.wait_for_selector(".autocomplete__option")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = page.locator(".accord-organisations__chosen")
    assert chosen.locator("li").count() == 1
    assert (
        chosen.locator("li span").first.inner_text() == "Lincolnshire Fire and Rescue (E31000025)"
    )
    assert (
        page.locator(".accord-organisations__status")
        .inner_text()
        .startswith("Added Lincolnshire Fire")
    )
    # Add another: the box is empty again and says so.
    another = page.get_by_label("Add another organisation")
    assert another.input_value() == ""
    another.focus()
    page.keyboard.type("emas")
    page.wait_for_selector(".autocomplete__option")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert chosen.locator("li").count() == 2
    shoot(page, "organisations-1280-two-chosen")
    # Remove one by keyboard.
    remove = chosen.get_by_role("button", name="Remove Lincolnshire Fire and Rescue (E31000025)")
    remove.focus()
    page.keyboard.press("Enter")
    assert chosen.locator("li").count() == 1
    page.get_by_role("button", name="Show their codes").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    table = page.locator("#found-organisations")
    assert table.get_by_text("RX9").is_visible()
    assert table.get_by_text("E31000025").count() == 0
    # What was chosen stays chosen on the page that answers.
    chosen = page.locator(".accord-organisations__chosen li")
    assert chosen.count() == 1 and "(RX9)" in chosen.inner_text()


def test_organisations_are_chosen_without_javascript_from_grouped_checkboxes(
    no_javascript: Any, site: str
) -> None:
    page = no_javascript
    page.goto(f"{site}/help/organisations/")
    groups = page.locator(".accord-organisations__groups details")
    assert [g.split(" (")[0] for g in groups.locator("summary").all_inner_texts()] == [
        "Police",
        "Fire and rescue",
        "Ambulance",
        "Other public body",
    ]
    page.get_by_text(re.compile(r"^Fire and rescue \(")).click()
    page.get_by_label("Lincolnshire Fire and Rescue (E31000025)").check()
    page.get_by_text(re.compile(r"^Ambulance \(")).click()
    page.get_by_label("East Midlands Ambulance Service NHS Trust (RX9)").check()
    shoot(page, "organisations-1280-no-javascript")
    with page.expect_navigation():
        page.get_by_role("button", name="Show their codes").click()
    table = page.locator("#found-organisations")
    assert table.get_by_text("E31000025").is_visible() and table.get_by_text("RX9").is_visible()
    # The groups holding a chosen one open, so that a second look shows them ticked.
    assert page.get_by_label("East Midlands Ambulance Service NHS Trust (RX9)").is_checked()


def test_an_unknown_organisation_is_refused_with_did_you_mean_on_the_page(
    page: Any, site: str
) -> None:
    page.goto(f"{site}/help/organisations/?organisations=Lincs+fyre")
    page.get_by_label("Add an organisation").wait_for()
    summary = page.locator(".govuk-error-summary")
    assert "Did you mean Lincolnshire Fire and Rescue (E31000025)" in summary.inner_text()
    # The summary's link lands on the autocomplete.
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_organisations"
    shoot(page, "organisations-1280-error")


# Error pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_404_page_in_the_layout(
    browser: Any, site: str, viewport: dict[str, int], csp_violations: list[str]
) -> None:
    context = browser.new_context(viewport=viewport)
    watch_csp(context, csp_violations)
    page = context.new_page()
    response = page.goto(f"{site}/no-such-page/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.locator("footer").get_by_role("link", name="Accessibility statement").count() == 1
    blocking = axe_blocking(page)
    shoot(page, f"404-{viewport['width']}")
    response = page.goto(f"{site}/assessments/respond/not-a-link/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    assert page.locator("#navigation").count() == 0
    blocking += axe_blocking(page)
    shoot(page, f"404-survey-{viewport['width']}")
    context.close()
    assert blocking == [], describe(blocking)
    assert csp_violations == [], "\n".join(csp_violations)


# Accessibility of the site's own pages -----------------------------------------------------------

OWN_PAGES = [
    "/help/",
    "/help/service-mix/",
    "/help/three-cs/",
    "/help/enablers-and-barriers/",
    "/help/deadweight/",
    "/help/optimism-bias/",
    "/help/disclosure-threshold/",
    "/help/organisations/",
    "/help/organisations/?organisations=E31000025&organisations=Lincs+fyre",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/contact/",
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_axe_finds_nothing_serious_on_the_sites_own_pages(
    browser: Any, site: str, reader: Any, viewport: dict[str, int], csp_violations: list[str]
) -> None:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    watch_csp(context, csp_violations)
    page = context.new_page()
    sign_in(page, site, reader.email)
    found = []
    too_wide = []
    for path in OWN_PAGES:
        page.goto(f"{site}{path}")
        page.wait_for_load_state("networkidle")
        if "organisations" in path:
            page.locator(".autocomplete__input").wait_for()
        found += [{**v, "id": f"{path}: {v['id']}"} for v in axe_blocking(page)]
        if page.evaluate("document.documentElement.scrollWidth") > viewport["width"]:
            too_wide.append(path)
        name = path.strip("/").replace("/", "-").split("?")[0] or "home"
        if "?" in path:
            name += "-chosen"
        shoot(page, f"{name}-{viewport['width']}")
    context.close()
    assert found == [], describe(found)
    assert too_wide == [], f"wider than {viewport['width']} px: {too_wide}"
    assert csp_violations == [], "\n".join(csp_violations)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_api_documentation_in_the_layout_passes_axe(
    browser: Any, site: str, viewport: dict[str, int], csp_violations: list[str]
) -> None:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    watch_csp(context, csp_violations)
    page = context.new_page()
    page.goto(f"{site}/api/docs")
    # Swagger UI drew the operations from the OpenAPI document.
    page.locator(".opblock").first.wait_for()
    assert page.get_by_role("link", name="Back to Accord").is_visible()
    assert page.get_by_role("heading", name="Signing your requests").is_visible()
    blocking = axe_blocking(page)
    shoot(page, f"api-docs-{viewport['width']}")
    context.close()
    assert blocking == [], describe(blocking)
    assert csp_violations == [], "\n".join(csp_violations)


def test_the_filter_panel_folds_behind_a_button_on_a_phone(
    browser: Any, site: str, csp_violations: list[str]
) -> None:
    """The shared MOJ filter layout (includes/filter.html), rendered with a filter form and
    shown with the site's own CSS and scripts: no app page uses it yet."""
    from django import forms
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from accord.core.forms import PlainTextForm, filter_panel

    class Filters(PlainTextForm):
        q = forms.CharField(label="Search", required=False)
        archived = forms.BooleanField(label="Include archived", required=False)

    request = RequestFactory().get("/collaborations/", {"q": "fire", "archived": "on"})
    layout = render_to_string(
        "includes/filter.html", {"panel": filter_panel(Filters(request.GET), request)}
    )
    html = (
        f'<!DOCTYPE html><html lang="en-GB" class="govuk-template"><head><title>Filter</title>'
        f'<link rel="stylesheet" href="{site}/static/build/accord.css"></head>'
        f'<body class="govuk-template__body"><script src="{site}/static/accord/js-enabled.js">'
        f'</script><main class="govuk-width-container">{layout}<p>Results</p></main>'
        f'<script type="module" src="{site}/static/accord/govuk-init.js"></script></body></html>'
    )
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport)
        watch_csp(context, csp_violations)
        page = context.new_page()
        page.route(
            f"{site}/filter", lambda route: route.fulfill(body=html, content_type="text/html")
        )
        page.goto(f"{site}/filter")
        filter_panel_ = page.locator(".moj-filter")
        tags = page.locator(".moj-filter__tag")
        if viewport is PHONE:
            show = page.get_by_role("button", name="Show filter")
            show.wait_for()
            assert not filter_panel_.is_visible()
            show.click()
            assert filter_panel_.is_visible()
            assert page.get_by_role("button", name="Hide filter").is_visible()
        else:
            page.wait_for_load_state("networkidle")
            assert filter_panel_.is_visible()
            assert page.get_by_role("button", name="Show filter").count() == 0
        assert [" ".join(t.split()) for t in tags.all_inner_texts()] == [
            "Remove this filter: fire",
            "Remove this filter: Include archived",
        ]
        shoot(page, f"filter-{viewport['width']}")
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)
