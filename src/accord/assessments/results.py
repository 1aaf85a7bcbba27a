"""Results of rounds: the database side of scoring.py.

Every figure comes from ``accord.assessments.scoring`` (the same functions the command line
uses), with ``settings.DISCLOSURE_THRESHOLD`` as k. A round's answers are loaded in one query
into a numpy matrix; nothing here queries per response.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from accord.core.charts import Chart, spec
from accord.orgs.models import Organisation

from .framework import Framework
from .models import Invitation, Level, Response, Round
from .scoring import (
    Change,
    Comparison,
    FactorDivergence,
    Responses,
    Result,
    SetResult,
    Summary,
    Suppressed,
    compare_rounds,
    divergence,
    score,
    score_by,
)

STRENGTH = 4.0
CONCERN = 3.0
BARRIER_FRAMEWORK = "collaboration-factors"


def k() -> int:
    """The disclosure threshold: read from the settings, which validate it at start-up."""
    return int(settings.DISCLOSURE_THRESHOLD)


def fewer_than() -> str:
    return f"fewer than {k()} responses"


def band(mean: float | None) -> str:
    """Strength (4.0 and above), borderline (3.0 to 3.9) or concern (below 3.0)."""
    if mean is None:
        return ""
    if mean >= STRENGTH:
        return "Strength"
    if mean >= CONCERN:
        return "Borderline"
    return "Concern"


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


# Display rows ------------------------------------------------------------------------------


@dataclass
class Figure:
    """One factor or group's figures, ready to show (or suppressed)."""

    id: str
    title: str
    kind: str  # enabler, barrier, principle, or "group"
    group: str = ""
    suppressed: bool = False
    n: int = 0
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def band(self) -> str:
        return "" if self.suppressed else band(self.mean)


def _figure(cell: Summary | Suppressed, id_: str, title: str, kind: str, group: str) -> Figure:
    if isinstance(cell, Suppressed):
        return Figure(id=id_, title=title, kind=kind, group=group, suppressed=True)
    return Figure(
        id=id_,
        title=title,
        kind=kind,
        group=group,
        n=cell.n,
        mean=cell.mean,
        sd=cell.sd,
        ci_low=cell.ci_low,
        ci_high=cell.ci_high,
    )


def figures(
    framework: Framework, result: SetResult | Suppressed
) -> tuple[list[Figure], list[Figure]]:
    """(factor figures, group figures) in framework order; all suppressed if the set is."""
    group_titles = {g.id: g.title for g in framework.groups}
    factors, groups = [], []
    for factor in framework.factors:
        cell = result if isinstance(result, Suppressed) else result.factors[factor.id]
        factors.append(
            _figure(
                cell, factor.id, factor.title, factor.kind, group_titles.get(factor.group or "", "")
            )
        )
    for group in framework.groups:
        cell = result if isinstance(result, Suppressed) else result.groups[group.id]
        groups.append(_figure(cell, group.id, group.title, "group", ""))
    return factors, groups


@dataclass
class BreakdownColumn:
    key: str
    label: str
    suppressed: bool
    n: int
    factors: list[Figure]
    groups: list[Figure]


@dataclass
class RateRow:
    label: str
    invited: int
    responded: int

    @property
    def rate(self) -> str:
        if not self.invited:
            return "–"
        return f"{100 * self.responded / self.invited:.0f}%"


@dataclass
class RoundResults:
    round: Round
    framework: Framework
    k: int
    n: int
    overall_suppressed: bool
    factors: list[Figure]
    groups: list[Figure]
    by_organisation: list[BreakdownColumn]
    by_level: list[BreakdownColumn]
    divergence: list[tuple[str, FactorDivergence]]
    rates_by_organisation: list[RateRow]
    rates_by_level: list[RateRow]
    comments: list[tuple[str, str]] | None  # None: withheld (fewer than k responses)
    charts: list[Chart] = field(default_factory=list)


def _breakdown(
    framework: Framework, breakdown: dict[str, SetResult | Suppressed], labels: dict[str, str]
) -> list[BreakdownColumn]:
    columns = []
    for key, value in breakdown.items():
        factors, groups = figures(framework, value)
        columns.append(
            BreakdownColumn(
                key=key,
                label=labels.get(key, key),
                suppressed=isinstance(value, Suppressed),
                n=0 if isinstance(value, Suppressed) else value.n,
                factors=factors,
                groups=groups,
            )
        )
    return columns


def round_results(found: Round) -> RoundResults:
    """Everything the round's results page and export show, after disclosure control."""
    threshold = k()
    framework = found.framework.framework
    responses = round_responses(found)
    result: Result = score(framework, responses, k=threshold, by="organisation")
    by_level = score_by(framework, responses, "level", k=threshold)
    codes = set(responses.organisations)
    invited = list(
        Invitation.objects.filter(round=found)
        .order_by()
        .values("organisation__code", "level")
        .annotate(count=Count("pk"))
    )
    codes |= {row["organisation__code"] for row in invited}
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    factors, groups = figures(framework, result.overall)
    divergences = divergence(framework, responses, k=threshold)
    # Response rates: invited (from invitations) against submitted responses (from any source).
    responded_org: dict[str, int] = defaultdict(int)
    responded_level: dict[str, int] = defaultdict(int)
    for code, level in zip(responses.organisations, responses.levels, strict=True):
        responded_org[code] += 1
        responded_level[level] += 1
    invited_org: dict[str, int] = defaultdict(int)
    invited_level: dict[str, int] = defaultdict(int)
    for row in invited:
        invited_org[row["organisation__code"]] += row["count"]
        invited_level[row["level"]] += row["count"]
    org_codes = sorted(set(invited_org) | set(responded_org), key=lambda c: names.get(c, c))
    rates_org = [RateRow(names.get(c, c), invited_org[c], responded_org[c]) for c in org_codes]
    rates_level = [
        RateRow(label, invited_level[value], responded_level[value])
        for value, label in Level.choices
        if invited_level[value] or responded_level[value]
    ]
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
        by_organisation=_breakdown(framework, result.breakdown or {}, names),
        by_level=_breakdown(framework, by_level, {k_: str(v) for k_, v in level_labels.items()}),
        divergence=[
            (framework.factor(fid).title, _named(found_div, names))
            for fid, found_div in divergences.items()
        ],
        rates_by_organisation=rates_org,
        rates_by_level=rates_level,
        comments=comments,
    )
    out.charts = [factor_chart(out)]
    if groups:
        out.charts.append(group_chart(out))
    return out


def _named(found: FactorDivergence, names: dict[str, str]) -> FactorDivergence:
    """The same divergence with organisation names in place of codes."""
    return FactorDivergence(
        factor=found.factor,
        compared=tuple(names.get(c, c) for c in found.compared),
        gap=found.gap,
        highest=names.get(found.highest, found.highest) if found.highest else None,
        lowest=names.get(found.lowest, found.lowest) if found.lowest else None,
        flagged=found.flagged,
    )


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _interval(figure: Figure) -> str:
    if figure.ci_low is None or figure.ci_high is None:
        return "–"
    return f"{figure.ci_low:.2f} to {figure.ci_high:.2f}"


def _band_layers(framework: Framework) -> list[dict[str, Any]]:
    low, high = framework.scale.min, framework.scale.max
    bands = [
        {"band": "Concern (below 3.0)", "from": low, "to": CONCERN},
        {"band": "Borderline (3.0 to 3.9)", "from": CONCERN, "to": STRENGTH},
        {"band": "Strength (4.0 and above)", "from": STRENGTH, "to": high},
    ]
    return [
        {
            "data": {"values": bands},
            "mark": {"type": "rect", "opacity": 0.12},
            "encoding": {
                "x": {
                    "field": "from",
                    "type": "quantitative",
                    "scale": {"domain": [low, high]},
                    "title": None,
                },
                "x2": {"field": "to"},
                "color": {
                    "field": "band",
                    "type": "nominal",
                    "title": "Band",
                    "scale": {
                        "domain": [b["band"] for b in bands],
                        "range": ["#d4351c", "#f47738", "#00703c"],
                    },
                },
            },
        }
    ]


def _score_chart(
    chart_id: str, title: str, description: str, rows: list[Figure], framework: Framework, k_: int
) -> Chart:
    shown = [f for f in rows if not f.suppressed and f.mean is not None]
    data = [
        {
            "name": f.title,
            "mean": round(f.mean, 2) if f.mean is not None else None,
            "low": round(f.ci_low, 2) if f.ci_low is not None else round(f.mean or 0, 2),
            "high": round(f.ci_high, 2) if f.ci_high is not None else round(f.mean or 0, 2),
            "n": f.n,
        }
        for f in shown
    ]
    low, high = framework.scale.min, framework.scale.max
    x = {
        "type": "quantitative",
        "scale": {"domain": [low, high], "clamp": True},
        "title": f"Mean score ({low} to {high}, higher is better) with 95% interval",
    }
    y = {
        "field": "name",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 320},
    }
    chart_spec = spec(
        data,
        title=title,
        height=max(120, 28 * len(shown)),
        layer=[
            *_band_layers(framework),
            {
                "mark": {"type": "rule", "strokeWidth": 2, "color": "#0b0c0c"},
                "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}, "y": y},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "color": "#1d70b8"},
                "encoding": {
                    "x": {**x, "field": "mean"},
                    "y": y,
                    "tooltip": [
                        {"field": "name", "title": "Factor"},
                        {"field": "mean", "title": "Mean"},
                        {"field": "low", "title": "95% from"},
                        {"field": "high", "title": "95% to"},
                        {"field": "n", "title": "n"},
                    ],
                },
            },
        ],
    )
    table_rows = [
        [
            f.title,
            f.kind.capitalize() if f.kind != "group" else "Group",
            "" if f.suppressed else str(f.n),
            f"fewer than {k_} responses" if f.suppressed else _num(f.mean),
            "" if f.suppressed else _interval(f),
            f.band,
        ]
        for f in rows
    ]
    return Chart(
        id=chart_id,
        title=title,
        spec=chart_spec,
        columns=[
            "Factor" if chart_id.endswith("factors") else "Group",
            "Kind",
            "n",
            "Mean",
            "95% interval",
            "Band",
        ],
        rows=table_rows,
        description=description,
    )


def factor_chart(results: RoundResults) -> Chart:
    return _score_chart(
        "round-factors",
        "Factor scores with 95% intervals",
        "Barrier statements are reversed, so a higher score is always better. Bands: 4.0 and "
        "above a strength, 3.0 to 3.9 borderline, below 3.0 a concern.",
        results.factors,
        results.framework,
        results.k,
    )


def group_chart(results: RoundResults) -> Chart:
    return _score_chart(
        "round-groups",
        "The three Cs" if len(results.groups) == 3 else "Groups",
        "Each respondent's group score is the mean of their factor scores in the group.",
        results.groups,
        results.framework,
        results.k,
    )


# Over time ---------------------------------------------------------------------------------


@dataclass
class TimelineCell:
    suppressed: bool
    mean: float | None
    n: int
    change: float | None = None
    p_value: float | None = None
    change_note: str = ""


@dataclass
class TimelineRow:
    id: str
    title: str
    kind: str
    cells: list[TimelineCell]


@dataclass
class Timeline:
    framework_key: str
    rounds: list[Round]
    rows: list[TimelineRow]
    chart: Chart | None


def collaboration_timelines(rounds: Sequence[Round]) -> list[Timeline]:
    """Each factor and group across a collaboration's rounds, one timeline per framework id,
    with the change from the round before and Welch's p-value (scoring.compare_rounds)."""
    threshold = k()
    today = timezone.localdate()
    opened = sorted((r for r in rounds if r.opens_on <= today), key=lambda r: (r.opens_on, r.pk))
    answers = responses_for_rounds(opened)
    by_key: dict[str, list[Round]] = defaultdict(list)
    for found in opened:
        by_key[found.framework.key].append(found)
    timelines = []
    for key, series in by_key.items():
        latest = series[-1].framework.framework
        scored = [score(r.framework.framework, answers[r.pk], k=threshold) for r in series]
        comparisons: list[Comparison | None] = [None]
        for earlier, later in pairwise(series):
            if earlier.framework_id == later.framework_id:
                comparisons.append(
                    compare_rounds(
                        later.framework.framework,
                        answers[earlier.pk],
                        answers[later.pk],
                        k=threshold,
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
                    cell = TimelineCell(suppressed=summary is not None, mean=None, n=0)
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
                            cell.change_note = f"fewer than {threshold} responses"
                cells.append(cell)
            rows.append(TimelineRow(id=id_, title=title, kind=kind, cells=cells))
        timelines.append(
            Timeline(
                framework_key=key,
                rounds=series,
                rows=rows,
                chart=_timeline_chart(key, series, rows, threshold),
            )
        )
    return timelines


def _timeline_chart(
    key: str, series: list[Round], rows: list[TimelineRow], threshold: int
) -> Chart | None:
    wanted = [r for r in rows if r.kind == "group"] or rows
    data = []
    for row in wanted:
        for found, cell in zip(series, row.cells, strict=True):
            if cell.mean is not None:
                data.append(
                    {
                        "round": found.title,
                        "opens": found.opens_on.isoformat(),
                        "name": row.title,
                        "mean": round(cell.mean, 2),
                    }
                )
    what = "The three Cs" if wanted and wanted[0].kind == "group" else "Factors"
    chart_spec = spec(
        data,
        title=f"{what} over time",
        mark={"type": "line", "point": True},
        encoding={
            "x": {
                "field": "round",
                "type": "ordinal",
                "sort": None,
                "title": "Round",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "mean",
                "type": "quantitative",
                "scale": {"domain": [1, 5]},
                "title": "Mean score",
            },
            "color": {"field": "name", "type": "nominal", "title": None},
        },
    )
    columns = ["Factor or group", *[r.title for r in series]]
    table_rows = []
    for row in wanted:
        cells = []
        for cell in row.cells:
            if cell.suppressed:
                cells.append(f"fewer than {threshold} responses")
            else:
                cells.append(_num(cell.mean))
        table_rows.append([row.title, *cells])
    return Chart(
        id=f"timeline-{key}",
        title=f"{what} over time ({key})",
        spec=chart_spec,
        columns=columns,
        rows=table_rows,
    )


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


@dataclass
class Prevalence:
    factor: str
    title: str
    concern: int
    shown: int

    @property
    def share(self) -> str:
        return f"{100 * self.concern / self.shown:.0f}%" if self.shown else "–"


@dataclass
class MixRow:
    mix: str
    label: str
    collaborations: int
    responses: int
    suppressed: bool
    means: list[tuple[str, float | None]]


@dataclass
class Overview:
    k: int
    collaborations: int
    assessed: int
    prevalence: list[Prevalence]
    mixes: list[MixRow]
    group_titles: list[str]
    charts: list[Chart]


def register_overview(collaborations: Any) -> Overview:
    """Barrier prevalence and the three Cs by service mix across the given collaborations
    (those the person may see), from each one's latest round of the research framework."""
    threshold = k()
    rounds = [r for r in latest_rounds(collaborations) if r.framework.key == BARRIER_FRAMEWORK]
    answers = responses_for_rounds(rounds)
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
        result = score(found.framework.framework, answers[found.pk], k=threshold)
        mix = found.collaboration.service_mix
        mix_count[mix] += 1
        mix_responses[mix] += len(answers[found.pk])
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
    if prevalence:
        charts.append(_prevalence_chart(prevalence))
    return Overview(
        k=threshold,
        collaborations=collaborations.count(),
        assessed=len(rounds),
        prevalence=prevalence,
        mixes=mixes,
        group_titles=[title for _, title in group_ids],
        charts=charts,
    )


def _prevalence_chart(rows: list[Prevalence]) -> Chart:
    data = [
        {"name": r.title, "share": round(100 * r.concern / r.shown, 1) if r.shown else 0}
        for r in rows
    ]
    chart_spec = spec(
        data,
        title="Barriers of concern",
        height=max(120, 30 * len(rows)),
        mark={"type": "bar", "color": "#d4351c"},
        encoding={
            "y": {
                "field": "name",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 320},
            },
            "x": {
                "field": "share",
                "type": "quantitative",
                "scale": {"domain": [0, 100]},
                "title": "% of assessed collaborations where the barrier is a concern",
            },
        },
    )
    return Chart(
        id="barrier-prevalence",
        title="How often each barrier is a concern",
        spec=chart_spec,
        columns=[
            "Barrier",
            "Collaborations where it is a concern",
            "Collaborations with a figure",
            "Share",
        ],
        rows=[[r.title, r.concern, r.shown, r.share] for r in rows],
        description="A concern: the barrier's mean below 3.0 in the collaboration's latest round "
        "(reversed, so higher is better). Only figures shown under disclosure control count.",
    )


# The collaboration's panel -----------------------------------------------------------------


@dataclass
class Panel:
    round: Round | None
    suppressed: bool
    groups: list[Figure]
    k: int


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
    result = score(framework, round_responses(latest), k=threshold)
    factors, groups = figures(framework, result.overall)
    return Panel(
        round=latest,
        suppressed=isinstance(result.overall, Suppressed),
        groups=groups or factors,
        k=threshold,
    )


# Export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "round",
    "framework",
    "version",
    "breakdown",
    "group",
    "measure",
    "id",
    "title",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "band",
    "note",
)


def _export_rows(
    found: Round, breakdown: str, key: str, items: Iterable[Figure], threshold: int
) -> list[list[Any]]:
    rows = []
    for f in items:
        measure = "group" if f.kind == "group" else "factor"
        if f.suppressed or f.mean is None:
            figures_: list[Any] = ["", "", "", "", "", ""]
            note = f"fewer than {threshold} responses" if f.suppressed else "no answers"
        else:
            figures_ = [
                f.n,
                _r(f.mean),
                _r(f.sd),
                _r(f.ci_low),
                _r(f.ci_high),
                f.band,
            ]
            note = ""
        rows.append(
            [
                found.title,
                found.framework.key,
                found.framework.version,
                breakdown,
                key,
                measure,
                f.id,
                f.title,
                *figures_,
                note,
            ]
        )
    return rows


def _r(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)


def export_rows(results: RoundResults) -> list[list[Any]]:
    """Scores of a round for CSV or XLSX: overall, by organisation and by level."""
    found, threshold = results.round, results.k
    rows = _export_rows(found, "overall", "all", [*results.factors, *results.groups], threshold)
    for label, columns in (("organisation", results.by_organisation), ("level", results.by_level)):
        for column in columns:
            rows += _export_rows(
                found, label, column.key, [*column.factors, *column.groups], threshold
            )
    return rows
