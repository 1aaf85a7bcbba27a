"""What the national picture reads: the police force areas, their populations and boundaries,
and the collaborations a person may see, reduced to consistency.py's inputs.

Visibility is the register's (`register.services.visible_collaborations`): a person's picture
is drawn from what they may see, a visitor's from public records only. Which areas a
collaboration touches is the register's place filter's rule (`register.queries.place_areas`),
so that an area's count is what the register lists when filtered to it: the areas recorded on
the collaboration, or the areas its partners serve, being the force area itself, an area it
lies within, or an area within it (a district).

Nothing here is an ORM join of another app's models: the register's queryset is followed along
its own relations, so insights imports only its services and queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accord.appraisal import services as appraisal
from accord.assessments import services as assessments
from accord.core import audit
from accord.core.choices import Visibility
from accord.kpis import queries as kpi_queries
from accord.orgs.choices import AreaKind
from accord.orgs.models import Area
from accord.register import services as register
from accord.register.choices import Nature
from accord.register.risks import months_after

from . import consistency, geometry
from . import findings as findings_module
from .consistency import AreaInput, CollaborationInput
from .models import Population

#: The kinds of record the picture depends on: a change to any of them (each through a service
#: that records an audit event) draws it afresh, as the register's counts are kept.
DEPENDS_ON = (
    "register.collaboration",
    "register.dutyreview",
    "orgs.organisation",
    "orgs.area",
    "insights.population",
)
#: What the findings read beyond the picture: KPIs adopted, appraisals and their realised
#: benefits, and the assessment rounds, their invitations and (audited) responses.
ASSESSMENTS_DEPEND_ON = (
    "assessments.round",
    "assessments.response",
    "assessments.frameworkversion",
)
FINDINGS_DEPEND_ON = (
    *DEPENDS_ON,
    "kpis.adoption",
    "appraisal.appraisal",
    "appraisal.realisedbenefit",
    *ASSESSMENTS_DEPEND_ON,
)
#: Where every round's scores are kept (queries.round_scores), and for how long at most.
ROUND_SCORES_KEY = "insights:round-scores"
ROUND_SCORES_SECONDS = 24 * 3600
#: How long a picture is kept at most: bounds how long a change made outside the services (by
#: hand in the database) could go unseen.
CACHE_SECONDS = 300


def viewer(user: Any) -> str:
    """Whom a person sees as: everyone with the same answer sees the same picture (the
    register's rule reads only these)."""
    if user is None or not user.is_authenticated:
        return "public"
    if getattr(user, "is_platform_admin", False):
        return "everything"
    return f"signed-in:{user.organisation_id or ''}"


def force_areas() -> list[Area]:
    return list(
        Area.objects.filter(kind=AreaKind.POLICE_FORCE_AREA).order_by("name").defer("boundary")
    )


def populations(area_ids: list[int]) -> dict[int, dict[int, int]]:
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for area_id, year, population in Population.objects.filter(area_id__in=area_ids).values_list(
        "area_id", "year", "population"
    ):
        found[area_id][year] = population
    return found


def area_inputs(areas: list[Area]) -> list[AreaInput]:
    found = populations([a.pk for a in areas])
    return [AreaInput(a.code, a.name, found.get(a.pk, {})) for a in areas]


def _force_areas_of(areas: list[Area]) -> dict[int, set[str]]:
    """Each area id that stands for a force area in the place filter, with those force areas'
    codes: the force area itself, the areas it lies within and the areas within it."""
    codes = {a.pk: a.code for a in areas}
    standing: dict[int, set[str]] = defaultdict(set)
    for pk, code in codes.items():
        standing[pk].add(code)
    through = Area.within.through.objects
    for inner, outer in through.filter(to_area_id__in=codes).values_list(
        "from_area_id", "to_area_id"
    ):
        standing[inner].add(codes[outer])
    for inner, outer in through.filter(from_area_id__in=codes).values_list(
        "from_area_id", "to_area_id"
    ):
        standing[outer].add(codes[inner])
    return standing


def collaboration_inputs(user: Any, areas: list[Area]) -> list[CollaborationInput]:
    """The collaborations the person may see and that are not archived (as the register lists
    them), with the force areas each touches and the days of its reviews. Four queries."""
    visible = register.visible_collaborations(user).filter(archived_at__isnull=True).order_by()
    standing = _force_areas_of(areas)
    touched: dict[int, set[str]] = defaultdict(set)
    for pk, area_id in visible.filter(areas__isnull=False).values_list("pk", "areas"):
        touched[pk] |= standing.get(area_id, set())
    for pk, area_id in visible.filter(partners__organisation__area__isnull=False).values_list(
        "pk", "partners__organisation__area"
    ):
        touched[pk] |= standing.get(area_id, set())
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for pk, day in visible.filter(reviews__isnull=False).values_list(
        "pk", "reviews__considered_on"
    ):
        reviews[pk].append(day)
    rows = visible.values_list("pk", "service_mix", "nature", "status", "started_on", "ended_on")
    return [
        CollaborationInput(
            id=pk,
            areas=frozenset(touched.get(pk, ())),
            service_mix=mix,
            nature=nature,
            status=status,
            started_on=started,
            ended_on=ended,
            reviews=tuple(sorted(reviews.get(pk, ()))),
        )
        for pk, mix, nature, status, started, ended in rows
    ]


@dataclass
class Picture:
    """The national picture for one viewer on one day."""

    today: dt.date
    #: The population year the rates use now: the latest estimate loaded.
    population_year: int | None
    #: Collaborations seen, and those with no start date (left out of the years).
    collaborations: int
    undated: int
    #: Collaborations that touch no police force area (no area recorded, no partner's).
    placed_nowhere: int
    now: consistency.Consistency
    years: list[consistency.YearFigures]


def picture(user: Any, today: dt.date | None = None) -> Picture:
    """The picture as this person may see it, kept until the register, the areas or the
    populations change (or the day does, since "in the last 12 months" moves with it)."""
    today = today or timezone.localdate()
    key = "insights:picture:" + picture_key(user, today)
    found = cache.get(key)
    if found is None:
        found = _picture(user, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def picture_key(user: Any, today: dt.date) -> str:
    """What the picture for this person on this day depends on, as a key: the state of what
    it reads, whom they see as, and the day."""
    signature = json.dumps([audit.state_version(DEPENDS_ON), viewer(user), today.isoformat()])
    return hashlib.sha256(signature.encode()).hexdigest()


def findings_key(user: Any, today: dt.date) -> str:
    """What the findings for this person on this day depend on, as a key: the audited state
    of what they read, how many responses are submitted (those to an anonymous round are not
    audited), the disclosure threshold, whom they see as, and the day. An answer changed in
    a response already submitted is seen when the page expires (CACHE_SECONDS)."""
    signature = json.dumps(
        [
            audit.state_version(FINDINGS_DEPEND_ON),
            assessments.responses_state(),
            int(settings.DISCLOSURE_THRESHOLD),
            viewer(user),
            today.isoformat(),
        ]
    )
    return hashlib.sha256(signature.encode()).hexdigest()


def round_scores(today: dt.date) -> dict[int, list[assessments.GroupScores]]:
    """Every collaboration's opened rounds with their group and factor scores, oldest first,
    by collaboration id, under the assessments' disclosure control
    (assessments.services.group_scores_of). Whom a person may see is the caller's to apply.

    A round's scores do not depend on who reads them, and scoring one takes milliseconds
    (its disclosure control most of them): 2,000 rounds take seconds. So each round's are
    kept with a token of what they read (assessments.services.round_states), and only the
    rounds whose token has changed are scored again; a change to the register scores none.
    All are scored afresh after ROUND_SCORES_SECONDS (a day), which bounds how long an answer
    changed in a response submitted again on the same day could go unseen."""
    stamp = int(settings.DISCLOSURE_THRESHOLD)
    # What the assessments' audit, the submitted responses' count and the day say: while none
    # has moved, nothing a round reads can have (but an answer changed in a submitted
    # response), and the kept scores are given without asking each round. A new day asks each
    # round (some may have opened) and scores only the rounds that did.
    quick = (
        audit.state_version(ASSESSMENTS_DEPEND_ON),
        assessments.responses_state(),
        today.isoformat(),
    )
    now = time.time()
    kept = cache.get(ROUND_SCORES_KEY)
    if not kept or kept["stamp"] != stamp or kept["until"] < now:
        kept = {"stamp": stamp, "until": now + ROUND_SCORES_SECONDS, "rounds": {}}
    elif kept.get("quick") == quick and "found" in kept:
        found_kept: dict[int, list[assessments.GroupScores]] = kept["found"]
        return found_kept
    rounds: dict[int, tuple[str, int, assessments.GroupScores]] = kept["rounds"]
    states = assessments.round_states(today)
    stale = [pk for pk, token in states.items() if rounds.get(pk, ("",))[0] != token]
    if stale or len(rounds) != len(states):
        # Every round (the first time): no list of ids, which could pass a database's limit.
        chosen = None if len(stale) == len(states) else stale
        fresh = assessments.group_scores_of(None, today, rounds=chosen) if stale else {}
        rounds = {pk: kept_round for pk, kept_round in rounds.items() if pk in states}
        for collaboration, scores in fresh.items():
            for each in scores:
                rounds[each.round_id] = (states[each.round_id], collaboration, each)
    found: dict[int, list[assessments.GroupScores]] = defaultdict(list)
    for _, collaboration, each in sorted(
        rounds.values(), key=lambda r: (r[2].opens_on, r[2].round_id)
    ):
        found[collaboration].append(each)
    kept = {**kept, "rounds": rounds, "quick": quick, "found": dict(found)}
    cache.set(ROUND_SCORES_KEY, kept, ROUND_SCORES_SECONDS)
    return kept["found"]


def _picture(user: Any, today: dt.date) -> Picture:
    areas = force_areas()
    inputs = area_inputs(areas)
    collaborations = collaboration_inputs(user, areas)
    years_loaded = [y for a in inputs for y in a.population]
    population_year = max(years_loaded) if years_loaded else None
    natures = list(Nature.values)
    now = consistency.picture(
        inputs,
        collaborations,
        year=population_year or today.year,
        review_since=months_after(today, -12),
        today=today,
        natures=natures,
    )
    first, last = consistency.year_span(collaborations, until=today.year)
    return Picture(
        today=today,
        population_year=population_year,
        collaborations=len(collaborations),
        undated=sum(1 for c in collaborations if c.started_on is None),
        placed_nowhere=sum(1 for c in collaborations if not c.areas),
        now=now,
        years=consistency.years(inputs, collaborations, first=first, last=last, natures=natures),
    )


def map_features(kind: str = AreaKind.POLICE_FORCE_AREA) -> list[dict[str, Any]]:
    """The boundaries of the areas of a kind (the police force areas, or the local resilience
    forums) as the map draws them (geometry.for_map), kept until an area changes. Areas with no
    boundary are left out (the table still lists them)."""
    version = audit.state_version(("orgs.area",))
    key = f"insights:boundaries:{kind}:" + hashlib.sha256(version.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = []
        rows = Area.objects.filter(kind=kind, boundary__isnull=False).values_list(
            "code", "name", "boundary"
        )
        for code, name, boundary in rows.order_by("code"):
            shape = geometry.for_map(boundary)
            if shape is not None:
                found.append(
                    {"type": "Feature", "id": code, "properties": {"name": name}, "geometry": shape}
                )
        cache.set(key, found, None)
    return found


def forum_features() -> list[dict[str, Any]]:
    """The local resilience forums' boundaries, for the map's second layer."""
    return map_features(AreaKind.RESILIENCE_FORUM)


# The findings' inputs ------------------------------------------------------------------------


def computed_findings(user: Any, today: Any) -> list[findings_module.Finding]:
    """Every finding from what this person may see."""
    picture_now = picture(user, today)
    rates = [a.rate for a in picture_now.now.areas if a.rate is not None]
    facts = _facts(user)
    first_years, appraisals, realised = _first_realised(user)
    return findings_module.findings(
        facts,
        rates,
        adopted=set(
            kpi_queries.visible_adoptions(user)
            .filter(collaboration__archived_at__isnull=True)
            .values_list("collaboration_id", flat=True)
            .distinct()
        ),
        first_years=first_years,
        appraisals=appraisals,
        scored=_scored(user, today, facts),
        realised=realised,
    )


def _facts(user: Any) -> list[findings_module.Facts]:
    """The collaborations the person may see and that are not archived (as the register lists
    them), reduced to what the findings read. Three queries."""
    visible = register.visible_collaborations(user).filter(archived_at__isnull=True).order_by()
    champions: dict[int, int] = defaultdict(int)
    for pk in visible.filter(champions__isnull=False).values_list("pk", flat=True):
        champions[pk] += 1
    sectors: dict[int, set[str]] = defaultdict(set)
    for pk, sector in visible.filter(partners__isnull=False).values_list(
        "pk", "partners__organisation__sector"
    ):
        sectors[pk].add(sector)
    rows = visible.values_list(
        "pk", "reference", "status", "service_mix", "public_summary", "visibility"
    )
    return [
        findings_module.Facts(
            id=pk,
            reference=reference,
            status=status,
            service_mix=mix,
            champions=champions.get(pk, 0),
            partner_sectors=frozenset(sectors.get(pk, ())),
            has_public_summary=bool(summary.strip()),
            is_public=visibility == Visibility.PUBLIC,
        )
        for pk, reference, status, mix, summary, visibility in rows
    ]


def _first_realised(user: Any) -> tuple[list[int], int, set[int]]:
    """For each appraisal the person may see (of a collaboration not archived), the first
    appraisal year with a realised benefit above zero; how many appraisals there are; and the
    collaborations with a realised benefit."""
    seen = appraisal.visible_appraisals(user).filter(collaboration__archived_at__isnull=True)
    first: dict[int, int] = {}
    realised: set[int] = set()
    for pk, collaboration, year in seen.filter(realised__amount__gt=0).values_list(
        "pk", "collaboration_id", "realised__year"
    ):
        first[pk] = min(year, first.get(pk, year))
        realised.add(collaboration)
    return sorted(first.values()), seen.count(), realised


def _scored(
    user: Any, today: Any, facts: list[findings_module.Facts] | None = None
) -> list[findings_module.Scored]:
    """The three-C group and factor scores of each round of each collaboration the person may
    see (not archived) that has had one, under the assessments' disclosure control: every
    round's scores are kept for everyone (queries.round_scores), the person's collaborations
    (`facts`, or read here) chosen from them."""
    scores = round_scores(today)
    if facts is None:
        visible = register.visible_collaborations(user).filter(archived_at__isnull=True)
        seen = dict(visible.filter(pk__in=list(scores)).order_by().values_list("pk", "status"))
    else:
        seen = {f.id: f.status for f in facts}
    return [
        findings_module.Scored(
            id=pk,
            status=seen[pk],
            rounds=tuple(g.means for g in rounds),
            factors=tuple(g.factors for g in rounds),
        )
        for pk, rounds in sorted(scores.items())
        if pk in seen
    ]
