"""Thin views: read the picture the person may see, render it."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

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
            "rows": presentation.finding_rows(
                queries.computed_findings(request.user, today), reverse("register:list")
            ),
            "register_url": reverse("register:list"),
            "signed_in": request.user.is_authenticated,
        }
        body = render_to_string("insights/_findings_body.html", context, request=request)
        cache.set(key, body, queries.CACHE_SECONDS)
    # Drawn by our own template from escaped values, kept only in the server's cache.
    return render(request, "insights/findings.html", {"body": mark_safe(body)})
