"""The appraisal engine: Green Book / SROI cost-benefit arithmetic, vectorised with numpy.

Pure: imports neither Django nor the database. An :class:`Appraisal` holds cost and benefit
lines by year (years 0 … T-1, real prices of one price year). The engine adjusts each line
(deadweight, attribution, displacement, drop-off, optimism bias), discounts it, and reports NPV,
the benefit-cost ratios, payback and the split by organisation; a Monte Carlo draws every
uncertain input together and a tornado shows which inputs matter most.

Every evaluation is one batch of arrays of shape (iterations, lines, years); the deterministic
result is the batch of one iteration in which every distribution takes its central value, so
the Monte Carlo and the deterministic figures come from the same arithmetic.

The arithmetic, for a benefit line in year t::

    amount(t) * (1 - deadweight) * (1 - attribution) * (1 - displacement)
              * (1 - drop_off) ** max(0, t - start) * (1 - optimism_bias)

where ``start`` is the line's first year with a non-zero amount; for a cost line
``amount(t) * (1 + optimism_bias)``. A benefit line with negative figures is a disbenefit: a
negative benefit (subtracted from benefits, never added to costs) whose optimism bias enlarges
it, ``* (1 + optimism_bias)``, as for a cost. ``amount(t)`` is ``amounts[t]`` or
``unit_cost * volumes[t]``. See ``docs/appraisal.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from accord.core.problems import Problem, Problems

FloatArray: TypeAlias = npt.NDArray[np.float64]

GREEN_BOOK: Final = "green_book"
GREEN_BOOK_HEALTH: Final = "green_book_health"
DISTRIBUTIONS: Final = ("triangular", "pert", "uniform", "normal", "lognormal")
BENEFIT_CLASSES: Final = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
FISCAL_CLASSES: Final = ("fiscal_cashable", "fiscal_non_cashable")
DEFAULT_BENEFIT_CLASS: Final = "social"
CONFIDENCE_GRADES: Final = (1, 2, 3, 4, 5, 6)
#: Optimism bias by confidence grade (1 best evidence ... 6 worst), the Greater Manchester
#: cost-benefit model's: what a file without its own table uses, and what the form offers.
DEFAULT_OPTIMISM_BIAS_BY_GRADE: Final[Mapping[int, float]] = {
    1: 0.0,
    2: 0.05,
    3: 0.10,
    4: 0.15,
    5: 0.25,
    6: 0.40,
}
DEFAULT_ITERATIONS: Final = 10_000
DEFAULT_SEED: Final = 1

Schedule: TypeAlias = tuple[tuple[int | None, float], ...]

#: HM Treasury Green Book schedule: (last year at this rate, or None for ever after; rate).
GREEN_BOOK_SCHEDULE: Final[Schedule] = (
    (30, 0.035),
    (75, 0.030),
    (125, 0.025),
    (200, 0.020),
    (300, 0.015),
    (None, 0.010),
)
#: The Green Book's schedule for health effects (the standard rate less the 2% for wealth
#: effects the standard rate holds): the same bands, from 1.5% to year 30.
GREEN_BOOK_HEALTH_SCHEDULE: Final[Schedule] = (
    (30, 0.015),
    (75, 0.0129),
    (125, 0.0107),
    (200, 0.0086),
    (300, 0.0064),
    (None, 0.0043),
)
#: The schedules a file may name as its `discount`.
DISCOUNT_SCHEDULES: Final[Mapping[str, Schedule]] = {
    GREEN_BOOK: GREEN_BOOK_SCHEDULE,
    GREEN_BOOK_HEALTH: GREEN_BOOK_HEALTH_SCHEDULE,
}

#: Monte Carlo draws are made in blocks of this many iterations (input by input within a block),
#: so the random stream, and hence the figures, depend only on the seed and the iterations.
DRAW_BLOCK: Final = 10_000
#: Elements of one (iterations, lines, years) array evaluated at a time (8 bytes each).
CHUNK_ELEMENTS: Final = 1_000_000

_Z95: Final = NormalDist().inv_cdf(0.95)


class AppraisalError(Problems):
    """An appraisal the engine cannot evaluate (for example a grade missing from the table):
    the kernel's :class:`Problems`, each naming its path in the file."""


def _refused(path: str | None, reason: str) -> AppraisalError:
    return AppraisalError([Problem(reason, field=path)])


# --------------------------------------------------------------------------------------------
# The input model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """An uncertain number.

    ``kind`` is one of :data:`DISTRIBUTIONS`; ``params`` are ``[low, mode, high]`` for triangular
    and pert, ``[low, high]`` for uniform, ``[mean, sd]`` for normal and lognormal (for lognormal
    the mean and sd of the variable itself, not of its logarithm).
    """

    kind: str
    params: tuple[float, ...]

    def __post_init__(self) -> None:
        expected = {"triangular": 3, "pert": 3, "uniform": 2, "normal": 2, "lognormal": 2}
        if expected.get(self.kind) != len(self.params):
            raise _refused(None, f"bad distribution {self.kind!r} with parameters {self.params}")

    @property
    def central(self) -> float:
        """The value used in the deterministic result: mode, midpoint or mean."""
        p = self.params
        if self.kind in ("triangular", "pert"):
            return p[1]
        if self.kind == "uniform":
            return (p[0] + p[1]) / 2
        return p[0]

    def bounds(self) -> tuple[float, float]:
        """Low and high for the tornado: the range, or p5 and p95 for normal and lognormal."""
        p = self.params
        if self.kind in ("triangular", "pert"):
            return p[0], p[2]
        if self.kind == "uniform":
            return p[0], p[1]
        if self.kind == "normal":
            return p[0] - _Z95 * p[1], p[0] + _Z95 * p[1]
        if p[1] == 0:
            return p[0], p[0]
        mu, sigma = lognormal_mu_sigma(p[0], p[1])
        return math.exp(mu - _Z95 * sigma), math.exp(mu + _Z95 * sigma)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws (a degenerate distribution gives its one value)."""
        p = self.params
        if self.kind in ("triangular", "pert"):
            low, mode, high = p
            if high <= low:
                return np.full(size, float(mode))
            if self.kind == "triangular":
                return rng.triangular(low, mode, high, size)
            alpha = 1 + 4 * (mode - low) / (high - low)
            beta = 1 + 4 * (high - mode) / (high - low)
            return low + (high - low) * rng.beta(alpha, beta, size)
        if self.kind == "uniform":
            return rng.uniform(p[0], p[1], size)
        if self.kind == "normal":
            return rng.normal(p[0], p[1], size)
        if p[1] == 0:
            return np.full(size, float(p[0]))
        mu, sigma = lognormal_mu_sigma(p[0], p[1])
        return rng.lognormal(mu, sigma, size)


def lognormal_mu_sigma(mean: float, sd: float) -> tuple[float, float]:
    """The underlying normal's mu and sigma for a lognormal variable of this mean and sd."""
    sigma2 = math.log1p(sd * sd / (mean * mean))
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


Value: TypeAlias = float | Distribution
"""A number, or a distribution standing for an uncertain number."""


@dataclass(frozen=True)
class CostLine:
    """A cost: ``amounts`` by year, or ``unit_cost`` * ``volumes`` by year."""

    name: str
    amounts: tuple[Value, ...] | None = None
    unit_cost: Value | None = None
    volumes: tuple[Value, ...] | None = None
    payer: str | None = None
    confidence: int | None = None
    optimism_bias: Value | None = None
    source: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class BenefitLine:
    """A benefit: amounts as for a cost, with its class and the SROI adjustments."""

    name: str
    benefit_class: str = DEFAULT_BENEFIT_CLASS
    amounts: tuple[Value, ...] | None = None
    unit_cost: Value | None = None
    volumes: tuple[Value, ...] | None = None
    beneficiary: str | None = None
    deadweight: Value = 0.0
    attribution: Value = 0.0
    displacement: Value = 0.0
    drop_off: Value = 0.0
    confidence: int | None = None
    optimism_bias: Value | None = None
    in_sroi: bool = True
    source: str | None = None
    notes: str | None = None


Line: TypeAlias = CostLine | BenefitLine

DISBENEFIT_IN_SROI: Final = (
    "a disbenefit cannot be left out of the SROI ratio (negative outcomes count too)"
)


def value_signs(value: Value) -> set[int]:
    """The signs (-1, +1) a figure can take: a number's own; a range's ends (triangular, pert,
    uniform); a normal's mean; a lognormal is positive. Zero has no sign."""
    if isinstance(value, Distribution):
        p = value.params
        if value.kind == "lognormal":
            ends: tuple[float, ...] = (p[0],)
        elif value.kind == "normal":
            ends = (p[0],)
        else:
            ends = (p[0], p[-1])
        return {int(math.copysign(1, e)) for e in ends if e != 0}
    return {int(math.copysign(1, value))} if value != 0 else set()


def benefit_sign(line: BenefitLine, path: str = "benefit") -> int:
    """+1 for a benefit, -1 for a disbenefit (its figures negative), 0 for a line of zeros.

    A line is one or the other: a line whose figures are of both signs is refused (split it
    into a benefit and a disbenefit)."""
    if line.amounts is not None:
        signs = set().union(*(value_signs(v) for v in line.amounts))
    else:
        units = value_signs(line.unit_cost) if line.unit_cost is not None else set()
        volumes = set().union(*(value_signs(v) for v in line.volumes or ()))
        signs = {u * v for u in units for v in volumes}
    if len(signs) > 1:
        raise _refused(
            path,
            "a line is a benefit or a disbenefit, not both: its figures must all be at least 0 "
            "(a benefit) or all at most 0 (a disbenefit); split it into two lines",
        )
    return signs.pop() if signs else 0


@dataclass(frozen=True)
class MonteCarloSettings:
    iterations: int = DEFAULT_ITERATIONS
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Appraisal:
    """One appraisal over years 0 … ``years`` - 1 in real prices of ``price_year``."""

    title: str
    price_year: int
    years: int
    discount: str | Value = GREEN_BOOK
    costs: tuple[CostLine, ...] = ()
    benefits: tuple[BenefitLine, ...] = ()
    optimism_bias_by_grade: Mapping[int, float] = field(default_factory=dict)
    monte_carlo: MonteCarloSettings | None = None
    collaboration: str | None = None
    description: str | None = None


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """One year: ``benefits`` are net of disbenefits; ``disbenefits`` are their size alone
    (already subtracted from ``benefits``, never added to ``costs``)."""

    year: int
    discount_factor: float
    costs: float
    benefits: float
    disbenefits: float
    pv_costs: float
    pv_benefits: float
    pv_disbenefits: float
    cumulative_pv_net: float


@dataclass(frozen=True)
class OrganisationSplit:
    paid: float
    received: float


@dataclass(frozen=True)
class AppraisalResult:
    """The deterministic result. Ratios are None where the present value of costs is 0.

    ``pv_benefits`` is net of disbenefits (counted as negative benefits, the Green Book's
    practice); ``pv_disbenefits`` is the size of the disbenefits alone, already subtracted.
    """

    pv_costs: float
    pv_benefits: float
    pv_disbenefits: float
    pv_benefits_by_class: dict[str, float]
    npv: float
    bcr: float | None
    fiscal_bcr: float | None
    sroi: float | None
    payback_year: int | None
    per_year: tuple[YearRow, ...]
    by_organisation: dict[str, OrganisationSplit]


@dataclass(frozen=True)
class Summary:
    """Mean and percentiles over Monte Carlo iterations (None when no iteration has a value)."""

    mean: float | None
    p5: float | None
    p50: float | None
    p95: float | None


@dataclass(frozen=True)
class MonteCarloResult:
    iterations: int
    seed: int
    npv: Summary
    bcr: Summary
    sroi: Summary
    p_npv_positive: float
    #: The NPV of every iteration, for histograms (not compared).
    npv_samples: FloatArray = field(repr=False, compare=False, default_factory=lambda: np.empty(0))


@dataclass(frozen=True)
class TornadoRow:
    input: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float
    swing: float


@dataclass(frozen=True)
class UncertainInput:
    """An input given as a distribution, named by its path in the file."""

    path: str
    distribution: Distribution
    clip: tuple[float, float] | None = None

    def bounds(self) -> tuple[float, float]:
        low, high = self.distribution.bounds()
        if self.clip is not None:
            low = min(max(low, self.clip[0]), self.clip[1])
            high = min(max(high, self.clip[0]), self.clip[1])
        return low, high


@dataclass(frozen=True)
class AppraisalReport:
    """Everything an appraisal reports: the Monte Carlo and tornado only with uncertain inputs."""

    appraisal: Appraisal
    result: AppraisalResult
    monte_carlo: MonteCarloResult | None
    tornado: tuple[TornadoRow, ...] | None

    def to_json_dict(self) -> dict[str, Any]:
        return results_to_json_dict(self.appraisal, self.result, self.monte_carlo, self.tornado)


# --------------------------------------------------------------------------------------------
# Discounting
# --------------------------------------------------------------------------------------------


def schedule_discount_factor(t: int, schedule: Schedule) -> float:
    """DF(t) under a schedule of bands: the year-by-year product of 1/(1 + rate) over years
    1 … t, each year at its band's rate (DF(31) = 1.035^-30 * 1.03^-1 under the Green Book)."""
    df = 1.0
    previous = 0
    for last, rate in schedule:
        upto = t if last is None else min(t, last)
        if upto > previous:
            df *= (1 + rate) ** -(upto - previous)
        if last is None or t <= last:
            break
        previous = last
    return df


def green_book_discount_factor(t: int) -> float:
    """DF(t) under the Green Book schedule: 3.5% to year 30, 3.0% to 75, 2.5% to 125, ..."""
    return schedule_discount_factor(t, GREEN_BOOK_SCHEDULE)


def discount_factors(discount: str | float, years: int) -> FloatArray:
    """Discount factors for years 0 … years - 1: a schedule's name (``"green_book"``,
    ``"green_book_health"``) or a fixed rate r."""
    if isinstance(discount, str):
        if discount not in DISCOUNT_SCHEDULES:
            raise _refused("discount", f"unknown discount {discount!r}")
        schedule = DISCOUNT_SCHEDULES[discount]
        return np.array([schedule_discount_factor(t, schedule) for t in range(years)])
    return np.power(1.0 + float(discount), -np.arange(years, dtype=np.float64))


# --------------------------------------------------------------------------------------------
# Compilation to arrays
# --------------------------------------------------------------------------------------------

_Array = Literal[
    "unit", "qty", "deadweight", "attribution", "displacement", "drop_off", "optimism_bias", "rate"
]
_SHARE: Final = (0.0, 1.0)
_NON_NEGATIVE: Final = (0.0, math.inf)


@dataclass
class _Model:
    """An appraisal as arrays: lines are costs first, then benefits."""

    years: int
    n_costs: int
    names: list[str]
    unit: FloatArray  # (L,) 1 for lines given by amounts
    qty: FloatArray  # (L, T) amounts or volumes; static drop-off already applied
    shares: dict[str, FloatArray]  # deadweight, attribution, displacement, drop_off: (L,)
    optimism_bias: FloatArray  # (L,)
    rate: float | None  # None: a named schedule (Green Book, Green Book health)
    discount: FloatArray  # (T,) at the central rate
    is_benefit: npt.NDArray[np.bool_]
    is_disbenefit: npt.NDArray[np.bool_]  # benefit lines whose figures are negative
    class_matrix: FloatArray  # (L, 4)
    sroi_mask: FloatArray  # (L,)
    organisations: list[str]
    paid_matrix: FloatArray  # (L, O)
    received_matrix: FloatArray  # (L, O)
    qty_pv: FloatArray  # (L,) qty @ discount at the central rate
    dynamic: npt.NDArray[np.intp]  # benefit lines whose drop-off is computed per iteration
    varying: npt.NDArray[np.intp]  # lines whose yearly quantities vary: uncertain or dynamic
    inputs: list[UncertainInput] = field(default_factory=list)
    targets: list[tuple[_Array, int, int]] = field(default_factory=list)

    @property
    def n_lines(self) -> int:
        return len(self.names)

    def central_values(self) -> FloatArray:
        return np.array([i.distribution.central for i in self.inputs], dtype=np.float64)

    def chunk_size(self) -> int:
        return max(1, CHUNK_ELEMENTS // max(1, self.n_lines * self.years))


def _resolve_optimism_bias(line: Line, table: Mapping[int, float], path: str) -> Value | None:
    if line.optimism_bias is not None:
        return line.optimism_bias
    if line.confidence is None:
        return None
    if line.confidence not in table:
        raise _refused(
            f"{path}.confidence", f"grade {line.confidence} is not in optimism_bias_by_grade"
        )
    return float(table[line.confidence])


def _compile(appraisal: Appraisal) -> _Model:
    years = appraisal.years
    if years < 1:
        raise _refused("years", f"must be at least 1, got {years}")
    lines: list[tuple[str, Line]] = [(f"costs[{i}]", c) for i, c in enumerate(appraisal.costs)]
    lines += [(f"benefits[{i}]", b) for i, b in enumerate(appraisal.benefits)]
    n = len(lines)
    unit = np.ones(n)
    qty = np.zeros((n, years))
    shares = {k: np.zeros(n) for k in ("deadweight", "attribution", "displacement", "drop_off")}
    bias = np.zeros(n)
    is_benefit = np.zeros(n, dtype=bool)
    is_disbenefit = np.zeros(n, dtype=bool)
    class_matrix = np.zeros((n, len(BENEFIT_CLASSES)))
    sroi_mask = np.zeros(n)
    organisations: list[str] = []
    payers: list[tuple[int, str]] = []
    receivers: list[tuple[int, str]] = []
    inputs: list[UncertainInput] = []
    targets: list[tuple[_Array, int, int]] = []

    def put(
        value: Value,
        path: str,
        clip: tuple[float, float] | None,
        array: _Array,
        line: int = -1,
        year: int = -1,
    ) -> float:
        if isinstance(value, Distribution):
            inputs.append(UncertainInput(path, value, clip))
            targets.append((array, line, year))
            return value.central
        return float(value)

    rate: float | None = None  # None: a named schedule
    if isinstance(appraisal.discount, str):
        if appraisal.discount not in DISCOUNT_SCHEDULES:
            raise _refused("discount", f"unknown discount {appraisal.discount!r}")
    else:
        rate = put(appraisal.discount, "discount", _SHARE, "rate")

    for i, (path, line) in enumerate(lines):
        benefit = isinstance(line, BenefitLine)
        if line.amounts is not None:
            values, key = line.amounts, "amounts"
        elif line.unit_cost is not None and line.volumes is not None:
            unit[i] = put(line.unit_cost, f"{path}.unit_cost", None, "unit", i)
            values, key = line.volumes, "volumes"
        else:
            raise _refused(path, "give amounts, or unit_cost with volumes")
        if len(values) != years:
            raise _refused(f"{path}.{key}", f"must have {years} values, got {len(values)}")
        for t, v in enumerate(values):
            qty[i, t] = put(v, f"{path}.{key}[{t}]", None, "qty", i, t)
        if isinstance(line, BenefitLine):
            is_benefit[i] = True
            is_disbenefit[i] = benefit_sign(line, path) < 0
            if is_disbenefit[i] and not line.in_sroi:
                raise _refused(f"{path}.in_sroi", DISBENEFIT_IN_SROI)
            if line.benefit_class not in BENEFIT_CLASSES:
                raise _refused(f"{path}.class", f"unknown class {line.benefit_class!r}")
            class_matrix[i, BENEFIT_CLASSES.index(line.benefit_class)] = 1.0
            sroi_mask[i] = 1.0 if line.in_sroi else 0.0
            for key, arr in shares.items():
                arr[i] = put(getattr(line, key), f"{path}.{key}", _SHARE, key, i)  # type: ignore[arg-type]
            if line.beneficiary is not None:
                receivers.append((i, line.beneficiary))
        elif line.payer is not None:
            payers.append((i, line.payer))
        ob = _resolve_optimism_bias(line, appraisal.optimism_bias_by_grade, path)
        if ob is not None:
            clip = _SHARE if benefit else _NON_NEGATIVE
            bias[i] = put(ob, f"{path}.optimism_bias", clip, "optimism_bias", i)

    for _, org in payers + receivers:
        if org not in organisations:
            organisations.append(org)
    paid = np.zeros((n, len(organisations)))
    received = np.zeros((n, len(organisations)))
    for i, org in payers:
        paid[i, organisations.index(org)] = 1.0
    for i, org in receivers:
        received[i, organisations.index(org)] = 1.0

    # Drop-off: where neither the drop-off nor the start year (the first non-zero amount or
    # volume; a zero unit cost zeroes the whole line) is uncertain, fold it into the quantities.
    uncertain_drop = {line for array, line, _ in targets if array == "drop_off"}
    uncertain_qty = {line for array, line, _ in targets if array == "qty"}
    dynamic: list[int] = []
    t_index = np.arange(years)
    for b in np.flatnonzero(is_benefit).tolist():
        if b in uncertain_drop or (b in uncertain_qty and shares["drop_off"][b] != 0):
            dynamic.append(b)
        elif shares["drop_off"][b] != 0:
            elapsed = np.maximum(0, t_index - _first_non_zero(qty[b]))
            qty[b] *= (1.0 - shares["drop_off"][b]) ** elapsed

    schedule = appraisal.discount if isinstance(appraisal.discount, str) else GREEN_BOOK
    discount = discount_factors(schedule if rate is None else rate, years)
    return _Model(
        years=years,
        n_costs=len(appraisal.costs),
        names=[path for path, _ in lines],
        unit=unit,
        qty=qty,
        shares=shares,
        optimism_bias=bias,
        rate=rate,
        discount=discount,
        qty_pv=qty @ discount,
        is_benefit=is_benefit,
        is_disbenefit=is_disbenefit,
        class_matrix=class_matrix,
        sroi_mask=sroi_mask,
        organisations=organisations,
        paid_matrix=paid,
        received_matrix=received,
        dynamic=np.array(dynamic, dtype=np.intp),
        varying=np.array(sorted(uncertain_qty | set(dynamic)), dtype=np.intp),
        inputs=inputs,
        targets=targets,
    )


def _first_non_zero(row: FloatArray) -> int:
    nz = np.flatnonzero(row)
    return int(nz[0]) if nz.size else 0


# --------------------------------------------------------------------------------------------
# Batch evaluation
# --------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    pv_by_line: FloatArray  # (n, L)
    adjusted: FloatArray | None = None  # (n, L, T) undiscounted, adjusted
    discount: FloatArray | None = None  # (n or 1, T)


def _evaluate(model: _Model, values: FloatArray, detail: bool = False) -> _Batch:
    """Evaluate ``values`` (n, inputs): one row of uncertain-input values per iteration.

    A line's present value is ``unit * sum_t(qty[t] * decay[t] * DF[t]) * factor``. Lines whose
    yearly quantities and drop-off are fixed need only their (precomputed) discounted sum; the
    lines whose quantities or start year vary are evaluated as an (n, lines, years) array.
    """
    n = values.shape[0]
    years = model.years
    targets = model.targets

    def per_line(base: FloatArray, name: _Array) -> FloatArray:
        cols = [(u, line) for u, (array, line, _) in enumerate(targets) if array == name]
        if not cols:
            return base[None, :]
        out = np.repeat(base[None, :], n, axis=0)
        for u, line in cols:
            out[:, line] = values[:, u]
        return out

    unit = per_line(model.unit, "unit")
    dw = per_line(model.shares["deadweight"], "deadweight")
    attribution = per_line(model.shares["attribution"], "attribution")
    displacement = per_line(model.shares["displacement"], "displacement")
    bias = per_line(model.optimism_bias, "optimism_bias")
    # Optimism bias never flatters: it raises costs, cuts benefits and enlarges disbenefits.
    kept = (1.0 - dw) * (1.0 - attribution) * (1.0 - displacement)
    factor = np.where(
        model.is_benefit,
        kept * np.where(model.is_disbenefit, 1.0 + bias, 1.0 - bias),
        1.0 + bias,
    )

    rate_column = next((u for u, (a, _, _) in enumerate(targets) if a == "rate"), None)
    discount: FloatArray  # (n or 1, T)
    if rate_column is None:
        discount = model.discount[None, :]
        pv_qty = np.repeat(model.qty_pv[None, :], n, axis=0)
    else:
        discount = np.power(1.0 + values[:, rate_column, None], -np.arange(years, dtype=float))
        pv_qty = discount @ model.qty.T

    varying = model.varying
    qty: FloatArray | None = None  # (n, varying lines, T)
    if varying.size:
        position = {int(line): k for k, line in enumerate(varying)}
        qty = np.repeat(model.qty[None, varying, :], n, axis=0)
        for u, (array, line, t) in enumerate(targets):
            if array == "qty":
                qty[:, position[line], t] = values[:, u]
        if model.dynamic.size:
            dyn = np.array([position[int(line)] for line in model.dynamic], dtype=np.intp)
            drop = per_line(model.shares["drop_off"], "drop_off")[:, model.dynamic]
            start = (qty[:, dyn, :] != 0).argmax(axis=2)  # 0 if all zero: then it cannot matter
            elapsed = np.maximum(0, np.arange(years)[None, None, :] - start[:, :, None])
            qty[:, dyn, :] *= (1.0 - drop)[:, :, None] ** elapsed
        if rate_column is None:
            pv_qty[:, varying] = qty @ model.discount
        else:
            pv_qty[:, varying] = np.einsum("nlt,nt->nl", qty, discount)

    pv_by_line = unit * pv_qty * factor
    if not detail:
        return _Batch(pv_by_line)
    full = np.repeat(model.qty[None, :, :], n, axis=0)
    if qty is not None:
        full[:, varying, :] = qty
    adjusted = unit[:, :, None] * full * factor[:, :, None]
    return _Batch(pv_by_line, adjusted, discount)


@dataclass
class _Totals:
    pv_costs: FloatArray
    pv_benefits: FloatArray
    pv_sroi: FloatArray

    @property
    def npv(self) -> FloatArray:
        return self.pv_benefits - self.pv_costs


def _totals(model: _Model, values: FloatArray) -> _Totals:
    """PV of costs, of benefits and of SROI benefits for each row of ``values``, in chunks."""
    n = values.shape[0]
    costs, benefits, sroi = np.empty(n), np.empty(n), np.empty(n)
    step = model.chunk_size()
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        pv = _evaluate(model, values[lo:hi]).pv_by_line
        costs[lo:hi] = pv[:, : model.n_costs].sum(axis=1)
        benefits[lo:hi] = pv[:, model.n_costs :].sum(axis=1)
        sroi[lo:hi] = pv @ model.sroi_mask
    return _Totals(costs, benefits, sroi)


def _ratio(numerator: float, denominator: float) -> float | None:
    """None where the ratio has no finite value: no costs, or costs too small to divide by.

    The Monte Carlo summaries leave out the same non-finite iterations, so the two agree.
    """
    if denominator == 0:
        return None
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else None


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def uncertain_inputs(appraisal: Appraisal) -> list[UncertainInput]:
    """Every input given as a distribution, in file order, named by its path."""
    return list(_compile(appraisal).inputs)


def appraise(appraisal: Appraisal) -> AppraisalResult:
    """The deterministic result: every distribution at its central value."""
    model = _compile(appraisal)
    batch = _evaluate(model, model.central_values()[None, :], detail=True)
    assert batch.adjusted is not None and batch.discount is not None
    pv_line = batch.pv_by_line[0]
    adjusted = batch.adjusted[0]
    df = batch.discount[0]
    c = model.n_costs

    pv_costs = float(pv_line[:c].sum())
    pv_benefits = float(pv_line[c:].sum())
    by_class = pv_line @ model.class_matrix
    pv_by_class = {k: float(v) for k, v in zip(BENEFIT_CLASSES, by_class, strict=True)}
    fiscal = sum(pv_by_class[k] for k in FISCAL_CLASSES)
    pv_sroi = float(pv_line @ model.sroi_mask)

    pv_disbenefits = -float(pv_line[model.is_disbenefit].sum())

    year_costs = adjusted[:c].sum(axis=0)
    year_benefits = adjusted[c:].sum(axis=0)
    year_disbenefits = -adjusted[model.is_disbenefit].sum(axis=0)
    year_pv_costs = year_costs * df
    year_pv_benefits = year_benefits * df
    cumulative = np.cumsum(year_pv_benefits - year_pv_costs)
    rows = tuple(
        YearRow(
            year=t,
            discount_factor=float(df[t]),
            costs=float(year_costs[t]),
            benefits=float(year_benefits[t]),
            disbenefits=float(year_disbenefits[t]),
            pv_costs=float(year_pv_costs[t]),
            pv_benefits=float(year_pv_benefits[t]),
            pv_disbenefits=float(year_disbenefits[t] * df[t]),
            cumulative_pv_net=float(cumulative[t]),
        )
        for t in range(model.years)
    )
    paid = pv_line @ model.paid_matrix
    received = pv_line @ model.received_matrix
    return AppraisalResult(
        pv_costs=pv_costs,
        pv_benefits=pv_benefits,
        pv_disbenefits=pv_disbenefits,
        pv_benefits_by_class=pv_by_class,
        npv=pv_benefits - pv_costs,
        bcr=_ratio(pv_benefits, pv_costs),
        fiscal_bcr=_ratio(fiscal, pv_costs),
        sroi=_ratio(pv_sroi, pv_costs),
        payback_year=payback_year(year_costs, cumulative),
        per_year=rows,
        by_organisation={
            org: OrganisationSplit(paid=float(paid[j]), received=float(received[j]))
            for j, org in enumerate(model.organisations)
        },
    )


def payback_year(costs: FloatArray, cumulative: FloatArray) -> int | None:
    """The first year, at or after the first year with a cost, from which the cumulative
    discounted net benefit is at least zero and stays so to the end of the horizon; None where
    there is no cost or no such year.

    ``costs`` are the adjusted costs of each year, ``cumulative`` the cumulative discounted net
    benefit at the end of each year. A total that crosses zero and falls back below it has not
    paid back: the year counted is the one after its last year below zero.
    """
    with_cost = np.flatnonzero(costs > 0)
    if not with_cost.size:
        return None
    below = np.flatnonzero(cumulative < 0)
    year = int(with_cost[0]) if not below.size else max(int(with_cost[0]), int(below[-1]) + 1)
    return year if year < cumulative.size else None


def _summary(samples: FloatArray) -> Summary:
    values = samples[np.isfinite(samples)]
    if values.size == 0:
        return Summary(None, None, None, None)
    # Shifted mean: exact when every iteration agrees, and steadier in general.
    mean = float(values[0] + np.mean(values - values[0]))
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return Summary(mean, float(p5), float(p50), float(p95))


def draw_inputs(
    inputs: Sequence[UncertainInput], rng: np.random.Generator, size: int
) -> FloatArray:
    """One block of draws, shape (size, inputs), each clipped to its input's range."""
    values = np.empty((size, len(inputs)))
    for u, item in enumerate(inputs):
        draws = item.distribution.sample(rng, size)
        if item.clip is not None:
            np.clip(draws, item.clip[0], item.clip[1], out=draws)
        values[:, u] = draws
    return values


def monte_carlo(
    appraisal: Appraisal, iterations: int | None = None, seed: int | None = None
) -> MonteCarloResult:
    """Draw every uncertain input together; ``iterations`` and ``seed`` override the file's."""
    settings = appraisal.monte_carlo or MonteCarloSettings()
    iterations = settings.iterations if iterations is None else iterations
    seed = settings.seed if seed is None else seed
    if iterations < 1:
        raise _refused("monte_carlo.iterations", f"must be at least 1, got {iterations}")
    model = _compile(appraisal)
    rng = np.random.default_rng(seed)
    costs, benefits, sroi = np.empty(iterations), np.empty(iterations), np.empty(iterations)
    for lo in range(0, iterations, DRAW_BLOCK):
        hi = min(iterations, lo + DRAW_BLOCK)
        totals = _totals(model, draw_inputs(model.inputs, rng, hi - lo))
        costs[lo:hi], benefits[lo:hi], sroi[lo:hi] = (
            totals.pv_costs,
            totals.pv_benefits,
            totals.pv_sroi,
        )
    npv = benefits - costs
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe = np.where(costs == 0, 1.0, costs)
        bcr = np.where(costs == 0, np.nan, benefits / safe)
        sroi_ratio = np.where(costs == 0, np.nan, sroi / safe)
    return MonteCarloResult(
        iterations=iterations,
        seed=seed,
        npv=_summary(npv),
        bcr=_summary(bcr),
        sroi=_summary(sroi_ratio),
        p_npv_positive=float(np.count_nonzero(npv > 0) / iterations),
        npv_samples=npv,
    )


def tornado(appraisal: Appraisal) -> tuple[TornadoRow, ...]:
    """NPV with each uncertain input at its low and its high, the rest at their central values;
    sorted by swing, largest first (ties keep file order)."""
    model = _compile(appraisal)
    k = len(model.inputs)
    if k == 0:
        return ()
    bounds = [item.bounds() for item in model.inputs]
    values = np.repeat(model.central_values()[None, :], 2 * k, axis=0)
    for u, (low, high) in enumerate(bounds):
        values[2 * u, u] = low
        values[2 * u + 1, u] = high
    npv = _totals(model, values).npv
    rows = [
        TornadoRow(
            input=item.path,
            low=float(low),
            high=float(high),
            npv_at_low=float(npv[2 * u]),
            npv_at_high=float(npv[2 * u + 1]),
            swing=float(abs(npv[2 * u + 1] - npv[2 * u])),
        )
        for u, (item, (low, high)) in enumerate(zip(model.inputs, bounds, strict=True))
    ]
    return tuple(sorted(rows, key=lambda r: -r.swing))


def run_appraisal(
    appraisal: Appraisal, *, iterations: int | None = None, seed: int | None = None
) -> AppraisalReport:
    """The deterministic result, and where any input is uncertain the Monte Carlo (the file's
    settings, or 10,000 iterations with seed 1, overridden by ``iterations``/``seed``) and the
    tornado."""
    result = appraise(appraisal)
    if not uncertain_inputs(appraisal):
        return AppraisalReport(appraisal, result, None, None)
    return AppraisalReport(
        appraisal,
        result,
        monte_carlo(appraisal, iterations, seed),
        tornado(appraisal),
    )


def _num(x: float | None) -> float | None:
    """A plain float for JSON; None for a missing or non-finite figure."""
    return None if x is None or not math.isfinite(x) else float(x)


def _summary_dict(s: Summary) -> dict[str, float | None]:
    return {"mean": _num(s.mean), "p5": _num(s.p5), "p50": _num(s.p50), "p95": _num(s.p95)}


def results_to_json_dict(
    appraisal: Appraisal,
    result: AppraisalResult,
    monte_carlo: MonteCarloResult | None = None,
    tornado: Sequence[TornadoRow] | None = None,
) -> dict[str, Any]:
    """The JSON report (``accord appraise --json``): plain Python numbers, None for null."""
    out: dict[str, Any] = {
        "title": appraisal.title,
        "price_year": appraisal.price_year,
        "years": appraisal.years,
        "pv_costs": _num(result.pv_costs),
        "pv_benefits": _num(result.pv_benefits),
        "pv_disbenefits": _num(result.pv_disbenefits),
        "npv": _num(result.npv),
        "bcr": _num(result.bcr),
        "fiscal_bcr": _num(result.fiscal_bcr),
        "sroi": _num(result.sroi),
        "payback_year": result.payback_year,
        "pv_benefits_by_class": {k: _num(v) for k, v in result.pv_benefits_by_class.items()},
        "by_organisation": {
            org: {"paid": _num(s.paid), "received": _num(s.received)}
            for org, s in result.by_organisation.items()
        },
        "per_year": [
            {
                "year": r.year,
                "discount_factor": _num(r.discount_factor),
                "costs": _num(r.costs),
                "benefits": _num(r.benefits),
                "disbenefits": _num(r.disbenefits),
                "pv_costs": _num(r.pv_costs),
                "pv_benefits": _num(r.pv_benefits),
                "pv_disbenefits": _num(r.pv_disbenefits),
                "cumulative_pv_net": _num(r.cumulative_pv_net),
            }
            for r in result.per_year
        ],
    }
    if monte_carlo is not None:
        out["monte_carlo"] = {
            "iterations": monte_carlo.iterations,
            "seed": monte_carlo.seed,
            "npv": _summary_dict(monte_carlo.npv),
            "bcr": _summary_dict(monte_carlo.bcr),
            "sroi": _summary_dict(monte_carlo.sroi),
            "p_npv_positive": _num(monte_carlo.p_npv_positive),
        }
    if tornado is not None:
        out["tornado"] = [
            {
                "input": r.input,
                "low": _num(r.low),
                "high": _num(r.high),
                "npv_at_low": _num(r.npv_at_low),
                "npv_at_high": _num(r.npv_at_high),
                "swing": _num(r.swing),
            }
            for r in tornado
        ]
    return out
