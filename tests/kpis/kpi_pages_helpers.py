"""What the KPI page, export and API tests share: KPIs made through the services (the
factories), with series written out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tests.support.factories import AdoptionFactory, IndicatorFactory, MeasurementFactory
from tests.support.people import EMAS

#: Twelve steady months, then twelve clearly lower: a shift a go-live in January 2019 makes.
STEADY = [480.0, 470.0, 490.0, 475.0, 485.0, 480.0, 472.0, 488.0, 478.0, 482.0, 476.0, 484.0]
LOWER = [440.0, 445.0, 438.0, 442.0, 436.0, 441.0, 439.0, 443.0, 437.0, 444.0, 440.0, 442.0]
#: Twelve more months like the first twelve: no change at all.
SAME = [481.0, 474.0, 487.0, 477.0, 483.0, 479.0, 473.0, 486.0, 479.0, 481.0, 477.0, 483.0]


def month(offset: int, start: dt.date = dt.date(2018, 1, 1)) -> dt.date:
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def make_kpi(
    collaboration: Any,
    values: Sequence[float] = (),
    *,
    start: dt.date = dt.date(2018, 1, 1),
    organisation: Any = EMAS,
    indicator: Any = None,
    notes: dict[int, str] | None = None,
    with_milestone: bool = False,
    **adoption: Any,
) -> Any:
    """An adoption of a new indicator (or `indicator`) with one measurement a month from
    `start`, made through the services (and a go-live milestone at `start`, if asked)."""
    if indicator is None:
        indicator = IndicatorFactory(
            **{
                k.removeprefix("indicator_"): adoption.pop(k)
                for k in list(adoption)
                if k.startswith("indicator_")
            }
        )
    found = AdoptionFactory(
        collaboration=collaboration, indicator=indicator, organisation=organisation, **adoption
    )
    for i, value in enumerate(values):
        MeasurementFactory(
            adoption=found,
            period=month(i, start),
            value=value,
            note=(notes or {}).get(i, ""),
        )
    if with_milestone:
        go_live(found, start, starts_phase=False)
    return found


def go_live(
    adoption: Any, on: dt.date, *, starts_phase: bool = True, title: str = "Go-live"
) -> Any:
    from accord.core.actors import SystemActor
    from accord.kpis import services

    return services.add_milestone(
        SystemActor("test"),
        adoption,
        services.MilestoneData(on=on, title=title, kind="go_live", starts_phase=starts_phase),
    )


def make_archived_kpi(collaboration: Any, values: Sequence[float] = (470.0,), **kwargs: Any) -> Any:
    """A KPI made as `make_kpi` makes one, then archived through the services."""
    from accord.core.actors import SystemActor
    from accord.kpis import services

    return services.archive_adoption(SystemActor("test"), make_kpi(collaboration, values, **kwargs))
