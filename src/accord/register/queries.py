"""Reading the register: filters, sorting and facet counts, all in the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accord.core import audit
from accord.core.choices import Visibility
from accord.core.sectors import SERVICES
from accord.orgs.models import Organisation

from .choices import Nature, ResearchArea, ServiceMix, Status
from .models import Collaboration, Partner, seen_through, wholly_visible

SORTS = {
    "title": ("title", "pk"),
    "-updated": ("-updated_at", "pk"),
    "-started": ("-started_on", "title"),
    "status": ("status", "title"),
}


def apply_filters(
    queryset: QuerySet[Collaboration], f: dict[str, Any], *, every_row: bool = False
) -> QuerySet[Collaboration]:
    """The filtered, ordered register. `every_row` plans the search for reading every row of
    a large set, to count them, rather than a page of them or the few an organisation is on."""
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
    if f.get("sector") in SERVICES:
        queryset = queryset.filter(**{f"involves_{f['sector']}": True})
    organisation = (f.get("organisation") or "").strip()
    if organisation:
        partners = _partners_of(
            Q(code__iexact=organisation)
            | Q(name__icontains=organisation)
            | Q(short_name__icontains=organisation)
        )
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
        organisations = Q(name__icontains=text) | Q(short_name__icontains=text)
        # A page needs only its first rows in order, so it asks of each row whether a partner
        # matches (EXISTS) rather than first listing the thousands of partnerships a common
        # word matches (IN); reading every row, the list is the cheaper.
        matching_partners = (
            Q(pk__in=_partners_of(organisations))
            if every_row
            else Q(
                Exists(
                    Partner.objects.filter(
                        collaboration_id=OuterRef("pk"),
                        organisation_id__in=Organisation.objects.filter(organisations).values("pk"),
                    )
                )
            )
        )
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(reference__iexact=text)
            | Q(summary__icontains=text)
            | Q(public_summary__icontains=text)
            | Q(outcomes__icontains=text)
            | matching_partners
        )
    return queryset.order_by(*SORTS.get(f.get("sort") or "title", SORTS["title"]))


def _partners_of(organisations: Q) -> QuerySet[Partner, Any]:
    """The collaborations those organisations are partners in, as a subquery.

    Matching the few hundred organisations first and then their partnerships by index costs a
    tenth of matching every partnership's organisation by name.
    """
    return Partner.objects.filter(
        organisation_id__in=Organisation.objects.filter(organisations).values("pk")
    ).values("collaboration_id")


def partner_names(collaboration_ids: list[int]) -> dict[int, list[str]]:
    """Each collaboration's partners' short names, leads first, in one query.

    Plain SQL: a page asks it on every request, and the ORM took longer to build the query
    than the database to answer it.
    """
    names: dict[int, list[str]] = {pk: [] for pk in collaboration_ids}
    if not names:
        return names
    quote = connection.ops.quote_name
    partner, organisation = quote(Partner._meta.db_table), quote(Organisation._meta.db_table)
    marks = ", ".join(["%s"] * len(names))
    sql = (
        f"SELECT p.{quote('collaboration_id')}, o.{quote('short_name')} "  # noqa: S608
        f"FROM {partner} p JOIN {organisation} o ON o.{quote('id')} = p.{quote('organisation_id')} "
        f"WHERE p.{quote('collaboration_id')} IN ({marks}) "
        f"ORDER BY p.{quote('collaboration_id')}, p.{quote('role')}, o.{quote('name')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(names))
        for collaboration_id, short_name in cursor.fetchall():
            names[collaboration_id].append(short_name)
    return names


FACETS: tuple[tuple[str, str, Any], ...] = (
    ("nature", "nature", Nature),
    ("research_area", "research_area", ResearchArea),
    ("status", "status", Status),
    ("mix", "service_mix", ServiceMix),
)
SECTORS = SERVICES
# What the counts read of each row: the facets' columns, then whether each sector is involved.
COUNTED_COLUMNS = [column for _, column, _ in FACETS] + [f"involves_{s}" for s in SECTORS]


Facets = dict[str, dict[str, int]]

# Counts are cached under the newest audit events about collaborations, organisations and
# areas (what the filters read), so any change to those makes them anew. The time limit bounds
# memory for filter combinations nobody asks for again, and how long a change made outside the
# services (by hand in the database) could go unseen.
FACET_CACHE_SECONDS = 300
COUNTS_DEPEND_ON = ("register.collaboration", "orgs.organisation", "orgs.area")


def facet_counts(queryset: QuerySet[Collaboration]) -> Facets:
    """Counts per filter value over exactly this queryset, and the total, in one query."""
    return _facet_sums(queryset).get("", _zero())


def visible_facet_counts(user: Any, filters: dict[str, Any]) -> Facets:
    """What `facet_counts(apply_filters(visible_to(user), filters))` gives, from a cache.

    Counting every visible row costs more than the rest of the list page together, and the
    register changes far less often than it is read. The counts are kept in two parts that
    depend on nothing else about the person: per visibility, for the visibilities a person sees
    whole (public; signed-in users; all, for a platform administrator), shared by everyone;
    and per organisation, for what its people see only because it is a partner or named. Both
    are keyed by the filters and the newest audit events about what the filters read, so any
    change to those counts anew.
    """
    version = audit.state_version(COUNTS_DEPEND_ON)
    by_visibility: dict[str, Facets] = _cached(
        "visibility",
        version,
        filters,
        lambda: _facet_sums(
            apply_filters(Collaboration.objects.all(), filters, every_row=True), "visibility"
        ),
    )
    whole = wholly_visible(user)
    everything = len(whole) == len(Visibility.values)
    total = _zero()
    for visibility, counts in by_visibility.items():
        # A platform administrator sees every row, whatever its visibility says.
        if everything or visibility in whole:
            _add(total, counts)
    organisation_id = getattr(user, "organisation_id", None)
    if not everything and organisation_id:

        def count_through_own() -> Facets:
            through_own = Collaboration.objects.filter(seen_through(organisation_id)).exclude(
                visibility__in=whole
            )
            return _count_in_python(apply_filters(through_own, filters))

        _add(total, _cached(f"organisation:{organisation_id}", version, filters, count_through_own))
    return total


def _cached(part: str, version: str, filters: dict[str, Any], count: Callable[[], Any]) -> Any:
    """`count()`, kept under the part, the version and the filters (the order aside)."""
    signature = json.dumps(
        [part, version, sorted((k, v) for k, v in filters.items() if k != "sort")], default=str
    )
    cache_key = "register:facets:" + hashlib.sha256(signature.encode()).hexdigest()
    value = cache.get(cache_key)
    if value is None:
        value = count()
        cache.set(cache_key, value, FACET_CACHE_SECONDS)
    return value


def _count_in_python(queryset: QuerySet[Collaboration]) -> Facets:
    """The same counts, for a few rows: fetching them costs less than summing in SQL, whose
    thirty-odd conditions a row cost more than the row does."""
    facets = _zero()
    for row in queryset.order_by().values_list(*COUNTED_COLUMNS):
        facets["total"][""] += 1
        for (key, _, _), value in zip(FACETS, row, strict=False):
            if value in facets[key]:
                facets[key][value] += 1
        for sector, involved in zip(SECTORS, row[len(FACETS) :], strict=True):
            facets["sector"][sector] += bool(involved)
    return facets


def _keys() -> list[tuple[str, str]]:
    keys = [("total", "")]
    for key, _, choices in FACETS:
        keys.extend((key, value) for value in choices.values)
    keys.extend(("sector", sector) for sector in SECTORS)
    return keys


KEYS = _keys()


def _zero() -> Facets:
    facets: Facets = {}
    for key, value in KEYS:
        facets.setdefault(key, {})[value] = 0
    return facets


def _add(total: Facets, more: Facets) -> None:
    for key, values in more.items():
        for value, count in values.items():
            total[key][value] += count


def _facet_sums(queryset: QuerySet[Collaboration], group_by: str = "") -> dict[str, Facets]:
    """Counts per filter value and the total, in one query, optionally one set per group.

    One pass of conditional counts over the filtered rows: a GROUP BY per facet would run the
    visibility rule once per facet, and ORM conditional aggregates cost more to compile than
    the query takes to run. The values are the choices' own, passed as parameters.
    """
    columns = [*COUNTED_COLUMNS, group_by] if group_by else COUNTED_COLUMNS
    inner_sql, inner_params = queryset.order_by().values(*columns).query.sql_with_params()
    quote = connection.ops.quote_name
    sums: list[str] = [f"filtered.{quote(group_by)}" if group_by else "''", "COUNT(*)"]
    params: list[Any] = []
    # FILTER (every SQLite Django 5.2 supports has it, and PostgreSQL): a third faster than CASE.
    count_where = "COUNT(*) FILTER (WHERE {})"
    for _key, column, choices in FACETS:
        for value in choices.values:
            sums.append(count_where.format(f"filtered.{quote(column)} = %s"))
            params.append(value)
    for sector in SECTORS:
        sums.append(count_where.format(f"filtered.{quote('involves_' + sector)}"))
    sql = f"SELECT {', '.join(sums)} FROM ({inner_sql}) filtered"  # noqa: S608 - no user text
    if group_by:
        sql += f" GROUP BY filtered.{quote(group_by)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        rows = cursor.fetchall()
    groups: dict[str, Facets] = {}
    for group, *counts in rows:
        facets: Facets = {}
        for (key, value), count in zip(KEYS, counts, strict=True):
            facets.setdefault(key, {})[value] = int(count or 0)
        groups[str(group)] = facets
    return groups
