"""The figures an analysis's page shows beyond `accord overlap`'s JSON (issue 15, "In the
product"): joint incidents by weekday and hour, the category pairs that co-occur most, a grid
of hotspots with small cells withheld, and the duplicated attendances a cost is put on.

The linkage is `overlap`'s, unchanged: the same records, the same links, the same joint
incidents (the connected components of two or more records), and its JSON is computed by
`overlap.summarise` exactly as the command computes it. This module labels each record with
its joint incident and asks DuckDB, embedded, for the rest in SQL over those labelled records.

- **When**: a joint incident's time is its earliest record's (as ``by_hour``); the weekday is
  0 for Monday to 6 for Sunday.
- **Category pairs**: for each joint incident, each pair of a category of one service and a
  category of another service among its records ("ambulance: FALL VICTIM" with "fire: FIRE
  ALARM"); a pair counts the joint incidents that hold it (once each, however many records).
  A blank category is "(no category)".
- **Hotspots**: each joint incident is placed at its earliest record (unlocated records never
  link, so it has one), in a grid of cells `cell_m` metres high (latitude bands of
  cell_m / R radians) and about as wide (longitude columns widened by 1 / cos of the band's
  middle latitude). A cell holding fewer joint incidents than the disclosure threshold is not
  listed; how many cells and joint incidents are withheld is.
- **Duplicated attendance**: each joint incident counts one attendance fewer than its records.
  The one not counted is its earliest record (the lowest row among records received at the
  same moment), so each service's duplicated attendances are its records in joint incidents
  that are not the first there; they sum to records in joint incidents minus joint incidents.
- **Period**: the earliest and latest record and the number of calendar days with records,
  which a yearly figure is scaled by.

Pure: no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from accord.analytics.overlap import (
    DEFAULT_DISTANCE_M,
    DEFAULT_WINDOW_MINUTES,
    EARTH_RADIUS_M,
    DuckDBEngine,
    Engine,
    Overlap,
    check_parameters,
    grid_for_records,
    links_sql,
    prepare,
    summarise,
)
from accord.analytics.records import Incidents

#: The hotspot grid's cells, metres high.
DEFAULT_CELL_M = 1000.0
#: How many category pairs are listed.
TOP_PAIRS = 10
NO_CATEGORY = "(no category)"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Detailed:
    """`accord overlap`'s figures and the page's, as one JSON-ready mapping each."""

    overlap: Overlap
    details: dict[str, Any]

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's JSON, unchanged, with the details under one key of their own."""
        data = self.overlap.to_json_dict()
        data["details"] = self.details
        return data


def analyse_in_detail(
    incidents: Incidents,
    *,
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    distance_m: float = DEFAULT_DISTANCE_M,
    threshold: int = 5,
    cell_m: float = DEFAULT_CELL_M,
    top_pairs: int = TOP_PAIRS,
    engine: Engine | None = None,
) -> Detailed:
    """Link the records (as `overlap.analyse`), then work out the page's figures."""
    check_parameters(window_minutes, distance_m)
    if not (math.isfinite(cell_m) and cell_m > 0):
        raise ValueError(f"the hotspot cell must be more than 0 metres, not {cell_m!r}")
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {threshold!r}")
    chosen: Engine = engine if engine is not None else DuckDBEngine()
    prepared = prepare(incidents)
    grid = grid_for_records(prepared, window_minutes, distance_m)
    a, b = chosen.links(prepared.table, links_sql(grid))
    overlap = summarise(
        prepared, a, b, window_minutes=window_minutes, distance_m=distance_m, engine=chosen.name
    )
    rows = prepared.svc.size
    component = np.full(rows, -1, dtype=np.int64)
    if a.size:
        graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(rows, rows))
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels)
        members = sizes[labels] >= 2
        component[members] = labels[members]
    table = incidents.table
    labelled = pa.table(
        {
            "rid": pa.array(np.arange(rows, dtype=np.int64)),
            "comp": pa.array(component),
            "service": table.column("service"),
            "category": pc.fill_null(table.column("category"), ""),
            "t": table.column("received_at"),
            "lat": table.column("latitude"),
            "lon": table.column("longitude"),
        }
    )
    details = _details(labelled, threshold=threshold, cell_m=cell_m, top_pairs=top_pairs)
    details["grid"] = {"cell_m": float(cell_m), "threshold": int(threshold)}
    return Detailed(overlap, details)


# The SQL: only numbers this module formats go into it (no input reaches the text).

_FIRSTS = """
CREATE TEMP TABLE firsts AS
SELECT comp, rid, service, t, lat, lon FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY comp ORDER BY t, rid) AS n
  FROM labelled WHERE comp >= 0
) WHERE n = 1
"""

_WHEN = """
SELECT CAST(ISODOW(t) - 1 AS INTEGER) AS weekday, CAST(HOUR(t) AS INTEGER) AS hour,
       COUNT(*) AS joint
FROM firsts GROUP BY 1, 2
"""

_PAIRS = """
WITH held AS (
  SELECT DISTINCT comp, service,
         CASE WHEN TRIM(category) = '' THEN '{none}' ELSE TRIM(category) END AS category
  FROM labelled WHERE comp >= 0
)
SELECT x.service AS service_a, x.category AS category_a,
       y.service AS service_b, y.category AS category_b,
       COUNT(DISTINCT x.comp) AS joint
FROM held AS x JOIN held AS y ON x.comp = y.comp AND x.service < y.service
GROUP BY 1, 2, 3, 4
ORDER BY joint DESC, service_a, category_a, service_b, category_b
LIMIT {limit}
"""

_CELLS = """
WITH placed AS (
  SELECT comp,
         CAST(FLOOR((lat + 90.0) / {band}) AS BIGINT) AS band,
         lon
  FROM firsts
),
columns AS (
  SELECT comp, band,
         GREATEST(1, CAST(FLOOR(360.0 * COS(RADIANS(LEAST(90.0, (band + 0.5) * {band} - 90.0)))
                                / {band}) AS BIGINT)) AS columns,
         lon
  FROM placed
)
SELECT band, columns,
       CAST(FLOOR((lon + 180.0) / (360.0 / columns)) AS BIGINT) % columns AS col,
       COUNT(*) AS joint
FROM columns GROUP BY 1, 2, 3
ORDER BY joint DESC, band, col
"""

_DUPLICATED = """
SELECT l.service, COUNT(*) AS duplicated
FROM labelled AS l JOIN firsts AS f ON l.comp = f.comp
WHERE l.rid <> f.rid
GROUP BY 1 ORDER BY 1
"""

_PERIOD = """
SELECT MIN(t) AS first, MAX(t) AS last, COUNT(DISTINCT CAST(t AS DATE)) AS days FROM labelled
"""


def _details(
    labelled: pa.Table, *, threshold: int, cell_m: float, top_pairs: int
) -> dict[str, Any]:
    import duckdb

    band = math.degrees(cell_m / EARTH_RADIUS_M)
    connection = duckdb.connect(":memory:")
    try:
        connection.register("labelled", labelled)
        connection.execute(_FIRSTS)
        grid = [[0] * 24 for _ in WEEKDAYS]
        for weekday, hour, joint in connection.execute(_WHEN).fetchall():
            grid[int(weekday)][int(hour)] = int(joint)
        pairs = [
            {
                "services": [str(sa), str(sb)],
                "categories": [str(ca), str(cb)],
                "joint_incidents": int(joint),
            }
            for sa, ca, sb, cb, joint in connection.execute(
                _PAIRS.format(none=NO_CATEGORY, limit=int(top_pairs))
            ).fetchall()
        ]
        shown: list[dict[str, Any]] = []
        withheld_cells = withheld_joint = 0
        for band_index, columns, col, joint in connection.execute(
            _CELLS.format(band=repr(float(band)))
        ).fetchall():
            if joint < threshold:
                withheld_cells += 1
                withheld_joint += int(joint)
                continue
            south = band_index * band - 90.0
            width = 360.0 / columns
            west = col * width - 180.0
            shown.append(
                {
                    "south": south,
                    "north": min(90.0, south + band),
                    "west": west,
                    "east": west + width,
                    "latitude": min(90.0, south + band / 2),
                    "longitude": west + width / 2,
                    "joint_incidents": int(joint),
                }
            )
        duplicated = {
            str(service): int(n) for service, n in connection.execute(_DUPLICATED).fetchall()
        }
        first, last, days = connection.execute(_PERIOD).fetchone() or (None, None, 0)
    finally:
        connection.close()
    return {
        "by_weekday": {str(day): sum(hours) for day, hours in enumerate(grid)},
        "by_weekday_hour": grid,
        "category_pairs": pairs,
        "hotspots": shown,
        "hotspots_withheld": {"cells": withheld_cells, "joint_incidents": withheld_joint},
        "duplicated_attendances": duplicated,
        "period": {
            "first": first.isoformat(sep=" ") if first is not None else None,
            "last": last.isoformat(sep=" ") if last is not None else None,
            "days_with_records": int(days or 0),
        },
    }


def yearly_factor(days_with_records: int) -> float:
    """What a figure over the records' days is multiplied by to stand for a year: 365 over
    the days with records (a sample of scattered days stands for the days it holds)."""
    return 365.0 / days_with_records if days_with_records > 0 else 0.0
