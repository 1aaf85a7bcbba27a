"""An analysis's results as the page and the exports show them: the contract's figures, the
charts (Vega-Lite, core.charts) with their numbers as tables, and the rows of the export.

Pure: the stored result (a mapping) in, words and numbers out; no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.core.charts import Chart, spec

from .details import WEEKDAYS

#: The most hotspot cells the page draws and lists, the busiest first; the exports have all.
MAX_CELLS_SHOWN = 100


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def pair_words(key: str) -> str:
    return key.replace("+", " and ")


@dataclass
class ResultsView:
    headline: list[tuple[str, str, str]]
    services: list[tuple[str, str, str, str]]
    pairs: list[tuple[str, str, str]]
    category_pairs: list[tuple[str, str, str]]
    hotspots: list[dict[str, Any]]
    withheld: dict[str, int]
    threshold: int
    period: dict[str, Any]
    charts: list[Chart] = field(default_factory=list)
    #: How many cells are at or above the threshold (the page draws the busiest of them).
    hotspot_cells: int = 0


def hotspots_shown(result: Mapping[str, Any], threshold: int) -> tuple[list[Any], dict[str, int]]:
    """The hotspot cells at or above the threshold now (the run's, or a higher one set since),
    and what is withheld: a cell below it is never shown."""
    details = result.get("details") or {}
    withheld = dict(details.get("hotspots_withheld") or {"cells": 0, "joint_incidents": 0})
    shown = []
    for cell in details.get("hotspots") or []:
        if cell["joint_incidents"] >= threshold:
            shown.append(cell)
        else:
            withheld["cells"] = withheld.get("cells", 0) + 1
            withheld["joint_incidents"] = (
                withheld.get("joint_incidents", 0) + cell["joint_incidents"]
            )
    return shown, withheld


def results_view(result: Mapping[str, Any], threshold: int) -> ResultsView:
    details = result.get("details") or {}
    run_threshold = int((details.get("grid") or {}).get("threshold", threshold))
    threshold = max(threshold, run_threshold)
    headline = [
        ("Records", f"{result['records']:,}", "records"),
        ("Unlocated records (counted, never linked)", f"{result['unlocated']:,}", "unlocated"),
        ("Joint incidents", f"{result['joint_incidents']:,}", "joint_incidents"),
        (
            "Joint incidents with police, fire and ambulance all present",
            f"{result['tri_service']:,}",
            "tri_service",
        ),
        ("Time window", f"{result['window_minutes']:g} minutes", "window_minutes"),
        ("Distance", f"{result['distance_m']:g} m", "distance_m"),
    ]
    services = [
        (name, f"{f['records']:,}", f"{f['in_joint']:,}", _share(f["share_joint"]))
        for name, f in result["by_service"].items()
    ]
    pairs = [
        (pair_words(key), f"{p['links']:,}", f"{p['joint_incidents']:,}")
        for key, p in result["pairs"].items()
    ]
    category_pairs = [
        (
            f"{c['services'][0]}: {c['categories'][0]}",
            f"{c['services'][1]}: {c['categories'][1]}",
            f"{c['joint_incidents']:,}",
        )
        for c in details.get("category_pairs") or []
    ]
    shown, withheld = hotspots_shown(result, threshold)
    view = ResultsView(
        headline=headline,
        services=services,
        pairs=pairs,
        category_pairs=category_pairs,
        hotspots=shown,
        withheld=withheld,
        threshold=threshold,
        period=dict(details.get("period") or {}),
    )
    view.charts = [hour_chart(result)]
    if details.get("by_weekday"):
        view.charts.append(weekday_chart(details))
        view.charts.append(weekday_hour_chart(details))
    view.hotspot_cells = len(shown)
    if shown:
        busiest = shown[:MAX_CELLS_SHOWN]
        view.charts.append(hotspot_chart(busiest, int(details["grid"]["cell_m"]), threshold))
    return view


def hour_chart(result: Mapping[str, Any]) -> Chart:
    rows = [(f"{int(h):02d}:00", int(n)) for h, n in result["by_hour"].items()]
    data = [{"hour": h, "joint": n} for h, n in rows]
    return Chart(
        id="by-hour",
        title="Joint incidents by the hour of their earliest record",
        spec=spec(
            data,
            title="Joint incidents by hour",
            mark={"type": "bar", "tooltip": True},
            encoding={
                "x": {"field": "hour", "type": "ordinal", "title": "Hour", "sort": None},
                "y": {"field": "joint", "type": "quantitative", "title": "Joint incidents"},
            },
        ),
        columns=["Hour", "Joint incidents"],
        rows=[[h, f"{n:,}"] for h, n in rows],
    )


def weekday_chart(details: Mapping[str, Any]) -> Chart:
    rows = [(WEEKDAYS[int(d)], int(n)) for d, n in details["by_weekday"].items()]
    return Chart(
        id="by-weekday",
        title="Joint incidents by the weekday of their earliest record",
        spec=spec(
            [{"day": d, "joint": n} for d, n in rows],
            title="Joint incidents by weekday",
            mark={"type": "bar", "tooltip": True},
            encoding={
                "x": {
                    "field": "day",
                    "type": "ordinal",
                    "title": "Weekday",
                    "sort": list(WEEKDAYS),
                },
                "y": {"field": "joint", "type": "quantitative", "title": "Joint incidents"},
            },
        ),
        columns=["Weekday", "Joint incidents"],
        rows=[[d, f"{n:,}"] for d, n in rows],
    )


def weekday_hour_chart(details: Mapping[str, Any]) -> Chart:
    grid = details["by_weekday_hour"]
    data = [
        {"day": WEEKDAYS[d], "hour": f"{h:02d}", "joint": int(grid[d][h])}
        for d in range(7)
        for h in range(24)
    ]
    return Chart(
        id="by-weekday-hour",
        title="Joint incidents by weekday and hour",
        spec=spec(
            data,
            title="Joint incidents by weekday and hour",
            height=220,
            mark={"type": "rect", "tooltip": True},
            encoding={
                "x": {"field": "hour", "type": "ordinal", "title": "Hour"},
                "y": {"field": "day", "type": "ordinal", "title": None, "sort": list(WEEKDAYS)},
                "color": {
                    "field": "joint",
                    "type": "quantitative",
                    "title": "Joint incidents",
                    "scale": {"scheme": "blues"},
                },
            },
        ),
        columns=["Weekday", *[f"{h:02d}" for h in range(24)]],
        rows=[[WEEKDAYS[d], *[str(int(n)) for n in grid[d]]] for d in range(7)],
    )


def hotspot_chart(cells: list[Mapping[str, Any]], cell_m: int, threshold: int) -> Chart:
    data = [
        {"latitude": c["latitude"], "longitude": c["longitude"], "joint": c["joint_incidents"]}
        for c in cells
    ]
    return Chart(
        id="hotspots",
        title=f"Hotspots: cells of about {cell_m:,} m with at least {threshold} joint incidents",
        description="Each cell at its middle; cells with fewer joint incidents are not shown.",
        spec=spec(
            data,
            title="Hotspots of joint incidents",
            height=320,
            projection={"type": "mercator"},
            mark={"type": "circle", "tooltip": True, "opacity": 0.7},
            encoding={
                "longitude": {"field": "longitude", "type": "quantitative"},
                "latitude": {"field": "latitude", "type": "quantitative"},
                "size": {
                    "field": "joint",
                    "type": "quantitative",
                    "title": "Joint incidents",
                    # From the threshold: no cell below it is drawn, so none is in the key.
                    "scale": {"domainMin": threshold},
                },
            },
        ),
        columns=["Cell (middle: latitude, longitude)", "Joint incidents"],
        rows=[
            [f"{c['latitude']:.4f}, {c['longitude']:.4f}", f"{c['joint_incidents']:,}"]
            for c in cells
        ],
    )


# The export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("section", "item", "measure", "value")


def export_rows(result: Mapping[str, Any], threshold: int) -> list[tuple[str, str, str, Any]]:
    """Every figure of the results, one a row (section, item, measure, value): what the page
    shows, hotspots below the threshold withheld as there."""
    rows: list[tuple[str, str, str, Any]] = []
    for key in (
        "window_minutes",
        "distance_m",
        "records",
        "unlocated",
        "joint_incidents",
        "tri_service",
    ):
        rows.append(("overall", "", key, result[key]))
    for name, f in result["by_service"].items():
        for measure in ("records", "in_joint", "share_joint"):
            rows.append(("by_service", name, measure, f[measure]))
    for key, p in result["pairs"].items():
        rows.append(("pairs", key, "links", p["links"]))
        rows.append(("pairs", key, "joint_incidents", p["joint_incidents"]))
    for hour, n in result["by_hour"].items():
        rows.append(("by_hour", str(hour), "joint_incidents", n))
    details = result.get("details") or {}
    for day, n in (details.get("by_weekday") or {}).items():
        rows.append(("by_weekday", WEEKDAYS[int(day)], "joint_incidents", n))
    for c in details.get("category_pairs") or []:
        item = (
            f"{c['services'][0]}: {c['categories'][0]} + {c['services'][1]}: {c['categories'][1]}"
        )
        rows.append(("category_pairs", item, "joint_incidents", c["joint_incidents"]))
    shown, withheld = hotspots_shown(
        result, max(threshold, int((details.get("grid") or {}).get("threshold", threshold)))
    )
    for c in shown:
        rows.append(
            (
                "hotspots",
                f"{c['latitude']:.5f},{c['longitude']:.5f}",
                "joint_incidents",
                c["joint_incidents"],
            )
        )
    rows.append(("hotspots_withheld", "", "cells", withheld.get("cells", 0)))
    rows.append(("hotspots_withheld", "", "joint_incidents", withheld.get("joint_incidents", 0)))
    for service, n in (details.get("duplicated_attendances") or {}).items():
        rows.append(("duplicated_attendances", service, "attendances", n))
    return rows


def export_json(result: Mapping[str, Any], threshold: int) -> dict[str, Any]:
    """The stored result with hotspots below the threshold taken out, as the page shows it."""
    data = dict(result)
    details = dict(data.get("details") or {})
    if details:
        run_threshold = int((details.get("grid") or {}).get("threshold", threshold))
        shown, withheld = hotspots_shown(result, max(threshold, run_threshold))
        details["hotspots"], details["hotspots_withheld"] = shown, withheld
        data["details"] = details
    return data
