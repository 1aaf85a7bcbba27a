"""The demo appraisals: the briefing's collaborations, from their published figures.

Each file in ``data/demo/`` names its collaboration; every input's source is in the file, and
every assumption says ``assumption:``. Run after the register's demo; safe to run again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.register import services as register_services

from . import services
from .models import Appraisal

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"


def load_demo(actor: Any, directory: Path = DEMO_DIR) -> list[Appraisal]:
    """Seed the unit cost library and create the demo appraisals that are not there yet (by
    collaboration and title); returns the appraisals created. A file whose collaboration is
    not registered is skipped."""
    services.load_unit_cost_library(actor)
    created = []
    for path in sorted(directory.glob("*.yaml")):
        appraisal = services.parse_yaml_text(path.read_text(encoding="utf-8"), str(path))
        collaboration = register_services.find_collaboration(appraisal.collaboration)
        if collaboration is None:
            continue
        if Appraisal.objects.filter(collaboration=collaboration, title=appraisal.title).exists():
            continue
        created.append(services.create_appraisal(actor, collaboration, appraisal, how="demo"))
    return created
