"""The cost of duplicated attendance: each service's duplicated attendances (details.py: each
joint incident counts one attendance fewer than its records) at a unit cost chosen from the
appraisal unit cost library, each uplifted to one price year by the GDP deflators the
appraisals use; and that cost as a benefit line of the collaboration's appraisal.

A year's cost is the records' cost scaled from the days that have records to 365
(`details.yearly_factor`): a sample of scattered days stands for the days it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accord.appraisal import services as appraisal
from accord.core.problems import PermissionRefused, Problem, Problems

from .details import yearly_factor
from .models import Analysis

SERVICE_WORDS = {"ambulance": "Ambulance", "fire": "Fire", "police": "Police"}


@dataclass
class CostLine:
    service: str
    duplicated: int
    unit_cost: Any = None  # the library's UnitCost, or None when none is chosen
    value: float | None = None  # the unit cost in the price year
    cost: float | None = None


@dataclass
class Costing:
    price_year: int
    lines: list[CostLine] = field(default_factory=list)
    days: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.cost or 0.0 for line in self.lines)

    @property
    def costed(self) -> bool:
        return any(line.cost is not None for line in self.lines)

    @property
    def yearly(self) -> float:
        return self.total * yearly_factor(self.days)

    @property
    def uncosted(self) -> list[str]:
        return [line.service for line in self.lines if line.cost is None and line.duplicated]


def unit_costs() -> list[Any]:
    return list(appraisal.unit_cost_library())


def default_choice(service: str, library: list[Any]) -> Any:
    """The library's one cost of attending an incident for this service, if it has exactly
    one (the shipped library has the ambulance's call-out, and none for fire or police)."""
    word = SERVICE_WORDS.get(service, service).casefold()
    found = [
        item
        for item in library
        if item.category.casefold() == word and "attended" in item.unit.casefold()
    ]
    return found[0] if len(found) == 1 else None


def default_price_year() -> int:
    return max(appraisal.deflator_table().years)


def costing(
    analysis: Analysis, choices: dict[str, Any], price_year: int, table: Any = None
) -> Costing:
    """Each service's duplicated attendances at its chosen unit cost, in `price_year` prices."""
    result = analysis.result or {}
    details = result.get("details") or {}
    duplicated: dict[str, int] = details.get("duplicated_attendances") or {}
    deflators = table if table is not None else appraisal.deflator_table()
    out = Costing(
        price_year=price_year, days=int((details.get("period") or {}).get("days_with_records", 0))
    )
    for service in sorted(result.get("by_service") or {}):
        line = CostLine(service=service, duplicated=int(duplicated.get(service, 0)))
        chosen = choices.get(service)
        if chosen is not None:
            line.unit_cost = chosen
            line.value = appraisal.uplifted(
                Decimal(chosen.value), chosen.price_year, price_year, deflators
            )
            if line.value is None:
                out.problems.append(
                    f"{chosen.name}: the GDP deflators have no figure for {chosen.price_year} "
                    f"or {price_year}, so it cannot be put in {price_year} prices"
                )
            else:
                line.cost = line.value * line.duplicated
        out.lines.append(line)
    return out


def add_to_appraisal(
    actor: Any,
    analysis: Analysis,
    record: Any,
    choices: dict[str, Any],
    *,
    from_year: int = 1,
) -> Any:
    """Add the yearly cost of duplicated attendance, in the appraisal's price year, as a
    benefit line (a fiscal, non-cashable one: attendances released, not money saved) from
    `from_year` to the appraisal's last year."""
    if record.collaboration_id != analysis.collaboration_id:
        raise PermissionRefused("That appraisal is not of this analysis's collaboration.")
    if not appraisal.can_edit(actor, analysis.collaboration):
        raise PermissionRefused("You may not change this collaboration's appraisals.")
    found = costing(analysis, choices, record.price_year)
    problems = [Problem(p) for p in found.problems]
    if not found.costed:
        problems.append(Problem("choose a unit cost for at least one service", field="unit_cost"))
    if not 0 <= from_year < record.years:
        problems.append(Problem(f"must be from 0 to {record.years - 1}", field="from_year"))
    if problems:
        raise Problems(problems)
    yearly = round(found.yearly, 2)
    amounts = [0.0] * from_year + [yearly] * (record.years - from_year)
    costed = [line for line in found.lines if line.cost is not None]
    parts = "; ".join(
        f"{line.service}: {line.duplicated:,} duplicated attendances at {line.unit_cost.name} "
        f"(£{line.value:,.2f} in {record.price_year} prices, from "
        f"£{Decimal(line.unit_cost.value):,.2f} in {line.unit_cost.price_year})"
        for line in costed
    )
    notes = (
        f"From the demand analysis '{analysis.title}' (analysis {analysis.pk}, "
        f"{analysis.window_minutes:g} minutes and {analysis.distance_m:g} m): {parts}. "
        f"Each joint incident counts one attendance fewer than its records. The records cover "
        f"{found.days} day(s) with records; the cost over them, £{found.total:,.2f}, is scaled "
        f"by 365/{found.days} to a year. The whole cost of duplicated attendance: what "
        "removing every duplicated attendance would release, before deadweight and "
        "attribution."
    )
    if found.uncosted:
        notes += f" Not costed (no unit cost chosen): {', '.join(found.uncosted)}."
    if analysis.data_note:
        notes += f" {analysis.data_note}."
    confidence = max(int(line.unit_cost.confidence) for line in costed)
    return appraisal.add_benefit_line(
        actor,
        record,
        name=f"Duplicated attendance avoided ({analysis.title})"[:200],
        amounts=amounts,
        confidence=confidence,
        source="; ".join(dict.fromkeys(line.unit_cost.source for line in costed))[:2000],
        notes=notes,
        how="analytics",
    )
