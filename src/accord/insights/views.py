"""Thin views: read the picture the person may see, render it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accord.appraisal import services as appraisal
from accord.core.choices import Visibility
from accord.kpis import queries as kpi_queries
from accord.register import services as register

from . import findings as findings_module
from . import presentation, queries


@require_GET
def national(request: HttpRequest) -> HttpResponse:
    """The national picture: the map, the table and the consistency measures, drawn from the
    collaborations this person may see (a visitor: the public ones).

    The page's body is drawn once for each state of what it reads, each viewer (queries.viewer)
    and each measure, and kept: drawing its table, map and series costs ten times the layout
    around them, and the register changes far less often than the picture is read."""
    chosen = presentation.measure(request.GET.get("measure"), per=request.GET.get("per") == "1")
    forums = request.GET.get("forums") == "1"
    today = timezone.localdate()
    state = queries.picture_key(request.user, today)
    key = f"insights:page:{state}:{chosen.key}:{chosen.per:d}:{forums:d}"
    body = cache.get(key)
    if body is None:
        context = _context(request, chosen, today, forums=forums)
        body = render_to_string("insights/_national_body.html", context, request=request)
        cache.set(key, body, queries.CACHE_SECONDS)
    # Drawn by our own template from escaped values, kept only in the server's cache.
    return render(request, "insights/national.html", {"body": mark_safe(body)})


def _context(
    request: HttpRequest, chosen: presentation.Measure, today: Any, *, forums: bool
) -> dict[str, Any]:
    picture = queries.picture(request.user, today)
    forum_shapes = queries.forum_features() if forums else []
    table = presentation.rows(picture.now.areas, chosen, reverse("register:list"))
    groups: dict[str, list[presentation.Measure]] = {}
    for m in presentation.MEASURES:
        groups.setdefault(m.group, []).append(m)
    return {
        "picture": picture,
        "chosen": chosen,
        "groups": groups,
        "table": table,
        "map_spec": presentation.map_spec(queries.map_features(), table, chosen, forum_shapes),
        "forums": forums,
        "forums_shown": bool(forum_shapes),
        "figures": presentation.figures(picture.now),
        "natures": presentation.nature_rows(picture.now),
        "years": presentation.years_chart(picture.years),
        "nature_years": presentation.nature_years(picture.years),
        "with_population": sum(1 for r in table if r.area.population is not None),
        "signed_in": request.user.is_authenticated,
    }


@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    """The briefing's findings beside figures from the collaborations this person may see (a
    visitor: the public ones), each with its n, formula and the records behind it.

    Drawn once for each state of what they read (queries.findings_key) and each viewer, and
    kept, as the national picture's body is."""
    today = timezone.localdate()
    key = "insights:findings:" + queries.findings_key(request.user, today)
    body = cache.get(key)
    if body is None:
        context = {
            "rows": finding_rows(computed_findings(request.user, today)),
            "register_url": reverse("register:list"),
            "signed_in": request.user.is_authenticated,
        }
        body = render_to_string("insights/_findings_body.html", context, request=request)
        cache.set(key, body, queries.CACHE_SECONDS)
    # Drawn by our own template from escaped values, kept only in the server's cache.
    return render(request, "insights/findings.html", {"body": mark_safe(body)})


def computed_findings(user: Any, today: Any) -> list[findings_module.Finding]:
    """Every finding from what this person may see."""
    picture = queries.picture(user, today)
    rates = [a.rate for a in picture.now.areas if a.rate is not None]
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


def finding_rows(found: list[findings_module.Finding]) -> list[dict[str, Any]]:
    """Each finding with its figure and its parts' shares in words, and each part's link to
    the register filtered to its records."""
    listed = reverse("register:list")
    return [
        {
            "finding": f,
            "figure": (
                "–"
                if f.figure is None
                else f"{f.figure:.2f}"
                if f.kind == "index"
                else f"{f.figure:.0f} months"
                if f.kind == "months"
                else f"{f.figure:.1f}"
                if f.kind == "score"
                else findings_module.percent(f.figure)
            ),
            "parts": [
                {
                    "part": p,
                    "share": (
                        (
                            "–"
                            if p.mean is None
                            else f"{p.mean:+.2f}"
                            if "Change" in p.label
                            else f"{p.mean:.1f}"
                        )
                        if p.is_mean
                        else findings_module.percent(p.share)
                    ),
                    "url": listed + ("?" + urlencode(p.filters) if p.filters else ""),
                }
                for p in f.parts
            ],
        }
        for f in found
    ]


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
    scores = queries.round_scores(today)
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
