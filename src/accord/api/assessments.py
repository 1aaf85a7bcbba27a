"""The assessments' part of the JSON API: the same figures and disclosure rule as the pages.

A round's scores come in exactly the shape `accord assess score --json` prints, so that a
researcher's scripts read both alike.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from accord.assessments import results, scoring, services
from accord.assessments.models import Round

router = Router(tags=["assessments"])


class RoundOut(Schema):
    id: int
    collaboration: str
    title: str
    framework: str
    framework_version: int
    opens_on: dt.date
    closes_on: dt.date
    anonymous: bool


def _round_out(found: Round) -> dict[str, Any]:
    return {
        "id": found.pk,
        "collaboration": found.collaboration.reference,
        "title": found.title,
        "framework": found.framework.key,
        "framework_version": found.framework.version,
        "opens_on": found.opens_on,
        "closes_on": found.closes_on,
        "anonymous": found.anonymous,
    }


@router.get("/collaborations/{reference}/rounds", response=list[RoundOut])
def list_rounds(request: HttpRequest, reference: str) -> Any:
    """A collaboration's assessment rounds; 404 where you may not see the collaboration."""
    collaboration = services.get_collaboration(request.user, reference)
    rounds = (
        Round.objects.filter(collaboration=collaboration)
        .select_related("collaboration", "framework")
        .order_by("opens_on", "pk")
    )
    return [_round_out(r) for r in rounds]


@router.get("/rounds/{round_id}/scores")
def round_scores(
    request: HttpRequest, round_id: int, by: Literal["organisation", "level"] | None = None
) -> dict[str, Any]:
    """Scores of one round, as `accord assess score --json` gives them.

    Any group of fewer than the disclosure threshold's responses is `{"suppressed": true}`, and
    so is any figure withheld so that such a group's cannot be worked out by subtraction.
    """
    found = services.get_round(request.user, round_id)
    scored = scoring.score(
        found.framework.framework,
        results.round_responses(found),
        k=results.k(),
        by=by,
    )
    return scoring.to_json_dict(scored)
