"""Every change to appraisals, realised benefits and the unit cost library.

Each function checks permission, writes inside one transaction and records the audit event.
An appraisal is stored as the canonical YAML of ``appraisal_file.dump_appraisal``; its figures
come from ``engine.run_appraisal`` on that YAML, exactly as ``accord appraise`` computes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import yaml
from django.db import transaction
from django.http import Http404

from accord.core import audit
from accord.core.actors import user_or_none
from accord.orgs.models import Organisation
from accord.register import services as register

from . import deflators, engine
from .appraisal_file import AppraisalFileError, dump_appraisal, parse_appraisal
from .models import Appraisal, RealisedBenefit, UnitCost
from .realisation import RealisationRow, realisation_rows

if TYPE_CHECKING:
    from accord.register.models import Collaboration

#: The most Monte Carlo iterations a page view runs; a file asking for more is run at this
#: many on the page (the page says so) and in full by ``accord appraise``.
PAGE_MAX_ITERATIONS: Final = 100_000
HISTOGRAM_BINS: Final = 20
UNIT_COSTS_FILE: Final = Path(__file__).resolve().parent / "data" / "unit_costs.yaml"


class PermissionRefused(Exception):
    """The person may not make this change."""


class InvalidAppraisal(ValueError):
    """The appraisal's YAML or form data has problems; ``problems`` lists each as path: reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class EditConflict(Exception):
    """Someone else saved the record after this person opened it."""

    by: str
    at: dt.datetime | None
    current_version: int
    diff: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return f"changed by {self.by} since you opened it"


# Permission and visibility ----------------------------------------------------------------


def can_edit(user: Any, collaboration: Collaboration) -> bool:
    """Whoever may edit the collaboration may create and edit its appraisals."""
    return register.can_edit(user, collaboration)


def can_manage_unit_costs(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_platform_admin", False))


def get_collaboration(user: Any, reference: str) -> Collaboration:
    return register.get_visible(user, reference)


def get_appraisal(user: Any, pk: int) -> Appraisal:
    """The appraisal, or 404 where it does not exist or its collaboration is hidden from them."""
    record = Appraisal.objects.select_related("collaboration").filter(pk=pk).first()
    if record is None:
        raise Http404("No such appraisal")
    # The register's rule, so that an appraisal is seen exactly where its collaboration is.
    record.collaboration = register.get_visible(user, record.collaboration.reference)
    return record


def visible_appraisals(user: Any) -> Any:
    return Appraisal.objects.visible_to(user).select_related("collaboration")


# Reading and checking YAML ----------------------------------------------------------------


def parse_yaml_text(text: str, source: str = "<appraisal>") -> engine.Appraisal:
    """Check YAML text as ``accord appraise`` would; raises :class:`InvalidAppraisal`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidAppraisal([f"not valid YAML: {' '.join(str(exc).split())}"]) from exc
    return parse_data(data, source)


def parse_data(data: Any, source: str = "<appraisal>") -> engine.Appraisal:
    try:
        appraisal = parse_appraisal(data, source)
    except AppraisalFileError as exc:
        raise InvalidAppraisal(exc.problems) from exc
    try:
        engine.appraise(appraisal)
    except engine.AppraisalError as exc:
        raise InvalidAppraisal([str(exc)]) from exc
    return appraisal


def stored_appraisal(record: Appraisal) -> engine.Appraisal:
    """The engine's appraisal from the record's YAML."""
    return parse_yaml_text(record.yaml_text, f"appraisal {record.pk}")


def _for_collaboration(
    appraisal: engine.Appraisal, collaboration: Collaboration
) -> tuple[engine.Appraisal, str]:
    """The appraisal tied to this collaboration, and its canonical YAML."""
    tied = dataclasses.replace(appraisal, collaboration=collaboration.reference)
    return tied, dump_appraisal(tied)


def _headline(appraisal: engine.Appraisal) -> tuple[float, float | None]:
    result = engine.appraise(appraisal)
    return result.npv, result.bcr


def snapshot(record: Appraisal) -> dict[str, Any]:
    return {
        "collaboration": record.collaboration.reference,
        "title": record.title,
        "price_year": record.price_year,
        "years": record.years,
        "version": record.version,
        "npv": record.npv,
        "bcr": record.bcr,
        "yaml": record.yaml_text,
    }


# Appraisals -------------------------------------------------------------------------------


def create_appraisal(
    actor: Any, collaboration: Collaboration, appraisal: engine.Appraisal, *, how: str = "form"
) -> Appraisal:
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not add appraisals to this collaboration.")
    tied, text = _for_collaboration(appraisal, collaboration)
    npv, bcr = _headline(tied)
    with transaction.atomic():
        record = Appraisal.objects.create(
            collaboration=collaboration,
            title=tied.title[:300],
            price_year=tied.price_year,
            years=tied.years,
            yaml_text=text,
            npv=npv,
            bcr=bcr,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="appraisal.create" if how == "form" else f"appraisal.create.{how}",
            obj=record,
            after=snapshot(record),
        )
    return record


def update_appraisal(
    actor: Any,
    record: Appraisal,
    appraisal: engine.Appraisal,
    *,
    expected_version: int,
    how: str = "form",
) -> Appraisal:
    if not can_edit(actor, record.collaboration):
        raise PermissionRefused("You may not edit this appraisal.")
    tied, text = _for_collaboration(appraisal, record.collaboration)
    npv, bcr = _headline(tied)
    with transaction.atomic():
        current = (
            Appraisal.objects.select_for_update().select_related("collaboration").get(pk=record.pk)
        )
        if current.version != expected_version:
            raise _conflict(current, expected_version)
        before = snapshot(current)
        current.title = tied.title[:300]
        current.price_year = tied.price_year
        current.years = tied.years
        current.yaml_text = text
        current.npv, current.bcr = npv, bcr
        current.report = None
        current.report_version = None
        current.version += 1
        current.save()
        audit.record(
            actor=actor,
            action="appraisal.update" if how == "form" else f"appraisal.update.{how}",
            obj=current,
            before=before,
            after=snapshot(current),
        )
    return current


def _conflict(current: Appraisal, expected_version: int) -> EditConflict:
    events = audit.AuditEvent.objects.filter(
        object_type=current._meta.label_lower, object_id=str(current.pk)
    ).only("after", "actor_label", "at")
    latest = events.first()
    opened = ""
    for event in events:
        if isinstance(event.after, dict) and event.after.get("version") == expected_version:
            opened = str(event.after.get("yaml", ""))
            break
    diff = list(
        difflib.unified_diff(
            opened.splitlines(),
            current.yaml_text.splitlines(),
            fromfile=f"version {expected_version} (when you opened it)",
            tofile=f"version {current.version} (now)",
            lineterm="",
        )
    )
    return EditConflict(
        by=latest.actor_label if latest else "someone else",
        at=latest.at if latest else None,
        current_version=current.version,
        diff=diff,
    )


# Results ----------------------------------------------------------------------------------


def page_iterations(appraisal: engine.Appraisal) -> tuple[int, int]:
    """(iterations the file asks for, iterations a page runs)."""
    settings = appraisal.monte_carlo or engine.MonteCarloSettings()
    return settings.iterations, min(settings.iterations, PAGE_MAX_ITERATIONS)


def compute_report(appraisal: engine.Appraisal) -> dict[str, Any]:
    """The --json report of ``accord appraise`` (the file's settings), with a histogram of the
    Monte Carlo NPVs and how many iterations ran."""
    asked, run = page_iterations(appraisal)
    report = engine.run_appraisal(appraisal, iterations=None if run == asked else run)
    data = report.to_json_dict()
    data["iterations_asked"] = asked
    data["line_names"] = {
        "costs": [line.name for line in appraisal.costs],
        "benefits": [line.name for line in appraisal.benefits],
    }
    if report.monte_carlo is not None:
        samples = report.monte_carlo.npv_samples
        finite = samples[np.isfinite(samples)]
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
        data["npv_histogram"] = [
            {"from": float(edges[i]), "to": float(edges[i + 1]), "count": int(counts[i])}
            for i in range(len(counts))
        ]
    return data


def report_for(record: Appraisal) -> dict[str, Any]:
    """The record's report, computed once per version and kept on the record."""
    if record.report is not None and record.report_version == record.version:
        return dict(record.report)
    data = compute_report(stored_appraisal(record))
    # A cache, not a change of state: no audit event; a newer version is never overwritten.
    Appraisal.objects.filter(pk=record.pk, version=record.version).update(
        report=data, report_version=record.version
    )
    record.report, record.report_version = data, record.version
    return data


def organisation_names(codes: list[str]) -> dict[str, str]:
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


# Benefits realisation ---------------------------------------------------------------------


@dataclass
class RealisedData:
    year: int
    amount: Decimal
    note: str = ""
    evidence: str = ""


def _realised_snapshot(item: RealisedBenefit) -> dict[str, Any]:
    return {
        "appraisal": item.appraisal_id,
        "year": item.year,
        "amount": f"{Decimal(item.amount):.2f}",
        "note": item.note,
        "evidence": item.evidence,
    }


def record_realised(actor: Any, record: Appraisal, data: RealisedData) -> RealisedBenefit:
    """Record (or correct) what was realised in one year of the appraisal."""
    if not can_edit(actor, record.collaboration):
        raise PermissionRefused("You may not record realised benefits for this appraisal.")
    if not 0 <= data.year < record.years:
        raise ValueError(f"The year must be from 0 to {record.years - 1}")
    with transaction.atomic():
        item = (
            RealisedBenefit.objects.select_for_update()
            .filter(appraisal=record, year=data.year)
            .first()
        )
        before = _realised_snapshot(item) if item else None
        if item is None:
            item = RealisedBenefit(appraisal=record, year=data.year)
        item.amount = data.amount
        item.note = data.note
        item.evidence = data.evidence
        item.recorded_by = user_or_none(actor)
        item.save()
        audit.record(
            actor=actor,
            action="appraisal.realised" if before is None else "appraisal.realised.update",
            obj=item,
            object_label=f"{record.title}: year {data.year}",
            before=before,
            after=_realised_snapshot(item),
        )
    return item


def realisation_for(record: Appraisal, report: dict[str, Any]) -> list[RealisationRow]:
    forecast = [float(row["benefits"] or 0.0) for row in report["per_year"]]
    realised = {
        year: float(amount)
        for year, amount in RealisedBenefit.objects.filter(appraisal=record).values_list(
            "year", "amount"
        )
    }
    return realisation_rows(forecast, realised)


# The unit cost library --------------------------------------------------------------------


@lru_cache(maxsize=1)
def deflator_table() -> deflators.DeflatorTable:
    return deflators.load_table()


def uplifted(value: Decimal | float, from_year: int, to_year: int) -> float | None:
    """The value in ``to_year`` prices, or None where the table lacks either year."""
    try:
        return deflators.uplift(float(value), from_year, to_year, deflator_table())
    except deflators.DeflatorError:
        return None


@dataclass
class UnitCostData:
    name: str
    value: Decimal
    unit: str
    price_year: int
    source: str
    confidence: int
    category: str = ""
    source_url: str = ""
    notes: str = ""


UNIT_COST_FIELDS: Final = (
    "name",
    "category",
    "value",
    "unit",
    "price_year",
    "source",
    "source_url",
    "confidence",
    "notes",
)


def unit_cost_snapshot(item: UnitCost) -> dict[str, Any]:
    data = {name: getattr(item, name) for name in UNIT_COST_FIELDS}
    data["value"] = f"{Decimal(item.value):.2f}"
    data["version"] = item.version
    return data


def create_unit_cost(actor: Any, data: UnitCostData) -> UnitCost:
    if not can_manage_unit_costs(actor):
        raise PermissionRefused("Only platform administrators may change the unit cost library.")
    with transaction.atomic():
        item = UnitCost(**{name: getattr(data, name) for name in UNIT_COST_FIELDS})
        item.save()
        audit.record(
            actor=actor, action="unit_cost.create", obj=item, after=unit_cost_snapshot(item)
        )
    return item


def update_unit_cost(
    actor: Any, item: UnitCost, data: UnitCostData, *, expected_version: int
) -> UnitCost:
    if not can_manage_unit_costs(actor):
        raise PermissionRefused("Only platform administrators may change the unit cost library.")
    with transaction.atomic():
        current = UnitCost.objects.select_for_update().get(pk=item.pk)
        if current.version != expected_version:
            latest = audit.AuditEvent.objects.filter(
                object_type=current._meta.label_lower, object_id=str(current.pk)
            ).first()
            raise EditConflict(
                by=latest.actor_label if latest else "someone else",
                at=latest.at if latest else None,
                current_version=current.version,
            )
        before = unit_cost_snapshot(current)
        for name in UNIT_COST_FIELDS:
            setattr(current, name, getattr(data, name))
        current.version += 1
        current.save()
        audit.record(
            actor=actor,
            action="unit_cost.update",
            obj=current,
            before=before,
            after=unit_cost_snapshot(current),
        )
    return current


def load_unit_cost_library(actor: Any = "system", path: Path = UNIT_COSTS_FILE) -> int:
    """Add the shipped unit costs that are not there yet (matched by name); returns how many."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = set(UnitCost.objects.values_list("name", flat=True))
    created = 0
    with transaction.atomic():
        for item in items:
            if item["name"] in existing:
                continue
            unit_cost = UnitCost.objects.create(
                name=item["name"],
                category=item.get("category", ""),
                value=Decimal(str(item["value"])),
                unit=item["unit"],
                price_year=int(item["price_year"]),
                source=" ".join(str(item["source"]).split()),
                source_url=item.get("source_url") or "",
                confidence=int(item["confidence"]),
                notes=" ".join(str(item.get("notes") or "").split()),
            )
            audit.record(
                actor=actor,
                action="unit_cost.create",
                obj=unit_cost,
                after=unit_cost_snapshot(unit_cost),
            )
            created += 1
    return created
