"""The KPI pages as people use them: a collaboration's control charts with their icons,
status and numbers; before and after a go-live; the portfolio, concern first; the forms that
adopt, measure and import; the indicator library; the collaboration page's panel."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.kpis.kpi_pages_helpers import LOWER, SAME, STEADY, go_live, make_kpi, month
from tests.support.factories import IndicatorFactory, MeasurementFactory

from accord.kpis import presentation, queries, spc
from accord.kpis.models import Adoption, Indicator, Measurement, Milestone

pytestmark = pytest.mark.django_db


def recent(n: int) -> dt.date:
    """The month that starts a series of `n` months whose last is last month: not stale."""
    this_month = timezone.localdate().replace(day=1)
    return month(-n, this_month)


def spec_of(page: str, adoption: Any) -> dict[str, Any]:
    found = re.search(
        rf'<script id="kpi-{adoption.pk}-spec" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, f"no spec for KPI {adoption.pk}"
    spec: dict[str, Any] = json.loads(found.group(1))
    return spec


# A collaboration's KPI page -----------------------------------------------------------------


def test_the_kpi_page_shows_each_chart_its_icons_status_and_numbers(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    c1 = make_kpi(
        collaboration,
        STEADY + LOWER,
        indicator_title="Category 1 mean response",
        indicator_unit="seconds",
        indicator_direction="decrease",
        target_value=420.0,
        baseline_value=480.0,
        baseline_period=dt.date(2018, 1, 1),
        target_by=dt.date(2020, 6, 1),
        notes={3: "Snow"},
    )
    go_live(c1, dt.date(2019, 1, 10))
    empty = make_kpi(collaboration, indicator_title="Prevention visits")
    client.force_login(colleague)
    response = client.get(f"/kpis/c/{collaboration.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Category 1 mean response" in page and "Prevention visits" in page
    # Its numbers as a table, without JavaScript: every month, its value and how it is judged.
    assert "January 2018" in page and "480\u00a0s" in page and "Snow" in page
    assert "Lower process limit" in page and "Special cause" in page
    # The icons and status side by side, in words.
    analysis = next(a for a in queries.analyses_of(collaboration) if a.adoption == c1)
    badges = presentation.kpi_view(analysis).badges
    assert badges.variation.words in page and badges.assurance.words in page
    assert badges.status_words in page
    # Two phases (the go-live starts one) and the before-and-after sentence.
    assert "Phases" in page and "Before and after Go-live" in page
    assert "The change is special cause improvement" in page
    assert "No measurements yet" in page  # the KPI with none
    # One spec draws the chart: the points by type, every line, the milestone.
    spec = spec_of(page, c1)
    assert spec["width"] == "container"
    lines, points, rule, _label = spec["layer"]
    series = {row["series"] for row in lines["data"]["values"]}
    assert series == {"Measured", "Mean", "Process limits", "Target", "Trajectory"}
    assert {row["type"] for row in spec["data"]["values"]} <= set(presentation.POINT_WORDS.values())
    assert len(spec["data"]["values"]) == 24
    assert points["encoding"]["color"]["field"] == "type"
    assert rule["mark"]["type"] == "rule" and "Go-live" in rule["data"]["values"][0]["title"]
    assert f"kpi-{empty.pk}-spec" not in page  # no chart without points


def test_the_chart_and_table_hold_the_spc_modules_figures(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    values = [float(v) for v in (10, 12, 11, 13, 9, 30, 11, 12, 10, 11, 12, 13)]
    adoption = make_kpi(collaboration, values, indicator_direction="increase")
    result = spc.analyse(
        [(queries.period_label(month(i)), v) for i, v in enumerate(values)], direction="increase"
    )
    client.force_login(colleague)
    page = client.get(f"/kpis/c/{collaboration.reference}/").content.decode()
    spec = spec_of(page, adoption)
    types = [row["type"] for row in spec["data"]["values"]]
    assert types == [presentation.POINT_WORDS[p.point_type] for p in result.points]
    assert types[5] == "Special cause improvement"  # 30 is outside the limits
    means = {row["value"] for row in spec["layer"][0]["data"]["values"] if row["series"] == "Mean"}
    assert means == {result.phases[0].mean}
    assert presentation.figure(result.phases[0].upl, "count", 1) in page


def test_a_published_indicator_shows_the_trust_against_england(
    client: Client, colleague: Any, collaboration: Any, shared_data: Any
) -> None:
    from accord.core.actors import SystemActor
    from accord.kpis import services

    services.load_library(SystemActor("test"), _shipped_library(), "shipped")
    path = shared_data / "ambsys_2017-08_to_2019-12.csv"
    services.import_ambsys(SystemActor("test"), path.read_bytes(), path.name)
    indicator = Indicator.objects.get(published_column="A25")
    adoption = make_kpi(collaboration, indicator=indicator)
    client.force_login(colleague)
    page = client.get(f"/kpis/c/{collaboration.reference}/").content.decode()
    spec = spec_of(page, adoption)
    series = {row["series"] for row in spec["layer"][0]["data"]["values"]}
    assert "England" in series
    assert '<th scope="col" class="govuk-table__header">England</th>' in page
    # EMAS's Category 1 mean for August 2017, from the real file.
    first = spec["data"]["values"][0]
    assert first["period"] == "2017-08-01" and first["value"] == 480.0
    assert "Compared with" in page


def _shipped_library() -> str:
    from accord.kpis import library

    return library.shipped_text()


# Before and after ----------------------------------------------------------------------------


def _before_after(collaboration: Any, values: list[float], on: dt.date) -> str:
    adoption = make_kpi(collaboration, values, indicator_direction="decrease")
    go_live(adoption, on, starts_phase=False)
    (analysis,) = [a for a in queries.analyses_of(collaboration) if a.adoption == adoption]
    assert analysis.before_after is not None
    return presentation.before_after_sentence(analysis.before_after, "seconds")


def test_before_and_after_a_real_change_says_special_cause(collaboration: Any) -> None:
    sentence = _before_after(collaboration, STEADY + LOWER, dt.date(2019, 1, 1))
    assert sentence.startswith("The mean was 480\u00a0s over the 12 points before Go-live")
    assert "440.6\u00a0s over the 12 since" in sentence
    assert "The change is special cause improvement" in sentence
    # It says no more than the rules do.
    assert "does not by itself say that Go-live caused it" in sentence


def test_before_and_after_no_change_says_it_may_be_chance(collaboration: Any) -> None:
    sentence = _before_after(collaboration, STEADY + SAME, dt.date(2019, 1, 1))
    assert "The change is not special cause" in sentence
    assert "the difference may be chance" in sentence


def test_before_and_after_with_too_few_points_says_it_cannot_be_judged(
    collaboration: Any,
) -> None:
    sentence = _before_after(collaboration, LOWER[:5], dt.date(2018, 1, 15))
    assert "Too few measurements before Go-live" in sentence
    sentence = _before_after(collaboration, STEADY[:3], dt.date(2025, 1, 1))
    assert sentence.startswith("No measurements since Go-live")


# The portfolio -------------------------------------------------------------------------------


@pytest.fixture
def portfolio_kpis(collaboration: Any) -> dict[str, Any]:
    """Four KPIs, one of each kind of concern: special cause concern, a target consistently
    failed, a target met, and one with no data."""
    concern = make_kpi(
        collaboration,
        [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 103.0, 97.0, 100.0, 101.0, 99.0, 100.0]
        + [90.0] * 7,
        start=recent(19),
        indicator_title="Calls answered for partners",
        indicator_direction="increase",
    )
    failing = make_kpi(
        collaboration,
        STEADY,
        start=recent(12),
        indicator_title="Category 2 mean",
        indicator_direction="decrease",
        target_value=420.0,
    )
    met = make_kpi(
        collaboration,
        STEADY,
        start=recent(12),
        indicator_title="Fire response",
        indicator_direction="decrease",
        target_value=600.0,
        organisation="E31000025",
    )
    nothing = make_kpi(collaboration, indicator_title="Gain entry jobs", organisation=None)
    return {"concern": concern, "failing": failing, "met": met, "nothing": nothing}


def _row_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/kpis/(\d+)/">', page)]


def test_the_portfolio_lists_concern_first_with_icons_and_status(
    client: Client, colleague: Any, portfolio_kpis: dict[str, Any]
) -> None:
    client.force_login(colleague)
    page = client.get("/kpis/").content.decode()
    k = portfolio_kpis
    assert _row_ids(page) == [k["concern"].pk, k["failing"].pk, k["nothing"].pk, k["met"].pk]
    assert "4 KPIs" in page
    assert "Special cause concern (low)" in page
    assert "Consistently failing" in page and "Consistently passing" in page
    assert ">Missed<" in page and ">Met<" in page and ">No data<" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=concern", ["concern"]),
        ("status=failing", ["failing"]),
        ("status=met", ["met"]),
        ("status=no_data", ["nothing"]),
        ("organisation=E31000025", ["met"]),
        ("organisation=Lincolnshire+Fire+and+Rescue", ["met"]),
        ("organisation=whole", ["nothing"]),
        ("collaboration=joint+response", ["concern", "failing", "nothing", "met"]),
        ("collaboration=no+such+thing", []),
    ],
)
def test_the_portfolio_filters_by_collaboration_organisation_indicator_and_status(
    client: Client,
    colleague: Any,
    portfolio_kpis: dict[str, Any],
    query: str,
    expected: list[str],
) -> None:
    client.force_login(colleague)
    page = client.get(f"/kpis/?{query}").content.decode()
    assert _row_ids(page) == [portfolio_kpis[name].pk for name in expected]
    if expected:
        assert "Remove this filter" in page  # the MOJ filter's selected tags
    else:
        assert "No KPIs to show" in page


def test_the_portfolio_filters_by_indicator(
    client: Client, colleague: Any, portfolio_kpis: dict[str, Any]
) -> None:
    client.force_login(colleague)
    key = portfolio_kpis["met"].indicator.key
    page = client.get(f"/kpis/?indicator={key}").content.decode()
    assert _row_ids(page) == [portfolio_kpis["met"].pk]


def test_an_unknown_organisation_is_said_beside_the_filter_and_not_applied(
    client: Client, colleague: Any, portfolio_kpis: dict[str, Any]
) -> None:
    client.force_login(colleague)
    page = client.get("/kpis/?organisation=Nowhere+Fire").content.decode()
    assert "No organisation called “Nowhere Fire”" in page
    assert len(_row_ids(page)) == 4


def test_the_portfolio_shows_only_the_kpis_of_collaborations_the_person_may_see(
    client: Client,
    outsider: Any,
    colleague: Any,
    portfolio_kpis: dict[str, Any],
    make_collaboration: Any,
) -> None:
    public = make_collaboration("Open pilot", visibility="public")
    shown = make_kpi(public, [1.0, 2.0], indicator_title="Open indicator")
    client.force_login(outsider)
    assert _row_ids(client.get("/kpis/").content.decode()) == [shown.pk]
    anonymous = Client()
    assert _row_ids(anonymous.get("/kpis/").content.decode()) == [shown.pk]
    client.force_login(colleague)
    assert len(_row_ids(client.get("/kpis/").content.decode())) == 5


def test_the_portfolio_is_paged(
    client: Client, colleague: Any, portfolio_kpis: dict[str, Any], settings: Any
) -> None:
    settings.PAGE_SIZE = 3
    client.force_login(colleague)
    first = client.get("/kpis/").content.decode()
    second = client.get("/kpis/?page=2").content.decode()
    assert len(_row_ids(first)) == 3 and len(_row_ids(second)) == 1
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert 'href="?page=2"' in first


def test_the_portfolios_icons_agree_with_each_kpis_own_analysis(
    collaboration: Any, portfolio_kpis: dict[str, Any]
) -> None:
    """The portfolio judges every KPI at once (analyse_many, then the assurance from the
    limits); each KPI's page judges it alone (analyse): the two agree."""
    go_live(portfolio_kpis["failing"], month(6, recent(12)))
    found, _ = queries.summaries()
    for analysis in queries.analyses_of(collaboration):
        summary = found[analysis.adoption.pk]
        assert summary.variation == analysis.result.variation
        assert summary.assurance == analysis.result.assurance
        assert summary.status == analysis.status


# Query counts ------------------------------------------------------------------------------

#: A reader, signed in: the session and the user, the collaboration (one query decides that
#: they may see it), its adoptions and the KPIs' state (the newest audit event of each kind
#: they depend on and the newest adoption, measurement and milestone, in one query); each
#: KPI's section is kept for that state. A reader may not edit, which needs no query to say.
KPI_PAGE_QUERIES = 5
#: The first after a change draws the sections again: their measurements and their milestones
#: too (and the published and national figures, one more query, when any of the indicators is
#: published: none is here).
KPI_PAGE_QUERIES_DRAWING = 7
#: Signed in: the KPIs' state, the session and the user. The list of the person's KPIs and
#: each page of its rows are kept for that state, whom they see as and the filters (and the
#: library's indicators, for the filter, with the summaries). The first for them reads the ids
#: of the collaborations they may see and the page's rows too; the first after a change, the
#: KPIs it touched (or every KPI, once for everyone).
PORTFOLIO_QUERIES = 3


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_kpi_page_and_portfolio_ask_a_fixed_number_of_queries(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    client.force_login(colleague)
    make_kpi(collaboration, STEADY[:6])
    url = f"/kpis/c/{collaboration.reference}/"
    few_drawing, few_page = _count(client, url), _count(client, url)
    _count(client, "/kpis/")  # works the icons out
    few_portfolio = _count(client, "/kpis/")
    for n in range(5):
        adoption = make_kpi(collaboration, STEADY[: 3 + n])
        go_live(adoption, month(1))
    assert _count(client, url) == few_drawing == KPI_PAGE_QUERIES_DRAWING
    assert _count(client, url) == few_page == KPI_PAGE_QUERIES
    _count(client, "/kpis/")
    assert _count(client, "/kpis/") == few_portfolio == PORTFOLIO_QUERIES


@pytest.mark.parametrize(
    "people", [("owner", "colleague"), ("outsider", "outside_reader"), ("platform_admin",)]
)
def test_a_kept_portfolio_is_what_each_person_may_see(
    client: Client,
    portfolio_kpis: dict[str, Any],
    make_collaboration: Any,
    people: tuple[str, ...],
    request: Any,
) -> None:
    """The list is kept for whom a person sees as (queries.seen_as), not for each person: for
    each of them it is exactly the KPIs of the collaborations the register lets them see."""
    make_kpi(make_collaboration("Open pilot", visibility="public"), [1.0])
    hampshire = make_collaboration("Hampshire's own", partners=(("E23000030", "lead"),))
    make_kpi(hampshire, [2.0], organisation=None)
    for name in people:
        person = request.getfixturevalue(name)
        expected = set(queries.filtered_adoptions(person, {}).values_list("pk", flat=True))
        client.force_login(person)
        assert set(_row_ids(client.get("/kpis/").content.decode())) == expected, name


def test_after_a_change_only_the_kpis_it_touched_are_worked_out_again(
    collaboration: Any, portfolio_kpis: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entering, changing and archiving figures, milestones and adoptions works out only the
    KPIs touched, and the result is what working every KPI out again gives."""
    from accord.core.actors import SystemActor
    from accord.kpis import services

    actor = SystemActor("test")
    queries.summaries()
    asked: list[Any] = []
    compute = queries.compute_summaries

    def spy(today: dt.date, ids: Any = None) -> Any:
        asked.append(None if ids is None else set(ids))
        return compute(today, ids)

    monkeypatch.setattr(queries, "compute_summaries", spy)
    k = portfolio_kpis
    MeasurementFactory(adoption=k["nothing"], period=month(0, recent(1)), value=3.0)
    queries.summaries()
    measurement = k["met"].measurements.order_by("-period").first()
    services.update_measurement(actor, measurement, value=9999.0, note="typed wrong")
    go_live(k["failing"], month(6, recent(12)))
    queries.summaries()
    services.archive_adoption(actor, k["concern"])
    added = make_kpi(collaboration, [1.0, 2.0], indicator=k["nothing"].indicator)
    kept, _ = queries.summaries()
    assert asked == [
        {k["nothing"].pk},
        {k["met"].pk, k["failing"].pk},
        {k["concern"].pk, added.pk},
    ]
    assert k["concern"].pk not in kept and kept[k["met"].pk].status == "missed"
    # A change to the library may change any KPI: all are worked out again.
    IndicatorFactory()
    queries.summaries()
    assert asked[-1] is None
    monkeypatch.setattr(queries, "compute_summaries", compute)
    queries.forget()
    assert queries.summaries()[0] == kept


def test_the_portfolio_is_worked_out_again_after_any_change(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, [1.0, 2.0], indicator_title="Counted")
    client.force_login(colleague)
    assert "1 KPI" in client.get("/kpis/").content.decode()
    MeasurementFactory(adoption=adoption, period=month(5), value=9.0)
    page = client.get("/kpis/").content.decode()
    assert ">9<" in page  # the new latest value


# Adopting, measuring, importing ----------------------------------------------------------------


def test_a_contributor_adopts_an_indicator_for_a_partner_and_is_taken_to_it(
    client: Client, owner: Any, collaboration: Any
) -> None:
    indicator = IndicatorFactory(title="Co-responder attendances")
    client.force_login(owner)
    url = f"/kpis/c/{collaboration.reference}/adopt/"
    assert "Adopt an indicator" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "indicator": indicator.key,
            "organisation": "RX9",
            "baseline_value": "120",
            "baseline_period-month": "4",
            "baseline_period-year": "2019",
            "target_value": "150",
            "target_by-month": "3",
            "target_by-year": "2021",
            "tolerance": "5",
        },
    )
    adoption = Adoption.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kpis/{adoption.pk}/"
    assert adoption.organisation is not None and adoption.organisation.code == "RX9"
    assert adoption.baseline_period == dt.date(2019, 4, 1)
    assert adoption.target_by == dt.date(2021, 3, 1) and adoption.tolerance == 5.0


def test_adopting_for_the_whole_collaboration(
    client: Client, owner: Any, collaboration: Any
) -> None:
    indicator = IndicatorFactory()
    client.force_login(owner)
    client.post(
        f"/kpis/c/{collaboration.reference}/adopt/",
        {"indicator": indicator.key, "organisation": "whole"},
    )
    assert Adoption.objects.get().organisation is None


def test_the_adoption_form_says_what_is_wrong_in_govuk_words(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    page = client.post(
        f"/kpis/c/{collaboration.reference}/adopt/",
        {"baseline_value": "lots", "target_by-month": "13", "target_by-year": "2021"},
    ).content.decode()
    assert "There is a problem" in page
    assert "Select an indicator" in page
    assert "Select who it is measured for" in page
    assert "Baseline value must be a number" in page
    assert "Target date must be a real date" in page
    assert not Adoption.objects.exists()


def test_an_organisation_that_is_not_a_partner_cannot_be_chosen(
    client: Client, owner: Any, collaboration: Any
) -> None:
    indicator = IndicatorFactory()
    client.force_login(owner)
    page = client.post(
        f"/kpis/c/{collaboration.reference}/adopt/",
        {"indicator": indicator.key, "organisation": "E23000030"},
    ).content.decode()
    assert "There is a problem" in page and not Adoption.objects.exists()


def test_a_contributor_enters_a_measurement_for_a_month(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, indicator_title="Prevention visits")
    client.force_login(owner)
    url = f"/kpis/{adoption.pk}/measurements/new/"
    form = client.get(url).content.decode()
    assert 'name="period-month"' in form and 'name="period-year"' in form
    assert 'name="period-day"' not in form  # a period is a month
    response = client.post(
        url, {"period-month": "8", "period-year": "2019", "value": "1,089", "note": "Summer"}
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get()
    assert measurement.period == dt.date(2019, 8, 1) and measurement.value == 1089.0
    assert measurement.entered_by == owner and measurement.note == "Summer"
    page = client.get(response["Location"]).content.decode()
    assert "August 2019" in page and "1,089" in page


@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"value": "3"}, "Enter a period", "id_period-month"),
        ({"period-month": "8", "value": "3"}, "Period must include a year", "id_period-year"),
        (
            {"period-month": "13", "period-year": "2019", "value": "3"},
            "Period must be a real date",
            "id_period-month",
        ),
        (
            {"period-month": "8", "period-year": "19", "value": "3"},
            "Year must include 4 numbers",
            "id_period-year",
        ),
        ({"period-month": "8", "period-year": "2019"}, "Enter a value", "id_value"),
        (
            {"period-month": "8", "period-year": "2019", "value": "many"},
            "Value must be a number",
            "id_value",
        ),
    ],
)
def test_a_measurement_with_a_mistake_is_refused_in_govuk_words(
    client: Client,
    owner: Any,
    collaboration: Any,
    data: dict[str, str],
    message: str,
    anchor: str,
) -> None:
    adoption = make_kpi(collaboration)
    client.force_login(owner)
    page = client.post(f"/kpis/{adoption.pk}/measurements/new/", data).content.decode()
    assert message in page
    # The error summary links to the box to fix.
    assert f'href="#{anchor}"' in page
    assert not Measurement.objects.exists()


def test_a_period_already_measured_is_refused(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, [5.0])
    client.force_login(owner)
    page = client.post(
        f"/kpis/{adoption.pk}/measurements/new/",
        {"period-month": "1", "period-year": "2018", "value": "7"},
    ).content.decode()
    assert "There is a problem" in page
    assert Measurement.objects.get().value == 5.0


def test_a_contributor_changes_a_measurement(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, [5.0])
    measurement = Measurement.objects.get()
    client.force_login(owner)
    url = f"/kpis/measurements/{measurement.pk}/edit/"
    form = client.get(url).content.decode()
    assert "Change a measurement: January 2018" in form
    fields = _hidden_fields(form)
    response = client.post(url, {**fields, "value": "6", "note": "Corrected"})
    assert response.status_code == 302 and response["Location"] == f"/kpis/{adoption.pk}/"
    measurement.refresh_from_db()
    assert measurement.value == 6.0 and measurement.note == "Corrected"


def _hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_crossing_edits_of_a_measurement_are_merged_not_lost(
    client: Client, owner: Any, partner_user: Any, collaboration: Any
) -> None:
    make_kpi(collaboration, [5.0])
    measurement = Measurement.objects.get()
    url = f"/kpis/measurements/{measurement.pk}/edit/"
    client.force_login(owner)
    mine = _hidden_fields(client.get(url).content.decode())
    other = Client()
    other.force_login(partner_user)
    theirs = _hidden_fields(other.get(url).content.decode())
    # They change the note and save first; I change the value, having opened the old record.
    assert (
        other.post(url, {**theirs, "value": "5", "note": "From the control room"}).status_code
        == 302
    )
    page = client.post(url, {**mine, "value": "8", "note": ""}).content.decode()
    assert "changed this after you opened it" in page
    measurement.refresh_from_db()
    assert measurement.value == 5.0 and measurement.note == "From the control room"
    # The form now holds their note and my value: saving again keeps both.
    assert "From the control room" in page and 'value="8' in page
    again = _hidden_fields(page)
    response = client.post(url, {**again, "value": "8", "note": "From the control room"})
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == 8.0 and measurement.note == "From the control room"


def test_a_contributor_adds_a_milestone_that_starts_a_phase(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, STEADY + LOWER)
    client.force_login(owner)
    response = client.post(
        f"/kpis/{adoption.pk}/milestones/new/",
        {
            "title": "Joint control room goes live",
            "on-day": "1",
            "on-month": "1",
            "on-year": "2019",
            "kind": "go_live",
            "starts_phase": "on",
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.starts_phase and milestone.on == dt.date(2019, 1, 1)
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert "Joint control room goes live" in page
    (analysis,) = queries.analyses_of(collaboration)
    assert len(analysis.result.phases) == 2 and analysis.result.phases[1].start == "2019-01"


def test_a_milestone_without_its_answers_is_refused(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration)
    client.force_login(owner)
    page = client.post(f"/kpis/{adoption.pk}/milestones/new/", {}).content.decode()
    assert "Enter a title" in page and "Enter the date" in page
    assert "Select a kind of milestone" in page


def test_a_contributor_imports_a_measurements_file(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, indicator_title="Prevention visits")
    client.force_login(owner)
    content = (
        "indicator,organisation,period,value,note\n"
        f"{adoption.indicator.key},RX9,2019-04,12,\n"
        f"{adoption.indicator.key},RX9,2019-05,15,Busy\n"
    ).encode()
    response = client.post(
        f"/kpis/c/{collaboration.reference}/import/",
        {"file": _upload("visits.csv", content)},
    )
    assert response.status_code == 302
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [12.0, 15.0]


def test_an_import_with_mistakes_lists_every_row_and_imports_nothing(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration)
    client.force_login(owner)
    content = (
        "indicator,organisation,period,value,note\n"
        f"{adoption.indicator.key},RX9,2019-04,twelve,\n"
        f"{adoption.indicator.key},RX9,April,15,\n"
        f"no-such-indicator,RX9,2019-06,15,\n"
    ).encode()
    page = client.post(
        f"/kpis/c/{collaboration.reference}/import/", {"file": _upload("bad.csv", content)}
    ).content.decode()
    assert "Nothing was imported: the file has 3 problems" in page
    for row in (2, 3, 4):
        assert f"Row {row}" in page
    assert not Measurement.objects.exists()


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# The library ----------------------------------------------------------------------------------


def test_the_library_lists_each_indicators_unit_direction_frequency_source_and_standard(
    client: Client, colleague: Any
) -> None:
    IndicatorFactory(
        title="Category 1 mean",
        unit="seconds",
        direction="decrease",
        source="NHS England AmbSYS, column A25",
        standard=420.0,
        standard_text="7 minutes",
    )
    client.force_login(colleague)
    page = client.get("/kpis/indicators/").content.decode()
    for text in (
        "Category 1 mean",
        "Seconds",
        "Lower is better",
        "Monthly",
        "AmbSYS, column A25",
        "7 minutes",
    ):
        assert text in page
    assert "Add an indicator" not in page  # for platform administrators


def test_an_administrator_adds_an_indicator(client: Client, platform_admin: Any) -> None:
    client.force_login(platform_admin)
    response = client.post(
        "/kpis/indicators/new/",
        {
            "key": "joint-patrols",
            "title": "Joint patrols",
            "description": "Patrols by police and fire together.",
            "unit": "count",
            "direction": "increase",
            "frequency": "monthly",
            "aggregation": "sum",
            "services": ["police", "fire"],
            "source": "Entered by the partners",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(key="joint-patrols")
    assert indicator.services == ["police", "fire"]


def test_an_indicator_with_mistakes_is_refused_in_govuk_words(
    client: Client, platform_admin: Any
) -> None:
    client.force_login(platform_admin)
    page = client.post("/kpis/indicators/new/", {"aggregation": "weighted_mean"}).content.decode()
    assert "Enter a title" in page and "Select which way is better" in page
    assert "Enter the column that weights the mean" in page


def test_an_administrator_uploads_a_library_file(client: Client, platform_admin: Any) -> None:
    client.force_login(platform_admin)
    text = _shipped_library().encode()
    response = client.post("/kpis/indicators/upload/", {"file": _upload("library.yaml", text)})
    assert response.status_code == 302
    assert Indicator.objects.count() >= 20
    bad = client.post(
        "/kpis/indicators/upload/", {"file": _upload("bad.yaml", b"indicators: [{id: x}]\n")}
    ).content.decode()
    assert "Nothing was loaded" in bad


# The collaboration page's panel ---------------------------------------------------------------


def test_the_collaboration_page_shows_its_kpis_panel_with_a_link(
    client: Client, colleague: Any, collaboration: Any
) -> None:
    make_kpi(collaboration, STEADY, indicator_title="Category 2 mean", target_value=420.0)
    client.force_login(colleague)
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert 'id="kpis"' in page and "Category 2 mean" in page
    assert f'href="/kpis/c/{collaboration.reference}/"' in page
    assert "Adopt an indicator" not in page  # a reader cannot


def test_the_panel_offers_adopting_to_those_who_may(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "No KPIs yet" in page and f'href="/kpis/c/{collaboration.reference}/adopt/"' in page


# Changing and archiving a KPI, removing a milestone -------------------------------------------


def test_a_contributor_changes_a_kpis_baseline_target_and_tolerance(
    client: Client, owner: Any, collaboration: Any
) -> None:
    from accord.core.models import AuditEvent

    adoption = make_kpi(collaboration, STEADY, target_value=450.0, tolerance=5.0)
    url = f"/kpis/{adoption.pk}/edit/"
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Change this KPI" in page and 'value="450.0"' in page
    # With figures entered, its indicator and organisation stay as they are.
    for name in ("indicator", "organisation"):
        assert re.search(rf'<select name="{name}"[^>]* disabled', page), name
    fields = _hidden_fields(page)
    response = client.post(
        url,
        {
            **fields,
            "baseline_value": "480",
            "baseline_period-month": "1",
            "baseline_period-year": "2018",
            "target_value": "420",
            "target_by-month": "3",
            "target_by-year": "2020",
            "tolerance": "10",
            # Sent, but disabled: ignored.
            "organisation": "whole",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/kpis/{adoption.pk}/"
    adoption.refresh_from_db()
    assert (adoption.baseline_value, adoption.baseline_period) == (480.0, dt.date(2018, 1, 1))
    assert (adoption.target_value, adoption.target_by, adoption.tolerance) == (
        420.0,
        dt.date(2020, 3, 1),
        10.0,
    )
    assert adoption.organisation is not None and adoption.organisation.code == "RX9"
    event = AuditEvent.objects.filter(action="kpi.adoption.update").get()
    assert event.before["target_value"] == 450.0 and event.after["target_value"] == 420.0
    # The page draws the new target at once.
    assert "420" in client.get(f"/kpis/{adoption.pk}/").content.decode()


def test_a_kpi_without_figures_may_move_to_another_organisation(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration)
    client.force_login(owner)
    url = f"/kpis/{adoption.pk}/edit/"
    fields = _hidden_fields(client.get(url).content.decode())
    response = client.post(
        url, {**fields, "indicator": adoption.indicator.key, "organisation": "whole"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    adoption.refresh_from_db()
    assert adoption.organisation is None


def test_a_bad_change_to_a_kpi_is_refused_with_its_reasons(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, STEADY, target_value=450.0)
    client.force_login(owner)
    url = f"/kpis/{adoption.pk}/edit/"
    fields = _hidden_fields(client.get(url).content.decode())
    page = client.post(
        url, {**fields, "target_by-month": "3", "target_by-year": "2020", "tolerance": "-1"}
    ).content.decode()
    assert "Enter a target, or leave the target date blank" in page
    adoption.refresh_from_db()
    assert adoption.target_value == 450.0


def test_crossing_edits_of_a_kpi_are_merged_not_lost(
    client: Client, owner: Any, partner_user: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, STEADY, target_value=450.0, tolerance=5.0)
    url = f"/kpis/{adoption.pk}/edit/"
    client.force_login(owner)
    mine = _hidden_fields(client.get(url).content.decode())
    other = Client()
    other.force_login(partner_user)
    theirs = _hidden_fields(other.get(url).content.decode())
    # They change the tolerance and save first; I change the target, having opened the old one.
    assert other.post(url, {**theirs, "target_value": "450", "tolerance": "8"}).status_code == 302
    page = client.post(url, {**mine, "target_value": "430", "tolerance": "5"}).content.decode()
    assert "changed this after you opened it" in page
    adoption.refresh_from_db()
    assert (adoption.target_value, adoption.tolerance) == (450.0, 8.0)
    # The form now holds their tolerance and my target: saving again keeps both.
    assert 'value="8.0"' in page and 'value="430' in page
    again = _hidden_fields(page)
    response = client.post(url, {**again, "target_value": "430", "tolerance": "8"})
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert (adoption.target_value, adoption.tolerance) == (430.0, 8.0)


def test_crossing_edits_of_the_same_field_ask_which_to_keep(
    client: Client, owner: Any, partner_user: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, STEADY, target_value=450.0)
    url = f"/kpis/{adoption.pk}/edit/"
    client.force_login(owner)
    mine = _hidden_fields(client.get(url).content.decode())
    other = Client()
    other.force_login(partner_user)
    theirs = _hidden_fields(other.get(url).content.decode())
    assert other.post(url, {**theirs, "target_value": "440"}).status_code == 302
    page = client.post(url, {**mine, "target_value": "430"}).content.decode()
    assert "Which should be kept?" in page
    again = _hidden_fields(page)
    # Not choosing is refused; choosing theirs keeps theirs.
    assert (
        "Choose whether to keep"
        in client.post(url, {**again, "target_value": "430"}).content.decode()
    )
    response = client.post(url, {**again, "target_value": "430", "keep__target_value": "theirs"})
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.target_value == 440.0


def test_a_contributor_archives_a_kpi(client: Client, owner: Any, collaboration: Any) -> None:
    from accord.core.models import AuditEvent

    adoption = make_kpi(collaboration, STEADY, indicator_title="Gain entry jobs")
    client.force_login(owner)
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert f'href="/kpis/{adoption.pk}/archive/"' in page
    confirm = client.get(f"/kpis/{adoption.pk}/archive/").content.decode()
    assert "Archive Gain entry jobs?" in confirm
    response = client.post(f"/kpis/{adoption.pk}/archive/")
    assert response["Location"] == f"/kpis/c/{collaboration.reference}/"
    adoption.refresh_from_db()
    assert adoption.archived_at is not None
    assert Measurement.objects.filter(adoption=adoption).count() == len(STEADY)
    assert AuditEvent.objects.filter(action="kpi.adoption.archive").count() == 1
    assert "Archived Gain entry jobs." in client.get(response["Location"]).content.decode()
    listed = client.get(f"/kpis/c/{collaboration.reference}/").content.decode()
    # Not among the KPIs any more: only in the list of archived ones, to restore.
    assert f'href="/kpis/{adoption.pk}/"' not in listed and f"kpi-{adoption.pk}-spec" not in listed
    assert f'href="/kpis/{adoption.pk}/restore/"' in listed
    assert client.get(f"/kpis/{adoption.pk}/").status_code == 404
    assert client.get(f"/kpis/{adoption.pk}/edit/").status_code == 404
    # The same indicator may be adopted again for the same organisation.
    response = client.post(
        f"/kpis/c/{collaboration.reference}/adopt/",
        {"indicator": adoption.indicator.key, "organisation": "RX9"},
    )
    assert response.status_code == 302


def test_a_contributor_removes_a_milestone_and_its_phase_goes(
    client: Client, owner: Any, colleague: Any, collaboration: Any
) -> None:
    from accord.core.models import AuditEvent

    adoption = make_kpi(collaboration, STEADY + LOWER)
    milestone = go_live(adoption, dt.date(2019, 1, 1), title="Joint control room goes live")
    (analysis,) = queries.analyses_of(collaboration)
    assert len(analysis.result.phases) == 2
    client.force_login(colleague)
    assert "/remove/" not in client.get(f"/kpis/{adoption.pk}/").content.decode()
    client.force_login(owner)
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert f'href="/kpis/milestones/{milestone.pk}/remove/"' in page
    confirm = client.get(f"/kpis/milestones/{milestone.pk}/remove/").content.decode()
    assert "Remove the milestone Joint control room goes live?" in confirm
    response = client.post(f"/kpis/milestones/{milestone.pk}/remove/")
    assert response["Location"] == f"/kpis/{adoption.pk}/#milestones"
    assert not Milestone.objects.exists()
    event = AuditEvent.objects.get(action="kpi.milestone.delete")
    assert event.before["title"] == "Joint control room goes live"
    (analysis,) = queries.analyses_of(collaboration)
    assert len(analysis.result.phases) == 1
    assert "Removed the milestone" in client.get(response["Location"]).content.decode()
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert "Joint control room goes live" not in page
    assert client.post(f"/kpis/milestones/{milestone.pk}/remove/").status_code == 404


def test_those_who_may_edit_see_who_entered_each_figure_and_when(
    client: Client, owner: Any, colleague: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration)
    client.force_login(owner)
    response = client.post(
        f"/kpis/{adoption.pk}/measurements/new/",
        {"period-month": "8", "period-year": "2019", "value": "12"},
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get(adoption=adoption)
    assert measurement.entered_by == owner
    name = owner.get_full_name() or owner.email
    today = timezone.localdate()
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert ">Entered by</th>" in page and f"{name}, {today.day} {today:%B %Y}" in page
    # A reader sees the figure, not who entered it (as the register shows its history).
    client.force_login(colleague)
    page = client.get(f"/kpis/{adoption.pk}/").content.decode()
    assert ">Entered by</th>" not in page and name not in page


@pytest.mark.unaudited_writes("the partner leaves directly: the register's edit is not the point")
def test_a_kpi_for_a_partner_that_has_left_may_still_have_its_target_changed(
    client: Client, owner: Any, collaboration: Any
) -> None:
    adoption = make_kpi(collaboration, STEADY, target_value=450.0)
    collaboration.partners.filter(organisation__code="RX9").delete()
    client.force_login(owner)
    url = f"/kpis/{adoption.pk}/edit/"
    fields = _hidden_fields(client.get(url).content.decode())
    response = client.post(url, {**fields, "target_value": "430"})
    assert response.status_code == 302, response.content.decode()[:3000]
    adoption.refresh_from_db()
    assert adoption.target_value == 430.0 and adoption.organisation.code == "RX9"


def test_an_archived_kpi_is_listed_for_editors_and_restored(
    client: Client, owner: Any, colleague: Any, collaboration: Any
) -> None:
    from tests.kpis.kpi_pages_helpers import make_archived_kpi

    archived = make_archived_kpi(collaboration, STEADY, indicator_title="Gain entry jobs")
    url = f"/kpis/c/{collaboration.reference}/"
    client.force_login(colleague)
    assert "Archived KPIs" not in client.get(url).content.decode()
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Archived KPIs" in page and f'href="/kpis/{archived.pk}/restore/"' in page
    confirm = client.get(f"/kpis/{archived.pk}/restore/").content.decode()
    assert "Restore Gain entry jobs?" in confirm
    assert client.post(f"/kpis/{archived.pk}/restore/")["Location"] == f"/kpis/{archived.pk}/"
    page = client.get(f"/kpis/{archived.pk}/").content.decode()
    assert "Restored Gain entry jobs." in page
    assert Measurement.objects.filter(adoption=archived).count() == len(STEADY)
    # Restored, it is no longer restorable.
    assert client.get(f"/kpis/{archived.pk}/restore/").status_code == 404


def test_a_kpi_adopted_again_since_is_not_restored_twice(
    client: Client, owner: Any, collaboration: Any
) -> None:
    from tests.kpis.kpi_pages_helpers import make_archived_kpi

    archived = make_archived_kpi(collaboration, indicator_title="Gain entry jobs")
    make_kpi(collaboration, indicator=archived.indicator)
    client.force_login(owner)
    page = client.post(f"/kpis/{archived.pk}/restore/").content.decode()
    assert "There is a problem" in page and "has already adopted Gain entry jobs" in page
    archived.refresh_from_db()
    assert archived.archived_at is not None
