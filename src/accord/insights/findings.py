"""The briefing's findings set beside figures computed from the register (no Django here).

Each finding is a figure with its n and formula, the parts it is made of (each a count of a
number, with the register filters that list those records where the register can filter so),
and a plain sentence that says what the figure shows and no more: a small n is said to be
small, and a difference between two groups is called a difference, not a cause.

The inputs are plain: one `Facts` for each collaboration the person may see (queries.py reads
them through the register's services), and the rates per area the consistency measures use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from accord.core.sectors import BLUE_LIGHT

from .consistency import gini, share

#: Below this many records a figure is said to be read as an indication only.
SMALL_N = 30

STOPPED = "stopped"
OPERATIONAL = "operational"

#: The service mixes, in the order the page lists them, with what it calls each.
MIXES = (
    ("intra_service", "Intra-service"),
    ("police_fire", "Police–fire"),
    ("fire_ambulance", "Fire–ambulance"),
    ("police_ambulance", "Police–ambulance"),
    ("tri_service", "Tri-service"),
    ("wider_public_service", "Wider public service"),
)


@dataclass(frozen=True)
class Facts:
    """One collaboration as the findings read it."""

    id: int
    reference: str
    status: str
    service_mix: str
    #: Named champions recorded on it.
    champions: int = 0
    #: The sectors of its partner organisations (core/sectors.py's words).
    partner_sectors: frozenset[str] = frozenset()
    has_public_summary: bool = False
    is_public: bool = False


@dataclass(frozen=True)
class Scored:
    """A collaboration's assessment rounds that have opened, oldest first: each round's mean
    on each group of its framework (the three Cs), None where disclosure control withholds it
    (assessments.services.group_scores)."""

    id: int
    status: str
    rounds: tuple[Mapping[str, float | None], ...] = ()
    #: The same rounds' mean on each factor of their framework, None where withheld.
    factors: tuple[Mapping[str, float | None], ...] = ()


CLEAR_VISION = "clear-vision"
#: The enabler "Local cross-party political buy-in and overt support", by its id in the
#: shipped collaboration-factors framework (both versions).
POLITICAL_BUY_IN = "political-buy-in"
#: The register's statuses, in their order (register.choices.Status), with what it calls each.
STATUSES = (
    ("idea", "Idea"),
    ("proposed", "Proposed"),
    ("business_case", "Business case"),
    ("implementing", "Implementing"),
    ("operational", "Operational"),
    ("closed", "Closed"),
    ("stopped", "Stopped"),
)


def latest(rounds: Sequence[Mapping[str, float | None]], group: str) -> float | None:
    """The latest round's score on a group, of the rounds that have one."""
    for each in reversed(rounds):
        if each.get(group) is not None:
            return each[group]
    return None


def overall(scores: Mapping[str, float | None]) -> float | None:
    """A round's mean of its group scores (those not withheld)."""
    known = [v for v in scores.values() if v is not None]
    return sum(known) / len(known) if known else None


def change(rounds: Sequence[Mapping[str, float | None]]) -> float | None:
    """The latest round's overall score less the first's, of the rounds that have one; None
    with fewer than two."""
    found = [v for v in (overall(r) for r in rounds) if v is not None]
    return found[-1] - found[0] if len(found) >= 2 else None


def _mean_part(label: str, values: Sequence[float], of: int, **kw: object) -> Part:
    return Part(
        label,
        len(values),
        of,
        mean=sum(values) / len(values) if values else None,
        is_mean=True,
        **kw,  # type: ignore[arg-type]
    )


def clear_vision(scored: Sequence[Scored], realised: Collection[int]) -> Finding:
    """The latest clear-vision score, operational against stopped collaborations and with a
    realised benefit against without."""
    values = {s.id: latest(s.rounds, CLEAR_VISION) for s in scored}
    known = {pk: v for pk, v in values.items() if v is not None}
    by_status = {s.id: s.status for s in scored}

    def among(keep: Callable[[int], bool]) -> list[float]:
        return [v for pk, v in known.items() if keep(pk)]

    operational = among(lambda pk: by_status[pk] == OPERATIONAL)
    stopped = among(lambda pk: by_status[pk] == STOPPED)
    with_benefit = among(lambda pk: pk in realised)
    without = among(lambda pk: pk not in realised)
    n = len(known)
    parts = [
        _mean_part("Operational", operational, n, filters=(("status", OPERATIONAL),)),
        _mean_part("Stopped", stopped, n, filters=(("status", STOPPED),)),
        _mean_part("With a realised benefit", with_benefit, n),
        _mean_part("Without a realised benefit", without, n),
    ]
    value = sum(known.values()) / n if n else None
    if value is None:
        sentence = (
            "No collaboration seen has a clear-vision score from an assessment round (or every "
            "score is withheld by disclosure control), so this cannot be answered."
        )
    else:
        compare = []
        for a, b in ((parts[0], parts[1]), (parts[2], parts[3])):
            if a.mean is not None and b.mean is not None:
                compare.append(
                    f"{a.label}: {a.mean:.1f} (n = {a.count}) against {b.label.lower()}: "
                    f"{b.mean:.1f} (n = {b.count})."
                )
        sentence = _join(
            f"The latest clear-vision score averages {value:.1f} across {n} collaboration"
            f"{'s' if n != 1 else ''} with one (on the framework's scale).",
            *compare,
            "A difference between groups is a difference in the record, not a cause."
            if compare
            else "There are not two groups with scores to compare.",
            caution(n),
        )
    return Finding(
        key="clear_vision",
        briefing="Success is grounded in a clear shared vision between partners",
        figure=value,
        n=n,
        formula="mean of each collaboration's latest clear-vision group score, by group",
        sentence=sentence,
        parts=parts,
        needs=""
        if value is not None
        else "Assessment rounds with responses enough to pass disclosure control.",
        kind="score",
    )


def political_buy_in(scored: Sequence[Scored]) -> Finding:
    """The latest political buy-in score of each collaboration with one, by status."""
    known = {s.id: v for s in scored if (v := latest(s.factors, POLITICAL_BUY_IN)) is not None}
    status_of = {s.id: s.status for s in scored}
    n = len(known)
    parts = [
        _mean_part(
            label,
            [v for pk, v in known.items() if status_of[pk] == key],
            n,
            filters=(("status", key),),
        )
        for key, label in STATUSES
    ]
    # The statuses with a score, and always the two the briefing sets against each other.
    parts = [p for p in parts if p.count or p.filters[0][1] in (OPERATIONAL, STOPPED)]
    value = sum(known.values()) / n if n else None
    if value is None:
        sentence = (
            "No collaboration seen has a political buy-in score from an assessment round (or "
            "every score is withheld by disclosure control), so this cannot be answered."
        )
    else:
        shown = [p for p in parts if p.count]
        spread = (
            "By status: "
            + "; ".join(f"{p.label.lower()} {p.mean:.1f} (n = {p.count})" for p in shown)
            + ". A difference between statuses is a difference in the record, not proof that "
            "politics helped or hindered."
            if len(shown) > 1
            else "Every collaboration with a score has the same status, so there is nothing "
            "to compare."
        )
        sentence = _join(
            f"The latest political buy-in score averages {value:.1f} across {n} collaboration"
            f"{'s' if n != 1 else ''} with one (on the framework's scale, higher is more "
            "support).",
            spread,
            caution(min(p.count for p in shown)) if len(shown) > 1 else caution(n),
        )
    return Finding(
        key="political_buy_in",
        briefing="Politics can inhibit or stimulate collaboration",
        figure=value,
        n=n,
        formula="mean of each collaboration's latest political buy-in factor score (the "
        "factor's statements, reversed where worded against it), by status",
        sentence=sentence,
        parts=parts,
        needs=""
        if value is not None
        else "Assessment rounds on a framework with the political buy-in enabler (the shipped "
        "collaboration-factors framework), with responses enough to pass disclosure control.",
        kind="score",
    )


@dataclass(frozen=True)
class Part:
    """``count`` of ``of`` records, and the register filters that list the ``of`` records
    (empty: the register cannot filter so; the page then links the whole list)."""

    label: str
    count: int
    of: int
    filters: tuple[tuple[str, str], ...] = ()
    #: For a group of scores: their mean (shown in place of the share).
    mean: float | None = None
    is_mean: bool = False

    @property
    def share(self) -> float | None:
        return share(self.count, self.of)


@dataclass(frozen=True)
class Finding:
    key: str
    #: The briefing's words.
    briefing: str
    #: The headline figure (a share or a Gini), None where the data cannot answer.
    figure: float | None
    n: int
    formula: str
    sentence: str
    parts: list[Part] = field(default_factory=list)
    #: Where the data cannot answer: what would let it.
    needs: str = ""
    #: How the figure is written: "share" (a percentage), "index" (two decimals), "score"
    #: (one decimal) or "months".
    kind: str = "share"

    @property
    def answered(self) -> bool:
        return self.figure is not None


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def caution(n: int) -> str:
    """What a reader should know about n: nothing, few records, or none."""
    if n == 0:
        return "There are no records to count."
    if n < SMALL_N:
        return f"Only {n} record{'s' if n != 1 else ''}: read this as an indication, not a measure."
    return ""


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def inconsistency(rates: Sequence[float]) -> Finding:
    """The Gini of collaborations per 100,000 people across the police force areas with a
    population (consistency.gini)."""
    value = gini(rates)
    n = len(rates)
    if value is None:
        sentence = (
            "No area has both a population and a collaboration, so the spread cannot be measured."
        )
    else:
        level = "far from even" if value >= 0.4 else "uneven" if value >= 0.2 else "fairly even"
        sentence = _join(
            f"Across {n} police force areas, collaborations per 100,000 people are {level} "
            f"(Gini {value:.2f}: 0 is every area alike, 1 is all in one area).",
            "It counts what is recorded in Accord, which may differ from what happens.",
            caution(n) if n < SMALL_N else "",
        )
    return Finding(
        key="inconsistency",
        briefing="Collaboration across England and Wales is 'inconsistent'",
        figure=value,
        n=n,
        formula="Gini = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ), x = collaborations per 100,000 people by area",
        sentence=sentence,
        needs="" if value is not None else "Populations loaded for the police force areas.",
        kind="index",
    )


def _single(records: Sequence[Facts]) -> int:
    return sum(1 for r in records if r.champions == 1)


def key_individuals(records: Sequence[Facts]) -> Finding:
    """The share with exactly one named champion, overall and among stopped against
    operational collaborations."""
    n = len(records)
    single = _single(records)
    stopped = [r for r in records if r.status == STOPPED]
    operational = [r for r in records if r.status == OPERATIONAL]
    parts = [
        Part("All collaborations", single, n),
        Part("Stopped", _single(stopped), len(stopped), (("status", STOPPED),)),
        Part("Operational", _single(operational), len(operational), (("status", OPERATIONAL),)),
    ]
    value = share(single, n)
    if value is None:
        sentence = caution(0)
    else:
        compare = ""
        s, o = parts[1].share, parts[2].share
        if s is not None and o is not None:
            word = "more" if s > o else "less" if s < o else "as"
            compare = (
                f"Among stopped collaborations {percent(s)} had one champion "
                f"({parts[1].count} of {parts[1].of}), against "
                f"{percent(o)} of operational ones ({parts[2].count} of {parts[2].of}): "
                + (
                    "the same share."
                    if word == "as"
                    else f"{word} often, which is a difference in the record, not proof that "
                    "resting on one person makes a collaboration stop."
                )
            )
        else:
            compare = "There are not both stopped and operational collaborations to compare."
        small = min(len(stopped), len(operational))
        sentence = _join(
            f"{percent(value)} of collaborations ({single} of {n}) have exactly one named "
            "champion.",
            compare,
            caution(small) if 0 < small < SMALL_N else caution(n),
        )
    return Finding(
        key="key_individuals",
        briefing="It is often key individuals driving collaboration",
        figure=value,
        n=n,
        formula="share = collaborations with exactly one named champion / collaborations",
        sentence=sentence,
        parts=parts,
    )


def service_mix(records: Sequence[Facts]) -> Finding:
    """The share of each service mix, intra-service included."""
    n = len(records)
    parts = [
        Part(label, sum(1 for r in records if r.service_mix == key), n, (("mix", key),))
        for key, label in MIXES
    ]
    intra = parts[0]
    value = intra.share
    if value is None:
        sentence = caution(0)
    else:
        sentence = _join(
            f"{percent(value)} of collaborations ({intra.count} of {n}) are within one service; "
            f"the rest, {n - intra.count}, are between services or wider.",
            caution(n),
        )
    return Finding(
        key="service_mix",
        briefing="Important to consider both inter and intra service collaboration",
        figure=value,
        n=n,
        formula="share of a mix = collaborations of that mix / collaborations",
        sentence=sentence,
        parts=parts,
    )


def beyond_blue_light(record: Facts) -> bool:
    return any(s not in BLUE_LIGHT for s in record.partner_sectors)


def wider_public_service(records: Sequence[Facts]) -> Finding:
    """The share with a partner outside the blue-light services."""
    n = len(records)
    count = sum(1 for r in records if beyond_blue_light(r))
    value = share(count, n)
    sentence = (
        caution(0)
        if value is None
        else _join(
            f"{percent(value)} of collaborations ({count} of {n}) have a partner outside "
            "police, fire and ambulance. A partner recorded is not proof of wider change; "
            "it shows where the wider public service is at the table.",
            caution(n),
        )
    )
    return Finding(
        key="wider_public_service",
        briefing="Collaboration projects support wider public service change",
        figure=value,
        n=n,
        formula="share = collaborations with a partner whose sector is not blue light "
        "/ collaborations",
        sentence=sentence,
        parts=[Part("With a partner outside blue light", count, n)],
    )


def public_awareness(records: Sequence[Facts]) -> Finding:
    """The share with a public summary and public visibility: what the public can read."""
    n = len(records)
    count = sum(1 for r in records if r.has_public_summary and r.is_public)
    value = share(count, n)
    sentence = (
        caution(0)
        if value is None
        else _join(
            f"{percent(value)} of collaborations ({count} of {n}) are public and have a public "
            "summary, so the public can read what they are. It measures what is published "
            "here, not what the public knows.",
            caution(n),
        )
    )
    return Finding(
        key="public_awareness",
        briefing="Positive public backing but a lack of public awareness.",
        figure=value,
        n=n,
        formula="share = public collaborations with a public summary / collaborations",
        sentence=sentence,
        parts=[Part("Public, with a public summary", count, n)],
    )


def kpis(
    records: Sequence[Facts], adopted: Collection[int], scored: Sequence[Scored] = ()
) -> Finding:
    """The share with KPIs adopted, and the mean change in the three-C scores between the
    first and latest assessment rounds of those with KPIs against those without."""
    n = len(records)
    seen = {r.id for r in records}
    count = sum(1 for r in records if r.id in adopted)
    value = share(count, n)
    changes = {s.id: change(s.rounds) for s in scored if s.id in seen}
    known = {pk: v for pk, v in changes.items() if v is not None}
    with_kpis = [v for pk, v in known.items() if pk in adopted]
    without = [v for pk, v in known.items() if pk not in adopted]
    parts = [
        Part("With adopted KPIs", count, n),
        Part("Without", n - count, n),
        _mean_part("Change in three-C score, with KPIs", with_kpis, len(known)),
        _mean_part("Change in three-C score, without", without, len(known)),
    ]
    if value is None:
        sentence = caution(0)
    else:
        a, b = parts[2], parts[3]
        compare = (
            f"Between first and latest assessment rounds, the three-C score moved by "
            f"{a.mean:+.2f} on average with KPIs (n = {a.count}) against {b.mean:+.2f} without "
            f"(n = {b.count}); a difference in the record, not proof that KPIs cause it."
            if a.mean is not None and b.mean is not None
            else "Too few collaborations have two scored assessment rounds on both sides to "
            "compare the change in three-C scores with KPIs and without."
        )
        sentence = _join(
            f"{percent(value)} of collaborations ({count} of {n}) have adopted KPIs.",
            compare,
            caution(min(a.count, b.count)) if a.mean is not None and b.mean is not None else "",
        )
    return Finding(
        key="kpis",
        briefing="Collaboration would be given further momentum if linked to KPIs",
        figure=value,
        n=n,
        formula="share = collaborations with an adopted KPI / collaborations; change = latest "
        "round's mean of group scores − first round's, averaged with KPIs and without",
        sentence=sentence,
        parts=parts,
        needs=""
        if with_kpis and without
        else "Two or more scored assessment rounds on collaborations with KPIs and without.",
    )


def financial_outcomes(first_years: Sequence[int], appraisals: int) -> Finding:
    """The median months from an appraisal's start to its first realised benefit, counted in
    whole appraisal years (year 0 is the first: 12 × the year); `first_years` holds one
    entry for each appraisal with a realised benefit above zero, of `appraisals` seen."""
    n = len(first_years)
    value = float(median(12 * t for t in first_years)) if first_years else None
    if value is None:
        sentence = (
            f"None of the {appraisals} appraisal{'s' if appraisals != 1 else ''} seen has a "
            "realised benefit recorded, so the time to a first benefit cannot be measured."
            if appraisals
            else "There are no appraisals to read."
        )
    else:
        sentence = _join(
            f"Of {appraisals} appraisal{'s' if appraisals != 1 else ''}, {n} record a realised "
            f"benefit; the median time to the first is {value:.0f} months, counted in whole "
            "appraisal years. Appraisals still waiting for a benefit are not in the median, "
            "so the true time is likely longer.",
            caution(n),
        )
    return Finding(
        key="financial_outcomes",
        briefing="Evidence of financial outcomes will take time to be realised",
        figure=value,
        n=n,
        formula="median over appraisals of 12 × (the first appraisal year with a realised "
        "benefit above zero; year 0 is the first)",
        sentence=sentence,
        parts=[Part("Appraisals with a realised benefit", n, appraisals)],
        needs=""
        if value is not None
        else "Realised benefits recorded against the appraisals, year by year.",
        kind="months",
    )


def findings(
    records: Sequence[Facts],
    rates: Sequence[float],
    *,
    adopted: Collection[int] = (),
    first_years: Sequence[int] = (),
    appraisals: int = 0,
    scored: Sequence[Scored] = (),
    realised: Collection[int] = (),
) -> list[Finding]:
    """Every finding this page computes."""
    return [
        inconsistency(rates),
        key_individuals(records),
        service_mix(records),
        wider_public_service(records),
        public_awareness(records),
        political_buy_in(scored),
        clear_vision(scored, realised),
        kpis(records, adopted, scored),
        financial_outcomes(first_years, appraisals),
    ]
