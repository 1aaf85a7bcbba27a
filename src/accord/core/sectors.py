"""The services Accord knows, named once (no Django here: the pure service-mix rule uses them).

A sector is what an organisation is; a collaboration's "services involved" are drawn from the
same four words, so the register, its filters, imports and forms all spell them from here.
"""

from __future__ import annotations

from typing import Final

POLICE: Final = "police"
FIRE: Final = "fire"
AMBULANCE: Final = "ambulance"
OTHER: Final = "other"

#: Every service, in the order pages list them.
SERVICES: Final = (POLICE, FIRE, AMBULANCE, OTHER)
#: The three blue-light services.
BLUE_LIGHT: Final = (POLICE, FIRE, AMBULANCE)
#: What pages call each.
LABELS: Final = {
    POLICE: "Police",
    FIRE: "Fire and rescue",
    AMBULANCE: "Ambulance",
    OTHER: "Other public body",
}
#: What pages call each as one of a collaboration's services involved.
INVOLVED_LABELS: Final = {**LABELS, OTHER: "Other public services"}
