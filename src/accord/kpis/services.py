"""Every change to KPIs: the indicator library, adoptions, milestones, measurements and the
imports (a collaboration's file, NHS England's AmbSYS).

Each function checks permission, writes inside one transaction and records the audit event.
A published import (AmbSYS) writes its thousands of values in bulk and records one event for
the import, naming the file and what it changed; a value entered by a person has its own
events, so that its history is in the audit log.

Indicators in use are never silently changed: a change to what an indicator means (its unit,
direction, frequency, aggregation, weight, published column or what Accord computes) is
refused once a collaboration has adopted it or figures are stored for it; loading a library
leaves such an indicator as it is and reports it (:class:`LibraryLoad`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.appraisal import services as appraisal
from accord.assessments import services as assessments
from accord.core import audit
from accord.core.actors import SystemActor, user_or_none
from accord.core.editing import plain
from accord.core.problems import EditConflict, PermissionRefused, Problem, Problems
from accord.core.widgets import organisation_index
from accord.orgs.models import Organisation
from accord.register import services as register

from . import importers, library
from .choices import MilestoneKind, Source
from .models import Adoption, Indicator, Measurement, Milestone

if TYPE_CHECKING:
    from accord.register.models import Collaboration

# Permission -----------------------------------------------------------------------------------


def can_edit(user: Any, collaboration: Collaboration) -> bool:
    """Who may change a collaboration's KPIs: whoever may edit the collaboration (contributors
    and administrators of its partners, and platform administrators)."""
    return register.can_edit(user, collaboration)


def can_manage_indicators(user: Any) -> bool:
    """The indicator library and published data are the platform administrators'."""
    return bool(user.is_authenticated and user.is_platform_admin)


def version_of(obj: Adoption | Measurement) -> int:
    """A record's version for an edit page: when it was last saved, in microseconds (a save
    always moves ``updated_at``), so that an edit opened before another's save is caught."""
    return int(obj.updated_at.timestamp() * 1_000_000)


# Snapshots (what the audit log records) -------------------------------------------------------


def indicator_snapshot(indicator: Indicator) -> dict[str, Any]:
    return {
        "key": indicator.key,
        "title": indicator.title,
        "description": indicator.description,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "frequency": indicator.frequency,
        "aggregation": indicator.aggregation,
        "weight_column": indicator.weight_column,
        "services": list(indicator.services),
        "source": indicator.source,
        "source_url": indicator.source_url,
        "standard": indicator.standard,
        "standard_text": indicator.standard_text,
        "published_column": indicator.published_column,
        "computed": indicator.computed,
        "shipped": indicator.shipped,
        "archived": indicator.archived_at is not None,
    }


def adoption_snapshot(adoption: Adoption) -> dict[str, Any]:
    return {
        "collaboration": adoption.collaboration.reference,
        "indicator": adoption.indicator.key,
        "organisation": adoption.organisation.code if adoption.organisation else None,
        "baseline_value": adoption.baseline_value,
        "baseline_period": _iso(adoption.baseline_period),
        "target_value": adoption.target_value,
        "target_by": _iso(adoption.target_by),
        "tolerance": adoption.tolerance,
        "archived": adoption.archived_at is not None,
    }


def milestone_snapshot(milestone: Milestone) -> dict[str, Any]:
    return {
        "adoption": milestone.adoption_id,
        "on": milestone.on.isoformat(),
        "title": milestone.title,
        "kind": milestone.kind,
        "starts_phase": milestone.starts_phase,
    }


def measurement_snapshot(measurement: Measurement) -> dict[str, Any]:
    return {
        "indicator": measurement.indicator.key,
        "adoption": measurement.adoption_id,
        "organisation": measurement.organisation.code if measurement.organisation else None,
        "period": measurement.period.isoformat(),
        "value": measurement.value,
        "note": measurement.note,
        "source": measurement.source,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _label(adoption: Adoption) -> str:
    whom = adoption.organisation.code if adoption.organisation else "the collaboration"
    return f"{adoption.collaboration.reference}: {adoption.indicator.title} for {whom}"[:300]


#: How an edit page may name "no organisation: the collaboration as a whole".
WHOLE_WORDS: Final = ("whole", "none", "the collaboration as a whole")


# Checks shared by the changes -----------------------------------------------------------------


def _finite(value: float | None, name: str, problems: list[Problem]) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(Problem("must be a number", field=name))
        return None
    if not math.isfinite(number):
        problems.append(Problem("must be a finite number", field=name))
        return None
    return number


def _period_start(value: dt.date | None, name: str, problems: list[Problem]) -> None:
    if value is not None and value.day != 1:
        problems.append(
            Problem(
                f"a period is named by its first day: {value:%Y-%m}-01, not {value.isoformat()}",
                field=name,
            )
        )


def _month(value: dt.date) -> str:
    return f"{value:%B %Y}"


def _conflict(
    current: Adoption | Measurement,
    opened: Mapping[str, Any],
    now: Mapping[str, Any],
    labels: Mapping[str, str],
) -> None:
    """Refuse the save when the record has changed since the person opened it: `opened` is
    what their page showed (the edit page's signed record, in the form's terms), `now` the
    same fields of the record as it is."""
    changes = [
        (labels.get(name, name.replace("_", " ").capitalize()), opened[name], value)
        for name, value in now.items()
        if name in opened and not _same(opened[name], value)
    ]
    if changes:
        by, at = audit.last_change(current)
        raise EditConflict(by=by, at=at, current_version=version_of(current), changes=changes)


def _same(shown: Any, value: Any) -> bool:
    """Whether a value the page showed is the record's value now, however each is written
    (480 and "480.0", an organisation by its code or id, a date as ISO text)."""
    if isinstance(value, Indicator | Organisation):
        return str(shown) in {str(value.pk), getattr(value, "code", ""), getattr(value, "key", "")}
    if value is None or value == "":
        # An edit page names "the collaboration as a whole" by a word of its own ("whole").
        return shown in (None, "", [], {}) or (
            isinstance(shown, str) and shown.strip().casefold() in WHOLE_WORDS
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(shown) == float(value)
        except (TypeError, ValueError):
            return False
    return bool(plain(shown) == plain(value))


# The indicator library ------------------------------------------------------------------------


@dataclass
class IndicatorData:
    """An indicator as an administrator defines it (the library file's fields; ``key`` is its
    id)."""

    key: str
    title: str
    description: str
    unit: str
    direction: str
    frequency: str
    aggregation: str
    weight_column: str = ""
    services: list[str] = field(default_factory=list)
    source: str = ""
    source_url: str = ""
    standard: float | None = None
    standard_text: str = ""
    published_column: str = ""
    computed: str = ""


#: What an indicator means: changed only while nothing uses it.
MEANING: Final = (
    "unit",
    "direction",
    "frequency",
    "aggregation",
    "weight_column",
    "published_column",
    "computed",
)
INDICATOR_LABELS: Final = {
    "unit": "unit",
    "direction": "direction",
    "frequency": "frequency",
    "aggregation": "aggregation",
    "weight_column": "weight column",
    "published_column": "published column",
    "computed": "what Accord computes",
}


def in_use(indicator: Indicator) -> bool:
    """Adopted by a collaboration (now or before), or with figures stored for it."""
    return (
        Adoption.objects.filter(indicator=indicator).exists()
        or Measurement.objects.filter(indicator=indicator).exists()
    )


def _checked(data: IndicatorData, *, ignore: str = "") -> library.IndicatorSpec:
    others = Indicator.objects.exclude(key=ignore or data.key)
    return library.check_indicator(
        dataclasses.asdict(data),
        known_keys=list(others.values_list("key", flat=True)),
        published_keys=list(others.exclude(published_column="").values_list("key", flat=True)),
    )


def _write_indicator(indicator: Indicator, spec: library.IndicatorSpec) -> None:
    for name, value in spec.fields().items():
        setattr(indicator, name, value)


def add_indicator(actor: Any, data: IndicatorData, *, shipped: bool = False) -> Indicator:
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may change the indicator library.")
    spec = _checked(data)
    if Indicator.objects.filter(key__iexact=spec.key).exists():
        raise Problems([Problem(f"{spec.key!r} is already an indicator's id", field="key")])
    with transaction.atomic():
        indicator = Indicator(shipped=shipped)
        _write_indicator(indicator, spec)
        indicator.save()
        audit.record(
            actor=actor,
            action="kpi.indicator.create",
            obj=indicator,
            after=indicator_snapshot(indicator),
        )
    return indicator


def update_indicator(actor: Any, indicator: Indicator, data: IndicatorData) -> Indicator:
    """Change an indicator's definition. What it means (MEANING) may change only while it is
    not in use; its words (title, description, source, services, standard) may change at any
    time, and the audit log keeps the before and after."""
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may change the indicator library.")
    data = dataclasses.replace(data, key=indicator.key)
    spec = _checked(data, ignore=indicator.key)
    with transaction.atomic():
        current = Indicator.objects.select_for_update(of=("self",)).get(pk=indicator.pk)
        wanted = spec.fields()
        changed = [name for name in MEANING if getattr(current, name) != wanted[name]]
        if changed and in_use(current):
            raise Problems(
                [
                    Problem(
                        f"cannot change the {INDICATOR_LABELS[name]} of {current.title}: it is "
                        "in use (adopted, or with figures stored). Add a new indicator instead.",
                        field=name,
                    )
                    for name in changed
                ]
            )
        before = indicator_snapshot(current)
        _write_indicator(current, spec)
        if indicator_snapshot(current) == before:
            return current
        current.save()
        audit.record(
            actor=actor,
            action="kpi.indicator.update",
            obj=current,
            before=before,
            after=indicator_snapshot(current),
        )
    return current


def archive_indicator(actor: Any, indicator: Indicator, *, archive: bool = True) -> Indicator:
    """An archived indicator can no longer be adopted; its adoptions and figures stay."""
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may change the indicator library.")
    with transaction.atomic():
        current = Indicator.objects.select_for_update(of=("self",)).get(pk=indicator.pk)
        before = indicator_snapshot(current)
        current.archived_at = timezone.now() if archive else None
        current.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            action="kpi.indicator.archive" if archive else "kpi.indicator.restore",
            obj=current,
            before=before,
            after=indicator_snapshot(current),
        )
    return current


@dataclass(frozen=True)
class KeptIndicator:
    """An indicator in use whose definition in the file differs from the stored one: kept as
    it is, never silently changed."""

    key: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.key}: kept as it is (in use); the file differs in {', '.join(self.fields)}"


class LibraryLoad(int):
    """How many indicators a library load added or changed (the number itself), and what it
    left: ``unchanged`` (the same already) and ``kept`` (in use, and different in the file)."""

    created: int
    updated: int
    unchanged: int
    kept: tuple[KeptIndicator, ...]

    def __new__(
        cls, *, created: int, updated: int, unchanged: int, kept: Sequence[KeptIndicator]
    ) -> LibraryLoad:
        loaded = super().__new__(cls, created + updated)
        loaded.created, loaded.updated, loaded.unchanged = created, updated, unchanged
        loaded.kept = tuple(kept)
        return loaded

    def sentences(self) -> list[str]:
        lines = [
            f"Indicators: {self.created} added, {self.updated} updated, "
            f"{self.unchanged} already as the file has them."
        ]
        lines += [str(k) for k in self.kept]
        return lines


def load_library(actor: Any, yaml_text: str, source: str, *, shipped: bool = False) -> LibraryLoad:
    """Add the file's indicators that are not in the library (by id) and update those whose
    definition changed and that are not in use; an indicator in use whose definition differs
    is kept as it is and reported. Safe to run again: nothing changes the second time. All or
    nothing: a file with any problem changes nothing (:class:`Problems`, each with its line)."""
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may change the indicator library.")
    parsed = library.parse_library(yaml_text, source)
    # A weight may name an indicator already in the library as well as one in the file.
    existing = {i.key: i for i in Indicator.objects.all()}
    created = updated = unchanged = 0
    kept: list[KeptIndicator] = []
    with transaction.atomic():
        for spec in parsed.indicators:
            current = existing.get(spec.key)
            if current is None:
                indicator = Indicator(shipped=shipped)
                _write_indicator(indicator, spec)
                indicator.save()
                audit.record(
                    actor=actor,
                    action="kpi.indicator.create",
                    obj=indicator,
                    after={**indicator_snapshot(indicator), "file": source},
                )
                created += 1
                continue
            wanted = spec.fields()
            differs = tuple(
                name for name, value in wanted.items() if _stored(getattr(current, name)) != value
            )
            if not differs and (current.shipped or not shipped):
                unchanged += 1
                continue
            if differs and in_use(current):
                kept.append(KeptIndicator(spec.key, differs))
                continue
            before = indicator_snapshot(current)
            _write_indicator(current, spec)
            current.shipped = current.shipped or shipped
            current.save()
            audit.record(
                actor=actor,
                action="kpi.indicator.update",
                obj=current,
                before=before,
                after={**indicator_snapshot(current), "file": source},
            )
            updated += 1
    return LibraryLoad(created=created, updated=updated, unchanged=unchanged, kept=kept)


def _stored(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def load_shipped_library(actor: Any) -> LibraryLoad:
    """The library shipped with Accord (``kpis/data/indicators.yaml``), loaded as above."""
    return load_library(actor, library.shipped_text(), library.SHIPPED_FILE.name, shipped=True)


# Adoptions ------------------------------------------------------------------------------------


@dataclass
class AdoptionData:
    """A collaboration's use of an indicator: for one organisation (one of its partners) or the
    whole collaboration (None); baseline, target (optionally by a date) and tolerance."""

    indicator: Indicator
    organisation: Organisation | None = None
    baseline_value: float | None = None
    baseline_period: dt.date | None = None
    target_value: float | None = None
    target_by: dt.date | None = None
    tolerance: float | None = None


ADOPTION_LABELS: Final = {
    "indicator": "Indicator",
    "organisation": "Measured for",
    "baseline_value": "Baseline value",
    "baseline_period": "Baseline period",
    "target_value": "Target",
    "target_by": "Target date",
    "tolerance": "Tolerance",
}


def _adoption_values(adoption: Adoption) -> dict[str, Any]:
    return {
        "indicator": adoption.indicator,
        "organisation": adoption.organisation,
        "baseline_value": adoption.baseline_value,
        "baseline_period": adoption.baseline_period,
        "target_value": adoption.target_value,
        "target_by": adoption.target_by,
        "tolerance": adoption.tolerance,
    }


def _check_adoption(
    collaboration: Collaboration, data: AdoptionData, *, current: Adoption | None = None
) -> AdoptionData:
    problems: list[Problem] = []
    indicator = data.indicator
    if indicator.archived_at is not None and (current is None or current.indicator != indicator):
        problems.append(
            Problem(
                f"{indicator.title} is archived and can no longer be adopted", field="indicator"
            )
        )
    if data.organisation is not None and (
        current is None or current.organisation_id != data.organisation.pk
    ):
        # (A KPI kept for an organisation that has since left the partners may still have
        # its target changed.)
        partners = set(collaboration.partners.values_list("organisation_id", flat=True))
        if data.organisation.pk not in partners:
            problems.append(
                Problem(
                    f"{data.organisation.name} is not one of the collaboration's partners",
                    field="organisation",
                )
            )
    if indicator.computed and data.organisation is not None:
        problems.append(
            Problem(
                f"{indicator.title} is worked out by Accord for the collaboration as a whole: "
                "leave the organisation blank",
                field="organisation",
            )
        )
    baseline = _finite(data.baseline_value, "baseline_value", problems)
    target = _finite(data.target_value, "target_value", problems)
    tolerance = _finite(data.tolerance, "tolerance", problems)
    _period_start(data.baseline_period, "baseline_period", problems)
    if data.baseline_period is not None and data.baseline_value is None:
        problems.append(
            Problem(
                "enter a baseline value, or leave the baseline period blank", field="baseline_value"
            )
        )
    if data.target_by is not None and data.target_value is None:
        problems.append(
            Problem("enter a target, or leave the target date blank", field="target_value")
        )
    if (
        data.target_by is not None
        and data.baseline_period is not None
        and data.target_by <= data.baseline_period
    ):
        problems.append(Problem("must be after the baseline period", field="target_by"))
    if tolerance is not None and tolerance < 0:
        problems.append(Problem("must be zero or more", field="tolerance"))
    same = Adoption.objects.filter(
        collaboration=collaboration,
        indicator=indicator,
        organisation=data.organisation,
        archived_at__isnull=True,
    )
    if current is not None:
        same = same.exclude(pk=current.pk)
    if same.exists():
        whom = data.organisation.name if data.organisation else "the collaboration as a whole"
        problems.append(
            Problem(
                f"the collaboration has already adopted {indicator.title} for {whom}",
                field="indicator",
            )
        )
    if problems:
        raise Problems(problems)
    return dataclasses.replace(
        data, baseline_value=baseline, target_value=target, tolerance=tolerance
    )


def _apply_adoption(adoption: Adoption, data: AdoptionData) -> None:
    adoption.indicator = data.indicator
    adoption.organisation = data.organisation
    adoption.baseline_value = data.baseline_value
    adoption.baseline_period = data.baseline_period
    adoption.target_value = data.target_value
    adoption.target_by = data.target_by
    adoption.tolerance = data.tolerance


def adopt(actor: Any, collaboration: Collaboration, data: AdoptionData) -> Adoption:
    """Adopt an indicator. One Accord works out (the three Cs, benefits realised) has its
    figures worked out at once."""
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    data = _check_adoption(collaboration, data)
    with transaction.atomic():
        adoption = Adoption(collaboration=collaboration, adopted_by=user_or_none(actor))
        _apply_adoption(adoption, data)
        adoption.save()
        audit.record(
            actor=actor,
            action="kpi.adoption.create",
            obj=adoption,
            object_label=_label(adoption),
            after=adoption_snapshot(adoption),
        )
        if adoption.indicator.computed:
            refresh_computed(actor, adoption)
    return adoption


def update_adoption(
    actor: Any, adoption: Adoption, data: AdoptionData, *, opened: dict[str, Any] | None = None
) -> Adoption:
    """Change an adoption's baseline, target or tolerance (or, while nothing is entered for
    it, its indicator or organisation). `opened` is what the person's edit page showed (the
    form's fields): if the adoption has changed since, the save is refused with
    :class:`EditConflict` naming what changed, as the register refuses a crossing edit."""
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    with transaction.atomic():
        current = (
            Adoption.objects.select_for_update(of=("self",))
            .select_related("collaboration", "indicator", "organisation")
            .get(pk=adoption.pk)
        )
        if opened is not None:
            _conflict(current, opened, _adoption_values(current), ADOPTION_LABELS)
        if current.archived_at is not None:
            raise Problems([Problem("this KPI is archived: it can no longer be changed")])
        data = _check_adoption(current.collaboration, data, current=current)
        moved = (data.indicator.pk, _pk(data.organisation)) != (
            current.indicator_id,
            current.organisation_id,
        )
        if moved and current.measurements.exists():
            raise Problems(
                [
                    Problem(
                        "figures are entered for this KPI: its indicator and organisation stay "
                        "as they are (adopt the other one instead)",
                        field="indicator",
                    )
                ]
            )
        before = adoption_snapshot(current)
        _apply_adoption(current, data)
        if adoption_snapshot(current) == before:
            return current
        current.save()
        audit.record(
            actor=actor,
            action="kpi.adoption.update",
            obj=current,
            object_label=_label(current),
            before=before,
            after=adoption_snapshot(current),
        )
        if moved and current.indicator.computed:
            refresh_computed(actor, current)
    return current


def _pk(obj: Any) -> Any:
    return obj.pk if obj is not None else None


def archive_adoption(actor: Any, adoption: Adoption, *, archive: bool = True) -> Adoption:
    """Stop tracking a KPI: it leaves the pages, its figures and milestones stay."""
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    with transaction.atomic():
        current = (
            Adoption.objects.select_for_update(of=("self",))
            .select_related("collaboration", "indicator", "organisation")
            .get(pk=adoption.pk)
        )
        if not archive and current.archived_at is not None:
            _check_adoption(
                current.collaboration,
                AdoptionData(indicator=current.indicator, organisation=current.organisation),
                current=current,
            )
        before = adoption_snapshot(current)
        current.archived_at = timezone.now() if archive else None
        current.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            action="kpi.adoption.archive" if archive else "kpi.adoption.restore",
            obj=current,
            object_label=_label(current),
            before=before,
            after=adoption_snapshot(current),
        )
    return current


# Milestones -----------------------------------------------------------------------------------


@dataclass
class MilestoneData:
    on: dt.date
    title: str
    kind: str = MilestoneKind.GO_LIVE
    starts_phase: bool = False


def add_milestone(actor: Any, adoption: Adoption, data: MilestoneData) -> Milestone:
    """A go-live or change of model on the KPI's chart; one that starts a phase has the control
    chart's limits worked out afresh from its period."""
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    problems = []
    title = " ".join((data.title or "").split())
    if not title:
        problems.append(Problem("is required", field="title"))
    elif len(title) > 200:
        problems.append(Problem("is longer than 200 characters", field="title"))
    if data.kind not in MilestoneKind.values:
        problems.append(Problem(f"must be one of {', '.join(MilestoneKind.values)}", field="kind"))
    if problems:
        raise Problems(problems)
    with transaction.atomic():
        milestone = Milestone.objects.create(
            adoption=adoption,
            on=data.on,
            title=title,
            kind=data.kind,
            starts_phase=bool(data.starts_phase),
        )
        audit.record(
            actor=actor,
            action="kpi.milestone.create",
            obj=milestone,
            object_label=f"{_label(adoption)}: {milestone}"[:300],
            after=milestone_snapshot(milestone),
        )
    return milestone


def remove_milestone(actor: Any, milestone: Milestone) -> None:
    adoption = milestone.adoption
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    with transaction.atomic():
        before = milestone_snapshot(milestone)
        label = f"{_label(adoption)}: {milestone}"[:300]
        pk = milestone.pk
        milestone.delete()
        audit.record(
            actor=actor,
            action="kpi.milestone.delete",
            object_type="kpis.milestone",
            object_id=str(pk),
            object_label=label,
            before=before,
        )


# Measurements ---------------------------------------------------------------------------------

MEASUREMENT_LABELS: Final = {"value": "Value", "note": "Note"}
MAX_NOTE: Final = importers.MAX_NOTE


def _check_entry(adoption: Adoption, period: dt.date | None, value: Any, note: str) -> float:
    problems: list[Problem] = []
    if adoption.archived_at is not None:
        problems.append(Problem("this KPI is archived: figures can no longer be entered"))
    if adoption.indicator.computed:
        problems.append(
            Problem(
                f"{adoption.indicator.title} is worked out by Accord from its own records, not "
                "entered"
            )
        )
    _period_start(period, "period", problems)
    number = _finite(value, "value", problems)
    if value is None:
        problems.append(Problem("is required", field="value"))
    if len(note or "") > MAX_NOTE:
        problems.append(Problem(f"is longer than {MAX_NOTE:,} characters", field="note"))
    if problems:
        raise Problems(problems)
    assert number is not None
    return number


def record_measurement(
    actor: Any, adoption: Adoption, *, period: dt.date, value: float, note: str = ""
) -> Measurement:
    """Enter one period's figure for a KPI. A period that has one already is refused: change
    that one instead, so that its history is kept."""
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not enter figures for this collaboration's KPIs.")
    number = _check_entry(adoption, period, value, note)
    with transaction.atomic():
        if Measurement.objects.filter(adoption=adoption, period=period).exists():
            raise Problems(
                [
                    Problem(
                        f"{_month(period)} has a figure already: change that one instead",
                        field="period",
                    )
                ]
            )
        measurement = Measurement.objects.create(
            indicator=adoption.indicator,
            adoption=adoption,
            organisation=adoption.organisation,
            period=period,
            value=number,
            note=(note or "").strip(),
            source=Source.ENTERED,
            entered_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="kpi.measurement.create",
            obj=measurement,
            object_label=f"{_label(adoption)}, {period:%Y-%m}"[:300],
            after=measurement_snapshot(measurement),
        )
    return measurement


def update_measurement(
    actor: Any,
    measurement: Measurement,
    *,
    value: float,
    note: str,
    opened: dict[str, Any] | None = None,
) -> Measurement:
    """Change an entered figure; the audit log keeps the value before. `opened` is what the
    person's edit page showed (``value``, ``note``): a figure changed since is refused with
    :class:`EditConflict`. Published and computed figures are not changed by hand."""
    adoption = measurement.adoption
    if adoption is None or measurement.source != Source.ENTERED:
        raise PermissionRefused(
            "Published figures and those Accord works out are not changed by hand."
        )
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change figures of this collaboration's KPIs.")
    number = _check_entry(adoption, None, value, note)
    with transaction.atomic():
        current = (
            Measurement.objects.select_for_update(of=("self",))
            .select_related("indicator", "organisation")
            .get(pk=measurement.pk)
        )
        if opened is not None:
            _conflict(
                current,
                opened,
                {"value": current.value, "note": current.note},
                MEASUREMENT_LABELS,
            )
        before = measurement_snapshot(current)
        current.value = number
        current.note = (note or "").strip()
        if measurement_snapshot(current) == before:
            return current
        current.entered_by = user_or_none(actor) or current.entered_by
        current.save()
        audit.record(
            actor=actor,
            action="kpi.measurement.update",
            obj=current,
            object_label=f"{_label(adoption)}, {current.period:%Y-%m}"[:300],
            before=before,
            after=measurement_snapshot(current),
        )
    return current


class ImportedMeasurements(int):
    """How many of the file's figures are now stored (the number itself), of which
    ``created`` were new, ``changed`` replaced a different figure and ``unchanged`` were there
    already."""

    created: int
    changed: int
    unchanged: int

    def __new__(cls, *, created: int, changed: int, unchanged: int) -> ImportedMeasurements:
        counted = super().__new__(cls, created + changed + unchanged)
        counted.created, counted.changed, counted.unchanged = created, changed, unchanged
        return counted


def import_measurements(
    actor: Any,
    collaboration: Collaboration,
    data: bytes,
    filename: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportedMeasurements:
    """A file of the collaboration's figures (importers.parse_measurements), all or nothing:
    :class:`Problems` lists every bad row with its reason. A period that has a figure already
    takes the file's (the audit log keeps the one before); each figure written has its event,
    as one entered in a form does."""
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not enter figures for this collaboration's KPIs.")
    adoptions = list(
        Adoption.objects.filter(
            collaboration=collaboration, archived_at__isnull=True
        ).select_related("collaboration", "indicator", "organisation")
    )
    rows = importers.parse_measurements(
        data,
        filename,
        adoptions=adoptions,
        organisations=organisation_index(Organisation.objects.all()),
    )
    created = changed = unchanged = 0
    with transaction.atomic():
        existing = {
            (m.adoption_id, m.period): m
            for m in Measurement.objects.select_for_update(of=("self",))
            .filter(adoption__in=[r.adoption for r in rows])
            .select_related("indicator", "organisation")
        }
        for done, row in enumerate(rows, start=1):
            found = existing.get((row.adoption.pk, row.period))
            label = f"{_label(row.adoption)}, {row.period:%Y-%m}"[:300]
            if found is None:
                measurement = Measurement.objects.create(
                    indicator=row.adoption.indicator,
                    adoption=row.adoption,
                    organisation=row.adoption.organisation,
                    period=row.period,
                    value=row.value,
                    note=row.note,
                    source=Source.ENTERED,
                    source_file=filename[:300],
                    entered_by=user_or_none(actor),
                )
                audit.record(
                    actor=actor,
                    action="kpi.measurement.create",
                    obj=measurement,
                    object_label=label,
                    after={**measurement_snapshot(measurement), "file": filename},
                )
                created += 1
            elif (found.value, found.note) == (row.value, row.note):
                unchanged += 1
            else:
                before = measurement_snapshot(found)
                found.value, found.note = row.value, row.note
                found.source_file = filename[:300]
                found.entered_by = user_or_none(actor) or found.entered_by
                found.save()
                audit.record(
                    actor=actor,
                    action="kpi.measurement.update",
                    obj=found,
                    object_label=label,
                    before=before,
                    after={**measurement_snapshot(found), "file": filename},
                )
                changed += 1
            if progress is not None:
                progress(done, len(rows))
    return ImportedMeasurements(created=created, changed=changed, unchanged=unchanged)


# Published data: AmbSYS -----------------------------------------------------------------------

#: Rows written to the database at once.
BATCH: Final = 1000


@dataclass
class AmbsysResult:
    """What an AmbSYS import did. ``imported`` values are now stored from the file, of which
    ``created`` were new and ``replaced`` were there from an earlier import (``changed`` of
    them with a different figure); the same file imported again gives the same counts with
    nothing created or changed."""

    file: str
    rows: int
    imported: int
    created: int
    replaced: int
    changed: int
    removed: int
    skipped_regional: int
    missing_values: int
    unknown_codes: dict[str, int]
    periods: tuple[dt.date, dt.date] | None
    organisations: int
    indicators: int
    absent_columns: list[str]

    def sentences(self) -> list[str]:
        span = (
            f"{self.periods[0]:%B %Y} to {self.periods[1]:%B %Y}" if self.periods else "no months"
        )
        lines = [
            f"{self.file}: {self.rows:,} rows, {span}.",
            f"Imported {self.imported:,} values for {self.indicators} indicators "
            f"({self.organisations} organisations and England): {self.created:,} new, "
            f"{self.replaced:,} replaced ({self.changed:,} with a different figure), "
            f"{self.removed:,} removed (now missing in the file).",
            f"Skipped {self.skipped_regional:,} regional rows (NHS regions are not kept).",
            f"Missing values ('.'): {self.missing_values:,}.",
        ]
        if self.unknown_codes:
            codes = ", ".join(f"{c} ({n} rows)" for c, n in sorted(self.unknown_codes.items()))
            lines.append(f"Skipped organisations Accord does not know: {codes}.")
        if self.absent_columns:
            lines.append(
                "Columns the file does not have (an older or newer column set): "
                + ", ".join(self.absent_columns)
                + "."
            )
        return lines


def import_ambsys(
    actor: Any,
    data: bytes,
    filename: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> AmbsysResult:
    """NHS England's AmbSYS file into the published indicators' series (those with a
    ``published_column``): for each trust Accord knows (by ODS code) and for England (the
    national comparator, organisation blank). All or nothing. Importing again replaces what
    AmbSYS supplied before: a value is updated where the file's differs, removed where the
    file now gives ``.``, and kept where the file does not cover its month; nothing entered by
    a person is touched. One audit event for the import."""
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may import published data.")
    indicators = list(Indicator.objects.exclude(published_column=""))
    if not indicators:
        raise Problems(
            [
                Problem(
                    "no indicator in the library reads AmbSYS: load the library first "
                    "(accord kpi library load)",
                    source=filename,
                )
            ]
        )
    by_column: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_column[indicator.published_column.upper()].append(indicator)
    organisations = {o.code.upper(): o for o in Organisation.objects.all()}
    parsed = importers.parse_ambsys(data, filename, columns=list(by_column), codes=organisations)
    now = timezone.now()
    short_name = filename[:300]
    with transaction.atomic():
        existing: dict[tuple[int, int | None, dt.date], tuple[int, float]] = {
            (indicator_id, organisation_id, period): (pk, value)
            for pk, indicator_id, organisation_id, period, value in Measurement.objects.filter(
                indicator__in=indicators, adoption__isnull=True, source=Source.AMBSYS
            )
            .select_for_update(of=("self",))
            .values_list("pk", "indicator_id", "organisation_id", "period", "value")
        }
        to_create: list[Measurement] = []
        to_update: list[Measurement] = []
        replaced = 0
        touched_orgs: set[str] = set()
        for item in parsed.values:
            organisation = organisations[item.code] if item.code else None
            if item.code:
                touched_orgs.add(item.code)
            for indicator in by_column[item.column.upper()]:
                key = (indicator.pk, _pk(organisation), item.period)
                found = existing.get(key)
                if found is None:
                    to_create.append(
                        Measurement(
                            indicator=indicator,
                            organisation=organisation,
                            national=organisation is None,
                            period=item.period,
                            value=item.value,
                            source=Source.AMBSYS,
                            source_file=short_name,
                        )
                    )
                    continue
                replaced += 1
                if found[1] != item.value:
                    to_update.append(
                        Measurement(
                            pk=found[0], value=item.value, source_file=short_name, updated_at=now
                        )
                    )
        to_remove = [
            existing[key][0]
            for code, period, column in parsed.missing
            for indicator in by_column[column.upper()]
            if (
                key := (
                    indicator.pk,
                    _pk(organisations[code]) if code else None,
                    period,
                )
            )
            in existing
        ]
        total = len(to_create) + len(to_update) + len(to_remove)
        done = 0
        for start in range(0, len(to_create), BATCH):
            Measurement.objects.bulk_create(to_create[start : start + BATCH])
            done += len(to_create[start : start + BATCH])
            if progress is not None:
                progress(done, total)
        for start in range(0, len(to_update), BATCH):
            batch = to_update[start : start + BATCH]
            Measurement.objects.bulk_update(batch, ["value", "source_file", "updated_at"])
            done += len(batch)
            if progress is not None:
                progress(done, total)
        for start in range(0, len(to_remove), BATCH):
            Measurement.objects.filter(pk__in=to_remove[start : start + BATCH]).delete()
            done += len(to_remove[start : start + BATCH])
        if progress is not None:
            progress(done, total)
        first_last = (min(parsed.periods), max(parsed.periods)) if parsed.periods else None
        result = AmbsysResult(
            file=filename,
            rows=parsed.rows,
            imported=len(to_create) + replaced,
            created=len(to_create),
            replaced=replaced,
            changed=len(to_update),
            removed=len(to_remove),
            skipped_regional=parsed.regional_rows,
            missing_values=len(parsed.missing),
            unknown_codes=dict(parsed.unknown_codes),
            periods=first_last,
            organisations=len(touched_orgs),
            indicators=sum(
                len(found) for column, found in by_column.items() if column in _columns(parsed)
            ),
            absent_columns=parsed.absent_columns,
        )
        audit.record(
            actor=actor,
            action="kpi.ambsys.import",
            # About published measurements as a kind: what the KPI pages' figures depend on.
            object_type="kpis.measurement",
            object_label=f"AmbSYS: {filename}"[:300],
            after={
                "file": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                **{
                    name: getattr(result, name)
                    for name in (
                        "rows",
                        "imported",
                        "created",
                        "replaced",
                        "changed",
                        "removed",
                        "skipped_regional",
                        "missing_values",
                        "unknown_codes",
                    )
                },
                "periods": [p.isoformat() for p in first_last] if first_last else None,
            },
        )
    return result


def _columns(parsed: importers.AmbsysFile) -> set[str]:
    return {value.column.upper() for value in parsed.values} | {
        column.upper() for _, _, column in parsed.missing
    }


# Worked out by Accord -------------------------------------------------------------------------


def _computed_points(adoption: Adoption) -> list[tuple[dt.date, float, str]]:
    """(period, value, note) of each figure Accord works out for a computed indicator."""
    what = adoption.indicator.computed
    collaboration = adoption.collaboration
    if what.startswith(library.THREE_CS):
        group = what.removeprefix(library.THREE_CS)
        points: dict[dt.date, tuple[dt.date, float, str]] = {}
        for scores in assessments.group_scores(collaboration):
            mean = scores.means.get(group)
            if mean is None:
                continue
            # One point a round, at the month it opened; a later round that month wins.
            period = scores.opens_on.replace(day=1)
            points[period] = (period, float(mean), f"Round: {scores.title}")
        return [points[p] for p in sorted(points)]
    if what == library.REALISED_VS_FORECAST:
        found = appraisal.appraisals_of(collaboration)
        if not found:
            return []
        record = max(found, key=lambda a: (a.updated_at, a.pk))
        rows = appraisal.realisation_for(record, appraisal.report_for(record))
        counted = [r for r in rows if r.cumulative_realised is not None]
        if not counted or not counted[-1].cumulative_forecast:
            return []
        last = counted[-1]
        percent = 100.0 * float(last.cumulative_realised or 0.0) / float(last.cumulative_forecast)
        # The appraisal's years have no calendar dates: the figure is the one known this year.
        today = timezone.localdate()
        note = (
            f"{record.title}: years 0 to {last.year}, £{last.cumulative_realised:,.0f} realised "
            f"of £{last.cumulative_forecast:,.0f} forecast"
        )
        return [(dt.date(today.year, 1, 1), percent, note)]
    return []


def refresh_computed(actor: Any, adoption: Adoption) -> int:
    """Work out again the figures of a KPI Accord computes (the three Cs from each assessment
    round, benefits realised against the appraisal's forecast) and store them in place of the
    ones before; returns how many it holds. Nothing is written, and no event recorded, when
    the figures are the same."""
    if not can_edit(actor, adoption.collaboration):
        raise PermissionRefused("You may not change this collaboration's KPIs.")
    if not adoption.indicator.computed:
        return 0
    held, _ = _store_computed(actor, adoption)
    return held


def _store_computed(actor: Any, adoption: Adoption) -> tuple[int, bool]:
    """The figures worked out again and stored (refresh_computed, without asking who may):
    how many it holds, and whether anything changed."""
    points = _computed_points(adoption)
    with transaction.atomic():
        # The KPI itself locked first: two readers working it out at once write it once.
        Adoption.objects.select_for_update(of=("self",)).filter(pk=adoption.pk).first()
        stored = {
            m.period: m
            for m in Measurement.objects.select_for_update(of=("self",)).filter(
                adoption=adoption, source=Source.ACCORD
            )
        }
        wanted = {period: (value, note) for period, value, note in points}
        if {p: (m.value, m.note) for p, m in stored.items()} == wanted:
            return len(stored), False
        before = {p.isoformat(): m.value for p, m in sorted(stored.items())}
        Measurement.objects.filter(
            Q(adoption=adoption, source=Source.ACCORD) & ~Q(period__in=list(wanted))
        ).delete()
        for period, (value, note) in wanted.items():
            found = stored.get(period)
            if found is None:
                Measurement.objects.create(
                    indicator=adoption.indicator,
                    adoption=adoption,
                    organisation=None,
                    period=period,
                    value=value,
                    note=note,
                    source=Source.ACCORD,
                )
            elif (found.value, found.note) != (value, note):
                found.value, found.note = value, note
                found.save(update_fields=["value", "note", "updated_at"])
        audit.record(
            actor=actor,
            action="kpi.computed.refresh",
            object_type="kpis.measurement",
            object_label=f"{_label(adoption)}: worked out by Accord"[:300],
            before={"adoption": adoption.pk, "values": before},
            after={
                "adoption": adoption.pk,
                "computed": adoption.indicator.computed,
                "values": {p.isoformat(): v for p, (v, _) in sorted(wanted.items())},
            },
        )
    return len(wanted), True


# Kept up to date when read --------------------------------------------------------------------
#
# The figures Accord works out come from other apps' records (assessment rounds and their
# responses, appraisals and their realised benefits), read through those apps' services, and
# from the date (a round counts once it has opened). Rather than have those apps call into the
# KPIs, or the KPIs hook into their models, a KPI page that shows a worked-out KPI asks whether
# anything those apps record has changed since its figures were last worked out: the newest
# audit event of each kind of their records (every change to them goes through a service that
# records one, `core.audit.state_version`, one query) and the day. Only then are its figures
# worked out again, and written only if they differ (audited, as `accord kpi refresh` is).

#: The apps whose records the KPIs Accord works out are read from (through their services).
COMPUTED_FROM: Final = ("assessments", "appraisal")
#: Who the audit log names for figures worked out again when a page showed them.
REFRESHER: Final = SystemActor("system (KPIs worked out again when read)")
#: How long a KPI is known to be worked out for a state of its sources.
FRESH_SECONDS: Final = 24 * 3600


def _fresh_key(adoption_id: int) -> str:
    return f"kpis:computed-fresh:{adoption_id}"


#: The state of the sources (and the adoptions) at which every worked-out KPI was last checked.
ALL_FRESH_KEY: Final = "kpis:computed-fresh:all"


def computed_sources_state(today: dt.date | None = None) -> str:
    """A token that changes whenever a record the worked-out KPIs read from changes (the
    newest audit event of each kind of record of `COMPUTED_FROM`'s apps) or the day does."""
    kinds = sorted(
        model._meta.label_lower
        for label in COMPUTED_FROM
        for model in django_apps.get_app_config(label).get_models()
    )
    today = today or timezone.localdate()
    return f"{audit.state_version(kinds)}|{today.isoformat()}"


def refresh_stale_computed(adoptions: Iterable[Adoption], *, today: dt.date | None = None) -> int:
    """Work out again those of `adoptions` that Accord computes and whose sources have
    changed since they were last worked out (or that this process has not worked out yet);
    returns how many now hold different figures. Costs nothing when none of them is
    computed, and one query (the sources' state) when they are all fresh."""
    computed = [a for a in adoptions if a.indicator.computed and a.archived_at is None]
    if not computed:
        return 0
    state = computed_sources_state(today)
    keys = {a.pk: _fresh_key(a.pk) for a in computed}
    known = cache.get_many(list(keys.values()))
    stale = [a for a in computed if known.get(keys[a.pk]) != state]
    changed = 0
    for adoption in stale:
        _, wrote = _store_computed(REFRESHER, adoption)
        changed += wrote
    if stale:
        cache.set_many({keys[a.pk]: state for a in stale}, FRESH_SECONDS)
    return changed


def refresh_stale_computed_ids(ids: Collection[int], *, today: dt.date | None = None) -> int:
    """As `refresh_stale_computed`, for every current adoption Accord computes (`ids`, as the
    portfolio's kept summaries list them): one query (the sources' state) while they are all
    fresh; only after a change to their sources, one more to read them and the work."""
    if not ids:
        return 0
    state = computed_sources_state(today)
    marker = f"{state}|{hashlib.sha256(repr(sorted(ids)).encode()).hexdigest()[:16]}"
    if cache.get(ALL_FRESH_KEY) == marker:
        return 0
    changed = refresh_stale_computed(
        list(
            Adoption.objects.filter(pk__in=list(ids), archived_at__isnull=True).select_related(
                "collaboration", "indicator", "organisation"
            )
        ),
        today=today,
    )
    cache.set(ALL_FRESH_KEY, marker, FRESH_SECONDS)
    return changed


def refresh_stale_computed_of(
    adoptions: QuerySet[Adoption], *, today: dt.date | None = None
) -> int:
    """As `refresh_stale_computed`, for those of a set of adoptions (the portfolio's, an
    export's) that Accord computes: one query to find them."""
    computed = adoptions.exclude(indicator__computed="").select_related(
        "collaboration", "indicator", "organisation"
    )
    return refresh_stale_computed(list(computed), today=today)


def refresh_all_computed(actor: Any) -> int:
    """Every KPI Accord computes, worked out again (`accord kpi refresh`); how many KPIs."""
    if not can_manage_indicators(actor):
        raise PermissionRefused("Only platform administrators may work out every KPI again.")
    adoptions = (
        Adoption.objects.filter(archived_at__isnull=True)
        .exclude(indicator__computed="")
        .select_related("collaboration", "indicator")
    )
    count = 0
    for adoption in adoptions:
        refresh_computed(actor, adoption)
        count += 1
    return count
