"""What the KPI pages show: figures in their unit, the icons and status in words, each control
chart as one Vega-Lite spec with its numbers as a table, and before and after a go-live.

The icons are those of NHS England's "Making Data Count" boards, drawn as small SVG badges
beside their words (the words carry the meaning; the badge is hidden from screen readers):

- variation, from the latest point: common cause (grey), special cause improvement (blue) or
  concern (orange), with H or L for whether the point is high or low, and purple for an
  indicator whose direction is neutral;
- assurance, from the target and the process limits: consistently passing (P, blue),
  consistently failing (F, orange), or hit and miss (grey).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accord.core.charts import Chart, spec

from . import status as simple_status
from .choices import Direction, Frequency, MilestoneKind, Unit
from .models import Adoption, Indicator
from .queries import Analysis, BeforeAfter, SeriesPoint, Summary, target_of

UNIT_LABELS = dict(Unit.choices)
DIRECTION_LABELS = dict(Direction.choices)
FREQUENCY_LABELS = dict(Frequency.choices)
MILESTONE_LABELS = dict(MilestoneKind.choices)

# GOV.UK Frontend's colours, as core.charts' palette uses them.
BLUE, ORANGE, GREY, PURPLE, RED, GREEN, LIGHT_GREY = (
    "#1d70b8",
    "#f47738",
    "#505a5f",
    "#4c2c92",
    "#d4351c",
    "#00703c",
    "#b1b4b6",
)

POINT_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause, high",
    "special_cause_neutral_low": "Special cause, low",
}
POINT_COLOURS = {
    "common_cause": GREY,
    "special_cause_improvement": BLUE,
    "special_cause_concern": ORANGE,
    "special_cause_neutral_high": PURPLE,
    "special_cause_neutral_low": PURPLE,
}
POINT_SHAPES = {
    "common_cause": "circle",
    "special_cause_improvement": "diamond",
    "special_cause_concern": "triangle-up",
    "special_cause_neutral_high": "square",
    "special_cause_neutral_low": "square",
}
RULE_WORDS = {
    "outside": "outside the process limits",
    "shift": "a run of 7 or more on one side of the mean",
    "trend": "7 or more rising or falling in a row",
    "two_of_three": "2 of 3 close to a process limit",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passing",
    "consistent_fail": "Consistently failing",
    "inconsistent": "Hit and miss",
}
ASSURANCE_HINTS = {
    "consistent_pass": "the target lies beyond the process limits on the good side: the "
    "process will meet it, month after month, unless something changes",
    "consistent_fail": "the target lies beyond the process limits on the bad side: the "
    "process will not meet it unless something changes",
    "inconsistent": "the target lies within the process limits: it will be met some months "
    "and missed in others",
}
STATUS_TAGS = {
    "met": "govuk-tag--green",
    "within_tolerance": "govuk-tag--yellow",
    "missed": "govuk-tag--red",
    "stale": "govuk-tag--grey",
    "no_data": "govuk-tag--grey",
    None: "govuk-tag--grey",
}


# Figures --------------------------------------------------------------------------------------


def number(value: float | None, places: int = 2) -> str:
    """``1234.5`` -> ``1,234.5``; at most `places` decimals, none that are trailing zeros."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "−0") else text.replace("-", "−")


#: Between a figure and its unit: a no-break space, so that a phone never puts "5,239" at the
#: end of one line and "s" at the start of the next.
NO_BREAK_SPACE = "\u00a0"


def figure(value: float | None, unit: str, places: int = 2) -> str:
    """A value in its unit, as a table shows it: ``480 s``, ``85.2%``, ``£12,500`` (the space
    before a unit a no-break space)."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == Unit.PERCENT:
        return f"{number(value, places)}%"
    if unit == Unit.POUNDS:
        text = f"£{abs(value):,.0f}"
        return f"−{text}" if value < 0 and round(value) != 0 else text
    if unit == Unit.SECONDS:
        return f"{number(value, places)}{NO_BREAK_SPACE}s"
    if unit == Unit.MINUTES:
        return f"{number(value, places)}{NO_BREAK_SPACE}min"
    return number(value, places)


def period_words(period: dt.date | None, frequency: str = Frequency.MONTHLY) -> str:
    """``August 2017``; a quarter ``Q from April 2019``; a year ``2019-20`` when it starts in
    April (a financial year), else ``2019``."""
    if period is None:
        return "–"
    if frequency == Frequency.ANNUAL:
        if period.month == 4:
            return f"{period.year}-{(period.year + 1) % 100:02d}"
        return str(period.year)
    if frequency == Frequency.QUARTERLY:
        return f"Quarter from {period:%B %Y}"
    return f"{period:%B %Y}"


def organisation_words(adoption: Adoption) -> str:
    organisation = adoption.organisation
    if organisation is None:
        return "The collaboration as a whole"
    return f"{organisation.name} ({organisation.code})"


# Icons ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Icon:
    """One badge: its words (what a reader is told), its tag colour and its drawing."""

    kind: str  # "variation" or "assurance"
    code: str | None
    words: str
    tag: str
    colour: str
    letter: str
    hint: str = ""

    @property
    def badge(self) -> SafeString:
        """The badge: an SVG circle with its letter (or a wave for common cause and hit and
        miss) beside the words in a GOV.UK tag. The drawing is hidden from screen readers:
        the words say it all."""
        return mark_safe(_badge_html(self.colour, self.letter, self.tag, self.words))  # escaped


def _badge_html(colour: str, letter: str, tag: str, words: str) -> str:
    if letter:
        mark = (
            '<text x="16" y="21" text-anchor="middle" font-family="arial, sans-serif" '
            f'font-size="15" font-weight="bold" fill="#ffffff">{escape(letter)}</text>'
        )
    else:
        mark = (
            '<path d="M7 17 C10 10, 13 10, 16 16 S22 23, 25 15" fill="none" '
            'stroke="#ffffff" stroke-width="2.5" stroke-linecap="round"/>'
        )
    return (
        '<span class="accord-kpi-icon"><svg width="28" height="28" viewBox="0 0 32 32" '
        'aria-hidden="true" focusable="false" class="accord-kpi-icon__badge">'
        f'<circle cx="16" cy="16" r="15" fill="{escape(colour)}"/>{mark}</svg> '
        f'<strong class="govuk-tag {escape(tag)}">{escape(words)}</strong></span>'
    )


def variation_icon(code: str | None, direction: str) -> Icon:
    """The variation icon of the latest point, H or L by which side of the mean it is."""
    if code is None:
        return Icon("variation", None, "No data to judge", "govuk-tag--grey", LIGHT_GREY, "–")
    if code == "common_cause":
        return Icon("variation", code, "Common cause variation", "govuk-tag--grey", GREY, "")
    if code.startswith("special_cause_neutral"):
        high = code.endswith("high")
        return Icon(
            "variation",
            code,
            f"Special cause variation, {'high' if high else 'low'}",
            "govuk-tag--purple",
            PURPLE,
            "H" if high else "L",
        )
    improvement = code == "special_cause_improvement"
    # Improvement is high when higher is better; concern is high when lower is better.
    high = improvement == (direction == Direction.INCREASE)
    words = "Special cause improvement" if improvement else "Special cause concern"
    return Icon(
        "variation",
        code,
        f"{words} ({'high' if high else 'low'})",
        "govuk-tag--blue" if improvement else "govuk-tag--orange",
        BLUE if improvement else ORANGE,
        "H" if high else "L",
    )


def assurance_icon(code: str | None, *, has_target: bool, direction: str) -> Icon:
    if code is None:
        if direction == Direction.NEUTRAL:
            why = "No assurance: neither direction is better"
        elif not has_target:
            why = "No assurance: no target"
        else:
            why = "No assurance: too few points for limits"
        return Icon("assurance", None, why, "govuk-tag--grey", LIGHT_GREY, "–")
    tag, colour, letter = {
        "consistent_pass": ("govuk-tag--blue", BLUE, "P"),
        "consistent_fail": ("govuk-tag--orange", ORANGE, "F"),
        "inconsistent": ("govuk-tag--grey", GREY, ""),
    }[code]
    return Icon(
        "assurance", code, ASSURANCE_WORDS[code], tag, colour, letter, ASSURANCE_HINTS[code]
    )


def status_words(code: str | None) -> str:
    if code is None:
        return "No target"
    return str(simple_status.LABELS.get(code, code))


def status_tag(code: str | None) -> SafeString:
    tag, words = escape(STATUS_TAGS.get(code, "")), escape(status_words(code))
    return mark_safe(f'<strong class="govuk-tag {tag}">{words}</strong>')  # escaped


@dataclass(frozen=True)
class Badges:
    variation: Icon
    assurance: Icon
    status: SafeString
    status_words: str


def badges(indicator: Indicator, summary: Summary | Any, *, target: float | None) -> Badges:
    """The three things a board reads, side by side: variation, assurance, simple status."""
    return Badges(
        variation=variation_icon(summary.variation, indicator.direction),
        assurance=assurance_icon(
            summary.assurance, has_target=target is not None, direction=indicator.direction
        ),
        status=status_tag(summary.status),
        status_words=status_words(summary.status),
    )


# The control chart ----------------------------------------------------------------------------


LINE_SERIES = ("Measured", "Mean", "Process limits", "Target", "Trajectory", "England")
LINE_COLOURS = (LIGHT_GREY, GREY, GREY, RED, GREEN, PURPLE)
LINE_DASHES = ([1, 0], [1, 0], [6, 4], [2, 3], [8, 3], [4, 2])


def _iso(period: dt.date) -> str:
    return period.isoformat()


def control_chart_spec(
    *,
    title: str,
    unit_label: str,
    points: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    milestones: list[dict[str, Any]],
) -> dict[str, Any]:
    """The one Vega-Lite spec every KPI's control chart is drawn from: the lines (measured,
    mean and process limits for each phase, target, trajectory, England) with one legend,
    the points coloured and shaped by their SPC type with another, and the milestones as
    labelled rules."""
    x = {
        "field": "period",
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc"},
        "axis": {"format": "%b %Y", "formatType": "utc", "labelAngle": -40, "labelOverlap": True},
    }
    used = [s for s in LINE_SERIES if any(line["series"] == s for line in lines)]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": lines},
            "mark": {"type": "line", "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": unit_label},
                "detail": {"field": "group"},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": "Lines",
                    "scale": {
                        "domain": used,
                        "range": [LINE_COLOURS[LINE_SERIES.index(s)] for s in used],
                    },
                },
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    # The colour's legend names the lines (and the table gives every figure).
                    "legend": None,
                    "scale": {
                        "domain": used,
                        "range": [LINE_DASHES[LINE_SERIES.index(s)] for s in used],
                    },
                },
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": unit_label},
                "color": {
                    "field": "type",
                    "type": "nominal",
                    "title": "Points",
                    "scale": {
                        "domain": list(POINT_WORDS.values()),
                        "range": list(POINT_COLOURS.values()),
                    },
                },
                "shape": {
                    "field": "type",
                    "type": "nominal",
                    "title": "Points",
                    "scale": {
                        "domain": list(POINT_WORDS.values()),
                        "range": list(POINT_SHAPES.values()),
                    },
                },
                "tooltip": [
                    {"field": "label", "title": "Period"},
                    {"field": "shown", "title": "Value"},
                    {"field": "type", "title": "Point"},
                    {"field": "rules", "title": "Rules"},
                ],
            },
        },
    ]
    if milestones:
        layers += [
            {
                "data": {"values": milestones},
                "mark": {"type": "rule", "color": PURPLE, "strokeWidth": 1.5},
                "encoding": {"x": x, "tooltip": [{"field": "title", "title": "Milestone"}]},
            },
            {
                "data": {"values": milestones},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 4,
                    "y": 4,
                    "color": PURPLE,
                    "fontSize": 12,
                },
                "encoding": {"x": x, "text": {"field": "title"}},
            },
        ]
    return spec(
        points,
        title=title,
        height=300,
        layer=layers,
        resolve={"scale": {"color": "independent", "shape": "independent"}},
    )


def _line_rows(analysis: Analysis) -> list[dict[str, Any]]:
    result, points = analysis.result, analysis.points
    lines: list[dict[str, Any]] = [
        {"period": _iso(p.period), "series": "Measured", "group": "measured", "value": p.value}
        for p in points
    ]
    by_label = {p.label: p for p in points}
    for index, phase in enumerate(result.phases):
        members = [by_label[pt.period] for pt in result.points if pt.phase == index]
        if not members:
            continue
        ends = (members[0].period, members[-1].period)
        for name, value, group in (
            ("Mean", phase.mean, f"mean-{index}"),
            ("Process limits", phase.upl, f"upl-{index}"),
            ("Process limits", phase.lpl, f"lpl-{index}"),
        ):
            if value is None:
                continue
            # A phase of one point still spans its month, so its mean shows as a line.
            for end in ends if ends[0] != ends[1] else (ends[0],):
                lines.append({"period": _iso(end), "series": name, "group": group, "value": value})
    if analysis.target is not None and points:
        first = min(
            points[0].period, *(d for d, _ in analysis.trajectory or [(points[0].period, 0)])
        )
        last = max(
            points[-1].period, *(d for d, _ in analysis.trajectory or [(points[-1].period, 0)])
        )
        for end in (first, last):
            lines.append(
                {
                    "period": _iso(end),
                    "series": "Target",
                    "group": "target",
                    "value": analysis.target,
                }
            )
    for day, value in analysis.trajectory:
        lines.append(
            {"period": _iso(day), "series": "Trajectory", "group": "trajectory", "value": value}
        )
    for p in analysis.comparator:
        lines.append(
            {"period": _iso(p.period), "series": "England", "group": "england", "value": p.value}
        )
    return lines


def chart_for(analysis: Analysis) -> Chart:
    """One KPI's control chart and its table (period, value, point, rules, mean, limits,
    England, note), visible without JavaScript."""
    adoption = analysis.adoption
    indicator = adoption.indicator
    unit = indicator.unit
    result = analysis.result
    phases = result.phases
    england = {p.period: p.value for p in analysis.comparator}
    by_label = {p.label: p for p in analysis.points}
    data: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []
    for point in result.points:
        source = by_label[point.period]
        phase = phases[point.phase]
        rules = ", ".join(RULE_WORDS[r] for r in point.rules)
        words = POINT_WORDS[point.point_type]
        data.append(
            {
                "period": _iso(source.period),
                "label": period_words(source.period, indicator.frequency),
                "value": point.value,
                "shown": figure(point.value, unit),
                "type": words,
                "rules": rules or "none",
            }
        )
        row: list[Any] = [
            period_words(source.period, indicator.frequency),
            figure(point.value, unit),
            words,
            rules or "–",
            figure(phase.mean, unit, 1),
            figure(phase.lpl, unit, 1),
            figure(phase.upl, unit, 1),
        ]
        if analysis.comparator:
            row.append(figure(england.get(source.period), unit))
        row.append(source.note or ("Published" if source.source != "entered" else ""))
        rows.append(tuple(row))
    columns = [
        "Period",
        "Value",
        "Point",
        "Rules that hold",
        "Mean",
        "Lower process limit",
        "Upper process limit",
    ]
    if analysis.comparator:
        columns.append("England")
    columns.append("Note")
    milestones = [{"period": _iso(m.on), "title": m.title} for m in analysis.milestones]
    title = f"{indicator.title}: {organisation_words(adoption)}"
    unit_label = UNIT_LABELS.get(unit, unit)
    return Chart(
        extra={"tbody": table_body(rows)},
        id=f"kpi-{adoption.pk}",
        title=title,
        description=chart_description(analysis),
        spec=control_chart_spec(
            title=title,
            unit_label=str(unit_label),
            points=data,
            lines=_line_rows(analysis),
            milestones=milestones,
        ),
        columns=columns,
        rows=rows,
    )


def table_body(rows: Sequence[Sequence[Any]]) -> SafeString:
    """A chart table's body, each row's first cell its header, every value escaped: written
    here, as the register's list writes its rows, because two hundred rows of nine cells cost
    a KPI page more through the template language than everything else on it."""
    parts = ['<tbody class="govuk-table__body">']
    for row in rows:
        cells = [f'<th scope="row" class="govuk-table__header">{escape(str(row[0]))}</th>']
        cells += [f'<td class="govuk-table__cell">{escape(str(cell))}</td>' for cell in row[1:]]
        parts.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
    parts.append("</tbody>")
    return mark_safe("".join(parts))  # every value escaped above


def portfolio_body(rows: Sequence[Any]) -> SafeString:
    """The portfolio's rows (queries.PortfolioRow), written here with every value escaped, as
    the register's list writes its own: through the template language, a page of rows with
    three badges each cost more than everything else on the page."""
    placeholder = 999_999_999
    url = reverse("kpis:adoption", args=[placeholder])
    parts = ['<tbody class="govuk-table__body">']
    for row in rows:
        adoption, summary = row.adoption, row.summary
        indicator = adoption.indicator
        drawn = badges(indicator, summary, target=target_of(adoption))
        organisation = adoption.organisation
        whom = organisation.name if organisation else "the collaboration as a whole"
        latest = figure(summary.latest_value, indicator.unit)
        when = (
            f'<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
            f"{escape(period_words(summary.latest_period, indicator.frequency))}</span>"
            if summary.latest_period
            else ""
        )
        link = url.replace(str(placeholder), str(adoption.pk))
        parts.append(
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{link}">'
            f"{escape(indicator.title)}</a>"
            '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
            f"{escape(adoption.collaboration.title)} · {escape(whom)}</span></td>"
            f'<td class="govuk-table__cell">{escape(latest)}{when}</td>'
            f'<td class="govuk-table__cell">{drawn.variation.badge}</td>'
            f'<td class="govuk-table__cell">{drawn.assurance.badge}</td>'
            f'<td class="govuk-table__cell">{drawn.status}</td>'
            "</tr>"
        )
    parts.append("</tbody>")
    return mark_safe("".join(parts))  # every value escaped above


SOURCE_WORDS = {"entered": "Entered", "accord": "Worked out by Accord"}


def measurement_rows(
    adoption: Adoption,
    points: Sequence[SeriesPoint],
    *,
    can_edit: bool,
    entered: Mapping[int, str] | None = None,
) -> SafeString:
    """The body of a KPI's table of measurements, newest first as given: period, value, note,
    where it came from, and for those who may edit, who entered (or last changed) each one
    entered and when (`entered`, by measurement id) and a link to change it."""
    frequency = adoption.indicator.frequency
    placeholder = 999_999_999
    edit_url = reverse("kpis:measurement_edit", args=[placeholder])
    parts = ['<tbody class="govuk-table__body">']
    for point in points:
        when = escape(period_words(point.period, frequency))
        cells = [
            f'<td class="govuk-table__cell">{when}</td>',
            f'<td class="govuk-table__cell govuk-table__cell--numeric">'
            f"{escape(number(point.value, 4))}</td>",
            f'<td class="govuk-table__cell">{escape(point.note)}</td>',
            f'<td class="govuk-table__cell">{SOURCE_WORDS.get(point.source, "Published")}</td>',
        ]
        if can_edit:
            who = (entered or {}).get(point.measurement_id or 0, "")
            cells.append(f'<td class="govuk-table__cell">{escape(who)}</td>')
            link = ""
            if point.measurement_id is not None and point.source == "entered":
                url = edit_url.replace(str(placeholder), str(point.measurement_id))
                link = (
                    f'<a class="govuk-link" href="{url}">Change'
                    f'<span class="govuk-visually-hidden"> {when}</span></a>'
                )
            cells.append(f'<td class="govuk-table__cell">{link}</td>')
        parts.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
    parts.append("</tbody>")
    return mark_safe("".join(parts))  # every value escaped above


def chart_description(analysis: Analysis) -> str:
    indicator = analysis.adoption.indicator
    parts = [
        f"{DIRECTION_LABELS.get(indicator.direction, indicator.direction)}.",
        f"{len(analysis.points)} point{'' if len(analysis.points) == 1 else 's'}",
    ]
    phases = analysis.result.phases
    if len(phases) > 1:
        parts[-1] += f" in {len(phases)} phases (limits worked out afresh at each)"
    parts[-1] += "."
    if analysis.target is not None:
        parts.append(f"Target {figure(analysis.target, indicator.unit)}.")
    if any(phase.few_points for phase in phases):
        parts.append("Fewer than 12 points in a phase: its limits are provisional.")
    return " ".join(parts)


# Before and after -----------------------------------------------------------------------------


def before_after_sentence(found: BeforeAfter, unit: str) -> str:
    """Whether the change at go-live is special cause, in a plain sentence that claims no more
    than the rules show."""
    title = found.milestone.title
    when = f"{found.milestone.on:%B %Y}"
    if found.after_n == 0:
        return f"No measurements since {title} ({when}) yet: nothing to compare."
    if found.before_n < 2:
        return (
            f"Too few measurements before {title} ({when}) to say what the process did before "
            "it (at least 2 are needed for limits): the change cannot be judged yet."
        )
    means = (
        f"The mean was {figure(found.before_mean, unit, 1)} over the {found.before_n} "
        f"points before {title} ({when}) and {figure(found.after_mean, unit, 1)} over the "
        f"{found.after_n} since."
    )
    if not found.special_cause:
        return (
            f"{means} The change is not special cause: judged against the limits of the points "
            "before, every point since is common cause, so the difference may be chance."
        )
    rules = "; ".join(RULE_WORDS[r] for r in found.rules)
    counts = []
    if found.improvement:
        counts.append(
            f"{found.improvement} of the {found.after_n} points since show "
            "special cause improvement"
        )
    if found.concern:
        counts.append(f"{found.concern} of the {found.after_n} show special cause concern")
    if found.neutral:
        counts.append(f"{found.neutral} of the {found.after_n} show special cause variation")
    kind = (
        "improvement"
        if found.improvement and not found.concern
        else "concern"
        if found.concern and not found.improvement
        else "variation"
    )
    return (
        f"{means} The change is special cause {kind}: judged against the limits of the "
        f"points before, {' and '.join(counts)} ({rules}). That says the process changed; "
        f"it does not by itself say that {title} caused it."
    )


@dataclass(frozen=True)
class PhaseRow:
    number: int
    start: str
    n: int
    mean: str
    lpl: str
    upl: str
    few_points: bool


def phase_rows(analysis: Analysis) -> list[PhaseRow]:
    unit = analysis.adoption.indicator.unit
    frequency = analysis.adoption.indicator.frequency
    by_label = {p.label: p for p in analysis.points}
    return [
        PhaseRow(
            number=i + 1,
            start=period_words(by_label[phase.start].period, frequency),
            n=phase.n,
            mean=figure(phase.mean, unit, 1),
            lpl=figure(phase.lpl, unit, 1),
            upl=figure(phase.upl, unit, 1),
            few_points=phase.few_points,
        )
        for i, phase in enumerate(analysis.result.phases)
    ]


@dataclass(frozen=True)
class KpiView:
    """One KPI on the collaboration's page."""

    analysis: Analysis
    chart: Chart
    badges: Badges
    phases: list[PhaseRow]
    before_after: str | None
    latest: str
    target: str
    baseline: str


def kpi_view(analysis: Analysis) -> KpiView:
    adoption = analysis.adoption
    indicator = adoption.indicator
    unit = indicator.unit
    latest: SeriesPoint | None = analysis.latest
    baseline = "–"
    if adoption.baseline_value is not None:
        baseline = figure(adoption.baseline_value, unit)
        if adoption.baseline_period is not None:
            baseline += f" ({period_words(adoption.baseline_period, indicator.frequency)})"
    target = "–"
    if analysis.target is not None:
        target = figure(analysis.target, unit)
        if adoption.target_value is None:
            target += " (the national standard)"
        if adoption.target_by is not None:
            target += f" by {adoption.target_by:%B %Y}"
        if adoption.tolerance:
            target += f", tolerance {figure(adoption.tolerance, unit)}"
    return KpiView(
        analysis=analysis,
        chart=chart_for(analysis),
        badges=badges(indicator, _summary(analysis), target=analysis.target),
        phases=phase_rows(analysis),
        before_after=before_after_sentence(analysis.before_after, unit)
        if analysis.before_after
        else None,
        latest=(
            f"{figure(latest.value, unit)} ({period_words(latest.period, indicator.frequency)})"
            if latest
            else "No measurements yet"
        ),
        target=target,
        baseline=baseline,
    )


@dataclass(frozen=True)
class _Judged:
    variation: str | None
    assurance: str | None
    status: str | None


def _summary(analysis: Analysis) -> _Judged:
    return _Judged(analysis.result.variation, analysis.result.assurance, analysis.status)


def rule_list(rules: Sequence[str]) -> str:
    return ", ".join(RULE_WORDS[r] for r in rules if r in RULE_WORDS) or "none"


__all__ = [
    "Badges",
    "Icon",
    "KpiView",
    "assurance_icon",
    "badges",
    "before_after_sentence",
    "chart_for",
    "control_chart_spec",
    "figure",
    "kpi_view",
    "number",
    "period_words",
    "status_tag",
    "variation_icon",
]
