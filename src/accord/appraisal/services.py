"""Every change to appraisals, realised benefits and the unit cost library.

Each function checks permission, writes inside one transaction and records the audit event.
An appraisal is stored as the canonical YAML of ``appraisal_file.dump_appraisal``; its figures
come from ``engine.run_appraisal`` on that YAML, exactly as ``accord appraise`` computes them.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import yaml
from django.db import models, transaction

from accord.core import audit, safe_yaml, widgets
from accord.core.actors import user_or_none
from accord.core.matching import NameIndex
from accord.core.problems import EditConflict, NotVisible, PermissionRefused, Problem, Problems
from accord.core.uploads import import_max_bytes
from accord.orgs.models import Organisation
from accord.register import services as register

from . import deflators, engine
from .appraisal_file import AppraisalFileError, dump_appraisal, parse_appraisal
from .models import Appraisal, DeflatorRelease, DeflatorValue, RealisedBenefit, UnitCost
from .realisation import RealisationRow, realisation_rows

if TYPE_CHECKING:
    from accord.register.models import Collaboration

#: The most Monte Carlo iterations a page view runs; a file asking for more is run at this
#: many on the page (the page says so) and in full by ``accord appraise``.
PAGE_MAX_ITERATIONS: Final = 100_000
HISTOGRAM_BINS: Final = 20
UNIT_COSTS_FILE: Final = Path(__file__).resolve().parent / "data" / "unit_costs.yaml"


# Permission and visibility ----------------------------------------------------------------


def can_edit(user: Any, collaboration: Collaboration) -> bool:
    """Whoever may edit the collaboration may create and edit its appraisals."""
    return register.can_edit(user, collaboration)


def can_manage_unit_costs(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_platform_admin", False))


def get_collaboration(user: Any, reference: str) -> Collaboration:
    return register.get_visible(user, reference)


def get_appraisal(user: Any, pk: int) -> Appraisal:
    """The appraisal, or NotVisible (a 404) where it does not exist or its collaboration is
    hidden from them: one query decides both, by the register's rule, so that an appraisal is
    seen exactly where its collaboration is and a hidden one costs what a missing one does."""
    record = visible_appraisals(user).filter(pk=pk).first()
    if record is None:
        raise NotVisible("appraisal")
    return record


def visible_appraisals(user: Any) -> Any:
    return Appraisal.objects.visible_to(user).select_related("collaboration")


def appraisals_of(collaboration: Collaboration) -> list[Appraisal]:
    """The collaboration's appraisals, for its page: call it only for a collaboration already
    found visible to the person (the register's page has)."""
    return list(
        Appraisal.objects.filter(collaboration=collaboration)
        .only("pk", "title", "price_year", "years", "npv", "bcr", "updated_at", "collaboration_id")
        .order_by("title", "pk")
    )


# Reading and checking YAML ----------------------------------------------------------------


def parse_yaml_text(text: str, source: str = "<appraisal>") -> engine.Appraisal:
    """Check YAML text as ``accord appraise`` would; raises :class:`Problems` (each problem
    ``path: reason``)."""
    try:
        data = safe_yaml.load(text, max_bytes=import_max_bytes())
    except safe_yaml.YamlRefused as exc:
        raise AppraisalFileError([Problem(str(exc), refused=True)], source) from exc
    except yaml.YAMLError as exc:
        reason = f"not valid YAML: {' '.join(str(exc).split())}"
        raise AppraisalFileError([reason], source) from exc
    return parse_data(data, source)


def parse_data(data: Any, source: str = "<appraisal>") -> engine.Appraisal:
    """Check a mapping in the file's layout (what the form builds); raises :class:`Problems`,
    the file's and then any the engine finds."""
    appraisal = parse_appraisal(data, source)
    engine.appraise(appraisal)
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
    tied, text = _for_collaboration(check_parties(appraisal), collaboration)
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
    tied, text = _for_collaboration(check_parties(appraisal), record.collaboration)
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
    """Who saved since, and what changed in the file between the version they opened and now."""
    by, at = audit.last_change(current)
    opened = audit.snapshot_at_version(current, expected_version) or {}
    diff = difflib.unified_diff(
        str(opened.get("yaml", "")).splitlines(),
        current.yaml_text.splitlines(),
        fromfile=f"version {expected_version} (when you opened it)",
        tofile=f"version {current.version} (now)",
        lineterm="",
    )
    return EditConflict(by=by, at=at, current_version=current.version, diff=list(diff))


def _changes(
    obj: models.Model, expected_version: int, now: Mapping[str, Any], labels: Mapping[str, str]
) -> list[tuple[str, Any, Any]]:
    """(label, value then, value now) of each field that changed since the version opened."""
    then = audit.snapshot_at_version(obj, expected_version)
    if then is None:
        return []
    return [
        (label, then.get(name), now.get(name))
        for name, label in labels.items()
        if then.get(name) != now.get(name)
    ]


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
    """What the results call each payer and beneficiary: an organisation by its name, a party
    that is not an organisation by the name it was given."""
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    for code in codes:
        party = party_name(code)
        if party is not None:
            names[code] = party
    return names


# Who pays and who benefits ----------------------------------------------------------------

#: How the file names a payer or beneficiary that is not an organisation ("local residents"):
#: an explicit choice, never an organisation's name mistyped.
NOT_AN_ORGANISATION: Final = "not an organisation: "


def party_key(name: str) -> str:
    """The file's text for a party that is not an organisation."""
    return NOT_AN_ORGANISATION + " ".join(name.split())


def party_name(text: str | None) -> str | None:
    """The name of a party that is not an organisation, or None for anything else."""
    if text and text.casefold().startswith(NOT_AN_ORGANISATION.strip().casefold()):
        name = " ".join(text[len(NOT_AN_ORGANISATION.strip()) :].split())
        return name or None
    return None


def organisation_index() -> NameIndex[Organisation]:
    """Every organisation by code, name or short name, matched as the import matches them."""
    return widgets.organisation_index(Organisation.objects.all())


def check_parties(appraisal: engine.Appraisal) -> engine.Appraisal:
    """The appraisal with every payer and beneficiary an organisation's code (found by code or
    name, in any case) or an explicit party that is not an organisation; anything else is
    refused with the closest organisations, so that nobody invents one by typing its name."""
    index: NameIndex[Organisation] | None = None
    problems: list[Problem] = []

    def checked(text: str | None, path: str) -> str | None:
        nonlocal index
        if text is None or not text.strip():
            return None
        name = party_name(text)
        if name is not None:
            return party_key(name)
        index = index or organisation_index()
        found = index.find(text)
        if found is not None:
            return str(found.code)
        problems.append(
            Problem(
                f"no organisation matches {text.strip()!r}.{index.did_you_mean(text)} For "
                f"someone who is not an organisation, write '{party_key(text)}'.",
                field=path,
            )
        )
        return text

    costs = tuple(
        dataclasses.replace(line, payer=checked(line.payer, f"costs[{i}].payer"))
        for i, line in enumerate(appraisal.costs)
    )
    benefits = tuple(
        dataclasses.replace(
            line, beneficiary=checked(line.beneficiary, f"benefits[{i}].beneficiary")
        )
        for i, line in enumerate(appraisal.benefits)
    )
    if problems:
        raise Problems(problems)
    return dataclasses.replace(appraisal, costs=costs, benefits=benefits)


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
        raise Problems([Problem(f"must be from 0 to {record.years - 1}", field="year")])
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
def shipped_deflator_table() -> deflators.DeflatorTable:
    return deflators.load_table()


def deflator_table() -> deflators.DeflatorTable:
    """The GDP deflators uplift uses: the newest imported release, otherwise the shipped table.

    Read afresh each time (two small queries), so that an import shows in every process at
    once; a page asks once and passes the table on."""
    release = DeflatorRelease.objects.order_by("-pk").first()
    if release is None:
        return shipped_deflator_table()
    quarterly = release.values.filter(quarter__isnull=False)
    quarters = {
        (year, int(quarter or 0)): value
        for year, quarter, value in quarterly.values_list("year", "quarter", "value")
    }
    series = deflators.OnsSeries(
        cdid=release.series,
        title=release.title,
        release_date=release.release_date,
        dataset=release.dataset,
        quarters=quarters,
    )
    table = series.table(origin="imported")
    imported = f"Imported on {release.imported_at:%d %B %Y} from {release.source_name}. "
    return dataclasses.replace(table, source=imported + table.source)


def deflator_release(table: deflators.DeflatorTable) -> str:
    """Which deflators are in use, in words: "ONS series YBGB, release of 30 June 2025
    (imported)"."""
    when = (
        f"release of {table.release_date.day} {table.release_date:%B %Y}"
        if table.release_date
        else "release not recorded"
    )
    return f"ONS series YBGB, {when} ({table.origin})"


def uplifted(
    value: Decimal | float, from_year: int, to_year: int, table: deflators.DeflatorTable
) -> float | None:
    """The value in ``to_year`` prices, or None where the table lacks either year."""
    try:
        return deflators.uplift(float(value), from_year, to_year, table)
    except deflators.DeflatorError:
        return None


def import_deflators(actor: Any, data: bytes, source_name: str) -> DeflatorRelease:
    """Store a release of ONS's GDP deflator series (YBGB) as ONS publishes it, for uplift from
    now on. All or nothing: a file with any problem (each named by its line) stores nothing."""
    if not can_manage_unit_costs(actor):
        raise PermissionRefused("Only platform administrators may import GDP deflators.")
    series = deflators.parse_ons_series(deflators.decode_ons(data), source_name)
    with transaction.atomic():
        release = DeflatorRelease.objects.create(
            series=series.cdid,
            title=series.title[:300],
            dataset=series.dataset[:40],
            release_date=series.release_date,
            next_release=series.next_release[:100],
            source_name=source_name[:300],
            imported_by=user_or_none(actor),
        )
        rows = [DeflatorValue(release=release, year=y, value=v) for y, v in series.annual.items()]
        rows += [
            DeflatorValue(release=release, year=y, quarter=q, value=v)
            for (y, q), v in series.quarters.items()
        ]
        DeflatorValue.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="deflators.import",
            obj=release,
            after={
                "series": series.cdid,
                "release_date": series.release_date.isoformat(),
                "source": source_name,
                "annual": len(series.annual),
                "quarters": len(series.quarters),
                "financial_years": {
                    deflators.financial_year_label(y): str(v)
                    for y, v in series.financial_years().items()
                },
            },
        )
    return release


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


#: What a crossing edit of a unit cost names each field.
UNIT_COST_LABELS: Final = {
    "name": "Name",
    "category": "Category",
    "value": "Value (£)",
    "unit": "Unit",
    "price_year": "Price year",
    "source": "Source",
    "source_url": "Source web address",
    "confidence": "Confidence grade",
    "notes": "Notes",
}
#: The fields of a unit cost that a person sets, in the form's order.
UNIT_COST_FIELDS: Final = tuple(UNIT_COST_LABELS)


def get_unit_cost(pk: int) -> UnitCost:
    """A unit cost of the library (which anyone signed in may read), or NotVisible."""
    item = UnitCost.objects.filter(pk=pk).first()
    if item is None:
        raise NotVisible("unit cost")
    return item


def unit_cost_library() -> models.QuerySet[UnitCost]:
    """Every unit cost of the library (which anyone signed in may read), in its order."""
    return UnitCost.objects.all()


def add_benefit_line(
    actor: Any,
    record: Appraisal,
    *,
    name: str,
    amounts: list[float],
    benefit_class: str = "fiscal_non_cashable",
    confidence: int | None = None,
    source: str = "",
    notes: str = "",
    how: str = "line",
) -> Appraisal:
    """The appraisal with one more benefit line (amounts by year, in its price year), saved
    as a new version by `update_appraisal` (checked, audited)."""
    current = stored_appraisal(record)
    line = engine.BenefitLine(
        name=name,
        benefit_class=benefit_class,
        amounts=tuple(float(a) for a in amounts),
        confidence=confidence,
        source=source or None,
        notes=notes or None,
    )
    changed = dataclasses.replace(current, benefits=(*current.benefits, line))
    return update_appraisal(actor, record, changed, expected_version=record.version, how=how)


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
            by, at = audit.last_change(current)
            now = unit_cost_snapshot(current)
            raise EditConflict(
                by=by,
                at=at,
                current_version=current.version,
                changes=_changes(current, expected_version, now, UNIT_COST_LABELS),
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


# Reading lists ------------------------------------------------------------------------------


def appraisals_matching(user: Any, q: str = "", collaboration: str = "") -> Any:
    """The appraisals list of the appraisals page: those this person may see, whose
    collaboration's reference or title holds `q`, in the page's order; `collaboration` keeps
    one collaboration's (by its exact reference)."""
    appraisals = visible_appraisals(user).order_by("collaboration__title", "title", "pk")
    q = q.strip()
    if q:
        appraisals = appraisals.filter(
            models.Q(collaboration__reference__icontains=q)
            | models.Q(collaboration__title__icontains=q)
        )
    if collaboration:
        appraisals = appraisals.filter(collaboration__reference=collaboration)
    return appraisals
