"""The appraisals' part of the JSON API: what the appraisal pages show, at full precision.

An appraisal is seen exactly where its collaboration is (the register's rule, through
`appraisal.services`); its figures are those of `accord appraise --json` on its file, as on its
page. The unit cost library and the GDP deflators are for signed-in callers, as their page is.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from accord.appraisal import deflators, services
from accord.appraisal.models import UnitCost
from accord.core import audit
from accord.core.problems import PermissionRefused

from .auth import require_signed_in
from .pagination import BoundedPagination
from .schemas import ANONYMOUS_TOO, TEXT_MAX, TEXT_PATTERN, AuditEntryOut, responses

router = Router(tags=["appraisals"])


# The unit cost library and the deflators ----------------------------------------------------
# (First: their paths would otherwise be read as an appraisal's id.)


class UnitCostOut(Schema):
    id: int
    name: str
    category: str
    value: Decimal = Field(..., description="Pounds, in the prices of `price_year`")
    unit: str
    price_year: int
    source: str
    source_url: str
    confidence: int = Field(..., description="1 (best evidence) to 6 (poorest)")
    notes: str
    in_prices_of: int = Field(..., description="The year the value is uplifted to")
    uplifted: float | None = Field(
        ..., description="The value in the prices of `in_prices_of`; null without a deflator"
    )

    # The year and the deflators are the request's (`list_unit_costs` puts them there): one
    # read of the table for the whole page.
    @staticmethod
    def resolve_in_prices_of(obj: UnitCost, context: dict[str, Any]) -> int:
        year: int = getattr(context["request"], UPLIFT)[0]
        return year

    @staticmethod
    def resolve_uplifted(obj: UnitCost, context: dict[str, Any]) -> float | None:
        year, table = getattr(context["request"], UPLIFT)
        return services.uplifted(obj.value, obj.price_year, year, table)


UPLIFT = "accord_uplift"


class UnitCostQuery(Schema):
    q: str | None = Field(
        None,
        description="Words of the name, unit, category or source",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    price_year: int | None = Field(
        None,
        description="Uplift the values to this financial year's prices (the newest deflator's "
        "year by default)",
    )


@router.get("/unit-costs", response=responses(list[UnitCostOut], 400))
@paginate(BoundedPagination)
def list_unit_costs(request: HttpRequest, query: Query[UnitCostQuery]) -> Any:
    """The unit cost library, as its page lists it, each value uplifted by the GDP deflator to
    one year's prices (signed in)."""
    require_signed_in(request)
    table = services.deflator_table()
    year = query.price_year if query.price_year is not None else table.years[-1]
    setattr(request, UPLIFT, (year, table))
    return UnitCost.objects.search(query.q or "")


class DeflatorYearOut(Schema):
    year: int = Field(..., description="The financial year's first calendar year")
    label: str = Field(..., description="Such as 2016-17")
    index: float


class DeflatorsOut(Schema):
    """The GDP deflators uplift uses (ONS series YBGB, by financial year)."""

    release: str
    origin: str = Field(..., description="shipped (with Accord) or imported")
    release_date: dt.date | None
    source: str
    years: list[DeflatorYearOut]


@router.get("/deflators", response=responses(DeflatorsOut, checked=False))
def get_deflators(request: HttpRequest) -> Any:
    """The GDP deflators in use, as the unit cost library's page lists them (signed in)."""
    require_signed_in(request)
    table = services.deflator_table()
    return {
        "release": services.deflator_release(table),
        "origin": table.origin,
        "release_date": table.release_date,
        "source": table.source,
        "years": [
            {"year": y, "label": deflators.financial_year_label(y), "index": table[y]}
            for y in table.years
        ],
    }


# Appraisals ----------------------------------------------------------------------------------


class CollaborationRefOut(Schema):
    reference: str
    title: str


class AppraisalOut(Schema):
    id: int
    collaboration: CollaborationRefOut
    title: str
    price_year: int
    years: int
    npv: float | None = Field(..., description="Net present value, pounds")
    bcr: float | None = Field(..., description="Benefit-cost ratio; null where it has none")
    version: int
    updated_at: dt.datetime


class AppraisalFilters(Schema):
    q: str | None = Field(
        None,
        description="Words of the collaboration's reference or title",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    collaboration: str | None = Field(
        None,
        description="One collaboration's appraisals, by its exact reference",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )


@router.get("", response=responses(list[AppraisalOut], 400), openapi_extra=ANONYMOUS_TOO)
@paginate(BoundedPagination)
def list_appraisals(request: HttpRequest, filters: Query[AppraisalFilters]) -> Any:
    """Appraisals of the collaborations you may see, as the appraisals page lists them."""
    return services.appraisals_matching(
        request.user, filters.q or "", collaboration=filters.collaboration or ""
    )


class MonteCarloSummaryOut(Schema):
    mean: float | None
    p5: float | None
    p50: float | None
    p95: float | None


class MonteCarloOut(Schema):
    iterations: int
    seed: int | None
    npv: MonteCarloSummaryOut
    bcr: MonteCarloSummaryOut
    sroi: MonteCarloSummaryOut
    p_npv_positive: float | None


class TornadoRowOut(Schema):
    input: str
    low: float | None
    high: float | None
    npv_at_low: float | None
    npv_at_high: float | None
    swing: float | None


class YearOut(Schema):
    year: int
    discount_factor: float | None
    costs: float | None
    benefits: float | None
    disbenefits: float | None
    pv_costs: float | None
    pv_benefits: float | None
    pv_disbenefits: float | None
    cumulative_pv_net: float | None


class PaidReceivedOut(Schema):
    paid: float | None
    received: float | None


class HistogramBinOut(Schema):
    low: float = Field(..., alias="from")
    high: float = Field(..., alias="to")
    count: int


class LineNamesOut(Schema):
    costs: list[str]
    benefits: list[str]


class ReportOut(Schema):
    """The report of `accord appraise --json` on the appraisal's file, with a histogram of the
    Monte Carlo NPVs; null for a figure that has no value (such as a ratio over nothing)."""

    title: str
    price_year: int
    years: int
    pv_costs: float | None
    pv_benefits: float | None
    pv_disbenefits: float | None
    npv: float | None
    bcr: float | None
    fiscal_bcr: float | None
    sroi: float | None
    payback_year: int | None
    pv_benefits_by_class: dict[str, float | None]
    by_organisation: dict[str, PaidReceivedOut]
    per_year: list[YearOut]
    monte_carlo: MonteCarloOut | None = None
    tornado: list[TornadoRowOut] | None = None
    iterations_asked: int | None = None
    line_names: LineNamesOut | None = None
    npv_histogram: list[HistogramBinOut] | None = None


class AppraisalDetailOut(AppraisalOut):
    """Everything the appraisal's page shows: its figures and its file."""

    report: ReportOut
    yaml: str = Field(..., description="The appraisal file, as the YAML download gives it")


APPRAISAL_ID = Path(..., description="The appraisal's id")


def _appraisal(record: Any) -> dict[str, Any]:
    return {
        "id": record.pk,
        "collaboration": record.collaboration,
        "title": record.title,
        "price_year": record.price_year,
        "years": record.years,
        "npv": record.npv,
        "bcr": record.bcr,
        "version": record.version,
        "updated_at": record.updated_at,
    }


@router.get(
    "/{appraisal_id}",
    response=responses(AppraisalDetailOut, 404),
    openapi_extra=ANONYMOUS_TOO,
    by_alias=True,
)
def get_appraisal(request: HttpRequest, appraisal_id: int = APPRAISAL_ID) -> Any:
    """One appraisal with all its figures at full precision; 404 where it does not exist or
    you may not see its collaboration (the two alike)."""
    record = services.get_appraisal(request.user, appraisal_id)
    return {**_appraisal(record), "report": services.report_for(record), "yaml": record.yaml_text}


class RealisationRowOut(Schema):
    """One year: the forecast (adjusted, undiscounted) benefits beside what was realised."""

    year: int
    forecast: float
    realised: float | None
    gap: float | None = Field(..., description="Realised minus forecast")
    cumulative_forecast: float
    cumulative_realised: float | None
    cumulative_gap: float | None


class RealisedEntryOut(Schema):
    year: int
    amount: Decimal = Field(..., description="Pounds, in the appraisal's price-year prices")
    note: str
    evidence: str
    recorded_at: dt.datetime


class RealisationOut(Schema):
    rows: list[RealisationRowOut]
    entries: list[RealisedEntryOut]


@router.get(
    "/{appraisal_id}/realised",
    response=responses(RealisationOut, 404),
    openapi_extra=ANONYMOUS_TOO,
)
def get_realisation(request: HttpRequest, appraisal_id: int = APPRAISAL_ID) -> Any:
    """Benefits realisation, as its page shows it: forecast against realised, year by year,
    and what was recorded."""
    record = services.get_appraisal(request.user, appraisal_id)
    rows = services.realisation_for(record, services.report_for(record))
    return {"rows": [vars(row) for row in rows], "entries": list(record.realised.all())}


@router.get(
    "/{appraisal_id}/history",
    response=responses(list[AuditEntryOut], 400, 403, 404),
    openapi_extra=ANONYMOUS_TOO,
)
@paginate(BoundedPagination)
def appraisal_history(request: HttpRequest, appraisal_id: int = APPRAISAL_ID) -> Any:
    """Its changes, newest first, as its page lists them to those who may edit it: 403 for
    others who may see it, 404 for those who may not."""
    record = services.get_appraisal(request.user, appraisal_id)
    if not services.can_edit(request.user, record.collaboration):
        raise PermissionRefused("Only those who may edit an appraisal see its history.")
    return audit.history(record, limit=None)
