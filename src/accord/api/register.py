"""The register's part of the JSON API: the same visibility rule as the pages.

What a collaboration's page shows is what `GET /collaborations/{reference}` gives, and only to
those who may open the page (404 for the rest, as for a record that does not exist); its
history only to those who may edit it, as on the page.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from accord.core import audit
from accord.core.choices import Visibility
from accord.core.problems import PermissionRefused
from accord.register import queries, services
from accord.register.choices import Nature, ResearchArea, ServiceMix, Status
from accord.register.models import Collaboration, Partner

from .pagination import BoundedPagination
from .schemas import (
    ANONYMOUS_TOO,
    REFERENCE_PATTERN,
    TEXT_MAX,
    TEXT_PATTERN,
    AuditEntryOut,
    responses,
)

router = Router(tags=["collaborations"])


class PartnerOut(Schema):
    code: str = Field(..., alias="organisation.code")
    name: str = Field(..., alias="organisation.name")
    sector: str = Field(..., alias="organisation.sector")
    role: str


class CollaborationOut(Schema):
    reference: str
    title: str
    summary: str
    research_area: str
    nature: str
    status: str
    service_mix: str
    services: list[str]
    started_on: dt.date | None
    ended_on: dt.date | None
    visibility: str
    partners: list[PartnerOut]
    archived: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_partners(obj: Collaboration) -> list[Any]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_archived(obj: Collaboration) -> bool:
        return obj.archived_at is not None


class OrganisationOut(Schema):
    code: str
    name: str


class AreaOut(Schema):
    code: str
    name: str
    kind: str


class ChampionOut(Schema):
    name: str
    organisation: OrganisationOut | None


class EvidenceOut(Schema):
    title: str
    url: str


class ReviewOut(Schema):
    """A duty-to-collaborate review (Policing and Crime Act 2017, s.2)."""

    considered_on: dt.date
    opportunity: str
    notified: list[OrganisationOut]
    decision: str
    reason: str

    @staticmethod
    def resolve_notified(obj: Any) -> list[Any]:
        return list(obj.notified.all())


class RiskOut(Schema):
    code: str
    message: str


class CollaborationDetailOut(CollaborationOut):
    """Everything the collaboration's page shows."""

    proposed_on: dt.date | None
    funding_source: str
    funding_amount: Decimal | None = Field(..., description="pounds")
    funding_ends_on: dt.date | None
    board: str
    has_written_agreement: bool | None = Field(
        ...,
        description="A written collaboration agreement: true (yes), false (no) or null (not "
        "known: nobody has recorded whether there is one)",
    )
    agreement_signed_on: dt.date | None
    champions: list[ChampionOut]
    areas: list[AreaOut]
    named_organisations: list[OrganisationOut] = Field(
        ..., description="Who may see it, where its visibility is 'named' (otherwise empty)"
    )
    outcomes: str
    public_summary: str
    evidence: list[EvidenceOut]
    notes: str
    reviews: list[ReviewOut]
    risks: list[RiskOut] = Field(..., description="Sustainability risks, as the page flags them")
    archived_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_champions(obj: Collaboration) -> list[Any]:
        return list(obj.champions.all())

    @staticmethod
    def resolve_areas(obj: Collaboration) -> list[Any]:
        return list(obj.areas.all())

    @staticmethod
    def resolve_named_organisations(obj: Collaboration) -> list[Any]:
        if obj.visibility != Visibility.NAMED:
            return []
        return list(obj.named_organisations.all())

    @staticmethod
    def resolve_evidence(obj: Collaboration) -> list[Any]:
        return list(obj.evidence.all())

    @staticmethod
    def resolve_reviews(obj: Collaboration) -> list[Any]:
        return list(obj.reviews.all())

    @staticmethod
    def resolve_risks(obj: Collaboration) -> list[Any]:
        return services.risks_for(obj)


Sector = Literal["police", "fire", "ambulance", "other"]
Sort = Literal["title", "-updated", "-started", "status"]
SearchText = str | None


class CollaborationFilters(Schema):
    """The register page's filters."""

    model_config = ConfigDict(use_enum_values=True)

    q: SearchText = Field(
        None,
        description="Words of the title, summaries or outcomes, a partner's name, or the reference",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    nature: Nature | None = None
    research_area: ResearchArea | None = None
    status: Status | None = None
    mix: ServiceMix | None = Field(None, description="The service mix")
    sector: Sector | None = Field(None, description="A service involved")
    organisation: SearchText = Field(
        None, description="A partner's code or name", max_length=TEXT_MAX, pattern=TEXT_PATTERN
    )
    place: SearchText = Field(
        None,
        description="An area's code or name, such as E23000020 or Lincolnshire",
        max_length=TEXT_MAX,
        pattern=TEXT_PATTERN,
    )
    sort: Sort | None = Field(None, description="title (the default), -updated, -started, status")
    archived: bool = Field(False, description="Include archived records")


def _filters(filters: CollaborationFilters) -> dict[str, Any]:
    """The filters as the register's queries take them: only those given."""
    return {k: v for k, v in filters.dict(exclude_none=True).items() if v not in ("", False)}


@router.get(
    "/collaborations",
    response=responses(list[CollaborationOut], 400),
    openapi_extra=ANONYMOUS_TOO,
)
@paginate(BoundedPagination)
def list_collaborations(request: HttpRequest, filters: Query[CollaborationFilters]) -> Any:
    """Collaborations you may see, filtered and sorted as on the register's page."""
    queryset = queries.apply_filters(
        Collaboration.objects.visible_to(request.user), _filters(filters)
    )
    return queryset.prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
    )


class CountsOut(Schema):
    """How many collaborations you may see match the filters, and how many of them have each
    value of each filter, as beside the register page's filters."""

    total: int
    nature: dict[str, int]
    research_area: dict[str, int]
    status: dict[str, int]
    mix: dict[str, int]
    sector: dict[str, int]


@router.get("/collaboration-counts", response=responses(CountsOut), openapi_extra=ANONYMOUS_TOO)
def collaboration_counts(request: HttpRequest, filters: Query[CollaborationFilters]) -> Any:
    """The register page's counts: the matches, and the matches for each filter's values."""
    counts = queries.visible_facet_counts(request.user, _filters(filters))
    return {**counts, "total": counts["total"][""]}


REFERENCE = Path(..., description="The collaboration's reference", pattern=REFERENCE_PATTERN)


@router.get(
    "/collaborations/{reference}",
    response=responses(CollaborationDetailOut, 404),
    openapi_extra=ANONYMOUS_TOO,
)
def get_collaboration(request: HttpRequest, reference: str = REFERENCE) -> Any:
    """One collaboration, with all its page shows; 404 where it does not exist or you may not
    see it (the two alike)."""
    return services.get_visible(request.user, reference, whole=True)


@router.get(
    "/collaborations/{reference}/history",
    response=responses(list[AuditEntryOut], 400, 403, 404),
    openapi_extra=ANONYMOUS_TOO,
)
@paginate(BoundedPagination)
def collaboration_history(request: HttpRequest, reference: str = REFERENCE) -> Any:
    """Its changes, newest first, as its page lists them to those who may edit it: 403 for
    others who may see it, 404 for those who may not."""
    collaboration = services.get_visible(request.user, reference)
    if not services.can_edit(request.user, collaboration):
        raise PermissionRefused("Only those who may edit a collaboration see its history.")
    return audit.history(collaboration, limit=None)
