"""Helpers for the overlap tests: incident files written from plain rows, and a reference
analysis written from issue 15's contract alone (every pair compared, `haversine_m`, a plain
union-find), to hold the engines to."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from accord.analytics.overlap import EARTH_RADIUS_M, haversine_m

HEADER = ("incident_id", "service", "received_at", "latitude", "longitude", "category")
#: A quiet corner of Lincolnshire, and the metres a degree of latitude spans on the sphere.
LAT, LON = 53.2, -0.54
METRES_A_DEGREE = EARTH_RADIUS_M * math.pi / 180
T0 = dt.datetime(2024, 3, 1, 14, 0, 0)


@dataclass(frozen=True)
class Row:
    service: str
    received_at: str
    latitude: float | None
    longitude: float | None
    category: str = ""
    incident_id: str = ""


def at(
    service: str,
    *,
    minutes: float = 0.0,
    north_m: float = 0.0,
    east_m: float = 0.0,
    category: str = "",
    located: bool = True,
    lat: float = LAT,
    lon: float = LON,
) -> Row:
    """A record `minutes` after T0 and so many metres north and east of (lat, lon)."""
    when = T0 + dt.timedelta(minutes=minutes)
    latitude = lat + north_m / METRES_A_DEGREE
    longitude = lon + east_m / (METRES_A_DEGREE * math.cos(math.radians(latitude)))
    return Row(
        service,
        when.isoformat(sep=" "),
        latitude if located else None,
        longitude if located else None,
        category,
    )


def write_csv(path: Path, rows: Sequence[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, row in enumerate(rows, start=1):
            writer.writerow(
                [
                    row.incident_id or f"I{number}",
                    row.service,
                    row.received_at,
                    "" if row.latitude is None else repr(row.latitude),
                    "" if row.longitude is None else repr(row.longitude),
                    row.category,
                ]
            )
    return path


def reference(
    rows: Sequence[Row], *, window_minutes: float = 20.0, distance_m: float = 250.0
) -> dict[str, Any]:
    """Issue 15's JSON for these rows, every pair compared."""
    services = [row.service.strip().lower() for row in rows]
    times = [dt.datetime.fromisoformat(row.received_at) for row in rows]
    window = math.floor(Fraction(window_minutes) * 60_000_000)
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: Counter[tuple[str, str]] = Counter()
    # Every pair, taken in order of time so that the loop can stop at the window's end.
    order = sorted(range(len(rows)), key=lambda index: times[index])
    for x, i in enumerate(order):
        first = rows[i]
        for j in order[x + 1 :]:
            second = rows[j]
            gap = times[j] - times[i]
            gap_us = (gap.days * 86_400 + gap.seconds) * 1_000_000 + gap.microseconds
            if gap_us > window:
                break
            if services[i] == services[j]:
                continue
            if None in (first.latitude, first.longitude, second.latitude, second.longitude):
                continue
            assert first.latitude is not None and first.longitude is not None
            assert second.latitude is not None and second.longitude is not None
            if (
                haversine_m(first.latitude, first.longitude, second.latitude, second.longitude)
                > distance_m
            ):
                continue
            a, b = sorted((services[i], services[j]))
            links[(a, b)] += 1
            parent[find(i)] = find(j)
    components: dict[int, list[int]] = {}
    for i in range(len(rows)):
        components.setdefault(find(i), []).append(i)
    joint = [members for members in components.values() if len(members) >= 2]
    in_joint: Counter[str] = Counter(services[i] for members in joint for i in members)
    together: Counter[tuple[str, str]] = Counter()
    tri = 0
    by_hour = [0] * 24
    for members in joint:
        present = sorted({services[i] for i in members})
        for x, first_name in enumerate(present):
            for second_name in present[x + 1 :]:
                together[(first_name, second_name)] += 1
        tri += {"ambulance", "fire", "police"} <= set(present)
        by_hour[min(times[i] for i in members).hour] += 1
    records = Counter(services)
    keys = sorted(set(links) | set(together), key=lambda pair: f"{pair[0]}+{pair[1]}")
    return {
        "window_minutes": float(window_minutes),
        "distance_m": float(distance_m),
        "records": len(rows),
        "unlocated": sum(row.latitude is None or row.longitude is None for row in rows),
        "by_service": {
            name: {
                "records": records[name],
                "in_joint": in_joint[name],
                "share_joint": in_joint[name] / records[name],
            }
            for name in sorted(records)
        },
        "pairs": {
            f"{a}+{b}": {"links": links[(a, b)], "joint_incidents": together[(a, b)]}
            for a, b in keys
        },
        "joint_incidents": len(joint),
        "tri_service": tri,
        "by_hour": {str(hour): count for hour, count in enumerate(by_hour)},
    }
