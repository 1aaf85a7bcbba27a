"""The demo analysis: Montgomery County's 911 calls (../shared/data/montco_911_sample.csv,
Montgomery County layout), attached to the PSTN Surrey and Sussex collaboration, whose
subject is reducing overlap between the emergency services. The records are US sample data,
not the partners' own, and the analysis says so wherever its results are shown.

The file is read where the shared data is, when the demo loads; its rows are discarded after
the run, as any upload's are (nothing of it is copied into the product). Safe to run again:
the analysis is made once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.conf import settings

from accord.register import services as register

from . import services
from .models import Analysis

MONTCO_FILE: Final = "montco_911_sample.csv"
REFERENCE: Final = "PSTN-SURREY-SUSSEX"
TITLE: Final = "Montgomery County 911 calls (US sample data)"
NOTE: Final = (
    "US sample data: 911 calls of Montgomery County, Pennsylvania (34 days, 2016 to 2018, as "
    "republished), not records of the Surrey and Sussex services; shown to demonstrate the "
    "analysis"
)
#: Cells of 5 km: the sample's 120 joint incidents are spread thin, and cells of 1 km would
#: all be under the disclosure threshold.
CELL_M: Final = 5000.0


@dataclass
class AnalyticsDemo:
    made: int = 0
    lines: list[str] = field(default_factory=list)


def shared_montco_file() -> Path | None:
    for root in (Path(settings.PROJECT_DIR), Path.cwd()):
        candidate = root.parent / "shared" / "data" / MONTCO_FILE
        if candidate.is_file():
            return candidate
    return None


def load_demo(actor: Any, path: Path | None = None) -> AnalyticsDemo:
    out = AnalyticsDemo()
    collaboration = register.find_collaboration(REFERENCE)
    if collaboration is None:
        out.lines.append(f"Demand analytics: no {REFERENCE} collaboration, so no demo analysis.")
        return out
    if Analysis.objects.filter(collaboration=collaboration, title=TITLE).exists():
        out.lines.append(f"Demand analytics: the demo analysis of {REFERENCE} is there already.")
        return out
    found = path or shared_montco_file()
    if found is None:
        out.lines.append(
            f"Demand analytics: {MONTCO_FILE} is not in ../shared/data/, so no demo analysis."
        )
        return out
    analysis = services.create_analysis(
        actor,
        collaboration,
        services.AnalysisData(title=TITLE, layout="montco", cell_m=CELL_M, data_note=NOTE),
    )
    services.add_file(actor, analysis, found.name, found.read_bytes())
    services.queue_run(actor, analysis)
    finished = services.run(analysis.pk)
    out.made = 1
    result = (finished.result if finished is not None else None) or {}
    out.lines.append(
        f"Demand analytics: {TITLE} for {REFERENCE}: {result.get('records', 0):,} records, "
        f"{result.get('joint_incidents', 0):,} joint incidents."
    )
    return out
