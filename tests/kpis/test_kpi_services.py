"""KPIs' services: adopting, milestones, entering and changing figures, each audited and
permission checked; crossing edits refused as the register refuses them; the KPIs Accord works
out from assessments and appraisals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from tests.support.factories import (
    AdoptionFactory,
    AppraisalFactory,
    IndicatorFactory,
    InvitationFactory,
    MeasurementFactory,
    RealisedBenefitFactory,
    ResponseFactory,
    RoundFactory,
)
from tests.support.people import EMAS, HAMPSHIRE_POLICE, LINCS_FIRE

from accord.appraisal import services as appraisal
from accord.assessments import services as assessments
from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.core.problems import EditConflict, PermissionRefused, Problems
from accord.kpis import services
from accord.kpis.choices import Source
from accord.kpis.models import Adoption, Indicator, Measurement, Milestone
from accord.orgs.models import Organisation


def _after(event: Any) -> dict[str, Any]:
    return dict(event.after or {})


def _before(event: Any) -> dict[str, Any]:
    return dict(event.before or {})


def _code(organisation: Any) -> str | None:
    return organisation.code if organisation is not None else None


ADMIN = SystemActor("test")
JAN = dt.date(2019, 1, 1)


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def _events(action: str, obj: Any = None) -> list[AuditEvent]:
    found = AuditEvent.objects.filter(action=action)
    if obj is not None:
        found = found.filter(object_id=str(obj.pk))
    return list(found.order_by("sequence"))


# Permission ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_partners_contributor_adopts_and_an_outsider_may_not(
    collaboration: Any, owner: Any, outsider: Any, colleague: Any
) -> None:
    indicator: Any = IndicatorFactory()
    data = services.AdoptionData(indicator=indicator, organisation=_org(EMAS), target_value=5.0)
    for refused in (outsider, colleague):
        assert not services.can_edit(refused, collaboration)
        with pytest.raises(PermissionRefused):
            services.adopt(refused, collaboration, data)
    adoption = services.adopt(owner, collaboration, data)
    assert services.can_edit(owner, collaboration)
    assert (adoption.indicator, _code(adoption.organisation), adoption.adopted_by) == (
        indicator,
        EMAS,
        owner,
    )
    (event,) = _events("kpi.adoption.create", adoption)
    assert _after(event)["organisation"] == EMAS and _after(event)["target_value"] == 5.0
    assert event.actor_label == owner.email


@pytest.mark.django_db
def test_an_adoption_is_for_a_partner_or_the_whole_collaboration_once(collaboration: Any) -> None:
    indicator: Any = IndicatorFactory()
    with pytest.raises(Problems) as caught:
        AdoptionFactory(
            collaboration=collaboration, indicator=indicator, organisation=HAMPSHIRE_POLICE
        )
    assert caught.value.problems[0].field == "organisation"
    assert "not one of the collaboration's partners" in caught.value.problems[0].reason
    AdoptionFactory(collaboration=collaboration, indicator=indicator, organisation=None)
    with pytest.raises(Problems) as caught:
        AdoptionFactory(collaboration=collaboration, indicator=indicator, organisation=None)
    assert "already adopted" in str(caught.value)
    # For an organisation as well as the whole: two adoptions of one indicator.
    AdoptionFactory(collaboration=collaboration, indicator=indicator, organisation=LINCS_FIRE)
    assert Adoption.objects.filter(indicator=indicator).count() == 2


@pytest.mark.django_db
def test_an_adoptions_figures_are_checked_together(collaboration: Any) -> None:
    with pytest.raises(Problems) as caught:
        AdoptionFactory(
            collaboration=collaboration,
            baseline_period=dt.date(2019, 3, 15),
            target_by=dt.date(2020, 1, 1),
            tolerance=-1.0,
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"baseline_period", "baseline_value", "target_value", "tolerance"}
    assert not Adoption.objects.exists()


# Crossing edits ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_an_adoption_is_audited_and_a_crossing_edit_is_refused(
    collaboration: Any, owner: Any, partner_user: Any
) -> None:
    adoption: Any = AdoptionFactory(collaboration=collaboration, target_value=10.0)
    opened = {"target_value": 10.0, "tolerance": None, "organisation": EMAS}
    theirs = services.AdoptionData(
        indicator=adoption.indicator, organisation=_org(EMAS), target_value=12.0
    )
    services.update_adoption(partner_user, adoption, theirs, opened=dict(opened))
    mine = services.AdoptionData(
        indicator=adoption.indicator, organisation=_org(EMAS), target_value=11.0, tolerance=1.0
    )
    with pytest.raises(EditConflict) as caught:
        services.update_adoption(owner, adoption, mine, opened=dict(opened))
    assert caught.value.by == partner_user.email
    assert list(caught.value.changes) == [("Target", 10.0, 12.0)]
    adoption.refresh_from_db()
    assert adoption.target_value == 12.0
    assert caught.value.current_version == services.version_of(adoption)
    # Having seen their change, the person saves over the version they have now seen.
    seen = {**opened, "target_value": "12", "organisation": EMAS}
    services.update_adoption(owner, adoption, mine, opened=seen)
    adoption.refresh_from_db()
    assert (adoption.target_value, adoption.tolerance) == (11.0, 1.0)
    (first, second) = _events("kpi.adoption.update", adoption)
    assert (_before(first)["target_value"], _after(first)["target_value"]) == (10.0, 12.0)
    assert _after(second)["tolerance"] == 1.0


@pytest.mark.django_db
def test_an_adoption_with_figures_keeps_its_indicator(collaboration: Any) -> None:
    measurement: Any = MeasurementFactory(adoption__collaboration=collaboration)
    adoption = measurement.adoption
    other: Any = IndicatorFactory()
    with pytest.raises(Problems) as caught:
        services.update_adoption(
            ADMIN, adoption, services.AdoptionData(indicator=other, organisation=None)
        )
    assert "figures are entered" in str(caught.value)


@pytest.mark.django_db
def test_archiving_an_adoption_keeps_its_figures(collaboration: Any, outsider: Any) -> None:
    measurement: Any = MeasurementFactory(adoption__collaboration=collaboration)
    adoption = measurement.adoption
    with pytest.raises(PermissionRefused):
        services.archive_adoption(outsider, adoption)
    services.archive_adoption(ADMIN, adoption)
    adoption.refresh_from_db()
    assert adoption.archived_at is not None and Measurement.objects.filter(pk=measurement.pk)
    assert _events("kpi.adoption.archive", adoption)
    with pytest.raises(Problems):
        services.record_measurement(ADMIN, adoption, period=JAN, value=1.0)
    # Archived, it no longer blocks adopting the same indicator again.
    AdoptionFactory(collaboration=collaboration, indicator=adoption.indicator)


# Milestones --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_milestones_are_added_and_removed_with_events(
    collaboration: Any, owner: Any, outsider: Any
) -> None:
    adoption: Any = AdoptionFactory(collaboration=collaboration)
    data = services.MilestoneData(on=JAN, title="Joint control room goes live", starts_phase=True)
    with pytest.raises(PermissionRefused):
        services.add_milestone(outsider, adoption, data)
    milestone = services.add_milestone(owner, adoption, data)
    assert (milestone.kind, milestone.starts_phase) == ("go_live", True)
    assert _after(_events("kpi.milestone.create", milestone)[0])["on"] == "2019-01-01"
    with pytest.raises(Problems) as caught:
        services.add_milestone(owner, adoption, services.MilestoneData(on=JAN, title=" ", kind="x"))
    assert {p.field for p in caught.value.problems} == {"title", "kind"}
    with pytest.raises(PermissionRefused):
        services.remove_milestone(outsider, milestone)
    pk = milestone.pk
    services.remove_milestone(owner, milestone)
    assert not Milestone.objects.filter(pk=pk).exists()
    (event,) = _events("kpi.milestone.delete")
    assert event.object_id == str(pk) and _before(event)["title"] == "Joint control room goes live"


# Measurements ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_figure_is_entered_once_a_period(collaboration: Any, owner: Any, outsider: Any) -> None:
    adoption: Any = AdoptionFactory(collaboration=collaboration)
    with pytest.raises(PermissionRefused):
        services.record_measurement(outsider, adoption, period=JAN, value=3.0)
    measurement = services.record_measurement(owner, adoption, period=JAN, value=3.0, note="Jan")
    assert (measurement.entered_by, measurement.source, _code(measurement.organisation)) == (
        owner,
        Source.ENTERED,
        EMAS,
    )
    (event,) = _events("kpi.measurement.create", measurement)
    assert (_after(event)["value"], _after(event)["period"]) == (3.0, "2019-01-01")
    with pytest.raises(Problems) as caught:
        services.record_measurement(owner, adoption, period=JAN, value=4.0)
    assert caught.value.problems[0].field == "period" and "January 2019" in str(caught.value)
    with pytest.raises(Problems) as caught:
        services.record_measurement(owner, adoption, period=dt.date(2019, 2, 14), value=4.0)
    assert "first day" in str(caught.value)
    with pytest.raises(Problems):
        services.record_measurement(owner, adoption, period=dt.date(2019, 2, 1), value=float("nan"))


@pytest.mark.django_db
def test_changing_a_figure_keeps_its_history_and_refuses_a_crossing_edit(
    collaboration: Any, owner: Any, partner_user: Any, outsider: Any
) -> None:
    measurement: Any = MeasurementFactory(adoption__collaboration=collaboration, value=480.0)
    opened = {"value": 480.0, "note": ""}
    with pytest.raises(PermissionRefused):
        services.update_measurement(outsider, measurement, value=1.0, note="", opened=opened)
    services.update_measurement(partner_user, measurement, value=470.0, note="", opened=opened)
    with pytest.raises(EditConflict) as caught:
        services.update_measurement(owner, measurement, value=460.0, note="typo", opened=opened)
    assert list(caught.value.changes) == [("Value", 480.0, 470.0)]
    measurement.refresh_from_db()
    assert measurement.value == 470.0
    # The page that showed 470 (as the form writes it) saves.
    services.update_measurement(
        owner, measurement, value=460.0, note="typo", opened={"value": "470", "note": ""}
    )
    history = _events("kpi.measurement.update", measurement)
    assert [(_before(e)["value"], _after(e)["value"]) for e in history] == [
        (480.0, 470.0),
        (470.0, 460.0),
    ]
    # Saving the same again is no change: no event.
    services.update_measurement(owner, measurement, value=460.0, note="typo")
    assert len(_events("kpi.measurement.update", measurement)) == 2


@pytest.mark.django_db
@pytest.mark.unaudited_writes  # the published row is written directly, as a fixture
def test_published_figures_are_not_changed_by_hand(collaboration: Any) -> None:
    indicator: Any = IndicatorFactory(published_column="A25", unit="seconds", direction="decrease")
    published = Measurement.objects.create(
        indicator=indicator, organisation=_org(EMAS), period=JAN, value=480.0, source="ambsys"
    )
    with pytest.raises(PermissionRefused):
        services.update_measurement(ADMIN, published, value=1.0, note="")


# Worked out by Accord ----------------------------------------------------------------------------


@pytest.fixture
def shipped(db: Any) -> None:
    services.load_shipped_library(ADMIN)


@pytest.mark.usefixtures("shipped")
def test_the_three_cs_come_from_each_assessment_round(collaboration: Any) -> None:
    found: Any = RoundFactory(collaboration=collaboration, opens_on=dt.date(2024, 3, 5))
    for n in range(5):
        ResponseFactory(link=InvitationFactory(round=found, email=f"r{n}@lincs-fire.test"))
    culture = Indicator.objects.get(key="three-cs-culture")
    with pytest.raises(Problems):
        AdoptionFactory(collaboration=collaboration, indicator=culture, organisation=EMAS)
    adoption: Any = AdoptionFactory(
        collaboration=collaboration, indicator=culture, organisation=None
    )
    (scores,) = assessments.group_scores(collaboration)
    (measurement,) = Measurement.objects.filter(adoption=adoption)
    assert scores.means["culture"] is not None
    assert measurement.value == scores.means["culture"]
    assert (measurement.period, measurement.source) == (dt.date(2024, 3, 1), Source.ACCORD)
    assert _events("kpi.computed.refresh")
    # Worked out again with nothing new: nothing written, no event.
    events = AuditEvent.objects.count()
    assert services.refresh_computed(ADMIN, adoption) == 1
    assert AuditEvent.objects.count() == events
    # Not entered by hand.
    with pytest.raises(Problems):
        services.record_measurement(ADMIN, adoption, period=JAN, value=4.0)


@pytest.mark.usefixtures("shipped")
def test_a_round_with_too_few_responses_gives_no_three_cs_figure(collaboration: Any) -> None:
    found: Any = RoundFactory(collaboration=collaboration)
    ResponseFactory(link=InvitationFactory(round=found))
    adoption: Any = AdoptionFactory(
        collaboration=collaboration,
        indicator=Indicator.objects.get(key="three-cs-clear-vision"),
        organisation=None,
    )
    assert not Measurement.objects.filter(adoption=adoption).exists()


@pytest.mark.usefixtures("shipped")
def test_benefits_realised_against_forecast_from_the_appraisal(collaboration: Any) -> None:
    record: Any = AppraisalFactory(collaboration=collaboration)
    RealisedBenefitFactory(appraisal=record, year=1, amount=Decimal("120000"))
    adoption: Any = AdoptionFactory(
        collaboration=collaboration,
        indicator=Indicator.objects.get(key="benefits-realised"),
        organisation=None,
    )
    rows = appraisal.realisation_for(record, appraisal.report_for(record))
    expected = 100 * 120000 / rows[1].cumulative_forecast
    (measurement,) = Measurement.objects.filter(adoption=adoption)
    assert measurement.value == pytest.approx(expected)
    assert "120,000 realised" in measurement.note
    RealisedBenefitFactory(appraisal=record, year=2, amount=Decimal("160000"))
    services.refresh_all_computed(ADMIN)
    (measurement,) = Measurement.objects.filter(adoption=adoption)
    assert measurement.value == pytest.approx(
        100
        * 280000
        / appraisal.realisation_for(record, appraisal.report_for(record))[2].cumulative_forecast
    )


@pytest.mark.usefixtures("shipped")
def test_the_refresh_command_works_out_every_computed_kpi(collaboration: Any, owner: Any) -> None:
    from accord.cli import main

    record: Any = AppraisalFactory(collaboration=collaboration)
    adoption: Any = AdoptionFactory(
        collaboration=collaboration,
        indicator=Indicator.objects.get(key="benefits-realised"),
        organisation=None,
    )
    assert not Measurement.objects.filter(adoption=adoption).exists()
    RealisedBenefitFactory(appraisal=record, year=1)
    with pytest.raises(PermissionRefused):
        services.refresh_all_computed(owner)
    assert main(["kpi", "refresh"]) == 0
    assert Measurement.objects.filter(adoption=adoption, source=Source.ACCORD).count() == 1
