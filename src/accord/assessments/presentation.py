"""What the assessment pages show: view models (figures, breakdowns, timelines, the overview,
the panel) and their charts, each chart with its numbers as a table.

Pure module: imports no Django and reads no database; `results.py` loads the rounds and fills
these in. Figures are kept at full precision here; the pages and charts round them for reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accord.core.charts import Chart, spec

from .framework import Framework
from .scoring import FactorDivergence, SetResult, Summary, Suppressed

if TYPE_CHECKING:
    from .models import Round

STRENGTH = 4.0
CONCERN = 3.0

# A long factor's name takes at most 320 px beside a chart, and on a phone (a container under
# 600 px) 110 px, leaving the plot room; the tooltip and the table give names in full.
LABEL_LIMIT = {"expr": "containerSize()[0] < 600 ? 110 : 320"}


def band(mean: float | None) -> str:
    """Strength (4.0 and above), borderline (3.0 to 3.9) or concern (below 3.0)."""
    if mean is None:
        return ""
    if mean >= STRENGTH:
        return "Strength"
    if mean >= CONCERN:
        return "Borderline"
    return "Concern"


# Display rows ------------------------------------------------------------------------------


@dataclass
class Figure:
    """One factor or group's figures, ready to show (or suppressed)."""

    id: str
    title: str
    kind: str  # enabler, barrier, principle, or "group"
    group: str = ""
    suppressed: bool = False
    protecting: bool = False  # enough responses, withheld so another group's can't be worked out
    n: int = 0
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def band(self) -> str:
        return "" if self.suppressed else band(self.mean)

    def withheld(self, k: int) -> str:
        """Why the figure is not shown, in the words pages and downloads use."""
        return PROTECTING_NOTE if self.protecting else f"fewer than {k} responses"


PROTECTING_NOTE = "suppressed to protect another group"
"""Said where a figure with enough responses is withheld so that a smaller group's figures
cannot be worked out from the total and the groups shown."""


def _figure(cell: Summary | Suppressed, id_: str, title: str, kind: str, group: str) -> Figure:
    if isinstance(cell, Suppressed):
        return Figure(
            id=id_,
            title=title,
            kind=kind,
            group=group,
            suppressed=True,
            protecting=cell.protects_another,
        )
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
    protecting: bool = False  # enough responses, withheld whole so another's can't be worked out

    def withheld(self, k: int) -> str:
        return PROTECTING_NOTE if self.protecting else f"fewer than {k} responses"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


@dataclass
class RateRow:
    """One organisation's or level's response rate, after disclosure control.

    ``invited`` (personal links made there) is always shown: the people who may see it made the
    list. ``responded`` (submitted responses there, from any source) is None where withheld:
    ``withheld`` says why ("fewer" than k, or "protecting" another group's count).
    """

    key: str
    label: str
    invited: int
    responded: int | None
    withheld: str = ""
    # False in a round with imported responses: there a rate would count them against
    # invitations they never had (and tell the two apart in small groups).
    rated: bool = True

    @property
    def rate(self) -> str:
        if self.responded is None or not self.rated:
            return "–"
        return percent(self.responded, self.invited)

    def note(self, k: int) -> str:
        if self.withheld == "protecting":
            return PROTECTING_NOTE
        return f"fewer than {k}" if self.withheld else ""

    def to_dict(self) -> dict[str, Any]:
        """The API's shape: a withheld count is ``{"suppressed": true}``, as a figure is."""
        return {
            "label": self.label,
            "invited": self.invited,
            "responded": {"suppressed": True} if self.responded is None else self.responded,
        }


@dataclass
class ResponseCount:
    """How many answered a round, counted one way for every page, export and the API.

    - ``invited``: personal links made;
    - ``answered``: responses submitted through those links (the demo's synthetic answers
      stand for these);
    - ``imported``: responses imported from another survey tool's export;
    - ``responses``: answered plus imported, the n that results are computed from.

    The rate is answered over invited: imported responses had no invitation here. The total
    is always shown; each organisation's and level's count goes through disclosure control.
    """

    k: int
    invited: int
    answered: int
    imported: int
    by_organisation: list[RateRow] = field(default_factory=list)
    by_level: list[RateRow] = field(default_factory=list)

    @property
    def responses(self) -> int:
        return self.answered + self.imported

    @property
    def rate(self) -> str:
        return percent(self.answered, self.invited)

    @property
    def below_threshold(self) -> bool:
        return self.responses < self.k

    @property
    def so_far(self) -> str:
        """The under-the-threshold panel's words: why nothing is shown and how far to go."""
        invited = f" ({self.invited} invited)" if self.invited else ""
        return (
            f"Results appear when at least {self.k} people have answered, so that nobody can "
            f"be identified: {self.responses} of {self.k} so far{invited}."
        )

    @property
    def detail(self) -> str:
        """Where the responses came from: '9 of 15 invited answered (60%), 3 imported'."""
        parts = []
        if self.invited:
            parts.append(f"{self.answered} of {self.invited} invited answered ({self.rate})")
        if self.imported:
            parts.append(f"{self.imported} imported")
        return ", ".join(parts)

    @property
    def summary(self) -> str:
        """'12 responses: 9 of 15 invited answered (60%), 3 imported'."""
        plural = "" if self.responses == 1 else "s"
        head = f"{self.responses} response{plural}"
        return f"{head}: {self.detail}" if self.detail else head


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
    counts: ResponseCount | None = None

    @property
    def below_threshold(self) -> bool:
        return self.n < self.k

    @property
    def any_figure(self) -> bool:
        return any(not f.suppressed and f.mean is not None for f in [*self.factors, *self.groups])

    @property
    def any_divergence(self) -> bool:
        return any(d.gap is not None for _, d in self.divergence)

    @property
    def fewer_answered(self) -> list[Figure]:
        """Shown factors answered by fewer people than the round has responses."""
        return [f for f in self.factors if not f.suppressed and f.n < self.n]


def breakdown_columns(
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
                protecting=isinstance(value, Suppressed) and value.protects_another,
            )
        )
    return columns


def any_shown(columns: list[BreakdownColumn]) -> bool:
    """Whether a breakdown has a column worth a table (else the page says why there is none)."""
    return any(not c.suppressed for c in columns)


def named_divergence(found: FactorDivergence, names: dict[str, str]) -> FactorDivergence:
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
                    "axis": {"values": list(range(low, high + 1))},
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
                    # Below the plot, so that on a phone the plot keeps the width.
                    "legend": {"orient": "bottom", "columns": 1},
                },
            },
        }
    ]


def _n_of(figure: Figure, total: int | None) -> str:
    """A figure's n, with the round's where fewer answered it ("9 of 12")."""
    if total is not None and figure.n < total:
        return f"{figure.n} of {total}"
    return str(figure.n)


def _score_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: list[Figure],
    framework: Framework,
    k_: int,
    total: int | None = None,
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
        # The scale's own points: no crowded decimals on a phone.
        "axis": {"values": list(range(low, high + 1))},
    }
    y = {
        "field": "name",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": LABEL_LIMIT},
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
    # The kind goes with the name, so that the table fits a phone's width without scrolling.
    table_rows = [
        [
            f.title if f.kind == "group" else f"{f.title} ({f.kind})",
            "" if f.suppressed else _n_of(f, total),
            f.withheld(k_) if f.suppressed else _num(f.mean),
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
            "Factor (kind)" if chart_id.endswith("factors") else "Group",
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
        results.n,
    )


def group_chart(results: RoundResults) -> Chart:
    return _score_chart(
        "round-groups",
        "The three Cs" if len(results.groups) == 3 else "Groups",
        # Whose grouping it is comes first: the briefing names the three Cs, Accord assigns
        # the factors to them.
        " ".join(
            part
            for part in (
                results.framework.grouping_note,
                "Each respondent's group score is the mean of their factor scores in the group.",
            )
            if part
        ),
        results.groups,
        results.framework,
        results.k,
        results.n,
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
    protecting: bool = False


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
    grouping_note: str | None = None

    @property
    def any_shown(self) -> bool:
        return any(cell.mean is not None for row in self.rows for cell in row.cells)


def timeline_chart(
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
                cells.append(
                    PROTECTING_NOTE if cell.protecting else f"fewer than {threshold} responses"
                )
            else:
                cells.append(_num(cell.mean))
        table_rows.append([row.title, *cells])
    return Chart(
        id=f"timeline-{key}",
        title=f"{what} over time",
        spec=chart_spec,
        columns=columns,
        rows=table_rows,
    )


@dataclass
class Prevalence:
    factor: str
    title: str
    concern: int
    shown: int

    @property
    def share(self) -> str:
        """The share with its n: "40% (2 of 5)"."""
        if not self.shown:
            return "–"
        return f"{100 * self.concern / self.shown:.0f}% ({self.concern} of {self.shown})"


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
    grouping_note: str | None = None

    @property
    def any_prevalence(self) -> bool:
        """Whether any collaboration's barriers are shown (else a chart would be an empty
        frame)."""
        return any(p.shown for p in self.prevalence)


def prevalence_chart(rows: list[Prevalence]) -> Chart:
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
                "axis": {"labelLimit": LABEL_LIMIT},
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
        # The share with its n ("40% (2 of 5)"): two columns, which a phone shows whole.
        columns=["Barrier", "A concern in (share of the collaborations with a figure)"],
        rows=[[r.title, r.share] for r in rows],
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
    grouping_note: str | None = None
    counts: ResponseCount | None = None


# Lists of rounds ---------------------------------------------------------------------------


@dataclass
class RoundRow:
    """A round in a list: its state ("open", "closed", "not yet open") and its one count."""

    round: Round
    state: str
    counts: ResponseCount
