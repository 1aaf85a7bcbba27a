"""Demand analyses for tests: incident files written from hand-built rows, and analyses made,
filled and run through the services (so every change is audited)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from accord.core.actors import SystemActor

HEADER = ("incident_id", "service", "received_at", "latitude", "longitude", "category")

#: Three joint incidents in Lincoln (a fire and ambulance pair, and a chain of all three), and
#: records that link to nothing: a police record far away, an unlocated one, a late one.
ROWS: tuple[tuple[str, ...], ...] = (
    ("a1", "ambulance", "2024-03-04 10:00:00", "53.2300", "-0.5400", "Fall"),
    ("f1", "fire", "2024-03-04 10:05:00", "53.2301", "-0.5401", "Assist ambulance"),
    ("a2", "ambulance", "2024-03-05 14:00:00", "53.2350", "-0.5450", "Breathing"),
    ("f2", "fire", "2024-03-05 14:02:00", "53.2351", "-0.5451", "Road traffic collision"),
    ("p2", "police", "2024-03-05 14:03:00", "53.2352", "-0.5452", "Road traffic collision"),
    ("a3", "ambulance", "2024-03-06 09:00:00", "53.2300", "-0.5400", "Fall"),
    ("f3", "fire", "2024-03-06 09:10:00", "53.2300", "-0.5401", "Assist ambulance"),
    ("p9", "police", "2024-03-06 09:10:00", "54.0000", "-1.0000", "Theft"),
    ("p8", "police", "2024-03-06 09:11:00", "", "", "Concern for safety"),
)


def csv_bytes(rows: Iterable[Sequence[str]] = ROWS, header: Sequence[str] = HEADER) -> bytes:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_analysis(
    collaboration: Any,
    actor: Any = None,
    *,
    title: str = "Lincoln incidents",
    files: Sequence[tuple[str, bytes]] | None = None,
    keep: bool = False,
    run: bool = True,
    **fields: Any,
) -> Any:
    """An analysis of the collaboration, its files uploaded and (unless `run` is False) run."""
    from accord.analytics import services

    who = actor if actor is not None else SystemActor("test")
    analysis = services.create_analysis(
        who, collaboration, services.AnalysisData(title=title, **fields)
    )
    for name, data in files if files is not None else [("incidents.csv", csv_bytes())]:
        services.add_file(who, analysis, name, data, keep=keep)
    if run:
        services.queue_run(who, analysis)
        services.run(analysis.pk)
        analysis.refresh_from_db()
    return analysis
