"""Reading the register: filters, sorting and facet counts, all in the database."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

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


def facet_counts(queryset: QuerySet[Collaboration]) -> dict[str, dict[str, int]]:
    """Counts per filter value over the filtered set: a fixed number of queries."""
    base = queryset.order_by()
    facets: dict[str, dict[str, int]] = {}
    for key, column, choices in (
        ("nature", "nature", Nature),
        ("research_area", "research_area", ResearchArea),
        ("status", "status", Status),
        ("mix", "service_mix", ServiceMix),
    ):
        counts = dict(base.values_list(column).annotate(n=Count("pk")).values_list(column, "n"))
        facets[key] = {value: counts.get(value, 0) for value in choices.values}
    sectors = base.aggregate(
        **{
            s: Count("pk", filter=Q(**{f"involves_{s}": True}))
            for s in ("police", "fire", "ambulance", "other")
        }
    )
    facets["sector"] = {k: int(v or 0) for k, v in sectors.items()}
    return facets
