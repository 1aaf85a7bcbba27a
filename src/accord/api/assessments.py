"""The assessments' part of the JSON API: the same figures and disclosure rule as the pages.

A round's scores come in exactly the shape `accord assess score --json` prints, so that a
researcher's scripts read both alike. Every figure is at full precision; any group of fewer than
the disclosure threshold's responses, and any figure withheld so that such a group's cannot be
worked out by subtraction, is `{"suppressed": true}`.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from accord.assessments import results, scoring, services
from accord.assessments.models import Round
from accord.assessments.presentation import PROTECTING_NOTE
from accord.register import services as register

from .auth import require_signed_in
from .pagination import BoundedPagination
from .schemas import ANONYMOUS_TOO, REFERENCE_PATTERN, SuppressedOut, responses

router = Router(tags=["assessments"])

REFERENCE = Path(..., description="The collaboration's reference", pattern=REFERENCE_PATTERN)


# Rounds ------------------------------------------------------------------------------------


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


@router.get(
    "/collaborations/{reference}/rounds",
    response=responses(list[RoundOut], 404),
    openapi_extra=ANONYMOUS_TOO,
)
def list_rounds(request: HttpRequest, reference: str = REFERENCE) -> Any:
    """A collaboration's assessment rounds; 404 where you may not see the collaboration."""
    collaboration = services.get_collaboration(request.user, reference)
    rounds = (
        Round.objects.filter(collaboration=collaboration)
        .select_related("collaboration", "framework")
        .order_by("opens_on", "pk")
    )
    return [_round_out(r) for r in rounds]


class RateOut(Schema):
    """Personal links made (invited) against submitted responses, from any source."""

    label: str
    invited: int
    # None where the count is withheld (fewer than the disclosure threshold, or it would give
    # a withheld one away by subtraction), as the round's page says "fewer than k".
    responded: int | None


class DivergenceOut(Schema):
    """The largest gap between two organisations' means for a factor, comparing only
    organisations whose figure is shown; flagged at 1.0 or more."""

    factor: str
    title: str
    compared: list[str]
    gap: float | None
    highest: str | None
    lowest: str | None
    flagged: bool


class CommentOut(Schema):
    text: str
    by: str | None = Field(..., description="The respondent's email in a named round")


class RoundDetailOut(RoundOut):
    """Everything the round's page shows but the scores (which are at `.../scores`)."""

    description: str
    framework_title: str
    state: Literal["not yet open", "open", "closed"]
    k: int = Field(..., description="The disclosure threshold")
    responses: int
    rates_by_organisation: list[RateOut]
    rates_by_level: list[RateOut]
    divergence: list[DivergenceOut]
    comments: list[CommentOut] | None = Field(
        ..., description="null where the round has fewer than k responses"
    )


ROUND_ID = Path(..., description="The round's id")


@router.get(
    "/rounds/{round_id}", response=responses(RoundDetailOut, 404), openapi_extra=ANONYMOUS_TOO
)
def get_round(request: HttpRequest, round_id: int = ROUND_ID) -> Any:
    """One round, as its page shows it; 404 where it does not exist or you may not see its
    collaboration (the two alike)."""
    found = services.get_round(request.user, round_id)
    shown = results.round_results(found)
    framework = shown.framework
    gaps = scoring.divergence(framework, results.round_responses(found), k=shown.k)
    rates = [
        [{"label": r.label, "invited": r.invited, "responded": r.responded} for r in rows]
        for rows in (shown.rates_by_organisation, shown.rates_by_level)
    ]
    return {
        **_round_out(found),
        "description": found.description,
        "framework_title": framework.title,
        "state": found.state(),
        "k": shown.k,
        "responses": shown.n,
        "rates_by_organisation": rates[0],
        "rates_by_level": rates[1],
        "divergence": [
            {"factor": fid, "title": framework.factor(fid).title, **gap.to_dict()}
            for fid, gap in gaps.items()
        ],
        "comments": None
        if shown.comments is None
        else [{"text": text, "by": who or None} for who, text in shown.comments],
    }


class ScoreSummaryOut(Schema):
    """n, mean, sample standard deviation and 95% t-interval of a set of respondents' scores."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


Figure = ScoreSummaryOut | SuppressedOut


class SetResultOut(Schema):
    n: int
    factors: dict[str, Figure]
    groups: dict[str, Figure]


class ScoresOut(Schema):
    """A round's scores, as `accord assess score --json` prints them (`by` and `breakdown`
    only when broken down)."""

    framework: str
    version: int
    k: int
    overall: SetResultOut | SuppressedOut
    by: Literal["organisation", "level"] | None = None
    breakdown: dict[str, SetResultOut | SuppressedOut] | None = None


@router.get(
    "/rounds/{round_id}/scores",
    response=responses(ScoresOut, 404),
    openapi_extra=ANONYMOUS_TOO,
    exclude_unset=True,
)
def round_scores(
    request: HttpRequest,
    round_id: int = ROUND_ID,
    by: Literal["organisation", "level"] | None = Query(
        None, description="Break the scores down by organisation (codes) or by level"
    ),
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


# Change over time ---------------------------------------------------------------------------


class ChangeOut(Schema):
    """The change from the round before, with Welch's t-test p-value."""

    difference: float
    p_value: float | None


class TimelineCellOut(Schema):
    n: int
    mean: float | None
    change: ChangeOut | SuppressedOut | None = Field(
        ..., description="null for the first round, and where the rounds were not compared"
    )
    note: str | None = Field(..., description="Why the change is not given, where it is not")


class TimelineRowOut(Schema):
    id: str
    title: str
    kind: str
    cells: list[TimelineCellOut | SuppressedOut] = Field(..., description="One a round")


class TimelineRoundOut(Schema):
    id: int
    title: str
    opens_on: dt.date


class TimelineOut(Schema):
    """Every factor and group across the rounds (opened so far) of one framework."""

    framework: str
    grouping_note: str | None
    rounds: list[TimelineRoundOut]
    rows: list[TimelineRowOut]


def _cell(cell: results.TimelineCell, k: int) -> dict[str, Any]:
    if cell.suppressed:
        return {"suppressed": True}
    change: dict[str, Any] | None = None
    note = cell.change_note or None
    if cell.change is not None:
        change = {"difference": cell.change, "p_value": cell.p_value}
    elif note in (PROTECTING_NOTE, f"fewer than {k} responses"):
        # Withheld, for too few responses or to protect another group: alike, as elsewhere.
        change, note = {"suppressed": True}, None
    return {"n": cell.n, "mean": cell.mean, "change": change, "note": note}


@router.get(
    "/collaborations/{reference}/timelines",
    response=responses(list[TimelineOut], 404),
    openapi_extra=ANONYMOUS_TOO,
)
def collaboration_timelines(request: HttpRequest, reference: str = REFERENCE) -> Any:
    """Change over time, as the collaboration's assessments page shows it: one timeline a
    framework, each factor and group round by round, with the change from the round before."""
    collaboration = services.get_collaboration(request.user, reference)
    rounds = list(
        Round.objects.filter(collaboration=collaboration)
        .select_related("framework")
        .order_by("-opens_on", "-pk")
    )
    k = results.k()
    return [
        {
            "framework": t.framework_key,
            "grouping_note": t.grouping_note,
            "rounds": [{"id": r.pk, "title": r.title, "opens_on": r.opens_on} for r in t.rounds],
            "rows": [
                {
                    "id": row.id,
                    "title": row.title,
                    "kind": row.kind,
                    "cells": [_cell(cell, k) for cell in row.cells],
                }
                for row in t.rows
            ],
        }
        for t in results.collaboration_timelines(rounds)
    ]


# Across the register -------------------------------------------------------------------------


class PrevalenceOut(Schema):
    factor: str
    title: str
    concern: int = Field(..., description="Collaborations whose mean is below 3.0")
    shown: int = Field(..., description="Collaborations whose mean is shown")


class MixOut(Schema):
    mix: str
    label: str
    collaborations: int
    responses: int
    suppressed: bool = Field(..., description="Fewer than k responses: no means")
    means: dict[str, float | None] = Field(..., description="Each group's mean, by title")


class OverviewOut(Schema):
    """Barrier prevalence and the three Cs by service mix across the collaborations you may
    see, from each one's latest round of the research framework (the assessments page)."""

    k: int
    collaborations: int
    assessed: int
    prevalence: list[PrevalenceOut]
    mixes: list[MixOut]
    grouping_note: str | None


@router.get("/overview", response=responses(OverviewOut, checked=False))
def overview(request: HttpRequest) -> Any:
    """The assessments page's overview of the register; signed-in callers only, as the page."""
    require_signed_in(request)
    found = results.register_overview(register.visible_collaborations(request.user).current())
    return {
        "k": found.k,
        "collaborations": found.collaborations,
        "assessed": found.assessed,
        "prevalence": [vars(p) for p in found.prevalence],
        "mixes": [
            {
                "mix": m.mix,
                "label": m.label,
                "collaborations": m.collaborations,
                "responses": m.responses,
                "suppressed": m.suppressed,
                "means": dict(m.means),
            }
            for m in found.mixes
        ],
        "grouping_note": found.grouping_note,
    }


# Frameworks ---------------------------------------------------------------------------------


class FrameworkVersionOut(Schema):
    key: str = Field(..., description="The framework's id")
    version: int
    title: str
    in_use: bool = Field(..., description="Used by a round (and so never changed)")
    shipped: bool = Field(..., description="Shipped with Accord, rather than uploaded")


@router.get("/frameworks", response=responses(list[FrameworkVersionOut], 400))
@paginate(BoundedPagination)
def list_frameworks(request: HttpRequest) -> Any:
    """Every version of every framework, as the frameworks page lists them (signed in)."""
    require_signed_in(request)
    return services.frameworks_with_use()


class ScaleOut(Schema):
    min: int
    max: int
    labels: list[str]


class ItemOut(Schema):
    id: str
    text: str
    reverse: bool = Field(False, description="Worded against its factor: scored reversed")


class FactorOut(Schema):
    id: str
    kind: str
    group: str | None = None
    title: str
    items: list[ItemOut]


class GroupOut(Schema):
    id: str
    title: str


class FrameworkOut(Schema):
    """A framework version's definition, in the YAML file's shape."""

    id: str
    version: int
    title: str
    grouping_note: str | None = None
    scale: ScaleOut
    groups: list[GroupOut]
    factors: list[FactorOut]
    in_use: bool


@router.get("/frameworks/{key}/{version}", response=responses(FrameworkOut, 404))
def get_framework(
    request: HttpRequest,
    key: str = Path(..., pattern=REFERENCE_PATTERN),
    version: int = Path(...),
) -> Any:
    """One version of a framework: its factors, groups, statements and scale (signed in)."""
    require_signed_in(request)
    found = services.get_framework_version(key, version)
    in_use = Round.objects.filter(framework=found).exists()
    return {**found.framework.to_dict(), "in_use": in_use}
