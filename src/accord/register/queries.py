"""Reading the register: filters, sorting and facet counts, all in the database."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from .choices import Nature, ResearchArea, ServiceMix, Status
from .models import Collaboration, Partner

SORTS = {
    "title": ("title", "pk"),
    "-updated": ("-updated_at", "pk"),
    "-started": ("-started_on", "title"),
    "status": ("status", "title"),
}


def apply_filters(queryset: QuerySet[Collaboration], f: dict[str, Any]) -> QuerySet[Collaboration]:
    if not f.get("archived"):
        queryset = queryset.filter(archived_at__isnull=True)
    for key, column in (
        ("nature", "nature"),
        ("research_area", "research_area"),
        ("status", "status"),
        ("mix", "service_mix"),
    ):
        if f.get(key):
            queryset = queryset.filter(**{column: f[key]})
    if f.get("sector") in {"police", "fire", "ambulance", "other"}:
        queryset = queryset.filter(**{f"involves_{f['sector']}": True})
    organisation = (f.get("organisation") or "").strip()
    if organisation:
        partners = Partner.objects.filter(
            Q(organisation__code__iexact=organisation)
            | Q(organisation__name__icontains=organisation)
            | Q(organisation__short_name__icontains=organisation)
        ).values("collaboration_id")
        queryset = queryset.filter(pk__in=partners)
    place = (f.get("place") or "").strip()
    if place:
        # Where it works: an area recorded on it, or the area a partner serves.
        area_match = Q(area__code__iexact=place) | Q(area__name__icontains=place)
        in_area = Collaboration.areas.through.objects.filter(area_match).values("collaboration_id")
        partner_area = Partner.objects.filter(
            Q(organisation__area__code__iexact=place) | Q(organisation__area__name__icontains=place)
        ).values("collaboration_id")
        queryset = queryset.filter(Q(pk__in=in_area) | Q(pk__in=partner_area))
    text = (f.get("q") or "").strip()
    if text:
        matching_partners = Partner.objects.filter(
            Q(organisation__name__icontains=text) | Q(organisation__short_name__icontains=text)
        ).values("collaboration_id")
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(reference__iexact=text)
            | Q(summary__icontains=text)
            | Q(public_summary__icontains=text)
            | Q(outcomes__icontains=text)
            | Q(pk__in=matching_partners)
        )
    return queryset.order_by(*SORTS.get(f.get("sort") or "title", SORTS["title"]))


FACETS: tuple[tuple[str, str, Any], ...] = (
    ("nature", "nature", Nature),
    ("research_area", "research_area", ResearchArea),
    ("status", "status", Status),
    ("mix", "service_mix", ServiceMix),
)
SECTORS = ("police", "fire", "ambulance", "other")


def facet_counts(queryset: QuerySet[Collaboration]) -> dict[str, dict[str, int]]:
    """Counts per filter value over the filtered set, and the total, in one query.

    One pass of conditional sums over the filtered rows: a GROUP BY per facet would run the
    visibility rule once per facet, and ORM conditional aggregates cost more to compile than
    the query takes to run. The values are the choices' own, passed as parameters.
    """
    columns = [column for _, column, _ in FACETS] + [f"involves_{s}" for s in SECTORS]
    inner_sql, inner_params = queryset.order_by().values(*columns).query.sql_with_params()
    quote = connection.ops.quote_name
    sums: list[str] = ["COUNT(*)"]
    params: list[Any] = []
    keys: list[tuple[str, str]] = []
    for key, column, choices in FACETS:
        for value in choices.values:
            sums.append(f"SUM(CASE WHEN filtered.{quote(column)} = %s THEN 1 ELSE 0 END)")
            params.append(value)
            keys.append((key, value))
    for sector in SECTORS:
        sums.append(f"SUM(CASE WHEN filtered.{quote('involves_' + sector)} THEN 1 ELSE 0 END)")
        keys.append(("sector", sector))
    sql = f"SELECT {', '.join(sums)} FROM ({inner_sql}) filtered"  # noqa: S608 - no user text
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        row = cursor.fetchone()
    facets: dict[str, dict[str, int]] = {"total": {"": int(row[0] or 0)}}
    for (key, value), count in zip(keys, row[1:], strict=True):
        facets.setdefault(key, {})[value] = int(count or 0)
    return facets
