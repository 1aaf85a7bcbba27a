"""The national picture in words, numbers and specs: what the page and (later) the national
report show, from queries.Picture. No database here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from accord.core.charts import Chart, spec
from accord.register.choices import Nature, ServiceMix, Status

from . import findings as findings_module
from .consistency import AreaFigures, Consistency, YearFigures, rate_per_100000

RATE = "rate"
COUNT = "collaborations"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    group: str
    #: The register's filter this measure is, beside the place: ("mix", "tri_service").
    register_filter: tuple[str, str] | None = None
    #: What the map's legend calls it.
    short: str = "Collaborations"
    #: Shown per 100,000 people (the area's population) rather than as a count.
    per: bool = False


def _measures() -> list[Measure]:
    found = [
        Measure(
            RATE,
            "Collaborations per 100,000 people",
            "All collaborations",
            short="Per 100,000",
            per=True,
        ),
        Measure(COUNT, "Collaborations", "All collaborations"),
    ]
    for group, kind, choices in (
        ("By service mix", "mix", ServiceMix),
        ("By nature", "nature", Nature),
        ("By status", "status", Status),
    ):
        for value, label in choices.choices:
            found.append(
                Measure(
                    f"{kind}:{value}", f"{label} collaborations", group, (kind, value), str(label)
                )
            )
    return found


MEASURES = _measures()
BY_KEY = {m.key: m for m in MEASURES}


def measure(key: str | None, *, per: bool = False) -> Measure:
    """The measure by its key (per 100,000 of all collaborations when unknown); `per` makes a
    count of one kind a rate per 100,000 people."""
    found = BY_KEY.get(key or "", BY_KEY[RATE])
    if per and not found.per:
        found = replace(
            found, label=f"{found.label} per 100,000 people", short="Per 100,000", per=True
        )
    return found


def value_of(area: AreaFigures, chosen: Measure) -> float | None:
    count = area.count(COUNT if chosen.key == RATE else chosen.key)
    return rate_per_100000(count, area.population) if chosen.per else float(count)


def number(value: float | None, places: int = 2) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def register_link(base: str, area: AreaFigures, chosen: Measure) -> str:
    """The register filtered to the area (its `place` filter, by code), and to the measure's
    own kind where it has one."""
    query = {"place": area.code}
    if chosen.register_filter:
        query[chosen.register_filter[0]] = chosen.register_filter[1]
    return f"{base}?{urlencode(query)}"


MIX_LABELS = dict(ServiceMix.choices)
NATURE_LABELS = dict(Nature.choices)


def mixes_of(area: AreaFigures) -> str:
    present = [MIX_LABELS[v] for v in ServiceMix.values if area.mixes.get(v)]
    return ", ".join(present) or "None"


@dataclass(frozen=True)
class Row:
    area: AreaFigures
    href: str
    value: float | None
    shown: str
    mixes: str

    @property
    def sort_value(self) -> str:
        return "-1" if self.value is None else f"{self.value:.6f}"

    @property
    def population(self) -> str:
        return "" if self.area.population is None else f"{self.area.population:,}"


def rows(areas: Sequence[AreaFigures], chosen: Measure, register_base: str) -> list[Row]:
    """The table's rows, highest value first (areas with none last), then by name."""
    found = []
    for area in areas:
        value = value_of(area, chosen)
        shown = number(value) if chosen.per else (f"{value:.0f}" if value is not None else "–")
        found.append(
            Row(area, register_link(register_base, area, chosen), value, shown, mixes_of(area))
        )
    return sorted(found, key=lambda r: (r.value is None, -(r.value or 0), r.area.name))


def map_spec(
    features: list[dict[str, Any]],
    table: list[Row],
    chosen: Measure,
    forums: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """A Vega-Lite geoshape map of the areas with a boundary, shaded by the measure; an area
    with no value (no population, for a rate) drawn grey. Each shape links to the register
    filtered to it. With `forums`, the local resilience forums' boundaries drawn over them as
    dashed outlines (a second layer, named in its tooltip). `usermeta.keyboard` asks charts.js
    to make each area's shape focusable and opened with Enter. None when no boundaries are
    loaded."""
    by_code = {r.area.code: r for r in table}
    values = []
    for feature in features:
        row = by_code.get(feature["id"])
        if row is None:
            continue
        shown = row.shown if row.value is not None else "no population known"
        values.append(
            {
                **feature,
                "properties": {
                    "name": row.area.name,
                    "value": row.value,
                    "shown": shown,
                    "href": row.href,
                    # The shape's accessible name: the area and its figure.
                    "label": f"{row.area.name}: {shown}"
                    + ("" if row.value is None else f", {chosen.label.lower()}"),
                },
            }
        )
    if not values:
        return None
    tooltip = [
        {"field": "properties.name", "type": "nominal", "title": "Area"},
        {"field": "properties.shown", "type": "nominal", "title": chosen.label},
    ]
    common = {
        "tooltip": tooltip,
        "href": {"field": "properties.href", "type": "nominal"},
        "description": {"field": "properties.label", "type": "nominal"},
    }
    outline = {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.6}
    return spec(
        values,
        title=f"{chosen.label}, by police force area",
        height=620,
        projection={"type": "mercator"},
        usermeta={"keyboard": True, "aspect": 1.1},
        layer=[
            {"mark": {**outline, "fill": "#b1b4b6"}, "encoding": common},
            {
                "transform": [{"filter": "isValid(datum.properties.value)"}],
                "mark": outline,
                "encoding": {
                    **common,
                    "color": {
                        "field": "properties.value",
                        "type": "quantitative",
                        "title": chosen.short,
                        "legend": {"format": ".2f" if chosen.per else ".0f"},
                        "scale": {"scheme": "blues", "zero": True},
                    },
                },
            },
            *_forum_layer(forums),
        ],
    )


def _forum_layer(forums: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if not forums:
        return []
    return [
        {
            "data": {"values": forums},
            "mark": {
                "type": "geoshape",
                "filled": False,
                "stroke": "#0b0c0c",
                "strokeWidth": 1.2,
                "strokeDash": [4, 3],
            },
            "encoding": {
                "tooltip": [
                    {"field": "properties.name", "type": "nominal", "title": "Resilience forum"}
                ],
                "description": {"field": "properties.name", "type": "nominal"},
            },
        }
    ]


@dataclass(frozen=True)
class Figure:
    """One consistency measure: its value, in words, with its formula and n."""

    name: str
    value: str
    formula: str
    about: str


def figures(now: Consistency) -> list[Figure]:
    n_all = len(now.areas)
    return [
        Figure(
            "Mean collaborations per 100,000",
            number(now.mean_rate),
            "μ = Σ r / n, where r = 100,000 × c / p for an area with c collaborations and "
            "population p",
            f"over the {now.rated} areas whose population is known",
        ),
        Figure(
            "Coefficient of variation",
            number(now.cv),
            "CV = σ / μ, where σ = √( Σ (r − μ)² / n )",
            f"over the same {now.rated} areas; 0 when every area has the same rate",
        ),
        Figure(
            "Gini coefficient",
            number(now.gini),
            "G = Σᵢ Σⱼ | rᵢ − rⱼ | / (2 n² μ)",
            f"over the same {now.rated} areas; 0 when every area has the same rate, "
            "nearer 1 the more the collaborations gather in a few areas",
        ),
        Figure(
            "Areas with no tri-service collaboration",
            percent(now.no_tri_service),
            "k / N, where k areas have no collaboration of police, fire and ambulance together",
            f"of all {n_all} areas",
        ),
        Figure(
            "Areas with no duty-to-collaborate review in the last 12 months",
            percent(now.no_review),
            "k / N, where k areas have no collaboration with a review considered in the last "
            "12 months",
            f"of all {n_all} areas",
        ),
    ]


def nature_rows(now: Consistency) -> list[tuple[str, str, int]]:
    """(nature, share of areas with none, areas with none) for each nature."""
    n_all = len(now.areas)
    return [
        (
            NATURE_LABELS[nature],
            percent(share),
            round((share or 0) * n_all),
        )
        for nature, share in now.no_nature.items()
    ]


def years_chart(series: Sequence[YearFigures]) -> Chart:
    """CV and Gini year by year: falling lines are a more consistent England and Wales."""
    data = []
    for y in series:
        for name, value in (("Gini coefficient", y.consistency.gini), ("CV", y.consistency.cv)):
            if value is not None:
                data.append({"year": str(y.year), "measure": name, "value": round(value, 4)})
    chart_spec = spec(
        data,
        title="Consistency year by year (lower is more consistent)",
        mark={"type": "line", "point": True},
        encoding={
            "x": {"field": "year", "type": "ordinal", "title": "Year"},
            "y": {"field": "value", "type": "quantitative", "title": "Value"},
            "color": {"field": "measure", "type": "nominal", "title": "Measure"},
            "tooltip": [
                {"field": "year", "type": "ordinal", "title": "Year"},
                {"field": "measure", "type": "nominal", "title": "Measure"},
                {"field": "value", "type": "quantitative", "title": "Value", "format": ".2f"},
            ],
        },
    )
    return Chart(
        id="consistency-years",
        title="Consistency year by year",
        spec=chart_spec,
        columns=[
            "Year",
            "Collaborations under way",
            "Areas with a rate",
            "Mean per 100,000",
            "CV",
            "Gini",
            "No tri-service",
            "No review that year",
        ],
        rows=[
            [
                str(y.year),
                str(y.collaborations),
                str(y.consistency.rated),
                number(y.consistency.mean_rate),
                number(y.consistency.cv),
                number(y.consistency.gini),
                percent(y.consistency.no_tri_service),
                percent(y.consistency.no_review),
            ]
            for y in series
        ],
        description="A collaboration counts in a year when it had started by 31 December and "
        "had not ended before 1 January; a year's rates use that year's population estimate, "
        "or the nearest year's.",
    )


def nature_years(series: Sequence[YearFigures]) -> tuple[list[str], list[list[str]]]:
    """The share of areas with no collaboration of each nature, year by year: the years as
    columns, a nature a row."""
    columns = ["Nature", *(str(y.year) for y in series)]
    natures = list(series[0].consistency.no_nature) if series else []
    return columns, [
        [NATURE_LABELS[n], *(percent(y.consistency.no_nature[n]) for y in series)] for n in natures
    ]


def finding_rows(found: list[findings_module.Finding], listed: str) -> list[dict[str, Any]]:
    """Each finding with its figure and its parts' shares in words, and each part's link to
    the register (at `listed`) filtered to its records."""
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
