"""Thin views: read the picture the person may see, render it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import presentation, queries


@require_GET
def national(request: HttpRequest) -> HttpResponse:
    """The national picture: the map, the table and the consistency measures, drawn from the
    collaborations this person may see (a visitor: the public ones)."""
    chosen = presentation.measure(request.GET.get("measure"))
    picture = queries.picture(request.user)
    table = presentation.rows(picture.now.areas, chosen, reverse("register:list"))
    groups: dict[str, list[presentation.Measure]] = {}
    for m in presentation.MEASURES:
        groups.setdefault(m.group, []).append(m)
    return render(
        request,
        "insights/national.html",
        {
            "picture": picture,
            "chosen": chosen,
            "groups": groups,
            "table": table,
            "map_spec": presentation.map_spec(queries.map_features(), table, chosen),
            "figures": presentation.figures(picture.now),
            "natures": presentation.nature_rows(picture.now),
            "years": presentation.years_chart(picture.years),
            "with_population": sum(1 for r in table if r.area.population is not None),
            "signed_in": request.user.is_authenticated,
        },
    )
