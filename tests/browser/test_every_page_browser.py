"""Axe on every page of the site, at 1280 px and at 375 px wide, in a real browser (Debian's
Chromium): no serious or critical violation anywhere, and no page wider than the screen.

"Every page" is the URL table of tests/core/test_url_permissions.py (which a test there keeps
equal to the URL conf), in the world that module builds, with more made by the factories so
that each page has something on it: a round answered by more people than the disclosure
threshold, a duty-to-collaborate review, a realised benefit, a record edited with every part
filled in (so it has a history). Each address is seen by the first person the table lets reach
it, in the order platform administrator, nobody signed in, reader; what it answers with a
download (CSV, XLSX, YAML, JSON) rather than a page is skipped by its content type. Beside the
table: each help topic, the pages that answer a form (the personal links, a form with errors),
a survey taken from its start page to "thank you", and the error pages (not found, refused,
a form refused for its security token, the server error, busy and locked out).

One browser, one context for each width, and in each one page reused throughout, signed in
once for each person. The two widths go through the pages in step, and axe runs in both pages at
once (each context has its own renderer process), so that the walk takes the time of one width
rather than two. axe is in every page from the start (the context's init script); the layout
round the content (header, navigation, footer) is checked in full on the first page where it
looks as it does at that width, and then left out; each address is asked for once at each width
(a download is known by what the browser does with it, not by asking for it again).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from tests.browser.support import BLOCKING_IMPACTS, CHROMIUM, describe, sign_in, watch_csp

# `world` (the table's fixture) is re-exported so that this module's tests can ask for it.
from tests.core.test_url_permissions import PEOPLE, _table
from tests.core.test_url_permissions import world as world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

#: An appraisal with ranges (so a Monte Carlo run and a tornado) and long names beside its bars.
UNCERTAIN_APPRAISAL = """\
title: Co-responding, with ranges
price_year: 2016
years: 3
monte_carlo: {iterations: 500, seed: 1}
costs:
  - name: Vehicles, kit and training for co-responding crews
    payer: E31000025
    amounts: [180000, {triangular: [20000, 25000, 40000]}, 25000]
    confidence: 2
benefits:
  - name: Ambulance hours released by co-responding crews
    beneficiary: RX9
    amounts: [0, {triangular: [120000, 150000, 200000]}, 160000]
    deadweight: {triangular: [0.05, 0.1, 0.2]}
"""

#: Who looks at an address the table lets several people reach: the one who sees the most first.
LOOKERS = ("platform_admin", "anonymous", "colleague")

#: What must be on a page for it to count as having real content (by the table's URL names).
CONTENT = {
    "register:list": "#collaborations tbody tr",
    "register:detail": "#history",
    "assessments:round": "#round-factors-table",
    "assessments:index": "[data-accord-chart]",
    "appraisal:detail": "[data-accord-chart]",
    "appraisal results with ranges": "#tornado-table",
    "appraisal:realisation": "[data-accord-chart]",
    "analytics:detail": "#by-weekday-hour-table",
    "insights:national": "[data-accord-chart='national-map-spec'] svg",
    "insights:findings": "#finding-key_individuals table",
    "insights:board_pack": "#risks",
    "insights:national_report": "form .govuk-button",
    "lessons:list": "#lessons li",
    "lessons:detail": "#what-happened",
    "api:openapi-view": ".opblock",
}

# Drawn by scripts after the page has loaded: the charts (vega-embed), the organisation
# pickers (accessible-autocomplete, loaded on demand) and the API's documentation (Swagger UI).
_DRAWN = """() => {
  const charts = [...document.querySelectorAll("[data-accord-chart]")];
  if (!charts.every((chart) => chart.querySelector("svg"))) return false;
  if (document.querySelector("[data-accord-organisation], [data-accord-organisations]")
      && !document.querySelector(".autocomplete__input")) return false;
  if (document.querySelector("#swagger-ui") && !document.querySelector(".opblock")) return false;
  return true;
}"""

# axe-core as axe-playwright-python ships it, put in every page by the context (an init script,
# not sent again for each page), started without waiting for it, and its answer (the promise's)
# read afterwards: axe.run with the package's options (violations only).
_START_AXE = """(exclude) => {
  const context = exclude.length ? {exclude: exclude.map((selector) => [selector])} : document;
  window.accordAxe = axe.run(context, {resultTypes: ["violations"]});
}"""
_AXE_ANSWER = "() => window.accordAxe"

#: The layout round every page: the same on every page that has the same words in it (the
#: marking, the header as a visitor, a reader or an administrator sees it, a respondent's plain
#: header, the footer). axe checks it in full on the first page of each such kind at each
#: width, and then only what is inside `main` and around it (most of axe's time on a short
#: page went on checking the same header and footer again).
_LAYOUT = (
    ".govuk-skip-link",
    ".accord-marking",
    ".govuk-header",
    ".govuk-service-navigation",
    ".govuk-footer",
)
_LAYOUT_KIND = """(selectors) => selectors
  .map((selector) => [...document.querySelectorAll(selector)].map((e) => e.innerText).join("/"))
  .join("|")"""


@dataclass
class Look:
    """One width: its page, its own personal link (a survey is answered once), and what axe and
    the page's width said about each page seen there."""

    width: int
    page: Any
    token: str
    seen: list[str] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    downloads: list[str] = field(default_factory=list)
    layouts: set[str] = field(default_factory=set)
    violations: list[dict[str, Any]] = field(default_factory=list)
    too_wide: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = []
        if self.violations:
            lines.append(f"axe at {self.width} px:\n{describe(self.violations)}")
        if self.too_wide:
            lines.append(f"wider than the screen at {self.width} px: {self.too_wide}")
        return "\n".join(lines)


#: Leaves the look's page where it is to be checked, and says under what name; or None when
#: there is nothing to check (a download, a page already seen, signing in).
Step = Callable[[Look], str | None]


def _check(looks: list[tuple[Look, str]]) -> None:
    """Axe and the width of each look's page, axe running in all of them at once; the layout
    checked in full once for each kind of it at each width (`_LAYOUT`)."""
    for look, name in looks:
        look.page.wait_for_function(_DRAWN)
        if name in CONTENT:
            found = look.page.locator(CONTENT[name]).count()
            assert found > 0, f"{name} at {look.width} px shows no {CONTENT[name]}"
        kind = look.page.evaluate(_LAYOUT_KIND, list(_LAYOUT))
        exclude = list(_LAYOUT) if kind in look.layouts else []
        look.layouts.add(kind)
        look.page.evaluate(_START_AXE, exclude)
    for look, name in looks:
        look.seen.append(name)
        answer = look.page.evaluate(_AXE_ANSWER)
        look.violations += [
            {**v, "id": f"{name}: {v['id']}"}
            for v in answer["violations"]
            if v.get("impact") in BLOCKING_IMPACTS
        ]
        # Against the screen's width, not innerWidth: on a phone a page too wide for the screen
        # makes the browser zoom out, and innerWidth grows with it.
        wide = look.page.evaluate("document.documentElement.scrollWidth")
        if wide > look.width:
            look.too_wide.append(f"{name} ({wide} px)")


#: The addresses that answer with a download or data (CSV, XLSX, YAML, JSON) rather than a
#: page, as the first look found (the same at any width): the other does not go to them.
_FILES: set[str] = set()


def _goto(page: Any, url: str) -> Any:
    """The page's answer to going to `url`, or None for a download (which Chromium starts
    instead of showing a page) or data it would only show as text."""
    from playwright.sync_api import Error

    try:
        response = page.goto(url)
    except Error as error:
        if "Download is starting" in str(error) or "net::ERR_ABORTED" in str(error):
            return None
        raise
    if response is not None and not response.headers.get("content-type", "").startswith(
        "text/html"
    ):
        return None
    return response


def _visit(site: str, name: str, path: str | Callable[[Look], str], status: int = 200) -> Step:
    """Go to `path`, unless it is a download rather than a page or was seen already."""

    def step(look: Look) -> str | None:
        where = path(look) if callable(path) else path
        if where in look.paths:
            look.seen.append(name)
            return None
        look.paths.add(where)
        url = f"{site}{where}"
        response = None if url in _FILES else _goto(look.page, url)
        if response is None and status == 200:
            _FILES.add(url)
            look.downloads.append(name)
            return None
        assert response is not None and response.status == status, (name, where, response)
        return name

    return step


def _then(name: str | None, action: Callable[[Any], None]) -> Step:
    """Do `action` on the page (fill a form, send it) and check the page it leaves."""

    def step(look: Look) -> str | None:
        action(look.page)
        return name

    return step


def _looker(statuses: tuple[int, ...]) -> str | None:
    for person in LOOKERS:
        if statuses[PEOPLE.index(person)] == 200:
            return person
    return None


@pytest.fixture
def full_world(site: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The URL table's world, with content on every page, and the people who look."""
    from django.utils import timezone
    from tests.assessments.assessment_helpers import add_responses, invite
    from tests.support.factories import (
        AppraisalFactory,
        CollaborationFactory,
        DutyReviewFactory,
        RealisedBenefitFactory,
    )
    from tests.support.people import make_person

    from accord.core.actors import SystemActor
    from accord.register import services

    # After `site`, which puts back the reference organisations the world is made of.
    made: dict[str, Any] = request.getfixturevalue("world")
    collaboration = made["collaboration"]
    # Above the disclosure threshold at both partners, so the results show their figures.
    add_responses(
        made["round"],
        {("RX9", "operational"): 3, ("E31000025", "strategic"): 3},
        comment="Sharing the station has helped.",
    )
    DutyReviewFactory(collaboration=collaboration)
    RealisedBenefitFactory(appraisal=made["appraisal"])
    made["uncertain"] = AppraisalFactory(collaboration=collaboration, yaml_text=UNCERTAIN_APPRAISAL)
    # Edited once with every part of the record filled in: the record and its history.
    lead = collaboration.partners.get(role="lead").organisation
    services.update_collaboration(
        SystemActor("test"),
        collaboration,
        services.CollaborationData(
            title=collaboration.title,
            reference=collaboration.reference,
            summary="Firefighters respond to medical emergencies in rural Lincolnshire.",
            research_area=collaboration.research_area,
            nature=collaboration.nature,
            status=collaboration.status,
            partners=[(p.organisation, p.role) for p in collaboration.partners.all()],
            started_on=dt.date(2023, 4, 1),
            services=["fire", "ambulance"],
            funding_source="Test fund",
            funding_amount=Decimal("1250000"),
            funding_ends_on=timezone.localdate() + dt.timedelta(days=60),
            board="Joint emergency services board",
            has_written_agreement=None,
            champions=[("A. Tester", lead)],
            evidence=[("Pilot evaluation", "https://example.org/evaluation")],
            outcomes="Patients reached sooner in rural areas.",
        ),
        expected_version=collaboration.version,
    )
    CollaborationFactory(title="Tri-service safety officers", visibility="public")
    # The national picture's map: the force areas' boundaries and populations.
    from tests.insights.insights_helpers import load_map_data

    load_map_data()
    # A personal link for each width: a survey is answered once.
    (made["phone_token"],) = invite(
        made["round"], [("phone@lincs-fire.test", "E31000025", "tactical")]
    )
    made["people"] = {name: make_person(name) for name in ("platform_admin", "colleague")}
    return made


def _survey(site: str) -> list[Step]:
    """A respondent's pages, from the start page to "thank you"."""

    def base(look: Look) -> str:
        return f"/assessments/respond/{look.token}/"

    def check_answers(page: Any) -> None:
        page.locator("fieldset.govuk-fieldset").first.get_by_label("Agree", exact=True).check()
        page.get_by_role("button", name=re.compile("^Save and check")).click()
        page.wait_for_load_state()

    def submit(page: Any) -> None:
        page.get_by_role("button", name="Submit your answers").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Thank you"

    return [
        _visit(site, "survey start", base),
        _visit(site, "survey part 1", lambda look: f"{base(look)}?page=1"),
        _visit(site, "survey on one page", lambda look: f"{base(look)}?page=all"),
        _then("survey check your answers", check_answers),
        _then("survey thank you", submit),
    ]


def _serve(html: str) -> Callable[[Any], None]:
    return lambda route: route.fulfill(body=html, content_type="text/html")


def _error_pages(site: str) -> list[Step]:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from accord.core.views import server_error

    def without_its_token(page: Any) -> None:
        # A form sent without its security token (its cookie lost): the refused-form page.
        page.goto(f"{site}/accounts/sign-in/")
        page.context.clear_cookies()
        with page.expect_response(lambda answer: answer.request.method == "POST") as sent:
            page.get_by_role("button", name="Sign in").click()
        assert sent.value.status == 403
        page.wait_for_load_state()

    steps = [
        _visit(site, "not found", "/no-such-page/", status=404),
        _visit(site, "not found: a survey link", "/assessments/respond/no-link/", 404),
        _then("form refused for its security token", without_its_token),
    ]
    # Pages the site shows only when something failed, served as the site renders them.
    rendered = {
        "server error": server_error(RequestFactory().get("/")).content.decode(),
        "busy": render_to_string("errors/busy.html", {"retry_after": 5}),
        "locked out": render_to_string("registration/locked_out.html"),
    }
    for name, html in rendered.items():
        path = f"/shown-as-{name.replace(' ', '-')}"

        def show(page: Any, path: str = path, html: str = html) -> None:
            page.route(f"{site}{path}", _serve(html))
            page.goto(f"{site}{path}")

        steps.append(_then(name, show))
    return steps


def _sign_in_as(site: str, email: str) -> Step:
    def step(look: Look) -> None:
        look.page.context.clear_cookies()
        sign_in(look.page, site, email)

    return step


def _pages_answering_a_form(site: str, made: dict[str, Any]) -> list[Step]:
    def invite(look: Look) -> str:
        # The personal links, shown once after inviting.
        page = look.page
        page.goto(f"{site}/assessments/rounds/{made['round'].pk}/invite/")
        form = page.locator("form", has=page.get_by_label("Email addresses"))
        people = [f"crew{n}-at-{look.width}@emas.test" for n in (1, 2)]
        form.get_by_label("Email addresses").fill("\n".join(people))
        # The organisation by keyboard, with GOV.UK's accessible autocomplete (once it has
        # taken the select's place: organisations.js is loaded after the page).
        box = form.locator("input.autocomplete__input")
        box.wait_for()
        box.focus()
        page.keyboard.type("East Midlands")
        page.wait_for_selector(".autocomplete__option", state="attached")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert form.locator("select[name=organisation]").input_value() == "RX9"
        form.get_by_role("radio", name="Operational").check()
        form.get_by_role("radio", name=re.compile("^I will send")).check()
        form.get_by_role("button", name="Make links").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "2 personal links"
        return "personal links"

    def send_empty(page: Any) -> None:
        # A form sent with nothing filled in: its error summary and messages.
        page.goto(f"{site}/collaborations/new/")
        page.get_by_role("button", name="Add collaboration").click()
        page.wait_for_load_state()
        assert page.locator(".govuk-error-summary").count() == 1

    return [invite, _then("collaboration form with errors", send_empty)]


def _steps(site: str, made: dict[str, Any]) -> list[Step]:
    """Every page, in the order a few people would come to them."""
    from accord.core.views import HELP_TOPICS

    addresses: dict[str, list[tuple[str, str]]] = {person: [] for person in LOOKERS}
    for name, path, statuses in _table(made):
        looker = _looker(statuses)
        if looker is not None:
            addresses[looker].append((name, path))
    addresses["platform_admin"] += [(f"help: {t.slug}", f"/help/{t.slug}/") for t in HELP_TOPICS]
    addresses["platform_admin"].append(
        ("appraisal results with ranges", f"/appraisals/{made['uncertain'].pk}/")
    )
    people = made["people"]
    reader_edits = f"/collaborations/{made['collaboration'].reference}/edit/"
    return [
        *(_visit(site, name, path) for name, path in addresses["anonymous"]),
        *_survey(site),
        *_error_pages(site),
        _sign_in_as(site, people["colleague"].email),
        *(_visit(site, name, path) for name, path in addresses["colleague"]),
        # A change a reader may not make: the refusal page.
        _visit(site, "refused: a reader's edit", reader_edits, status=403),
        _sign_in_as(site, people["platform_admin"].email),
        *(_visit(site, name, path) for name, path in addresses["platform_admin"]),
        *_pages_answering_a_form(site, made),
    ]


def test_axe_finds_nothing_serious_on_any_page_at_either_width_and_none_is_too_wide(
    browser: Any, site: str, full_world: dict[str, Any]
) -> None:
    from axe_playwright_python.base import AXE_SCRIPT

    csp: list[str] = []
    looks = []
    for viewport, token in ((DESKTOP, full_world["token"]), (PHONE, full_world["phone_token"])):
        phone = viewport is PHONE
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.add_init_script(AXE_SCRIPT)
        context.set_default_timeout(15_000)
        watch_csp(context, csp)
        looks.append(Look(viewport["width"], context.new_page(), token))
    try:
        for step in _steps(site, full_world):
            _check([(look, name) for look in looks if (name := step(look)) is not None])
    finally:
        for look in looks:
            look.page.context.close()

    assert not any(look.violations or look.too_wide for look in looks), "\n".join(
        look.report() for look in looks
    )
    assert csp == [], "blocked by the Content-Security-Policy:\n" + "\n".join(csp)
    reached = {name for name, _, statuses in _table(full_world) if _looker(statuses)}
    for look in looks:
        # Every address in the table that anyone reaches was seen, or was a download ...
        assert reached - set(look.seen) - set(look.downloads) == set(), look.width
        # ... and only files and JSON (the API's, an analysis's progress) are downloads.
        not_files = [
            name
            for name in look.downloads
            if not (
                name.startswith("api:")
                or name == "healthz"
                or re.search(r"export|download|template|:file$|:progress$", name)
            )
        ]
        assert not_files == [], f"pages that answered as files at {look.width} px: {not_files}"
