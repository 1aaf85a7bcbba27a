"""The national picture in brief, for the home page: a few headline figures from the picture
as this person may see it (a visitor: public records only), with a link to the whole of it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import presentation, queries


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any]:
    picture = queries.picture(request.user)
    now = picture.now
    areas = len(now.areas)
    touched = sum(1 for a in now.areas if a.collaborations)
    return {
        "signed_in": request.user.is_authenticated,
        "collaborations": picture.collaborations,
        "areas": areas,
        "touched": touched,
        "figures": [
            ("Police force areas with a collaboration", f"{touched} of {areas}"),
            ("Areas with no tri-service collaboration", presentation.percent(now.no_tri_service)),
            (
                "Areas with no duty-to-collaborate review in the last 12 months",
                presentation.percent(now.no_review),
            ),
            (
                "Gini coefficient of collaborations per 100,000",
                presentation.number(now.gini)
                if now.gini is not None
                else "Not known: it needs the areas' populations",
            ),
        ],
    }
