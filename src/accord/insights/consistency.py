"""How consistent collaboration is across England and Wales: the national picture's measures.

Pure (no Django): the page, the reports and a notebook compute the same figures from the same
plain inputs, and the tests hold each to a hand-worked example.

The inputs are the areas (a police force area's code, name and population by year) and the
collaborations, each reduced to what the measures read: the areas it touches, its service mix,
nature and status, its start and end dates and the days of its duty-to-collaborate reviews.
Which areas a collaboration touches is decided by the caller (insights/queries.py), as the
register's place filter decides it, so that an area's count is the number of collaborations
the register lists when filtered to that area.

The measures, with the formulas the page prints beside them:

- rate per 100,000 of an area: ``r = 100000 × c / p`` (c collaborations touching it, p its
  population); none where the population is not known (the ONS file has no Welsh force);
- coefficient of variation of the rates: ``CV = σ / μ``, with ``μ = Σr / n`` and the population
  standard deviation ``σ = √(Σ(r − μ)² / n)`` over the n areas with a rate (every area is
  counted, not sampled);
- Gini coefficient of the rates: ``G = Σᵢ Σⱼ |rᵢ − rⱼ| / (2 n² μ)``: 0 when every area has the
  same rate, approaching 1 when one area has them all;
- shares of areas: with no tri-service collaboration, with none of each nature, and with no
  duty-to-collaborate review in the last 12 months, each ``k / N`` over all N areas (rates or
  not).

Year by year, a collaboration counts in year Y when it had started by 31 December Y and had
not ended before 1 January Y; one with no start date cannot be placed in time and is left out
of the years (and counted as such). A year's review is one considered in that calendar year
(the 12 months to 31 December Y). A year's rates use that year's population, or the nearest
year's where the estimates stop short.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

TRI_SERVICE = "tri_service"
PER = 100_000


@dataclass(frozen=True)
class AreaInput:
    """An area the measures are taken over: its code, name and population by year."""

    code: str
    name: str
    population: Mapping[int, int] = field(default_factory=dict)

    def population_in(self, year: int) -> int | None:
        """That year's estimate, or the nearest year's (the earlier of two as near); None if
        there are none."""
        if not self.population:
            return None
        if year in self.population:
            return self.population[year]
        nearest = min(self.population, key=lambda y: (abs(y - year), y))
        return self.population[nearest]


@dataclass(frozen=True)
class CollaborationInput:
    """One collaboration, as the measures read it."""

    id: int
    areas: frozenset[str]
    service_mix: str
    nature: str
    status: str
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    reviews: tuple[dt.date, ...] = ()

    def active_in(self, year: int) -> bool:
        if self.started_on is None or self.started_on > dt.date(year, 12, 31):
            return False
        return self.ended_on is None or self.ended_on >= dt.date(year, 1, 1)


@dataclass(frozen=True)
class AreaFigures:
    code: str
    name: str
    population: int | None
    collaborations: int
    rate: float | None
    mixes: dict[str, int]
    natures: dict[str, int]
    statuses: dict[str, int]
    reviewed: bool

    def count(self, measure: str) -> int:
        """The collaborations of one kind: ``mix:tri_service``, ``nature:prevention``,
        ``status:operational``, or every one (``collaborations``)."""
        kind, _, value = measure.partition(":")
        found = {"mix": self.mixes, "nature": self.natures, "status": self.statuses}.get(kind)
        return self.collaborations if found is None else found.get(value, 0)


@dataclass(frozen=True)
class Consistency:
    """The measures across areas: at one moment, or for one year."""

    areas: list[AreaFigures]
    #: How many areas have a rate (a population), over which the CV and Gini are taken.
    rated: int
    mean_rate: float | None
    cv: float | None
    gini: float | None
    no_tri_service: float | None
    no_nature: dict[str, float | None]
    no_review: float | None


@dataclass(frozen=True)
class YearFigures:
    year: int
    collaborations: int
    consistency: Consistency


# The statistics --------------------------------------------------------------------------------


def rate_per_100000(count: int, population: int | None) -> float | None:
    """``100000 × count / population``; None where the population is unknown or zero."""
    if not population:
        return None
    return PER * count / population


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """``σ / μ`` with the population standard deviation; None for no values or a zero mean."""
    mu = mean(values)
    if mu is None or mu == 0:
        return None
    sigma = math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))
    return sigma / mu


def gini(values: Sequence[float]) -> float | None:
    """``Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ)``; None for no values or a zero mean.

    Computed from the sorted values, ``Σᵢ (2i − n − 1) xᵢ / (n Σx)`` with i from 1, which is
    the same sum in n log n rather than n² steps.
    """
    if not values:
        return None
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if total == 0:
        return None
    weighted = sum((2 * i - n - 1) * x for i, x in enumerate(ordered, start=1))
    return weighted / (n * total)


def share(count: int, of: int) -> float | None:
    return count / of if of else None


# The picture -----------------------------------------------------------------------------------


def _figures(
    area: AreaInput,
    population: int | None,
    touching: Iterable[CollaborationInput],
    reviewed: bool,
) -> AreaFigures:
    mixes: dict[str, int] = {}
    natures: dict[str, int] = {}
    statuses: dict[str, int] = {}
    count = 0
    for c in touching:
        count += 1
        mixes[c.service_mix] = mixes.get(c.service_mix, 0) + 1
        natures[c.nature] = natures.get(c.nature, 0) + 1
        statuses[c.status] = statuses.get(c.status, 0) + 1
    return AreaFigures(
        code=area.code,
        name=area.name,
        population=population,
        collaborations=count,
        rate=rate_per_100000(count, population),
        mixes=mixes,
        natures=natures,
        statuses=statuses,
        reviewed=reviewed,
    )


def _across(figures: list[AreaFigures], natures: Sequence[str]) -> Consistency:
    rates = [f.rate for f in figures if f.rate is not None]
    total = len(figures)
    return Consistency(
        areas=figures,
        rated=len(rates),
        mean_rate=mean(rates),
        cv=coefficient_of_variation(rates),
        gini=gini(rates),
        no_tri_service=share(sum(1 for f in figures if not f.mixes.get(TRI_SERVICE)), total),
        no_nature={
            nature: share(sum(1 for f in figures if not f.natures.get(nature)), total)
            for nature in natures
        },
        no_review=share(sum(1 for f in figures if not f.reviewed), total),
    )


def _by_area(
    collaborations: Iterable[CollaborationInput],
) -> dict[str, list[CollaborationInput]]:
    found: dict[str, list[CollaborationInput]] = {}
    for c in collaborations:
        for code in c.areas:
            found.setdefault(code, []).append(c)
    return found


def picture(
    areas: Sequence[AreaInput],
    collaborations: Sequence[CollaborationInput],
    *,
    year: int,
    review_since: dt.date,
    natures: Sequence[str] = (),
    today: dt.date | None = None,
) -> Consistency:
    """The measures now: every collaboration given (the caller chooses which: those not
    archived), rates on `year`'s population, a review counting if considered on or after
    `review_since` (and not after `today`, when given)."""
    touching = _by_area(collaborations)

    def reviewed(c: CollaborationInput) -> bool:
        return any(d >= review_since and (today is None or d <= today) for d in c.reviews)

    figures = [
        _figures(
            area,
            area.population_in(year),
            touching.get(area.code, []),
            any(reviewed(c) for c in touching.get(area.code, [])),
        )
        for area in areas
    ]
    return _across(figures, natures)


def years(
    areas: Sequence[AreaInput],
    collaborations: Sequence[CollaborationInput],
    *,
    first: int,
    last: int,
    natures: Sequence[str] = (),
) -> list[YearFigures]:
    """The measures for each year from `first` to `last`, from the start and end dates."""
    result = []
    for year in range(first, last + 1):
        active = [c for c in collaborations if c.active_in(year)]
        touching = _by_area(active)
        figures = [
            _figures(
                area,
                area.population_in(year),
                touching.get(area.code, []),
                any(d.year == year for c in touching.get(area.code, []) for d in c.reviews),
            )
            for area in areas
        ]
        result.append(YearFigures(year, len(active), _across(figures, natures)))
    return result


def year_span(collaborations: Iterable[CollaborationInput], *, until: int) -> tuple[int, int]:
    """The years the series covers: from the earliest start to `until` (just `until` if none
    started earlier)."""
    starts = [c.started_on.year for c in collaborations if c.started_on is not None]
    return (min([*starts, until]), until)
