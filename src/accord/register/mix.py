"""The service mix of a collaboration, derived from the services involved. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from accord.core.sectors import AMBULANCE, BLUE_LIGHT, FIRE, OTHER, POLICE

PAIRS = {
    frozenset({POLICE, FIRE}): "police_fire",
    frozenset({FIRE, AMBULANCE}): "fire_ambulance",
    frozenset({POLICE, AMBULANCE}): "police_ambulance",
}


def service_mix(services: Iterable[str]) -> str:
    """Classify a set of services (police, fire, ambulance, other).

    Blue-light services decide first: all three is tri-service and any two is that pair, whoever
    else joins them. One blue-light service alone is intra-service; with other public bodies, or
    with no blue-light service at all, it is wider public service.
    """
    involved = set(services)
    blue = frozenset(involved & set(BLUE_LIGHT))
    if len(blue) == 3:
        return "tri_service"
    if len(blue) == 2:
        return PAIRS[blue]
    if len(blue) == 1 and OTHER not in involved:
        return "intra_service"
    return "wider_public_service"
