"""Area boundaries made ready for the page's map. Pure (no Django).

- Simplified (Douglas–Peucker, per ring, to a tolerance in degrees) and rounded, so that the
  map's data costs a fraction of the stored boundaries: the page embeds it (no tile server).
- Wound as Vega's projections (d3-geo) need: d3-geo reads a polygon's rings on the sphere,
  exterior clockwise, while GeoJSON (RFC 7946, and ONS's files) writes them counter-clockwise;
  unturned, each area would be drawn as the whole world outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Point = Sequence[float]
Ring = list[list[float]]

#: About 1 km: a national map at page width (some 10 degrees across 600 pixels) shows no finer.
TOLERANCE = 0.01
DECIMALS = 3


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p[:2], a[:2], b[:2]
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return float(((px - ax) ** 2 + (py - ay) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return float(((px - cx) ** 2 + (py - cy) ** 2) ** 0.5)


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """The points to keep of a line, so that none dropped lies further than `tolerance` from
    it (iterative, so a long coastline cannot overflow the stack)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        furthest, index = 0.0, 0
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > furthest:
                furthest, index = d, i
        if furthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def signed_area(ring: Sequence[Point]) -> float:
    """The shoelace area, positive for a counter-clockwise ring (x east, y north)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(
        (p[:2] for p in ring), (p[:2] for p in [*ring[1:], ring[0]]), strict=True
    ):
        total += x1 * y2 - x2 * y1
    return total / 2


def _ring(ring: Sequence[Point], *, exterior: bool, tolerance: float) -> Ring | None:
    closed = list(ring)
    if closed and list(closed[0]) != list(closed[-1]):
        closed.append(closed[0])
    kept = douglas_peucker(closed, tolerance) if tolerance > 0 else closed
    rounded: Ring = []
    for x, y, *_ in kept:
        point = [round(float(x), DECIMALS), round(float(y), DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) < 4:  # a triangle at least, closed
        return None
    area = signed_area(rounded)
    if area == 0:
        return None
    # d3-geo: exterior clockwise (negative shoelace area), holes counter-clockwise.
    if (area > 0) == exterior:
        rounded.reverse()
    return rounded


def _polygon(rings: Sequence[Sequence[Point]], tolerance: float) -> list[Ring] | None:
    if not rings:
        return None
    exterior = _ring(rings[0], exterior=True, tolerance=tolerance)
    if exterior is None:
        return None
    holes = [_ring(r, exterior=False, tolerance=tolerance) for r in rings[1:]]
    return [exterior, *(h for h in holes if h is not None)]


def for_map(geometry: dict[str, Any] | None, tolerance: float = TOLERANCE) -> dict[str, Any] | None:
    """A Polygon or MultiPolygon simplified, rounded and wound for d3-geo; None if nothing of
    it is left (or it is no polygon)."""
    if not geometry:
        return None
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = list(coordinates)
    else:
        return None
    kept = [p for p in (_polygon(rings, tolerance) for rings in polygons) if p is not None]
    if not kept:
        # Too small to survive the tolerance (an island, the City of London): keep it unsimplified.
        if tolerance > 0:
            return for_map(geometry, 0)
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def point_count(geometry: dict[str, Any] | None) -> int:
    """How many positions a geometry holds."""
    if not geometry:
        return 0

    def count(value: Any) -> int:
        if value and isinstance(value[0], int | float):
            return 1
        return sum(count(v) for v in value)

    return count(geometry.get("coordinates") or [])
