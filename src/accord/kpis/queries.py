"""What the KPI pages, exports and API read: every read, none of the writes (services.py).

Visibility follows the collaboration's: an adoption is seen exactly where its collaboration is
(the register's rule, `register.services.visible_collaborations`), so an adoption someone may
not see is absent everywhere, a 404 where it is asked for by its id.

- :func:`series`: an adoption's points: what was entered for it, and, for a published indicator
  (one with a ``published_column``, such as AmbSYS's A25), the published figures of its
  indicator for its organisation. Published series are public data shared by every adoption of
  that indicator for that organisation. Where a period has both, the figure entered for the
  adoption is the one charted: the collaboration chose to record it.
- :func:`comparator`: the national series (England) of a published indicator.
- :func:`analysis`: one adoption judged: SPC (`spc.analyse`), the simple status
  (`status.status`), the trajectory from baseline to target, milestones and phases, the
  comparator, and before and after its go-live.
- :func:`portfolio`: every adoption a person may see, filtered, each with its icons and
  status, concern first. The icons of every adoption are worked out together
  (`spc.analyse_many`, one call per set of series that share their periods) and kept until any
  KPI, collaboration or the day changes, so a page of the portfolio reads only its own rows.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import math
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.core.models import AuditEvent
from accord.core.problems import NotVisible
from accord.register import services as register

from . import spc
from . import status as simple_status
from .choices import MilestoneKind, Source
from .models import Adoption, Indicator, Measurement, Milestone

#: The kinds of record the icons and statuses depend on: a change to any of them (each goes
#: through a service that records an audit event) works them out afresh.
DEPENDS_ON = (
    "kpis.indicator",
    "kpis.adoption",
    "kpis.milestone",
    "kpis.measurement",
    "register.collaboration",
)


def period_label(period: dt.date) -> str:
    """A period as the SPC module and its JSON name it: ``2017-08`` (its first month)."""
    return f"{period.year:04d}-{period.month:02d}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Visibility ------------------------------------------------------------------------------------


def visible_adoptions(user: Any, *, archived: bool = False) -> QuerySet[Adoption]:
    """Every adoption this person may see: those of the collaborations they may see. Archived
    adoptions only when asked."""
    adoptions = Adoption.objects.filter(
        collaboration__in=register.visible_collaborations(user).values("pk")
    )
    if not archived:
        adoptions = adoptions.filter(archived_at__isnull=True)
    return adoptions


def _visible(user: Any, collaboration_id: int) -> bool:
    return register.visible_collaborations(user).filter(pk=collaboration_id).exists()


def get_adoption(user: Any, pk: int) -> Adoption:
    """The adoption, or NotVisible (a 404) where it does not exist, is archived, or its
    collaboration is hidden from this person: the three alike. (Two index probes: the
    adoption by its id, then its collaboration by the register's rule. Asked in one query,
    the database worked out every visible collaboration first.)"""
    found = (
        Adoption.objects.select_related("indicator", "organisation", "collaboration")
        .filter(pk=pk, archived_at__isnull=True)
        .first()
    )
    if found is None or not _visible(user, found.collaboration_id):
        raise NotVisible("KPI")
    return found


def get_measurement(user: Any, pk: int) -> Measurement:
    """An entered measurement of an adoption this person may see; published figures belong to
    no adoption and are changed only by importing their file again."""
    found = (
        Measurement.objects.filter(pk=pk, adoption__archived_at__isnull=True)
        .select_related("adoption", "adoption__indicator", "adoption__collaboration")
        .first()
    )
    if found is None or found.adoption is None:
        raise NotVisible("measurement")
    if not _visible(user, found.adoption.collaboration_id):
        raise NotVisible("measurement")
    return found


def get_archived_adoption(user: Any, pk: int) -> Adoption:
    """An archived adoption of a collaboration this person may see (to restore it), or
    NotVisible (404): one that is not archived is found by `get_adoption` instead."""
    found = (
        Adoption.objects.select_related("indicator", "organisation", "collaboration")
        .filter(pk=pk, archived_at__isnull=False)
        .first()
    )
    if found is None or not _visible(user, found.collaboration_id):
        raise NotVisible("KPI")
    return found


def archived_adoptions_of(collaboration: Any) -> list[Adoption]:
    """A collaboration's archived adoptions, newest archived first (for those who may restore
    them; call it for one found visible)."""
    return list(
        Adoption.objects.filter(collaboration=collaboration, archived_at__isnull=False)
        .select_related("indicator", "organisation")
        .order_by("-archived_at", "pk")
    )


def get_milestone(user: Any, pk: int) -> Milestone:
    """A milestone of a current adoption this person may see; NotVisible (404) otherwise."""
    found = (
        Milestone.objects.filter(pk=pk, adoption__archived_at__isnull=True)
        .select_related("adoption", "adoption__indicator", "adoption__collaboration")
        .first()
    )
    if found is None or not _visible(user, found.adoption.collaboration_id):
        raise NotVisible("milestone")
    return found


def entered_by(adoption: Adoption) -> dict[int, str]:
    """Who entered (or last changed) each figure entered for the adoption, and when, in words
    ("Jo Bloggs, 4 December 2026"; the command line's or an import's by the system): for those
    who may edit it, as the register shows its history to them."""
    found: dict[int, str] = {}
    for pk, email, first, last, at in Measurement.objects.filter(
        adoption=adoption, source=Source.ENTERED
    ).values_list(
        "pk", "entered_by__email", "entered_by__first_name", "entered_by__last_name", "updated_at"
    ):
        name = " ".join(part for part in (first, last) if part) or email or "Accord (system)"
        day = timezone.localtime(at)
        found[pk] = f"{name}, {day.day} {day:%B %Y}"
    return found


def get_collaboration(user: Any, reference: str) -> Any:
    return register.get_visible(user, reference)


def adoptions_of(collaboration: Any) -> list[Adoption]:
    """A collaboration's current adoptions, for its pages (call it for one found visible)."""
    return list(
        Adoption.objects.filter(collaboration=collaboration, archived_at__isnull=True)
        .select_related("indicator", "organisation")
        .order_by("indicator__title", "organisation__name", "pk")
    )


def indicators() -> QuerySet[Indicator]:
    """The library: every indicator not archived."""
    return Indicator.objects.filter(archived_at__isnull=True).order_by("title", "pk")


def get_indicator(key: str) -> Indicator:
    found = Indicator.objects.filter(key=key).first()
    if found is None:
        raise NotVisible("indicator")
    return found


# Series ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    """One period's figure as a chart and its table show it."""

    period: dt.date
    value: float
    note: str = ""
    source: str = Source.ENTERED
    #: The measurement of the adoption it came from (None for a published figure).
    measurement_id: int | None = None

    @property
    def label(self) -> str:
        return period_label(self.period)


def is_published(indicator: Indicator) -> bool:
    return bool(indicator.published_column)


def _published(adoption: Adoption) -> QuerySet[Measurement] | None:
    if not is_published(adoption.indicator) or adoption.organisation_id is None:
        return None
    return Measurement.objects.filter(
        indicator_id=adoption.indicator_id,
        organisation_id=adoption.organisation_id,
        adoption__isnull=True,
        national=False,
    )


def point_of(m: Measurement) -> SeriesPoint:
    return SeriesPoint(
        period=m.period,
        value=float(m.value),
        note=m.note,
        source=m.source,
        measurement_id=m.pk if m.adoption_id is not None else None,
    )


#: A measurement's columns as `_point_from_row` reads them (rows, not model instances: a KPI
#: page reads a few hundred).
POINT_COLUMNS = ("pk", "adoption_id", "period", "value", "note", "source")


def _point_from_row(row: tuple[Any, ...]) -> SeriesPoint:
    pk, adoption_id, period, value, note, source = row
    return SeriesPoint(period, float(value), note, source, pk if adoption_id is not None else None)


def series(adoption: Adoption) -> list[SeriesPoint]:
    """The adoption's points in period order: entered ones, and published ones for a period
    with none entered."""
    entered = {
        row[2]: _point_from_row(row)
        for row in Measurement.objects.filter(adoption=adoption).values_list(*POINT_COLUMNS)
    }
    published = _published(adoption)
    points = dict(entered)
    if published is not None:
        for m in published.order_by("period", "source", "pk"):
            points.setdefault(m.period, point_of(m))
    return [points[p] for p in sorted(points)]


def comparator(adoption: Adoption) -> list[SeriesPoint]:
    """The national series (England) of the adoption's indicator, where one is published."""
    if not is_published(adoption.indicator):
        return []
    found: dict[dt.date, SeriesPoint] = {}
    for m in Measurement.objects.filter(
        indicator_id=adoption.indicator_id, national=True, adoption__isnull=True
    ).order_by("period", "source", "pk"):
        found.setdefault(m.period, point_of(m))
    return [found[p] for p in sorted(found)]


# One adoption judged ---------------------------------------------------------------------------


def target_of(adoption: Adoption) -> float | None:
    """The target the SPC assurance and the simple status judge by: the adoption's own, or
    else the indicator's national standard (the ambulance standards are their default)."""
    if adoption.target_value is not None:
        return float(adoption.target_value)
    standard = adoption.indicator.standard
    return None if standard is None else float(standard)


def rebase_periods(points: Sequence[SeriesPoint], milestones: Iterable[Milestone]) -> list[str]:
    """The periods that start a new phase: for each milestone that starts one, the first
    point on or after its date (a milestone after the last point starts none yet)."""
    periods: list[str] = []
    for milestone in milestones:
        if not milestone.starts_phase:
            continue
        first = next((p for p in points if p.period >= month_start(milestone.on)), None)
        if first is not None and first.label not in periods:
            periods.append(first.label)
    return periods


@dataclass(frozen=True)
class BeforeAfter:
    """Before and after a go-live: the means either side, and whether the change is special
    cause against the limits of the points before it."""

    milestone: Milestone
    before_n: int
    after_n: int
    before_mean: float | None
    after_mean: float | None
    #: The points since go-live judged against the limits of those before it.
    judged: spc.Result | None
    improvement: int = 0
    concern: int = 0
    neutral: int = 0
    rules: tuple[str, ...] = ()

    @property
    def special_cause(self) -> bool:
        return bool(self.improvement or self.concern or self.neutral)


def before_and_after(
    points: Sequence[SeriesPoint], milestone: Milestone, direction: spc.Direction
) -> BeforeAfter:
    """The points before the go-live month and from it on. The change is judged by fixing the
    limits on the points before (``fix_after`` = their number, one phase): a point since then
    that breaks a rule is special cause; if none does, the difference in means is within the
    variation the process showed before."""
    start = month_start(milestone.on)
    before = [p for p in points if p.period < start]
    after = [p for p in points if p.period >= start]

    def mean(values: list[SeriesPoint]) -> float | None:
        return math.fsum(p.value for p in values) / len(values) if values else None

    judged = None
    counts = {"improvement": 0, "concern": 0, "neutral": 0}
    rules: list[str] = []
    if len(before) >= 2 and after:
        judged = spc.analyse(
            [(p.label, p.value) for p in (*before, *after)],
            direction=direction,
            fix_after=len(before),
        )
        for point in judged.points[len(before) :]:
            if point.point_type == "special_cause_improvement":
                counts["improvement"] += 1
            elif point.point_type == "special_cause_concern":
                counts["concern"] += 1
            elif point.point_type.startswith("special_cause_neutral"):
                counts["neutral"] += 1
            rules.extend(r for r in point.rules if r not in rules)
    return BeforeAfter(
        milestone=milestone,
        before_n=len(before),
        after_n=len(after),
        before_mean=mean(before),
        after_mean=mean(after),
        judged=judged,
        rules=tuple(r for r in spc.RULES if r in rules),
        **counts,
    )


@dataclass(frozen=True)
class Analysis:
    """Everything one adoption's chart, icons and table show."""

    adoption: Adoption
    points: list[SeriesPoint]
    result: spc.Result
    status: str | None
    target: float | None
    milestones: list[Milestone]
    comparator: list[SeriesPoint]
    trajectory: list[tuple[dt.date, float]]
    before_after: BeforeAfter | None
    latest: SeriesPoint | None = None
    rebase: list[str] = field(default_factory=list)


def trajectory_of(adoption: Adoption) -> list[tuple[dt.date, float]]:
    """The line from baseline to target: two points, when both ends are known."""
    if (
        adoption.baseline_value is None
        or adoption.baseline_period is None
        or adoption.target_value is None
        or adoption.target_by is None
    ):
        return []
    return [
        (adoption.baseline_period, float(adoption.baseline_value)),
        (adoption.target_by, float(adoption.target_value)),
    ]


def _direction(indicator: Indicator) -> spc.Direction:
    direction = indicator.direction
    return direction if direction in spc.DIRECTIONS else "neutral"  # type: ignore[return-value]


def analysis(
    adoption: Adoption,
    *,
    today: dt.date | None = None,
    milestones: list[Milestone] | None = None,
    points: list[SeriesPoint] | None = None,
    national: list[SeriesPoint] | None = None,
) -> Analysis:
    """One adoption judged (its points, milestones and comparator read here unless given)."""
    today = today or timezone.localdate()
    indicator = adoption.indicator
    points = series(adoption) if points is None else points
    milestones = list(adoption.milestones.all()) if milestones is None else milestones
    target = target_of(adoption)
    direction = _direction(indicator)
    rebase = rebase_periods(points, milestones)
    result = spc.analyse(
        [(p.label, p.value) for p in points], direction=direction, target=target, rebase=rebase
    )
    latest = points[-1] if points else None
    judged = simple_status.status(
        direction=direction,
        frequency=indicator.frequency,  # type: ignore[arg-type]
        target=target,
        tolerance=adoption.tolerance,
        latest_value=latest.value if latest else None,
        latest_period=latest.period if latest else None,
        today=today,
    )
    go_live = next((m for m in milestones if m.kind == MilestoneKind.GO_LIVE), None)
    return Analysis(
        adoption=adoption,
        points=points,
        result=result,
        status=judged,
        target=target,
        milestones=milestones,
        comparator=comparator(adoption) if national is None else national,
        trajectory=trajectory_of(adoption),
        before_after=before_and_after(points, go_live, direction) if go_live else None,
        latest=latest,
        rebase=rebase,
    )


def series_many(
    adoptions: Sequence[Adoption], *, national: bool = False
) -> tuple[dict[int, list[SeriesPoint]], dict[int, list[SeriesPoint]]]:
    """The series of many adoptions at once (as `series` gives each), and, when asked, the
    national series of their published indicators: one query for what was entered, one for
    what was published, whatever the number of adoptions."""
    ids = [a.pk for a in adoptions]
    entered: dict[int, dict[dt.date, SeriesPoint]] = defaultdict(dict)
    for row in Measurement.objects.filter(adoption_id__in=ids).values_list(*POINT_COLUMNS):
        entered[row[1]][row[2]] = _point_from_row(row)
    pairs = {
        (a.indicator_id, a.organisation_id)
        for a in adoptions
        if is_published(a.indicator) and a.organisation_id is not None
    }
    wanted_national = {a.indicator_id for a in adoptions if is_published(a.indicator)}
    published: dict[tuple[int, int], dict[dt.date, SeriesPoint]] = defaultdict(dict)
    nationally: dict[int, dict[dt.date, SeriesPoint]] = defaultdict(dict)
    if pairs or (national and wanted_national):
        condition = Q(
            national=False,
            indicator_id__in={i for i, _ in pairs},
            organisation_id__in={o for _, o in pairs},
        )
        if national and wanted_national:
            condition |= Q(national=True, indicator_id__in=wanted_national)
        rows = Measurement.objects.filter(condition, adoption__isnull=True)
        for indicator_id, organisation_id, is_national, *row in rows.order_by(
            "period", "source", "pk"
        ).values_list("indicator_id", "organisation_id", "national", *POINT_COLUMNS):
            point = _point_from_row(tuple(row))
            if is_national:
                nationally[indicator_id].setdefault(point.period, point)
            elif (indicator_id, organisation_id) in pairs:
                published[(indicator_id, organisation_id)].setdefault(point.period, point)
    series_of: dict[int, list[SeriesPoint]] = {}
    comparators: dict[int, list[SeriesPoint]] = {}
    for adoption in adoptions:
        points = dict(entered.get(adoption.pk, {}))
        if adoption.organisation_id is not None and is_published(adoption.indicator):
            key = (adoption.indicator_id, adoption.organisation_id)
            for period, point in published.get(key, {}).items():
                points.setdefault(period, point)
        series_of[adoption.pk] = [points[p] for p in sorted(points)]
        if national:
            comparison = nationally.get(adoption.indicator_id, {})
            comparators[adoption.pk] = (
                [comparison[p] for p in sorted(comparison)]
                if is_published(adoption.indicator)
                else []
            )
    return series_of, comparators


def analyses_of(
    collaboration: Any,
    *,
    today: dt.date | None = None,
    adoptions: list[Adoption] | None = None,
) -> list[Analysis]:
    """Every current adoption of a collaboration judged (or those given), for its KPI page: the
    measurements, milestones and national series read in one query each, whatever the number
    of KPIs."""
    adoptions = adoptions_of(collaboration) if adoptions is None else adoptions
    if not adoptions:
        return []
    points, comparators = series_many(adoptions, national=True)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(adoption__in=adoptions).order_by("on", "pk"):
        milestones[milestone.adoption_id].append(milestone)
    today = today or timezone.localdate()
    return [
        analysis(
            adoption,
            today=today,
            milestones=milestones.get(adoption.pk, []),
            points=points[adoption.pk],
            national=comparators[adoption.pk],
        )
        for adoption in adoptions
    ]


# Many adoptions at once: the portfolio -----------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the portfolio shows of one adoption: its icons, its status and its latest value."""

    variation: str | None
    assurance: str | None
    status: str | None
    latest_value: float | None
    latest_period: dt.date | None
    points: int

    @property
    def concern_rank(self) -> tuple[int, ...]:
        """Concern first: special cause concern; then a target the process will consistently
        fail; then by simple status, missed, stale, within tolerance, no data, no target, met;
        then special cause improvement last of its kind."""
        return (
            0 if self.variation == "special_cause_concern" else 1,
            0 if self.assurance == "consistent_fail" else 1,
            STATUS_CONCERN.get(self.status, len(STATUS_CONCERN)),
            1 if self.variation == "special_cause_improvement" else 0,
        )


#: The simple statuses, most concerning first, for the portfolio's order.
STATUS_CONCERN: dict[str | None, int] = {
    "missed": 0,
    "stale": 1,
    "within_tolerance": 2,
    "no_data": 3,
    None: 4,
    "met": 5,
}


def assurance_from_limits(
    direction: str, target: float | None, upl: float, lpl: float
) -> str | None:
    """The assurance icon from the last phase's limits, as `spc` defines it (`spc.analyse_many`
    takes one target for every series; the portfolio's series each have their own)."""
    if target is None or direction == "neutral" or math.isnan(upl):
        return None
    if direction == "increase":
        if target > upl:
            return "consistent_fail"
        if target < lpl:
            return "consistent_pass"
    else:
        if target < lpl:
            return "consistent_fail"
        if target > upl:
            return "consistent_pass"
    return "inconsistent"


#: Which way a special cause points when the direction is neutral (`analyse_many` is run with
#: ``neutral`` so that one call serves every direction): high or low, then by direction.
_SENSE = {spc.NEUTRAL_HIGH: 1, spc.NEUTRAL_LOW: -1}
_BY_DIRECTION = {
    "increase": {1: "special_cause_improvement", -1: "special_cause_concern"},
    "decrease": {1: "special_cause_concern", -1: "special_cause_improvement"},
    "neutral": {1: "special_cause_neutral_high", -1: "special_cause_neutral_low"},
}


def _variation(code: int, direction: str) -> str | None:
    if code == spc.NO_CODE:
        return None
    if code == spc.COMMON_CAUSE:
        return "common_cause"
    return _BY_DIRECTION.get(direction, _BY_DIRECTION["neutral"])[_SENSE[code]]


def compute_summaries(today: dt.date, ids: Collection[int] | None = None) -> dict[int, Summary]:
    """Every current adoption's summary (or those of `ids`), from a handful of queries whatever
    their number: the series grouped by their periods (and phases) and judged together by
    `spc.analyse_many`."""
    current = Adoption.objects.filter(archived_at__isnull=True)
    if ids is not None:
        current = current.filter(pk__in=list(ids))
    adoptions = list(
        current.order_by().values_list(
            "pk",
            "indicator_id",
            "organisation_id",
            "target_value",
            "tolerance",
            "indicator__direction",
            "indicator__frequency",
            "indicator__published_column",
            "indicator__standard",
        )
    )
    if not adoptions:
        return {}
    # Periods are kept as ISO text ("2019-08-01"), which sorts as the dates do: a million
    # dates parsed into date objects cost more than the rest of the work.
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for adoption_id, period, value in _entered_rows(ids):
        values[adoption_id][str(period)] = value
    published_pairs = {(a[1], a[2]) for a in adoptions if a[7] and a[2] is not None}
    published: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    if published_pairs:
        for indicator_id, organisation_id, period, value in (
            Measurement.objects.filter(
                adoption__isnull=True,
                national=False,
                indicator_id__in={i for i, _ in published_pairs},
                organisation_id__in={o for _, o in published_pairs},
            )
            .order_by("period", "source", "pk")
            .values_list("indicator_id", "organisation_id", "period", "value")
            .iterator(chunk_size=20_000)
        ):
            published[(indicator_id, organisation_id)].setdefault(period.isoformat(), value)
    starts: dict[int, list[str]] = defaultdict(list)
    milestones = Milestone.objects.filter(starts_phase=True)
    if ids is not None:
        milestones = milestones.filter(adoption_id__in=list(ids))
    for adoption_id, on in milestones.values_list("adoption_id", "on"):
        starts[adoption_id].append(month_start(on).isoformat())

    # Group the series that share their periods and phases: one analyse_many call each.
    groups: dict[tuple[tuple[str, ...], tuple[int, ...]], list[int]] = defaultdict(list)
    series_of: dict[int, tuple[tuple[str, ...], list[float]]] = {}
    for row in adoptions:
        pk, indicator_id, organisation_id = row[0], row[1], row[2]
        points = values.get(pk, {})
        if row[7] and organisation_id is not None:
            shared = published.get((indicator_id, organisation_id))
            if shared:
                points = {**shared, **points}
        periods = tuple(sorted(points))
        series_of[pk] = (periods, [points[p] for p in periods])
        rebase: list[int] = []
        for start in sorted(starts.get(pk, ())):
            index = next((i for i, p in enumerate(periods) if p >= start), None)
            if index is not None and index not in rebase:
                rebase.append(index)
        groups[(periods, tuple(rebase))].append(pk)

    variation: dict[int, int] = {}
    last_limits: dict[int, tuple[float, float]] = {}
    for (shared_periods, starts_at), members in groups.items():
        if not shared_periods:
            continue
        batch = spc.analyse_many(
            np.asarray([series_of[pk][1] for pk in members], dtype=np.float64),
            direction="neutral",
            rebase_at=starts_at,
        )
        codes = batch.variation.tolist()
        upl = batch.upl[:, -1].tolist()
        lpl = batch.lpl[:, -1].tolist()
        for i, pk in enumerate(members):
            variation[pk] = codes[i]
            last_limits[pk] = (upl[i], lpl[i])

    summaries: dict[int, Summary] = {}
    for row in adoptions:
        pk, target_value, tolerance, direction, frequency, standard = (
            row[0],
            row[3],
            row[4],
            row[5],
            row[6],
            row[8],
        )
        periods, series_values = series_of[pk]
        target = target_value if target_value is not None else standard
        latest_period = dt.date.fromisoformat(periods[-1]) if periods else None
        latest_value = series_values[-1] if series_values else None
        upl, lpl = last_limits.get(pk, (math.nan, math.nan))
        summaries[pk] = Summary(
            variation=_variation(variation.get(pk, spc.NO_CODE), direction),
            assurance=assurance_from_limits(direction, target, upl, lpl),
            status=simple_status.status(
                direction=direction,
                frequency=frequency,  # type: ignore[arg-type]
                target=target,
                tolerance=tolerance,
                latest_value=latest_value,
                latest_period=latest_period,
                today=today,
            ),
            latest_value=latest_value,
            latest_period=latest_period,
            points=len(periods),
        )
    return summaries


def _entered_rows(ids: Collection[int] | None = None) -> Iterator[tuple[int, Any, float]]:
    """(adoption, period, value) of every measurement entered for a current adoption: plain
    SQL read in large batches, names quoted by the database's own rules (the ORM's rows cost
    several times the query for a million of them). The period comes as ISO text: cast, so
    that no driver parses a million dates."""
    quote = connection.ops.quote_name
    m, a = quote(Measurement._meta.db_table), quote(Adoption._meta.db_table)
    columns = (
        f"{m}.{quote('adoption_id')}, CAST({m}.{quote('period')} AS TEXT), {m}.{quote('value')}"
    )
    joined = f"{m} INNER JOIN {a} ON {a}.{quote('id')} = {m}.{quote('adoption_id')}"
    sql = f"SELECT {columns} FROM {joined} WHERE {a}.{quote('archived_at')} IS NULL"  # noqa: S608
    params: list[int] = []
    if ids is not None:
        wanted = [int(pk) for pk in ids] or [0]
        sql += f" AND {a}.{quote('id')} IN ({', '.join(['%s'] * len(wanted))})"
        params = wanted
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(50_000):
            yield from rows


@dataclass
class _Memo:
    key: str = ""
    summaries: dict[int, Summary] = field(default_factory=dict)
    order: dict[int, int] = field(default_factory=dict)
    #: Every current adoption in concern order, with what the portfolio filters it by.
    ranked: list[Facts] = field(default_factory=list)
    #: The library's indicators, (key, title), for the portfolio's filter.
    indicators: list[tuple[str, str]] = field(default_factory=list)
    #: The current adoptions whose figures Accord works out (kept fresh when read).
    computed: frozenset[int] = frozenset()


class Facts(NamedTuple):
    """What the portfolio filters an adoption by, kept with its place in concern order."""

    pk: int
    collaboration_id: int
    indicator_key: str
    organisation_id: int | None


_MEMO = _Memo()
_LOCK = threading.Lock()


def state_key(today: dt.date) -> str:
    """Changes whenever a KPI or a collaboration changes through a service (the newest audit
    event of each kind, its sequence and hash, as `core.audit.state_version` reads them), or
    rows are added without one (the newest ids, for bulk loads), or the day changes (what is
    stale does). One query: plain SQL, every name quoted by the database's own rules and every
    value a parameter."""
    quote = connection.ops.quote_name
    events = quote(AuditEvent._meta.db_table)
    parts: list[str] = []
    params: list[str] = []
    for kind in DEPENDS_ON:
        for column in ("sequence", "hash"):
            parts.append(
                f"(SELECT {quote(column)} FROM {events} WHERE {quote('object_type')} = %s "  # noqa: S608
                f"ORDER BY {quote('sequence')} DESC LIMIT 1)"
            )
            params.append(kind)
    for model in (Adoption, Measurement, Milestone):
        parts.append(
            f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return _key(tuple(row), today)


def _key(row: tuple[Any, ...], today: dt.date) -> str:
    return f"{row}|{today.isoformat()}"


def _state(key: str) -> tuple[tuple[Any, ...], str] | None:
    """A state key read back: its row (each kind's newest event's sequence and hash, then the
    newest adoption, measurement and milestone) and its day."""
    row_text, _, day = key.rpartition("|")
    try:
        row = ast.literal_eval(row_text)
    except (ValueError, SyntaxError):
        return None
    return (row, day) if isinstance(row, tuple) else None


def summaries(today: dt.date | None = None) -> tuple[dict[int, Summary], dict[int, int]]:
    """Every current adoption's summary and its place in concern order."""
    memo = _memo(today)
    return memo.summaries, memo.order


#: Changes since the kept summaries that are worked out for the KPIs they touch alone; more
#: than this (an import of a whole file) and every KPI is worked out again.
INCREMENTAL_LIMIT = 2000


def _memo(today: dt.date | None = None) -> _Memo:
    """The summaries, worked out once for each state of the KPIs and kept in this process (a
    cache backend would unpickle twenty thousand of them on every page). After a change, the
    KPIs it touched are worked out again and the rest kept (`_changed_since`); a change that
    cannot be traced to its KPIs, or a new day, works them all out again."""
    today = today or timezone.localdate()
    key = state_key(today)
    with _LOCK:
        if _MEMO.key == key:
            return _MEMO
        kept = _Memo(
            _MEMO.key, _MEMO.summaries, _MEMO.order, _MEMO.ranked, _MEMO.indicators, _MEMO.computed
        )
    changed = _changed_since(kept.key, key) if kept.key else None
    if changed is None:
        found = compute_summaries(today)
    else:
        found = {pk: summary for pk, summary in kept.summaries.items() if pk not in changed}
        found.update(compute_summaries(today, changed))
    facts: dict[int, tuple[str, Facts]] = {}
    computed: set[int] = set()
    for pk, title, collaboration_id, indicator_key, organisation_id, what in (
        Adoption.objects.filter(archived_at__isnull=True)
        .order_by()
        .values_list(
            "pk",
            "collaboration__title",
            "collaboration_id",
            "indicator__key",
            "organisation_id",
            "indicator__computed",
        )
    ):
        if pk in found:
            facts[pk] = (title, Facts(pk, collaboration_id, indicator_key, organisation_id))
            if what:
                computed.add(pk)
    found = {pk: found[pk] for pk in facts}
    ordered = sorted(facts, key=lambda pk: (found[pk].concern_rank, facts[pk][0], pk))
    memo = _Memo(
        key=key,
        summaries=found,
        order={pk: i for i, pk in enumerate(ordered)},
        ranked=[facts[pk][1] for pk in ordered],
        indicators=list(indicators().values_list("key", "title")),
        computed=frozenset(computed),
    )
    with _LOCK:
        (
            _MEMO.key,
            _MEMO.summaries,
            _MEMO.order,
            _MEMO.ranked,
            _MEMO.indicators,
            _MEMO.computed,
        ) = (
            memo.key,
            memo.summaries,
            memo.order,
            memo.ranked,
            memo.indicators,
            memo.computed,
        )
    return memo


def indicator_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The library's indicators as (key, title), kept with the summaries (a change to the
    library changes the KPIs' state)."""
    return _memo(today).indicators


def _changed_since(before: str, now: str) -> set[int] | None:
    """The adoptions whose summaries may differ between two states of the KPIs, or None when
    that cannot be told (a new day, a change to the library, a whole file of published or
    worked-out figures, more changes than `INCREMENTAL_LIMIT`): from the audit events since
    (each change of an adoption, milestone or measurement names its record) and the rows
    added since (by their ids, which also finds rows written without an event). A change to a
    collaboration alone changes no summary (its title and visibility are read afresh)."""
    old, new = _state(before), _state(now)
    if old is None or new is None or old[1] != new[1]:
        return None
    kinds = len(DEPENDS_ON)
    heads = [
        (sequence, digest)
        for sequence, digest in zip(old[0][: 2 * kinds : 2], old[0][1 : 2 * kinds : 2], strict=True)
        if sequence is not None
    ]
    since, digest = max(heads, default=(0, ""))
    newest_before, newest_now = old[0][2 * kinds :], new[0][2 * kinds :]
    if any((n or 0) < (b or 0) for b, n in zip(newest_before, newest_now, strict=True)):
        return None  # rows went away: not something the services do
    if since and not AuditEvent.objects.filter(sequence=since, hash=digest).exists():
        return None  # the log the summaries were worked out at is not this one's past
    events = list(
        AuditEvent.objects.filter(object_type__in=DEPENDS_ON, sequence__gt=since)
        .order_by("sequence")
        .values_list("object_type", "object_id", "before", "after")[: INCREMENTAL_LIMIT + 1]
    )
    if len(events) > INCREMENTAL_LIMIT:
        return None
    changed: set[int] = set()
    measurements: set[int] = set()
    milestones: set[int] = set()
    for kind, object_id, before_snapshot, after_snapshot in events:
        if kind == "register.collaboration":
            continue
        if kind == "kpis.indicator" or not str(object_id).isdigit():
            return None
        pk = int(object_id)
        if kind == "kpis.adoption":
            changed.add(pk)
        elif kind == "kpis.measurement":
            measurements.add(pk)
        elif kind == "kpis.milestone":
            milestones.add(pk)
            for snapshot in (before_snapshot, after_snapshot):
                if isinstance(snapshot, dict) and isinstance(snapshot.get("adoption"), int):
                    changed.add(snapshot["adoption"])
    added = dict(zip((Adoption, Measurement, Milestone), newest_before, strict=True))
    changed |= set(
        Adoption.objects.filter(pk__gt=added[Adoption] or 0).values_list("pk", flat=True)
    )
    found_measurements = Measurement.objects.filter(
        Q(pk__in=measurements) | Q(pk__gt=added[Measurement] or 0)
    ).values_list("adoption_id", "indicator_id", "organisation_id")[: INCREMENTAL_LIMIT + 1]
    rows = list(found_measurements)
    if len(rows) > INCREMENTAL_LIMIT:
        return None
    published: set[tuple[int, int]] = set()
    for adoption_id, indicator_id, organisation_id in rows:
        if adoption_id is not None:
            changed.add(adoption_id)
        elif organisation_id is not None:
            published.add((indicator_id, organisation_id))
    if published:
        reads = Q()
        for indicator_id, organisation_id in published:
            reads |= Q(indicator_id=indicator_id, organisation_id=organisation_id)
        changed |= set(Adoption.objects.filter(reads).values_list("pk", flat=True))
    changed |= set(
        Milestone.objects.filter(
            Q(pk__in=milestones) | Q(pk__gt=added[Milestone] or 0)
        ).values_list("adoption_id", flat=True)
    )
    return changed


def forget() -> None:
    """Drop the kept summaries (tests that write rows without a service)."""
    with _LOCK:
        _MEMO.key, _MEMO.summaries, _MEMO.order, _MEMO.ranked, _MEMO.indicators = "", {}, {}, [], []
        _MEMO.computed = frozenset()


#: What a portfolio's row shows of an adoption (the long text fields would cost more to load
#: than the page's rows to render).
ROW_FIELDS = (
    "pk",
    "target_value",
    "tolerance",
    "collaboration__reference",
    "collaboration__title",
    "indicator__key",
    "indicator__title",
    "indicator__unit",
    "indicator__direction",
    "indicator__frequency",
    "indicator__standard",
    "organisation__code",
    "organisation__name",
)


@dataclass(frozen=True)
class PortfolioRow:
    adoption: Adoption
    summary: Summary


@dataclass(frozen=True)
class Portfolio:
    """The adoptions matching the filters, concern first: `ids` all of them in order (cheap),
    `rows(ids)` the records of a page of them."""

    ids: list[int]
    summaries: Mapping[int, Summary]
    #: What the list is kept under (the KPIs' state, whom the person sees as, the filters):
    #: what is drawn from it may be kept under it too.
    signature: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, ids: Sequence[int]) -> list[PortfolioRow]:
        found = {
            a.pk: a
            for a in Adoption.objects.filter(pk__in=list(ids))
            .select_related("collaboration", "indicator", "organisation")
            .only(*ROW_FIELDS)
        }
        return [PortfolioRow(found[pk], self.summaries[pk]) for pk in ids if pk in found]


def filtered_adoptions(user: Any, filters: Mapping[str, Any]) -> QuerySet[Adoption]:
    """The person's visible adoptions narrowed by the portfolio's filters: `collaboration`
    (reference, or words of its title), `organisation` (an Organisation, or the text "whole"
    for those of the collaboration as a whole), `indicator` (its key)."""
    adoptions = visible_adoptions(user)
    collaboration = str(filters.get("collaboration") or "").strip()
    if collaboration:
        adoptions = adoptions.filter(
            Q(collaboration__reference__iexact=collaboration)
            | Q(collaboration__title__icontains=collaboration)
        )
    organisation = filters.get("organisation")
    if organisation == "whole":
        adoptions = adoptions.filter(organisation__isnull=True)
    elif organisation is not None and organisation != "":
        adoptions = adoptions.filter(organisation=organisation)
    indicator = filters.get("indicator")
    if indicator:
        adoptions = adoptions.filter(indicator__key=indicator)
    return adoptions


#: How long a person's list of KPIs is kept; any change to the KPIs makes a new key first.
PORTFOLIO_SECONDS = 3600


def seen_as(user: Any) -> str:
    """Whom a person sees collaborations as: the register's rule
    (`Collaboration.objects.visible_to`) gives the same to everyone alike here: nobody signed
    in sees public ones; a platform administrator, all; anyone else, those for signed-in users
    and what their organisation is a partner in or named on. A portfolio's list is kept for
    each, not for each person (tests/kpis/test_kpi_pages.py holds the two to the same)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if getattr(user, "is_platform_admin", False):
        return "everything"
    return f"organisation:{getattr(user, 'organisation_id', None)}"


def kept(today: dt.date | None = None) -> _Memo:
    """The kept summaries, current (worked out again where the KPIs have changed): what a page
    that reads them more than once asks for once."""
    return _memo(today)


def portfolio(
    user: Any,
    filters: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    memo: _Memo | None = None,
) -> Portfolio:
    """Every KPI of every collaboration the person may see, filtered (as `filtered_adoptions`
    filters, and by `status`: a simple status, or "concern" for special cause concern,
    "improvement", "failing" for a target the process consistently fails, "no_target"),
    concern first. The kept summaries are already in concern order: the person's visible
    collaborations are read (their ids, one query) and the order walked once; the list is kept
    (core's cache) for that state of the KPIs, whom the person sees as, and the filters."""
    memo = memo or _memo(today)
    signature = json.dumps(
        [memo.key, seen_as(user), sorted((k, str(getattr(v, "pk", v))) for k, v in filters.items())]
    )
    cache_key = "kpis:portfolio:" + hashlib.sha256(signature.encode()).hexdigest()
    kept = cache.get(cache_key)
    if kept is None:
        kept = _portfolio_ids(memo, user, filters)
        cache.set(cache_key, kept, PORTFOLIO_SECONDS)
    return Portfolio(kept, memo.summaries, cache_key)


def _portfolio_ids(memo: _Memo, user: Any, filters: Mapping[str, Any]) -> list[int]:
    collaborations = register.visible_collaborations(user)
    words = str(filters.get("collaboration") or "").strip()
    if words:
        collaborations = collaborations.filter(
            Q(reference__iexact=words) | Q(title__icontains=words)
        )
    seen = set(collaborations.order_by().values_list("pk", flat=True))
    organisation = filters.get("organisation")
    whole = organisation == "whole"
    organisation_id = getattr(organisation, "pk", None)
    indicator = filters.get("indicator") or ""
    wanted = str(filters.get("status") or "")
    found = memo.summaries
    return [
        facts.pk
        for facts in memo.ranked
        if facts.collaboration_id in seen
        and (not indicator or facts.indicator_key == indicator)
        and (not whole or facts.organisation_id is None)
        and (organisation_id is None or facts.organisation_id == organisation_id)
        and (not wanted or _matches_status(found[facts.pk], wanted))
    ]


def _matches_status(summary: Summary, wanted: str) -> bool:
    if wanted == "concern":
        return summary.variation == "special_cause_concern"
    if wanted == "improvement":
        return summary.variation == "special_cause_improvement"
    if wanted == "failing":
        return summary.assurance == "consistent_fail"
    if wanted == "no_target":
        return summary.status is None
    return summary.status == wanted


def summaries_for(ids: Collection[int], today: dt.date | None = None) -> dict[int, Summary]:
    """A few adoptions' summaries (a collaboration page's panel, a page of the API): the kept
    ones while they are current; otherwise worked out for these alone, so that the first
    collaboration page after a change elsewhere does not work out every KPI in the country."""
    if not ids:
        return {}
    today = today or timezone.localdate()
    key = state_key(today)
    with _LOCK:
        if _MEMO.key == key:
            return {pk: _MEMO.summaries[pk] for pk in ids if pk in _MEMO.summaries}
    return compute_summaries(today, ids)


def kept_summaries(today: dt.date | None = None) -> dict[int, Summary] | None:
    """The kept summaries while they are current, else None (one query to say)."""
    key = state_key(today or timezone.localdate())
    with _LOCK:
        return _MEMO.summaries if _MEMO.key == key else None


def summary_of(adoption_id: int, today: dt.date | None = None) -> Summary | None:
    """One adoption's summary (`summaries_for`)."""
    return summaries_for([adoption_id], today).get(adoption_id)


# Exports ---------------------------------------------------------------------------------------


def visible_measurements(user: Any, adoptions: QuerySet[Adoption]) -> QuerySet[Measurement]:
    """The entered measurements of these adoptions (already narrowed to what the person may
    see): what a measurements export holds besides the published series."""
    return Measurement.objects.filter(adoption__in=adoptions.values("pk"))
