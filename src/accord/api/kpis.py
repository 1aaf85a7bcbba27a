"""The KPIs' part of the JSON API: the indicator library, adoptions with their icons and
status, an adoption's measurements and its statistical process control, and a measurement
sent by another system.

An adoption is seen exactly where its collaboration is (the register's rule, through
`kpis.queries`): anyone else is answered 404, as for one that does not exist. Its SPC is that
of `accord kpi spc --json` on its series, at full precision; a measurement is added by those
who may edit the collaboration (a contributor at a partner, with their token), 403 for others
who may see it.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.core.problems import PermissionRefused
from accord.kpis import queries, services
from accord.kpis.models import Adoption, Indicator

from .auth import require_signed_in
from .pagination import BoundedPagination
from .schemas import ANONYMOUS_TOO, TEXT_MAX, TEXT_PATTERN, responses

router = Router(tags=["kpis"])

#: A period as the SPC command writes it: a month, ``2019-08``.
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _month(day: dt.date | None) -> str | None:
    return None if day is None else queries.period_label(day)


# The library -----------------------------------------------------------------------------------


class IndicatorOut(Schema):
    key: str = Field(..., description="Its identifier in the library")
    title: str
    description: str
    unit: str = Field(..., description="seconds, minutes, count, percent, pounds, ratio or score")
    direction: str = Field(..., description="Which way is better: increase, decrease or neutral")
    frequency: str = Field(..., description="monthly, quarterly or annual")
    aggregation: str = Field(..., description="Across organisations: sum, weighted_mean or none")
    weight_column: str
    services: list[str]
    source: str
    source_url: str
    standard: float | None = Field(..., description="The national standard, in its unit")
    standard_text: str
    published: bool = Field(..., description="Read from published data (such as AmbSYS)")

    @staticmethod
    def resolve_published(obj: Indicator) -> bool:
        return queries.is_published(obj)


@router.get("/indicators", response=responses(list[IndicatorOut], 400), openapi_extra=ANONYMOUS_TOO)
@paginate(BoundedPagination)
def list_indicators(request: HttpRequest) -> Any:
    """The indicator library, as its page lists it."""
    return queries.indicators()


KEY = Path(..., description="The indicator's identifier", pattern=r"^[-a-zA-Z0-9_]+$")


@router.get("/indicators/{key}", response=responses(IndicatorOut, 404), openapi_extra=ANONYMOUS_TOO)
def get_indicator(request: HttpRequest, key: str = KEY) -> Any:
    """One indicator of the library; 404 where there is none by that identifier."""
    return queries.get_indicator(key)


# Adoptions -------------------------------------------------------------------------------------


class CollaborationRefOut(Schema):
    reference: str
    title: str


class OrganisationRefOut(Schema):
    code: str
    name: str


class IndicatorRefOut(Schema):
    key: str
    title: str
    unit: str
    direction: str
    frequency: str


class AdoptionOut(Schema):
    id: int
    collaboration: CollaborationRefOut
    indicator: IndicatorRefOut
    organisation: OrganisationRefOut | None = Field(
        ..., description="Null for the collaboration as a whole"
    )
    baseline_value: float | None
    baseline_period: str | None = Field(..., description="A month, such as 2019-08")
    target_value: float | None = Field(..., description="The adoption's own target")
    target_by: str | None = Field(..., description="The month the target is to be reached by")
    tolerance: float | None
    target: float | None = Field(
        ..., description="The target judged by: its own, else the indicator's national standard"
    )
    variation: str | None = Field(
        ...,
        description="The latest point's SPC type: common_cause, special_cause_improvement, "
        "special_cause_concern, special_cause_neutral_high or _low; null without points",
    )
    assurance: str | None = Field(
        ...,
        description="consistent_pass, consistent_fail or inconsistent; null without a target, "
        "limits or a direction",
    )
    status: str | None = Field(
        ...,
        description="met, within_tolerance, missed, no_data or stale; null with no target",
    )
    latest_value: float | None
    latest_period: str | None

    @staticmethod
    def resolve_baseline_period(obj: Adoption) -> str | None:
        return _month(obj.baseline_period)

    @staticmethod
    def resolve_target_by(obj: Adoption) -> str | None:
        return _month(obj.target_by)

    @staticmethod
    def resolve_target(obj: Adoption) -> float | None:
        return queries.target_of(obj)

    @staticmethod
    def resolve_variation(obj: Adoption, context: dict[str, Any]) -> str | None:
        found = _summary(obj, context)
        return found.variation if found else None

    @staticmethod
    def resolve_assurance(obj: Adoption, context: dict[str, Any]) -> str | None:
        found = _summary(obj, context)
        return found.assurance if found else None

    @staticmethod
    def resolve_status(obj: Adoption, context: dict[str, Any]) -> str | None:
        found = _summary(obj, context)
        return found.status if found else "no_data"

    @staticmethod
    def resolve_latest_value(obj: Adoption, context: dict[str, Any]) -> float | None:
        found = _summary(obj, context)
        return found.latest_value if found else None

    @staticmethod
    def resolve_latest_period(obj: Adoption, context: dict[str, Any]) -> str | None:
        found = _summary(obj, context)
        return _month(found.latest_period) if found else None


SUMMARIES = "accord_kpi_summaries"


def _summary(obj: Adoption, context: dict[str, Any]) -> queries.Summary | None:
    """The adoption's icons and status: from the kept summaries while they are current
    (asked once a request), else worked out for it alone, once a request."""
    request = context["request"]
    kept = getattr(request, SUMMARIES, None)
    if kept is None:
        kept = {"current": queries.kept_summaries(), "own": {}}
        setattr(request, SUMMARIES, kept)
    if kept["current"] is not None:
        found: queries.Summary | None = kept["current"].get(obj.pk)
        return found
    if obj.pk not in kept["own"]:
        kept["own"][obj.pk] = queries.summary_of(obj.pk)
    own: queries.Summary | None = kept["own"][obj.pk]
    return own


class AdoptionFilters(Schema):
    collaboration: str | None = Field(
        None,
        description="One collaboration's, by its exact reference",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    organisation: str | None = Field(
        None,
        description="One organisation's, by its code; `whole` for the collaboration as a whole",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    indicator: str | None = Field(
        None, description="One indicator's, by its key", max_length=TEXT_MAX, pattern=TEXT_PATTERN
    )


@router.get("/adoptions", response=responses(list[AdoptionOut], 400), openapi_extra=ANONYMOUS_TOO)
@paginate(BoundedPagination)
def list_adoptions(request: HttpRequest, filters: Query[AdoptionFilters]) -> Any:
    """The KPIs of the collaborations you may see, with their icons and status, by
    collaboration and indicator."""
    adoptions = queries.visible_adoptions(request.user).select_related(
        "collaboration", "indicator", "organisation"
    )
    services.refresh_stale_computed_of(adoptions)
    if filters.collaboration:
        adoptions = adoptions.filter(collaboration__reference=filters.collaboration)
    if filters.organisation == "whole":
        adoptions = adoptions.filter(organisation__isnull=True)
    elif filters.organisation:
        adoptions = adoptions.filter(organisation__code__iexact=filters.organisation)
    if filters.indicator:
        adoptions = adoptions.filter(indicator__key=filters.indicator)
    return adoptions.order_by("collaboration__reference", "indicator__title", "pk")


ADOPTION_ID = Path(..., description="The adoption's id")


@router.get(
    "/adoptions/{adoption_id}",
    response=responses(AdoptionOut, 404),
    openapi_extra=ANONYMOUS_TOO,
)
def get_adoption(request: HttpRequest, adoption_id: int = ADOPTION_ID) -> Any:
    """One KPI; 404 where it does not exist or you may not see its collaboration (alike)."""
    return _fresh(queries.get_adoption(request.user, adoption_id))


def _fresh(adoption: Adoption) -> Adoption:
    """The KPI with its worked-out figures (if Accord computes it) up to date."""
    services.refresh_stale_computed([adoption])
    return adoption


class MeasurementOut(Schema):
    id: int | None = Field(..., description="An entered measurement's id; null if published")
    period: str = Field(..., description="A month, such as 2019-08")
    value: float
    note: str
    source: str = Field(..., description="entered, or the published data it came from (ambsys)")


def _measurement(point: queries.SeriesPoint) -> dict[str, Any]:
    return {
        "id": point.measurement_id,
        "period": point.label,
        "value": point.value,
        "note": point.note,
        "source": point.source,
    }


@router.get(
    "/adoptions/{adoption_id}/measurements",
    response=responses(list[MeasurementOut], 400, 404),
    openapi_extra=ANONYMOUS_TOO,
)
@paginate(BoundedPagination)
def list_measurements(request: HttpRequest, adoption_id: int = ADOPTION_ID) -> Any:
    """Its series in period order, as its chart shows it: entered figures, and the published
    ones for its organisation where it reads a published indicator."""
    adoption = _fresh(queries.get_adoption(request.user, adoption_id))
    return [_measurement(p) for p in queries.series(adoption)]


def _created(out: Any, *errors: int) -> dict[int, Any]:
    """`responses` for an operation that answers 201 with `out`, not 200."""
    declared = responses(out, *errors)
    declared.pop(200)
    return {201: out, **declared}


class MeasurementIn(Schema):
    period: str = Field(
        ..., description="The month it is for, such as 2019-08", pattern=PERIOD_PATTERN
    )
    value: float = Field(..., description="In the indicator's unit", allow_inf_nan=False)
    note: str = Field("", max_length=2000, pattern=TEXT_PATTERN)


@router.post(
    "/adoptions/{adoption_id}/measurements",
    response=_created(MeasurementOut, 400, 403, 404),
)
def add_measurement(
    request: HttpRequest, body: MeasurementIn, adoption_id: int = ADOPTION_ID
) -> Any:
    """Record one period's value (signed in, or with a token): for those who may edit its
    collaboration; 403 for others who may see it, 404 for those who may not; 400 for a body
    that is not JSON; 422 with every problem (a period already recorded, a value that is not
    a finite number)."""
    require_signed_in(request)
    adoption = queries.get_adoption(request.user, adoption_id)
    if not services.can_edit(request.user, adoption.collaboration):
        raise PermissionRefused("Only those who may edit its collaboration add measurements.")
    year, month = (int(part) for part in body.period.split("-"))
    measurement = services.record_measurement(
        request.user, adoption, period=dt.date(year, month, 1), value=body.value, note=body.note
    )
    return Status(201, _measurement(queries.point_of(measurement)))


# Statistical process control ---------------------------------------------------------------------


class SpcPhaseOut(Schema):
    start: str = Field(..., description="The period of the phase's first point")
    n: int
    mean: float
    amr: float | None
    upl: float | None
    lpl: float | None
    few_points: bool


class SpcPointOut(Schema):
    period: str
    value: float
    phase: int
    outside_limits: bool
    relative_to_mean: int
    close_to_limits: bool
    rules: list[str] = Field(
        ..., description="outside, shift, trend, two_of_three: those that hold"
    )
    point_type: str


class SpcOut(Schema):
    """The JSON of `accord kpi spc --json` on the adoption's series (docs/kpis.md), with its
    target and the periods that start its phases (its milestones')."""

    direction: str
    target: float | None
    screen_outliers: bool
    fix_after: int | None
    phases: list[SpcPhaseOut]
    points: list[SpcPointOut]
    missing: list[str]
    variation: str | None
    assurance: str | None


@router.get(
    "/adoptions/{adoption_id}/spc",
    response=responses(SpcOut, 404),
    openapi_extra=ANONYMOUS_TOO,
)
def adoption_spc(request: HttpRequest, adoption_id: int = ADOPTION_ID) -> Any:
    """Its statistical process control at full precision, as the command line gives it."""
    adoption = _fresh(queries.get_adoption(request.user, adoption_id))
    return queries.analysis(adoption).result.to_json_dict()
