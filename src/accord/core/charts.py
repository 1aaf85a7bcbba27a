"""Charts as Vega-Lite specs with their numbers as a table, for pages and exports alike.

Specs are plain dictionaries (Vega-Lite v6 JSON); the page draws them with vega-embed and always
shows the table too, so the numbers reach screen readers and pages without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# GOV.UK Frontend's palette, so charts sit with the rest of the page.
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#b58840"]


@dataclass
class Chart:
    """A chart to show: its spec, and the same numbers as a table."""

    id: str
    title: str
    spec: dict[str, Any]
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def spec(data: list[dict[str, Any]], *, title: str, **body: Any) -> dict[str, Any]:
    """A Vega-Lite spec with Accord's defaults; `body` holds mark, encoding, layer and so on."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "width": "container",
        "height": body.pop("height", 260),
        "data": {"values": data},
        "config": {
            "font": "arial, sans-serif",
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 14, "titleFontSize": 14},
            "legend": {"labelFontSize": 14, "titleFontSize": 14},
            # From the chart's left edge and cut to its width, so that a long title is not
            # clipped at both ends on a phone (the table's caption below gives it in full).
            "title": {
                "fontSize": 16,
                "anchor": "start",
                "frame": "bounds",
                "limit": {"expr": "containerSize()[0]"},
            },
        },
        **body,
    }
