"""Loading the results of rounds: the database side of scoring.py.

Reads rounds, invitations and responses from the database and fills in the view models of
`presentation.py`. Every figure comes from ``accord.assessments.scoring`` (the same functions
the command line uses), with ``settings.DISCLOSURE_THRESHOLD`` as k. A round's answers are
loaded in one query into a numpy matrix; nothing here queries per response.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from accord.orgs.models import Organisation

from .exports import EXPORT_COLUMNS, export_rows
from .framework import Framework
from .models import Invitation, Level, Response, ResponseSource, Round
from .presentation import (
    CONCERN,
    PROTECTING_NOTE,
    STRENGTH,
    BreakdownColumn,
    Figure,
    MixRow,
    Overview,
    Panel,
    Prevalence,
    RateRow,
    ResponseCount,
    RoundResults,
    RoundRow,
    Timeline,
    TimelineCell,
    TimelineRow,
    band,
    breakdown_columns,
    factor_chart,
    figures,
    group_chart,
    named_divergence,
    prevalence_chart,
    timeline_chart,
)
from .responses import Responses
from .scoring import (
    Cell,
    Change,
    Comparison,
    CountDisclosure,
    Result,
    Summary,
    Suppressed,
    compare_rounds,
    count_disclosure,
    divergence,
    score,
    score_by,
    to_json_dict,
)

# What the pages and exports used to find here, before presentation and exports had modules of
# their own.
__all__ = [
    "BARRIER_FRAMEWORK",
    "CONCERN",
    "EXPORT_COLUMNS",
    "STRENGTH",
    "BreakdownColumn",
    "Figure",
    "MixRow",
    "Overview",
    "Panel",
    "Prevalence",
    "RateRow",
    "ResponseCount",
    "RoundResults",
    "RoundRow",
    "Timeline",
    "TimelineCell",
    "TimelineRow",
    "band",
    "collaboration_timelines",
    "export_rows",
    "factor_chart",
    "fewer_than",
    "figures",
    "group_chart",
    "k",
    "latest_rounds",
    "panel",
    "register_overview",
    "response_counts",
    "responses_for_rounds",
    "round_responses",
    "round_results",
    "round_rows",
    "round_scores",
]

BARRIER_FRAMEWORK = "collaboration-factors"


def k() -> int:
    """The disclosure threshold: read from the settings, which validate it at start-up."""
    return int(settings.DISCLOSURE_THRESHOLD)


def fewer_than() -> str:
    return f"fewer than {k()} responses"


# Loading -----------------------------------------------------------------------------------


def responses_for_rounds(rounds: Sequence[Round]) -> dict[int, Responses]:
    """The submitted answers of each round as scoring.Responses: one query for all the rounds.

    Respondent ids are positions (r1, r2, ...), never database keys.
    """
    if not rounds:
        return {}
    by_round: dict[int, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    rows = (
        Response.objects.filter(round__in=[r.pk for r in rounds], submitted=True)
        .order_by()
        .values_list("round_id", "organisation__code", "level", "answers")
    )
    for round_id, code, level, answers in rows:
        by_round[round_id].append((code, level, answers or {}))
    result: dict[int, Responses] = {}
    for found in rounds:
        result[found.pk] = _to_responses(found.framework.framework, by_round.get(found.pk, []))
    return result


def _to_responses(framework: Framework, rows: list[tuple[str, str, dict[str, Any]]]) -> Responses:
    items = framework.item_ids
    position = {item: index for index, item in enumerate(items)}
    matrix = np.full((len(rows), len(items)), np.nan)
    for row, (_, _, answers) in enumerate(rows):
        for item, value in answers.items():
            column = position.get(item)
            if column is not None and value is not None:
                matrix[row, column] = float(value)
    return Responses(
        respondents=tuple(f"r{i + 1}" for i in range(len(rows))),
        organisations=tuple(code for code, _, _ in rows),
        levels=tuple(level for _, level, _ in rows),
        answers=matrix,
        item_ids=items,
    )


def round_responses(found: Round) -> Responses:
    return responses_for_rounds([found])[found.pk]


# Counting ----------------------------------------------------------------------------------

# The demo's synthetic answers stand for answers through personal links (its rounds have the
# invitations they answer); only a file's import has no invitation behind it.
ANSWERED_SOURCES = (ResponseSource.LINK, ResponseSource.DEMO)


@dataclass
class _Tally:
    invited: dict[Cell, int]
    answered: dict[Cell, int]
    imported: dict[Cell, int]

    def cells(self) -> dict[Cell, int]:
        """Submitted responses per (organisation, level), with invited cells as 0 if none."""
        found = dict.fromkeys(self.invited, 0)
        for table in (self.answered, self.imported):
            for cell, count in table.items():
                found[cell] = found.get(cell, 0) + count
        return found


def _tallies(rounds: Sequence[Round]) -> dict[int, _Tally]:
    """Invitations and submitted responses per round, organisation and level: two queries."""
    tallies = {r.pk: _Tally({}, {}, {}) for r in rounds}
    if not rounds:
        return tallies
    ids = [r.pk for r in rounds]
    invited = (
        Invitation.objects.filter(round__in=ids)
        .order_by()
        .values_list("round_id", "organisation__code", "level")
        .annotate(count=Count("pk"))
    )
    for round_id, code, level, count in invited:
        tallies[round_id].invited[(code, level)] = count
    answered = (
        Response.objects.filter(round__in=ids, submitted=True)
        .order_by()
        .values_list("round_id", "organisation__code", "level", "source")
        .annotate(count=Count("pk"))
    )
    for round_id, code, level, source, count in answered:
        tally = tallies[round_id]
        table = tally.answered if source in ANSWERED_SOURCES else tally.imported
        table[(code, level)] = table.get((code, level), 0) + count
    return tallies


def _rate_rows(
    by: str,
    tally: _Tally,
    control: CountDisclosure,
    labels: dict[str, str],
    order: Sequence[str],
) -> list[RateRow]:
    part = 0 if by == "organisation" else 1
    invited: dict[str, int] = defaultdict(int)
    for cell, count in tally.invited.items():
        invited[cell[part]] += count
    keys = control.organisations if by == "organisation" else control.levels
    rated = not tally.imported
    rows = []
    for key in sorted(keys, key=lambda k_: (order.index(k_) if k_ in order else len(order), k_)):
        shown = keys[key]
        withheld = ""
        if isinstance(shown, Suppressed):
            withheld = "protecting" if shown.protects_another else "fewer"
        rows.append(
            RateRow(
                key=key,
                label=labels.get(key, key),
                invited=invited[key],
                responded=None if isinstance(shown, Suppressed) else shown,
                withheld=withheld,
                rated=rated,
            )
        )
    return rows


def response_counts(rounds: Sequence[Round]) -> dict[int, ResponseCount]:
    """The one count of invitations, answers and imported responses, for every page, export
    and the API: three queries for any number of rounds. Each organisation's and level's count
    has been through disclosure control (``scoring.count_disclosure``), as the figures have."""
    threshold = k()
    tallies = _tallies(rounds)
    codes = {code for t in tallies.values() for code, _ in t.cells()}
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    level_labels = {value: str(label) for value, label in Level.choices}
    org_order = sorted(codes, key=lambda c: (names.get(c, c), c))
    found: dict[int, ResponseCount] = {}
    for pk, tally in tallies.items():
        control = count_disclosure(tally.cells(), threshold)
        found[pk] = ResponseCount(
            k=threshold,
            invited=sum(tally.invited.values()),
            answered=sum(tally.answered.values()),
            imported=sum(tally.imported.values()),
            by_organisation=_rate_rows("organisation", tally, control, names, org_order),
            by_level=_rate_rows("level", tally, control, level_labels, list(Level.values)),
        )
    return found


def invited_cells_of(rounds: Sequence[Round]) -> dict[int, list[Cell]]:
    """Each round's (organisation, level) cells where people were invited: one query. Disclosure
    control counts them, answered or not ("nobody there answered" is a small group's secret)."""
    found: dict[int, list[Cell]] = {r.pk: [] for r in rounds}
    if rounds:
        rows = (
            Invitation.objects.filter(round__in=[r.pk for r in rounds])
            .order_by()
            .values_list("round_id", "organisation__code", "level")
            .distinct()
        )
        for round_id, code, level in rows:
            found[round_id].append((code, level))
    return found


def invited_cells(found: Round) -> list[Cell]:
    return invited_cells_of([found])[found.pk]


def round_results(found: Round) -> RoundResults:
    """Everything the round's results page and export show, after disclosure control."""
    threshold = k()
    framework = found.framework.framework
    responses = round_responses(found)
    counts = response_counts([found])[found.pk]
    known = invited_cells(found)
    result: Result = score(framework, responses, k=threshold, by="organisation", known=known)
    by_level = score_by(framework, responses, "level", k=threshold, known=known)
    codes = set(responses.organisations)
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    factors, groups = figures(framework, result.overall)
    divergences = divergence(framework, responses, k=threshold, known=known)
    comments: list[tuple[str, str]] | None = None
    if len(responses) >= threshold:
        rows = (
            Response.objects.filter(round=found, submitted=True)
            .exclude(comment="")
            .order_by("comment")
        )
        if found.anonymous:
            comments = [("", text) for text in rows.values_list("comment", flat=True)]
        else:
            comments = [
                (email or "", text)
                for text, email in rows.values_list("comment", "invitation__email")
            ]
    level_labels = dict(Level.choices)
    out = RoundResults(
        round=found,
        framework=framework,
        k=threshold,
        n=len(responses),
        overall_suppressed=isinstance(result.overall, Suppressed),
        factors=factors,
        groups=groups,
        by_organisation=breakdown_columns(framework, result.breakdown or {}, names),
        by_level=breakdown_columns(
            framework, by_level, {k_: str(v) for k_, v in level_labels.items()}
        ),
        divergence=[
            (framework.factor(fid).title, named_divergence(found_div, names))
            for fid, found_div in divergences.items()
        ],
        rates_by_organisation=counts.by_organisation,
        rates_by_level=counts.by_level,
        comments=comments,
        counts=counts,
    )
    # A chart with nothing to draw is an empty frame: its table (with why) is enough then.
    if any(not f.suppressed and f.mean is not None for f in factors):
        out.charts.append(factor_chart(out))
    if any(not f.suppressed and f.mean is not None for f in groups):
        out.charts.append(group_chart(out))
    return out


def round_scores(found: Round, by: str | None = None) -> dict[str, Any]:
    """A round's scores in the command's JSON shape, under the same disclosure control as its
    page (the invited cells count): what the API gives."""
    scored = score(
        found.framework.framework,
        round_responses(found),
        k=k(),
        by=by,
        known=invited_cells(found),
    )
    return to_json_dict(scored)


def round_rows(rounds: Sequence[Round]) -> list[RoundRow]:
    """Rounds with their state and response count, for the lists of rounds."""
    today = timezone.localdate()
    counts = response_counts(rounds)
    return [RoundRow(round=r, state=r.state(today), counts=counts[r.pk]) for r in rounds]


def collaboration_timelines(rounds: Sequence[Round]) -> list[Timeline]:
    """Each factor and group across a collaboration's rounds, one timeline per framework id,
    with the change from the round before and Welch's p-value (scoring.compare_rounds)."""
    threshold = k()
    today = timezone.localdate()
    opened = sorted((r for r in rounds if r.opens_on <= today), key=lambda r: (r.opens_on, r.pk))
    answers = responses_for_rounds(opened)
    known = invited_cells_of(opened)
    by_key: dict[str, list[Round]] = defaultdict(list)
    for found in opened:
        by_key[found.framework.key].append(found)
    timelines = []
    for key, series in by_key.items():
        latest = series[-1].framework.framework
        scored = [
            score(r.framework.framework, answers[r.pk], k=threshold, known=known[r.pk])
            for r in series
        ]
        comparisons: list[Comparison | None] = [None]
        for earlier, later in pairwise(series):
            if earlier.framework_id == later.framework_id:
                comparisons.append(
                    compare_rounds(
                        later.framework.framework,
                        answers[earlier.pk],
                        answers[later.pk],
                        k=threshold,
                        known=(known[earlier.pk], known[later.pk]),
                    )
                )
            else:
                comparisons.append(None)
        rows: list[TimelineRow] = []
        entries = [(f.id, f.title, f.kind, "factors") for f in latest.factors] + [
            (g.id, g.title, "group", "groups") for g in latest.groups
        ]
        for id_, title, kind, part in entries:
            cells = []
            for index, result in enumerate(scored):
                overall = result.overall
                summary: Summary | Suppressed | None
                if isinstance(overall, Suppressed):
                    summary = overall
                else:
                    summary = getattr(overall, part).get(id_)
                if summary is None or isinstance(summary, Suppressed):
                    cell = TimelineCell(
                        suppressed=summary is not None,
                        mean=None,
                        n=0,
                        protecting=summary is not None and summary.protects_another,
                    )
                else:
                    cell = TimelineCell(suppressed=False, mean=summary.mean, n=summary.n)
                comparison = comparisons[index]
                if index > 0:
                    if comparison is None:
                        cell.change_note = "framework version changed: not compared"
                    else:
                        change = getattr(comparison, part).get(id_)
                        if isinstance(change, Change):
                            cell.change = change.difference
                            cell.p_value = change.p_value
                        elif isinstance(change, Suppressed):
                            cell.change_note = (
                                PROTECTING_NOTE
                                if change.protects_another
                                else f"fewer than {threshold} responses"
                            )
                cells.append(cell)
            rows.append(TimelineRow(id=id_, title=title, kind=kind, cells=cells))
        timelines.append(
            Timeline(
                framework_key=key,
                rounds=series,
                rows=rows,
                chart=timeline_chart(key, series, rows, threshold),
                grouping_note=latest.grouping_note if latest.groups else None,
            )
        )
    return timelines


# Across the register -----------------------------------------------------------------------


def latest_rounds(collaborations: Any) -> list[Round]:
    """The latest round that has opened of each collaboration in the queryset: one query."""
    today = timezone.localdate()
    latest = (
        Round.objects.filter(collaboration=OuterRef("pk"), opens_on__lte=today)
        .order_by("-opens_on", "-pk")
        .values("pk")[:1]
    )
    ids = [
        pk
        for pk in collaborations.annotate(latest_round=Subquery(latest)).values_list(
            "latest_round", flat=True
        )
        if pk is not None
    ]
    return list(Round.objects.filter(pk__in=ids).select_related("collaboration", "framework"))


def register_overview(collaborations: Any) -> Overview:
    """Barrier prevalence and the three Cs by service mix across the given collaborations
    (those the person may see), from each one's latest round of the research framework."""
    threshold = k()
    rounds = [r for r in latest_rounds(collaborations) if r.framework.key == BARRIER_FRAMEWORK]
    answers = responses_for_rounds(rounds)
    counts = response_counts(rounds)
    known = invited_cells_of(rounds)
    framework = rounds[-1].framework.framework if rounds else None
    barrier_ids: list[tuple[str, str]] = []
    group_ids: list[tuple[str, str]] = []
    if framework is not None:
        barrier_ids = [(f.id, f.title) for f in framework.factors if f.kind == "barrier"]
        group_ids = [(g.id, g.title) for g in framework.groups]
    concern: dict[str, int] = defaultdict(int)
    shown: dict[str, int] = defaultdict(int)
    mix_means: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    mix_count: dict[str, int] = defaultdict(int)
    mix_responses: dict[str, int] = defaultdict(int)
    for found in rounds:
        result = score(
            found.framework.framework, answers[found.pk], k=threshold, known=known[found.pk]
        )
        mix = found.collaboration.service_mix
        mix_count[mix] += 1
        mix_responses[mix] += counts[found.pk].responses
        if isinstance(result.overall, Suppressed):
            continue
        for factor_id, _ in barrier_ids:
            cell = result.overall.factors.get(factor_id)
            if isinstance(cell, Summary) and cell.mean is not None:
                shown[factor_id] += 1
                if cell.mean < CONCERN:
                    concern[factor_id] += 1
        for group_id, _ in group_ids:
            cell = result.overall.groups.get(group_id)
            if isinstance(cell, Summary) and cell.mean is not None:
                mix_means[mix][group_id].append(cell.mean)
    prevalence = [Prevalence(fid, title, concern[fid], shown[fid]) for fid, title in barrier_ids]
    # The register's own labels, read from its records (other apps reach the register only
    # through its services, and its records say their own service mix).
    labels = {
        r.collaboration.service_mix: r.collaboration.get_service_mix_display() for r in rounds
    }
    mixes = []
    for mix in sorted(mix_count, key=lambda m: str(labels.get(m, m))):
        suppressed = mix_responses[mix] < threshold
        means: list[tuple[str, float | None]] = []
        for group_id, title in group_ids:
            values = mix_means[mix][group_id]
            means.append((title, None if suppressed or not values else float(np.mean(values))))
        mixes.append(
            MixRow(
                mix=mix,
                label=str(labels.get(mix, mix)),
                collaborations=mix_count[mix],
                responses=mix_responses[mix],
                suppressed=suppressed,
                means=means,
            )
        )
    charts = []
    if any(p.shown for p in prevalence):
        charts.append(prevalence_chart(prevalence))
    return Overview(
        k=threshold,
        collaborations=collaborations.count(),
        assessed=len(rounds),
        prevalence=prevalence,
        mixes=mixes,
        group_titles=[title for _, title in group_ids],
        charts=charts,
        grouping_note=framework.grouping_note if framework is not None else None,
    )


def panel(collaboration: Any) -> Panel:
    """The latest round's group (three Cs) figures for a collaboration's page."""
    threshold = k()
    today = timezone.localdate()
    latest = (
        Round.objects.filter(collaboration=collaboration, opens_on__lte=today)
        .select_related("framework")
        .order_by("-opens_on", "-pk")
        .first()
    )
    if latest is None:
        return Panel(round=None, suppressed=False, groups=[], k=threshold)
    framework = latest.framework.framework
    result = score(framework, round_responses(latest), k=threshold, known=invited_cells(latest))
    factors, groups = figures(framework, result.overall)
    return Panel(
        round=latest,
        suppressed=isinstance(result.overall, Suppressed),
        groups=groups or factors,
        k=threshold,
        grouping_note=framework.grouping_note if groups else None,
        counts=response_counts([latest])[latest.pk],
    )
