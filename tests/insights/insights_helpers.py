"""What the national picture needs beyond the register: the force areas, their boundaries and
populations, loaded through the services (so audited), from ../shared/data when it is there."""

from __future__ import annotations

from pathlib import Path

from accord.core.actors import SystemActor
from accord.insights import demo

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def load_map_data() -> list[str]:
    """The reference areas, then ONS's boundaries and populations (as the demo loads them)."""
    from accord.orgs import services as orgs

    actor = SystemActor("test")
    orgs.load_reference_areas(actor=actor)
    return demo.load_demo(actor, SHARED_DATA if SHARED_DATA.exists() else None).lines
