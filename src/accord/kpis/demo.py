"""The demo KPIs: the briefing's collaborations with indicators of the shipped library, and
real published figures where the shared data has them.

- JACP adopts the Category 1 and 2 response indicators for East Midlands Ambulance Service
  (RX9), read from the real AmbSYS file (August 2017 to December 2019), with a go-live
  milestone.
- CRIT adopts prevention visits and calls answered for partners.
- H3 adopts cashable savings, with the one figure the sources give.

Every figure comes from ``../shared`` (the AmbSYS file; ``seed/facts.md``); where the sources
give none, none is entered and the comment says why. Run after the register's demo; safe to
run again (an adoption is made once; AmbSYS imports again without duplicating).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.conf import settings

from accord.core.spreadsheets import read_file
from accord.orgs.models import Organisation
from accord.register import services as register

from . import services
from .choices import MilestoneKind
from .models import Adoption, Indicator

AMBSYS_FILE: Final = "ambsys_2017-08_to_2019-12.csv"

#: The Category 1 and 2 response indicators JACP adopts for EMAS.
JACP_INDICATORS: Final = ("ambsys-c1-mean", "ambsys-c1-90th", "ambsys-c2-mean", "ambsys-c2-90th")
#: Illustrative: the sources (seed/facts.md, the briefing, the register's demo record) give no
#: date for JACP's go-live, so the demo puts one inside the AmbSYS months to show how a
#: milestone annotates the chart and starts a new phase. It is not JACP's real date.
JACP_GO_LIVE: Final = dt.date(2018, 10, 1)
JACP_GO_LIVE_TITLE: Final = "Go-live (illustrative date: the sources give none)"

#: CRIT: the facts give "answered 2,832 calls for police and ambulance; made 1,089 prevention
#: visits", totals of six months with no dates, so no month (or quarter, or year) can hold
#: them: the indicators are adopted and no figure is entered.
CRIT_INDICATORS: Final = ("prevention-visits", "partner-calls-answered")

#: H3: "about £4m a year saved (Hampshire County Council; Hansard, Lords, 14 Sep 2016)". The
#: source gives a yearly rate, not the year it was saved in: it is entered for 2016, the year
#: of the statement, and the note says so.
H3_SAVINGS: Final = 4_000_000.0
H3_SAVINGS_PERIOD: Final = dt.date(2016, 1, 1)
H3_SAVINGS_NOTE: Final = (
    "About £4m a year saved, as reported in the House of Lords on 14 September 2016 (Hansard) "
    "from Hampshire County Council. The source gives no year for the saving: it is entered for "
    "2016, the year of the statement."
)


@dataclass
class KpiDemo:
    library: services.LibraryLoad | None = None
    ambsys: services.AmbsysResult | None = None
    adoptions: int = 0
    #: What the demo command prints.
    lines: list[str] = field(default_factory=list)


def shared_ambsys_file() -> Path | None:
    """The AmbSYS file where the demo's other shared data is: ``../shared/data/`` beside the
    project (or beside the directory `accord demo` runs in)."""
    for root in (Path(settings.PROJECT_DIR), Path.cwd()):
        candidate = root.parent / "shared" / "data" / AMBSYS_FILE
        if candidate.is_file():
            return candidate
    return None


def _adopt(actor: Any, reference: str, key: str, code: str | None) -> tuple[Adoption | None, bool]:
    """The collaboration's adoption of `key` for `code` (None: as a whole), made if it is not
    there yet; (adoption, made now)."""
    collaboration = register.find_collaboration(reference)
    indicator = Indicator.objects.filter(key=key).first()
    if collaboration is None or indicator is None:
        return None, False
    organisation = Organisation.objects.get(code=code) if code else None
    found = Adoption.objects.filter(
        collaboration=collaboration,
        indicator=indicator,
        organisation=organisation,
        archived_at__isnull=True,
    ).first()
    if found is not None:
        return found, False
    data = services.AdoptionData(indicator=indicator, organisation=organisation)
    return services.adopt(actor, collaboration, data), True


def load_demo(
    actor: Any, ambsys: Path | None = None, library: services.LibraryLoad | None = None
) -> KpiDemo:
    """The shipped library (unless `library` says it is loaded), the AmbSYS file (`ambsys`, or
    the shared one if it is there) and the demo collaborations' KPIs."""
    out = KpiDemo()
    out.library = library if library is not None else services.load_shipped_library(actor)
    out.lines += out.library.sentences()
    path = ambsys or shared_ambsys_file()
    if path is None:
        out.lines.append(
            f"AmbSYS: {AMBSYS_FILE} is not in ../shared/data/: JACP's response times have no "
            "figures (give the file with `accord demo --ambsys FILE`)."
        )
    else:
        out.ambsys = services.import_ambsys(actor, read_file(path), path.name)
        out.lines.append(f"AmbSYS: loaded {path}.")
        out.lines += out.ambsys.sentences()

    for key in JACP_INDICATORS:
        adoption, made = _adopt(actor, "JACP", key, "RX9")
        if adoption is not None and made:
            out.adoptions += 1
            services.add_milestone(
                actor,
                adoption,
                services.MilestoneData(
                    on=JACP_GO_LIVE,
                    title=JACP_GO_LIVE_TITLE,
                    kind=MilestoneKind.GO_LIVE,
                    starts_phase=True,
                ),
            )
    for key in CRIT_INDICATORS:
        adoption, made = _adopt(actor, "CRIT", key, None)
        out.adoptions += int(made)
    adoption, made = _adopt(actor, "H3", "cashable-savings", None)
    if adoption is not None and made:
        out.adoptions += 1
        services.record_measurement(
            actor, adoption, period=H3_SAVINGS_PERIOD, value=H3_SAVINGS, note=H3_SAVINGS_NOTE
        )
    out.lines.append(
        f"Demo KPIs: {out.adoptions} adopted (JACP: EMAS response times; CRIT: prevention "
        "visits and calls answered for partners, no figures as the published ones are "
        "undated six-month totals; H3: cashable savings)."
    )
    return out
