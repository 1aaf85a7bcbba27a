"""What the results pages show: figures formatted, and each chart with its numbers as a table."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.core.charts import Chart, spec

from .realisation import RealisationRow
from .services import party_name

CLASS_NAMES = {
    "fiscal_cashable": "Fiscal, cashable",
    "fiscal_non_cashable": "Fiscal, non-cashable",
    "economic": "Economic",
    "social": "Social",
}


def _pounds_by_year_bars() -> dict[str, Any]:
    """Grouped bars of pounds by year, one bar per series: the mark and encoding."""
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year", "axis": {"labelAngle": 0}},
            "xOffset": {"field": "series"},
            "y": {
                "field": "amount",
                "type": "quantitative",
                "title": "£",
                "axis": {"format": ",.0f"},
            },
            "color": {"field": "series", "type": "nominal", "title": None},
            "tooltip": [
                {"field": "year", "title": "Year"},
                {"field": "series"},
                {"field": "amount", "format": ",.0f", "title": "£"},
            ],
        },
    }


def money(value: Any, places: int = 0) -> str:
    """``-1234.5`` -> ``"−£1,235"``; None -> ``"–"``."""
    if value is None:
        return "–"
    number = float(value)
    if not math.isfinite(number):
        return "–"
    text = f"£{abs(number):,.{places}f}"
    if round(number, places) == 0:
        return f"£{0:,.{places}f}"
    return f"−{text}" if number < 0 else text


def ratio(value: Any) -> str:
    if value is None:
        return "not defined (no costs)"
    return f"{float(value):,.2f}"


def percent(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def input_value(value: Any) -> str:
    """A tornado input's low or high: money for amounts, plain for shares and rates."""
    number = float(value)
    if abs(number) <= 1 and not number.is_integer():
        return f"{number:g}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


@dataclass
class ResultsView:
    headline: list[tuple[str, str, str]]
    by_class: list[tuple[str, str]]
    charts: list[Chart]
    monte_carlo: list[tuple[str, str, str, str, str]] | None
    p_npv_positive: str | None
    iterations: int | None
    iterations_asked: int | None
    #: Why the central NPV lies outside the simulated 5th to 95th percentiles, where it does.
    outside_range: str | None = None


def _years(report: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    rows: Sequence[Mapping[str, Any]] = report["per_year"]
    return rows


def payback_text(report: Mapping[str, Any]) -> str:
    """The payback year in words, saying why there is none."""
    payback = report.get("payback_year")
    if payback is not None:
        return f"Year {payback}"
    if not any(row["costs"] for row in _years(report)):
        return "None: there are no costs to pay back"
    return "Not within the appraisal"


def outside_range_text(report: Mapping[str, Any]) -> str | None:
    """Plain words for a board when the NPV from the central values lies outside the Monte
    Carlo's 5th to 95th percentiles, which looks like a mistake but is not one: the ranges
    given are lopsided about their central values, so most draws fall on one side of them."""
    mc = report.get("monte_carlo")
    if not mc:
        return None
    npv, p5, p95 = report["npv"], mc["npv"]["p5"], mc["npv"]["p95"]
    if p5 <= npv <= p95:
        return None
    if npv < p5:
        side, more, figure, bound = "below", "higher", money(p5), "5th"
    else:
        side, more, figure, bound = "above", "lower", money(p95), "95th"
    return (
        f"The NPV from the central values ({money(npv)}) is {side} the {bound} percentile of the "
        f"simulated NPVs ({figure}). That is not a mistake: the ranges given for some figures "
        f"stretch further on one side of their central value than the other, towards {more} "
        f"values, so most simulated draws come out {more} than the central figures. Look at the "
        "tornado chart for the figures whose ranges matter most, and check that each range's "
        "central value is the most likely one."
    )


def results_view(report: Mapping[str, Any], names: Mapping[str, str]) -> ResultsView:
    disbenefits = report.get("pv_disbenefits") or 0.0
    benefits: list[tuple[str, str, str]] = [
        ("Present value of benefits", money(report["pv_benefits"]), "pv_benefits")
    ]
    if disbenefits:
        # Disbenefits are negative benefits: shown apart, subtracted from benefits, never
        # added to costs.
        gross = report["pv_benefits"] + disbenefits
        benefits = [
            ("Present value of benefits before disbenefits", money(gross), "pv_gross_benefits"),
            ("Present value of disbenefits", money(-disbenefits), "pv_disbenefits"),
            (
                "Present value of benefits, net of disbenefits",
                money(report["pv_benefits"]),
                "pv_benefits",
            ),
        ]
    headline = [
        ("Present value of costs", money(report["pv_costs"]), "pv_costs"),
        *benefits,
        ("Net present value (NPV)", money(report["npv"]), "npv"),
        ("Benefit-cost ratio (BCR)", ratio(report["bcr"]), "bcr"),
        ("Fiscal benefit-cost ratio", ratio(report["fiscal_bcr"]), "fiscal_bcr"),
        ("Social return on investment (SROI)", ratio(report["sroi"]), "sroi"),
        ("Payback year", payback_text(report), "payback_year"),
    ]
    by_class = [
        (CLASS_NAMES.get(k, k), money(v)) for k, v in report["pv_benefits_by_class"].items()
    ]
    charts = [by_year_chart(report), cumulative_chart(report), organisation_chart(report, names)]
    mc = report.get("monte_carlo")
    mc_rows = None
    if mc is not None:
        charts.append(histogram_chart(report))
        mc_rows = [
            (
                label,
                fmt(mc[key]["mean"]),
                fmt(mc[key]["p5"]),
                fmt(mc[key]["p50"]),
                fmt(mc[key]["p95"]),
            )
            for label, key, fmt in (
                ("NPV", "npv", money),
                ("BCR", "bcr", ratio),
                ("SROI", "sroi", ratio),
            )
        ]
    if report.get("tornado"):
        charts.append(tornado_chart(report))
    return ResultsView(
        headline=headline,
        by_class=by_class,
        charts=charts,
        monte_carlo=mc_rows,
        p_npv_positive=percent(mc["p_npv_positive"]) if mc else None,
        iterations=mc["iterations"] if mc else None,
        iterations_asked=report.get("iterations_asked"),
        outside_range=outside_range_text(report),
    )


def by_year_chart(report: Mapping[str, Any]) -> Chart:
    rows = _years(report)
    has_disbenefits = any(r.get("disbenefits") for r in rows)
    series_keys = [("Costs", "costs"), ("Benefits", "benefits")]
    if has_disbenefits:
        series_keys = [("Costs", "costs"), ("Benefits, net", "benefits")]
        series_keys.append(("Disbenefits", "disbenefits"))
    data = [
        {"year": r["year"], "series": series, "amount": r.get(key) or 0.0}
        for r in rows
        for series, key in series_keys
    ]
    columns = ["Year", "Discount factor", "Costs", "Benefits", "PV of costs", "PV of benefits"]
    table_rows = [
        [
            r["year"],
            f"{r['discount_factor']:.4f}",
            money(r["costs"]),
            money(r["benefits"]),
            money(r["pv_costs"]),
            money(r["pv_benefits"]),
        ]
        for r in rows
    ]
    if has_disbenefits:
        columns[3:4] = ["Benefits, net of disbenefits", "Disbenefits"]
        columns += ["PV of disbenefits"]
        for cells, r in zip(table_rows, rows, strict=True):
            cells.insert(4, money(-r["disbenefits"]))
            cells.append(money(-r["pv_disbenefits"]))
    return Chart(
        id="by-year",
        title="Costs and benefits by year",
        description="Adjusted for optimism bias, deadweight, attribution, displacement and "
        "drop-off; real terms, not discounted.",
        spec=spec(
            data,
            title="Costs and benefits by year (real, undiscounted)",
            **_pounds_by_year_bars(),
        ),
        columns=columns,
        rows=[tuple(cells) for cells in table_rows],
    )


def cumulative_chart(report: Mapping[str, Any]) -> Chart:
    rows = _years(report)
    payback = report.get("payback_year")
    data = [{"year": r["year"], "cumulative": r["cumulative_pv_net"]} for r in rows]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {
                    "field": "year",
                    "type": "quantitative",
                    "title": "Year",
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "y": {
                    "field": "cumulative",
                    "type": "quantitative",
                    "title": "Cumulative net present value (£)",
                    "axis": {"format": ",.0f"},
                },
                "tooltip": [
                    {"field": "year", "title": "Year"},
                    {"field": "cumulative", "format": ",.0f", "title": "£"},
                ],
            },
        },
        {
            "mark": {"type": "rule", "color": "#505a5f", "strokeDash": [4, 4]},
            "data": {"values": [{"y": 0}]},
            "encoding": {"y": {"field": "y", "type": "quantitative"}},
        },
    ]
    if payback is not None:
        layers.append(
            {
                "mark": {"type": "rule", "color": "#00703c", "strokeWidth": 2},
                "data": {"values": [{"year": payback, "label": f"Payback: year {payback}"}]},
                "encoding": {
                    "x": {"field": "year", "type": "quantitative"},
                    "tooltip": [{"field": "label"}],
                },
            }
        )
    return Chart(
        id="cumulative",
        title="Cumulative net benefit (discounted)",
        description=(
            f"Pays back in year {payback}: from then on the line stays at or above zero."
            if payback is not None
            else f"Payback year: {payback_text(report).lower()}."
        ),
        spec=spec(data, title="Cumulative net present value by year", layer=layers),
        columns=["Year", "Cumulative net present value", "Paid back"],
        rows=[
            (
                r["year"],
                money(r["cumulative_pv_net"]),
                "Yes" if payback is not None and r["year"] >= payback else "No",
            )
            for r in rows
        ],
    )


def party_label(key: str, names: Mapping[str, str]) -> str:
    """How the results name a payer or beneficiary: an organisation by its name and code,
    "Lincolnshire Fire and Rescue (E31000025)"; a party that is not an organisation (the file's
    "not an organisation: Local residents", or a name stored before payers were chosen) by its
    name alone, "Local residents": its key is not a code a reader could look up."""
    name = names.get(key)
    if name is None or party_name(key) is not None:
        return name or key
    return f"{name} ({key})"


# A name beside a bar chart takes at most `wide` px, and on a phone (a container under 600 px)
# 110 px, leaving the bars room: the tooltip and the table below give names in full.
def _label_limit(wide: int) -> dict[str, str]:
    return {"expr": f"containerSize()[0] < 600 ? 110 : {wide}"}


def organisation_chart(report: Mapping[str, Any], names: Mapping[str, str]) -> Chart:
    split: Mapping[str, Mapping[str, float]] = report["by_organisation"]
    label = {code: party_label(code, names) for code in split}
    data = [
        {"organisation": label[code], "flow": flow, "amount": amount}
        for code, s in split.items()
        for flow, amount in (("Pays", s["paid"]), ("Benefits", s["received"]))
    ]
    return Chart(
        id="organisations",
        title="Who pays and who benefits",
        description="Present values by organisation; lines with no payer or beneficiary are "
        "left out.",
        spec=spec(
            data,
            title="Who pays and who benefits (present values)",
            height=max(120, 50 * len(split)),
            mark={"type": "bar"},
            encoding={
                "y": {
                    "field": "organisation",
                    "type": "nominal",
                    "title": None,
                    "axis": {"labelLimit": _label_limit(320)},
                },
                "yOffset": {"field": "flow"},
                "x": {
                    "field": "amount",
                    "type": "quantitative",
                    "title": "£",
                    "axis": {"format": ",.0f"},
                },
                # Below the plot, so that on a phone the bars keep the width.
                "color": {
                    "field": "flow",
                    "type": "nominal",
                    "title": None,
                    "legend": {"orient": "bottom"},
                },
                "tooltip": [
                    {"field": "organisation"},
                    {"field": "flow"},
                    {"field": "amount", "format": ",.0f", "title": "£"},
                ],
            },
        ),
        columns=["Organisation", "Pays", "Benefits", "Net"],
        rows=[
            (label[code], money(s["paid"]), money(s["received"]), money(s["received"] - s["paid"]))
            for code, s in split.items()
        ],
    )


def histogram_chart(report: Mapping[str, Any]) -> Chart:
    bins: Sequence[Mapping[str, Any]] = report.get("npv_histogram") or []
    mc = report["monte_carlo"]
    data = [
        {"from": b["from"], "to": b["to"], "count": b["count"], "positive": b["from"] >= 0}
        for b in bins
    ]
    return Chart(
        id="monte-carlo",
        title="Monte Carlo: how NPV is spread",
        description=(
            f"{mc['iterations']:,} iterations (seed {mc['seed']}); NPV is above zero in "
            f"{percent(mc['p_npv_positive'])} of them."
        ),
        spec=spec(
            data,
            title="NPV across the Monte Carlo iterations",
            layer=[
                {
                    "mark": {"type": "bar"},
                    "encoding": {
                        "x": {
                            "field": "from",
                            "type": "quantitative",
                            "bin": {"binned": True},
                            "scale": {"zero": False},
                            "title": "NPV (£)",
                            "axis": {"format": ",.0f"},
                        },
                        "x2": {"field": "to"},
                        "y": {"field": "count", "type": "quantitative", "title": "Iterations"},
                        "color": {
                            "field": "positive",
                            "type": "nominal",
                            "title": "NPV above zero",
                            "scale": {"domain": [False, True], "range": ["#d4351c", "#00703c"]},
                        },
                        "tooltip": [
                            {"field": "from", "format": ",.0f", "title": "From £"},
                            {"field": "to", "format": ",.0f", "title": "To £"},
                            {"field": "count", "title": "Iterations"},
                        ],
                    },
                },
                {
                    "mark": {"type": "rule", "color": "#0b0c0c", "strokeDash": [4, 4]},
                    "data": {"values": [{"x": 0}]},
                    "encoding": {"x": {"field": "x", "type": "quantitative"}},
                },
            ],
        ),
        columns=["NPV from", "NPV to", "Iterations"],
        rows=[(money(b["from"]), money(b["to"]), f"{b['count']:,}") for b in bins],
    )


_INPUT_PATH = re.compile(r"^(costs|benefits)\[(\d+)\]\.([a-z_]+)(?:\[(\d+)\])?$")
_INPUT_WORDS = {
    "amounts": "amount",
    "volumes": "volume",
    "unit_cost": "unit cost",
    "deadweight": "deadweight",
    "attribution": "attribution",
    "displacement": "displacement",
    "drop_off": "drop-off",
    "optimism_bias": "optimism bias",
}


def input_label(path: str, line_names: Mapping[str, Sequence[str]] | None) -> str:
    """``benefits[0].volumes[1]`` -> ``Ambulance hours released: volume, year 1``."""
    if path == "discount":
        return "Discount rate"
    match = _INPUT_PATH.match(path)
    if not match or not line_names:
        return path
    kind, index, key, year = match.groups()
    names = line_names.get(kind) or []
    if int(index) >= len(names):
        return path
    what = _INPUT_WORDS.get(key, key)
    return f"{names[int(index)]}: {what}" + (f", year {year}" if year is not None else "")


def tornado_chart(report: Mapping[str, Any]) -> Chart:
    rows: Sequence[Mapping[str, Any]] = report["tornado"]
    npv = report["npv"]
    names = report.get("line_names")
    data = [
        {
            "input": input_label(r["input"], names),
            "low": min(r["npv_at_low"], r["npv_at_high"]),
            "high": max(r["npv_at_low"], r["npv_at_high"]),
        }
        for r in rows
    ]
    return Chart(
        id="tornado",
        title="Tornado: what matters most",
        description="NPV with each uncertain input at its low and its high, the others at their "
        "central values; largest swing first.",
        spec=spec(
            data,
            title="NPV as each uncertain input moves from low to high",
            height=max(120, 28 * len(rows)),
            layer=[
                {
                    "mark": {"type": "bar", "color": "#1d70b8"},
                    "encoding": {
                        "y": {
                            "field": "input",
                            "type": "nominal",
                            "sort": None,
                            "title": None,
                            # On a phone an input's name ("Value added by the teams, as
                            # published: deadweight") is two lines, so that the part that
                            # tells two inputs of one line apart is not cut off.
                            "axis": {
                                "labelLimit": _label_limit(480),
                                "labelExpr": "containerSize()[0] < 600"
                                " ? split(datum.label, ': ') : datum.label",
                            },
                        },
                        "x": {
                            "field": "low",
                            "type": "quantitative",
                            "title": "NPV (£)",
                            # On a phone "10,000,000" takes a third of the width: labels that
                            # would touch are left out rather than run together.
                            "axis": {
                                "format": ",.0f",
                                "labelOverlap": "greedy",
                                "labelSeparation": 8,
                            },
                            "scale": {"zero": False},
                        },
                        "x2": {"field": "high"},
                        "tooltip": [
                            {"field": "input"},
                            {"field": "low", "format": ",.0f", "title": "Lowest NPV £"},
                            {"field": "high", "format": ",.0f", "title": "Highest NPV £"},
                        ],
                    },
                },
                {
                    "mark": {"type": "rule", "color": "#0b0c0c"},
                    "data": {"values": [{"x": npv}]},
                    "encoding": {"x": {"field": "x", "type": "quantitative"}},
                },
            ],
        ),
        columns=["Input", "Low", "High", "NPV at low", "NPV at high", "Swing"],
        rows=[
            (
                input_label(r["input"], names),
                input_value(r["low"]),
                input_value(r["high"]),
                money(r["npv_at_low"]),
                money(r["npv_at_high"]),
                money(r["swing"]),
            )
            for r in rows
        ],
    )


def realisation_chart(rows: Sequence[RealisationRow]) -> Chart:
    data: list[dict[str, Any]] = []
    for r in rows:
        data.append({"year": r.year, "series": "Forecast", "amount": r.forecast})
        if r.realised is not None:
            data.append({"year": r.year, "series": "Realised", "amount": r.realised})
    return Chart(
        id="realisation",
        title="Benefits forecast and realised",
        description="Forecast: the appraisal's benefits after adjustments, real terms, not "
        "discounted. Gap: realised minus forecast (negative means behind plan).",
        spec=spec(
            data,
            title="Benefits by year: forecast and realised",
            **_pounds_by_year_bars(),
        ),
        columns=[
            "Year",
            "Forecast",
            "Realised",
            "Gap",
            "Cumulative forecast",
            "Cumulative realised",
            "Cumulative gap",
        ],
        rows=[
            (
                r.year,
                money(r.forecast),
                money(r.realised) if r.realised is not None else "Not recorded",
                money(r.gap),
                money(r.cumulative_forecast),
                money(r.cumulative_realised),
                money(r.cumulative_gap),
            )
            for r in rows
        ],
    )
