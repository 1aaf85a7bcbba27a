"""The register's part of the JSON API: the same visibility rule as the pages."""

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accord.register import queries, services
from accord.register.models import Collaboration, Partner

from .pagination import BoundedPagination

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


class CollaborationFilters(Schema):
    q: str | None = None
    nature: str | None = None
    research_area: str | None = None
    status: str | None = None
    mix: str | None = None
    sector: str | None = None
    organisation: str | None = None
    place: str | None = None
    sort: str | None = None
    archived: bool = False


@router.get("/collaborations", response=list[CollaborationOut])
@paginate(BoundedPagination)
def list_collaborations(request: HttpRequest, filters: Query[CollaborationFilters]) -> Any:
    """Collaborations you may see, filtered as on the register's page."""
    queryset = queries.apply_filters(
        Collaboration.objects.visible_to(request.user), filters.dict(exclude_none=True)
    )
    return queryset.prefetch_related(
        Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
    )


@router.get("/collaborations/{reference}", response=CollaborationOut)
def get_collaboration(request: HttpRequest, reference: str) -> Any:
    """One collaboration; 404 where it does not exist or you may not see it."""
    return services.get_visible(request.user, reference)
