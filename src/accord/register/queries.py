"""Reading the register: filters, sorting and facet counts, all in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accord.core import audit, places
from accord.core.choices import Visibility
from accord.core.sectors import SERVICES
from accord.orgs.models import Area, Organisation

from . import risks
from .choices import Nature, ResearchArea, ServiceMix, Status
from .models import Champion, Collaboration, DutyReview, Partner, seen_through, wholly_visible

# Each order, and its reverse for a column heading clicked twice; ties broken by title so that
# pages do not shuffle.
SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "-updated": ("-updated_at", "pk"),
    "updated": ("updated_at", "pk"),
    "-started": ("-started_on", "title"),
    "started": ("started_on", "title"),
    # In the order a collaboration moves through (an idea first), not the codes' alphabet.
    "status": ("status_rank", "title", "pk"),
    "-status": ("-status_rank", "title", "pk"),
    # Most risks first, or fewest: the number of sustainability flags (register/risks.py).
    "-risks": ("-risk_count", "title", "pk"),
    "risks": ("risk_count", "title", "pk"),
}
RISK_SORTS = ("risks", "-risks")
STATUS_RANK = Case(
    *(When(status=value, then=Value(rank)) for rank, value in enumerate(Status.values)),
    default=Value(len(Status.values)),
    output_field=IntegerField(),
)


def apply_filters(
    queryset: QuerySet[Collaboration],
    f: dict[str, Any],
    *,
    every_row: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Collaboration]:
    """The filtered, ordered register. `every_row` plans the search for reading every row of
    a large set, to count them, rather than a page of them or the few an organisation is on.
    `today` is the day the risk flags are judged on (the site's today unless told)."""
    sort = f.get("sort") or "title"
    if f.get("at_risk") or sort in RISK_SORTS:
        today = today or timezone.localdate()
        queryset = queryset.alias(champion_count=_champion_count())
    if f.get("at_risk"):
        queryset = queryset.filter(at_risk(today))  # type: ignore[arg-type]
    if sort in RISK_SORTS:
        queryset = queryset.alias(risk_count=risk_count(today))  # type: ignore[arg-type]
    if sort in ("status", "-status"):
        queryset = queryset.alias(status_rank=STATUS_RANK)
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
        areas = place_areas(place)
        in_area = Collaboration.areas.through.objects.filter(area_id__in=areas).values(
            "collaboration_id"
        )
        partner_area = Partner.objects.filter(organisation__area_id__in=areas).values(
            "collaboration_id"
        )
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
    return queryset.order_by(*SORTS.get(sort, SORTS["title"]))


# Sustainability risks, in the database ------------------------------------------------------
#
# The same rules as risks.sustainability_risks, written as conditions on each row so that the
# "at risk" filter and the sort by risks run in the database over every row; the list's column
# takes each row's flags from risks.py itself (`with_risk_inputs`). The tests hold the two to
# the same answer, case by case.


def _champion_count() -> Coalesce:
    champions = (
        Champion.objects.filter(collaboration_id=OuterRef("pk"))
        .order_by()
        .values("collaboration_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(champions, output_field=IntegerField()), Value(0))


def _last_review() -> Subquery:
    reviews = DutyReview.objects.filter(collaboration_id=OuterRef("pk")).order_by("-considered_on")
    return Subquery(reviews.values("considered_on")[:1])


def _risk_conditions(today: dt.date) -> list[Q]:
    """One condition a flag risks.py can raise (both champion flags are one condition: fewer
    than two). Each needs `champion_count` aliased on the queryset."""
    recent_review = DutyReview.objects.filter(
        collaboration_id=OuterRef("pk"), considered_on__gte=risks.months_after(today, -12)
    )
    return [
        Q(champion_count__lt=2),
        Q(funding_ends_on__isnull=False, funding_ends_on__lte=risks.months_after(today, 12)),
        # Not recorded as yes: a "no" and a "not known" are both flagged.
        ~Q(has_written_agreement=True),
        ~Q(Exists(recent_review)),
    ]


def at_risk(today: dt.date) -> Q:
    """Collaborations that have not ended with at least one sustainability flag."""
    flagged = Q()
    for condition in _risk_conditions(today):
        flagged |= condition
    return ~Q(status__in=risks.ENDED) & flagged


def risk_count(today: dt.date) -> Case:
    """How many flags each collaboration has: none once it has ended."""
    flags: Any = Value(0)
    for condition in _risk_conditions(today):
        flags = flags + Case(When(condition, then=Value(1)), default=Value(0))
    return Case(
        When(status__in=risks.ENDED, then=Value(0)),
        default=flags,
        output_field=IntegerField(),
    )


def with_risk_inputs(queryset: QuerySet[Collaboration]) -> QuerySet[Collaboration]:
    """Each row with what risks.py needs beyond its own columns, in the same query: the number
    of champions and the day of the latest review."""
    return queryset.annotate(champion_total=_champion_count(), last_review_on=_last_review())


def risks_of(collaboration: Collaboration, today: dt.date) -> list[risks.Risk]:
    """A row's flags, by risks.py, from the columns `with_risk_inputs` added."""
    return risks.sustainability_risks(
        status=collaboration.status,
        champions=collaboration.champion_total,  # type: ignore[attr-defined]
        funding_ends_on=collaboration.funding_ends_on,
        has_written_agreement=collaboration.has_written_agreement,
        last_review_on=collaboration.last_review_on,  # type: ignore[attr-defined]
        today=today,
    )


# Places -------------------------------------------------------------------------------------


def _named(text: str) -> Q:
    """Areas whose code or name is what was typed, in any case, "&" and "and" alike
    (core.places, as the forms' area fields match)."""
    match = Q(code__iexact=text.strip())
    for name in places.spellings(text):
        match |= Q(name__iexact=name)
    return match


def place_areas(text: str) -> QuerySet[Area, Any]:
    """The areas a place filter stands for, as a subquery: those with this code or name (a
    name may be a police force area and a fire authority area at once, such as Lincolnshire),
    the areas they lie within, and those within them, so that a district finds what its force
    and fire authority do, and a force area what is recorded in its districts."""
    matched = Area.objects.filter(_named(text)).values("pk")
    return (
        Area.objects.filter(Q(pk__in=matched) | Q(contains__in=matched) | Q(within__in=matched))
        .order_by()
        .values("pk")
    )


def place_is_known(text: str) -> bool:
    return Area.objects.filter(_named(text)).exists()


def place_suggestions(text: str, limit: int = 3) -> list[str]:
    """The names of the places closest to what was typed, best first, each name once: for
    "No place called “Lincs”. Did you mean Lincolnshire?"."""
    areas = list(Area.objects.order_by("name").values_list("code", "name"))
    index: places.PlaceIndex[tuple[str, str]] = places.PlaceIndex(
        areas, code=lambda a: a[0], name=lambda a: a[1], label=lambda a: a[1]
    )
    return index.suggested_names(text, limit)


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
# Reviews too: the "at risk" filter reads when each collaboration was last reviewed.
COUNTS_DEPEND_ON = (
    "register.collaboration",
    "register.dutyreview",
    "orgs.organisation",
    "orgs.area",
)


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
    # And the day: whether funding ends within twelve months changes at midnight.
    version = f"{audit.state_version(COUNTS_DEPEND_ON)}@{timezone.localdate().isoformat()}"
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
