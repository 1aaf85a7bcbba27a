"""The appraisal file: YAML in, validated dataclasses out, and back.

Pure: imports neither Django nor the database. :func:`load_appraisal` reads a file,
:func:`parse_appraisal` checks already-loaded data (the Django side can build a mapping and
call it), :func:`dump_appraisal` writes YAML that parses back to an equal appraisal.
Every problem is collected before anything is raised, each as ``path: reason`` where the path
names the place in the file (``benefits[0].attribution``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, TypeAlias

import yaml

from accord.appraisal.engine import (
    BENEFIT_CLASSES,
    CONFIDENCE_GRADES,
    DEFAULT_BENEFIT_CLASS,
    DEFAULT_ITERATIONS,
    DEFAULT_OPTIMISM_BIAS_BY_GRADE,
    DEFAULT_SEED,
    DISBENEFIT_IN_SROI,
    DISCOUNT_SCHEDULES,
    DISTRIBUTIONS,
    GREEN_BOOK,
    Appraisal,
    AppraisalError,
    BenefitLine,
    CostLine,
    Distribution,
    MonteCarloSettings,
    Value,
    benefit_sign,
)
from accord.core import safe_yaml
from accord.core.problems import Problem, Problems
from accord.core.yaml_checks import YamlChecker, describe, join

__all__ = [
    "TEMPLATE",
    "Appraisal",
    "AppraisalFileError",
    "BenefitLine",
    "CostLine",
    "Distribution",
    "MonteCarloSettings",
    "dump_appraisal",
    "load_appraisal",
    "parse_appraisal",
]

TOP_KEYS: Final = (
    "title",
    "description",
    "collaboration",
    "price_year",
    "years",
    "discount",
    "optimism_bias_by_grade",
    "monte_carlo",
    "costs",
    "benefits",
)
TOP_REQUIRED: Final = ("title", "price_year", "years")
MAX_YEARS: Final = 200
TOP_OPTIONAL: Final = tuple(k for k in TOP_KEYS if k not in TOP_REQUIRED)
AMOUNT_KEYS: Final = ("amounts", "unit_cost", "volumes")
COST_KEYS: Final = (
    "name",
    "payer",
    *AMOUNT_KEYS,
    "confidence",
    "optimism_bias",
    "source",
    "notes",
)
ADJUSTMENTS: Final = ("deadweight", "attribution", "displacement", "drop_off")
BENEFIT_KEYS: Final = (
    "name",
    "class",
    "beneficiary",
    *AMOUNT_KEYS,
    *ADJUSTMENTS,
    "confidence",
    "optimism_bias",
    "in_sroi",
    "source",
    "notes",
)
MONTE_CARLO_KEYS: Final = ("iterations", "seed")
PARAMETER_NAMES: Final = {
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
}

#: What a number stands for, which sets its allowed range.
#: "benefit" is a benefit's amount or unit cost: negative for a disbenefit, but a range may not
#: span zero (a line is a benefit or a disbenefit, never both).
Kind: TypeAlias = Literal["amount", "benefit", "share", "bias", "rate"]


class AppraisalFileError(Problems):
    """A bad appraisal file: the kernel's :class:`Problems`, every problem found listed at
    once in ``problems``, each reading ``path: reason``; the message names the source."""

    def __init__(self, problems: Iterable[str | Problem], source: str = "<appraisal>") -> None:
        super().__init__(problems, source=source)


class _Checker(YamlChecker):
    """The kernel's YAML checker, with what only an appraisal needs: numbers that may be
    distributions, ranges by what a number stands for, per-year lists. Problems read
    ``path: reason`` (the source is named once, by :class:`AppraisalFileError`)."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def fail(self) -> NoReturn:
        raise AppraisalFileError(self.problems, self.file)

    def text(self, value: object, path: str, *, required: bool = False) -> str | None:
        """Text kept exactly as written, so that a file round-trips; a whole number written
        where text belongs (``payer: 12345``) is read as its text."""
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(path, f"must be text, got {describe(value)}")
            return None
        return str(value)

    def number(self, value: object, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"must be a number or a distribution, got {describe(value)}")
            return None
        return super().number(value, path)

    def in_range(self, value: float, path: str, kind: Kind, label: str = "") -> bool:
        got = f"got {label}{describe(value)}"
        if kind == "share" and not 0 <= value <= 1:
            self.problem(path, f"share must be between 0 and 1, {got}")
        elif kind == "rate" and not 0 <= value <= 1:
            self.problem(path, f"discount rate must be between 0 and 1, {got}")
        elif kind == "amount" and value < 0:
            self.problem(path, f"must not be negative, {got}")
        elif kind == "bias" and value < 0:
            self.problem(path, f"optimism bias must not be negative, {got}")
        else:
            return True
        return False

    def value(self, raw: object, path: str, kind: Kind) -> Value | None:
        """A number, or a one-key mapping naming a distribution."""
        if isinstance(raw, Mapping):
            return self.distribution(raw, path, kind)
        number = self.number(raw, path)
        if number is None or not self.in_range(number, path, kind):
            return None
        return number

    def distribution(self, raw: Mapping[Any, Any], path: str, kind: Kind) -> Distribution | None:
        if len(raw) != 1:
            self.problem(
                path,
                "a distribution is a mapping with one key, one of "
                f"{', '.join(DISTRIBUTIONS)}, got {len(raw)} keys",
            )
            return None
        ((name, params),) = raw.items()
        if name not in DISTRIBUTIONS:
            self.problem(
                path,
                f"unknown distribution {describe(name)} "
                f"(expected one of {', '.join(DISTRIBUTIONS)})",
            )
            return None
        names = PARAMETER_NAMES[name]
        shape = f"[{', '.join(names)}]"
        if not isinstance(params, list | tuple) or len(params) != len(names):
            count = len(params) if isinstance(params, list | tuple) else describe(params)
            self.problem(path, f"{name} needs {len(names)} numbers {shape}, got {count}")
            return None
        numbers: list[float] = []
        for p in params:
            if isinstance(p, bool) or not isinstance(p, int | float) or not math.isfinite(p):
                self.problem(path, f"{name} needs {len(names)} numbers {shape}, got {params}")
                return None
            numbers.append(float(p))
        ok = True
        if name in ("triangular", "pert", "uniform"):
            low, high = numbers[0], numbers[-1]
            if low > high:
                self.problem(path, f"{name} low must not exceed high, got {shape} = {params}")
                return None
            if len(numbers) == 3 and not low <= numbers[1] <= high:
                self.problem(
                    path, f"{name} mode must be between low and high, got {shape} = {params}"
                )
                return None
            if kind == "benefit" and low < 0 < high:
                self.problem(
                    path,
                    f"{name} must not span zero (a benefit is at least 0, a disbenefit at most "
                    f"0), got {shape} = {params}",
                )
                return None
            ok = self.in_range(low, path, kind, "low ") and self.in_range(high, path, kind, "high ")
        else:
            mean, sd = numbers
            if sd < 0:
                self.problem(path, f"{name} sd must not be negative, got {describe(sd)}")
                return None
            if name == "lognormal" and mean <= 0:
                self.problem(path, f"lognormal mean must be positive, got {describe(mean)}")
                return None
            ok = self.in_range(mean, path, kind, "mean ")
        return Distribution(name, tuple(numbers)) if ok else None

    def values(
        self, raw: object, path: str, years: int | None, kind: Kind = "amount"
    ) -> tuple[Value, ...] | None:
        """A list of amounts or volumes, one per year."""
        count = "" if years is None else f"{years} "
        if not isinstance(raw, list):
            self.problem(
                path, f"must be a list of {count}numbers, one per year, got {describe(raw)}"
            )
            return None
        if years is not None and len(raw) != years:
            self.problem(path, f"must have {years} values, one per year, got {len(raw)}")
        out = [self.value(v, join(path, i), kind) for i, v in enumerate(raw)]
        if any(v is None for v in out) or (years is not None and len(raw) != years):
            return None
        return tuple(v for v in out if v is not None)

    def items(self, raw: object, path: str) -> list[Mapping[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, f"must be a list of lines, got {describe(raw)}")
            return []
        out: list[Mapping[str, Any]] = []
        for i, item in enumerate(raw):
            line = self.mapping(item, join(path, i), "keys to values")
            if line is not None:
                out.append(line)
        return out


def _amounts(
    c: _Checker, data: Mapping[str, Any], path: str, years: int | None, kind: Kind = "amount"
) -> tuple[tuple[Value, ...] | None, Value | None, tuple[Value, ...] | None, bool]:
    """(amounts, unit_cost, volumes, ok) for one line; ``kind`` is what its money stands for
    (a cost's is never negative, a benefit's is negative for a disbenefit). Volumes are
    counts, never negative."""
    has = {k: data.get(k) is not None for k in AMOUNT_KEYS}
    if has["amounts"] and (has["unit_cost"] or has["volumes"]):
        c.problem(path, "give either amounts or unit_cost with volumes, not both")
        return None, None, None, False
    if has["amounts"]:
        amounts = c.values(data["amounts"], join(path, "amounts"), years, kind)
        return amounts, None, None, amounts is not None
    if not has["unit_cost"] and not has["volumes"]:
        c.problem(path, "give either amounts or unit_cost with volumes (neither is given)")
        return None, None, None, False
    unit_cost: Value | None = None
    volumes: tuple[Value, ...] | None = None
    if has["unit_cost"]:
        unit_cost = c.value(data["unit_cost"], join(path, "unit_cost"), kind)
    else:
        c.problem(join(path, "unit_cost"), "required with volumes")
    if has["volumes"]:
        volumes = c.values(data["volumes"], join(path, "volumes"), years)
    else:
        c.problem(join(path, "volumes"), "required with unit_cost")
    return None, unit_cost, volumes, unit_cost is not None and volumes is not None


def _optimism_bias(
    c: _Checker,
    data: Mapping[str, Any],
    path: str,
    table: Mapping[int, float] | None,
    benefit: bool,
) -> tuple[int | None, Value | None, bool]:
    """(confidence, optimism_bias, ok) for one line."""
    ok = True
    confidence: int | None = None
    bias: Value | None = None
    if data.get("optimism_bias") is not None:
        bias = c.value(
            data["optimism_bias"], join(path, "optimism_bias"), "share" if benefit else "bias"
        )
        ok = bias is not None
    if data.get("confidence") is not None:
        where = join(path, "confidence")
        confidence = c.integer(data["confidence"], where)
        if confidence is None:
            return None, bias, False
        if confidence not in CONFIDENCE_GRADES:
            c.problem(where, f"grade must be 1 (best) to 6 (worst), got {confidence}")
            return None, bias, False
        if bias is None and table is not None:
            if confidence not in table:
                grades = ", ".join(str(g) for g in sorted(table)) or "none"
                c.problem(
                    where,
                    f"grade {confidence} is not in optimism_bias_by_grade (grades: {grades})",
                )
                ok = False
            elif benefit and table[confidence] > 1:
                c.problem(
                    where,
                    f"grade {confidence} gives optimism bias {describe(table[confidence])}, "
                    "more than 1 cannot apply to a benefit",
                )
                ok = False
    return confidence, bias, ok


def _cost(
    c: _Checker, data: Mapping[str, Any], path: str, years: int | None, table: Any
) -> CostLine | None:
    before = len(c.problems)
    c.keys(data, path, required=("name",), optional=COST_KEYS[1:])
    name = c.text(data.get("name"), join(path, "name"))
    amounts, unit_cost, volumes, _ = _amounts(c, data, path, years)
    confidence, bias, _ = _optimism_bias(c, data, path, table, benefit=False)
    texts = {k: c.text(data.get(k), join(path, k)) for k in ("payer", "source", "notes")}
    if len(c.problems) > before or name is None:
        return None
    return CostLine(
        name=name,
        amounts=amounts,
        unit_cost=unit_cost,
        volumes=volumes,
        confidence=confidence,
        optimism_bias=bias,
        **texts,
    )


def _benefit(
    c: _Checker, data: Mapping[str, Any], path: str, years: int | None, table: Any
) -> BenefitLine | None:
    before = len(c.problems)
    c.keys(data, path, required=("name",), optional=BENEFIT_KEYS[1:])
    name = c.text(data.get("name"), join(path, "name"))
    benefit_class = data.get("class", DEFAULT_BENEFIT_CLASS)
    if benefit_class not in BENEFIT_CLASSES:
        c.problem(
            join(path, "class"),
            f"must be one of {', '.join(BENEFIT_CLASSES)}, got {describe(benefit_class)}",
        )
    amounts, unit_cost, volumes, _ = _amounts(c, data, path, years, "benefit")
    adjustments: dict[str, Value | None] = {}
    for key in ADJUSTMENTS:
        raw = data.get(key)
        adjustments[key] = 0.0 if raw is None else c.value(raw, join(path, key), "share")
    confidence, bias, _ = _optimism_bias(c, data, path, table, benefit=True)
    in_sroi: bool | None = True
    if data.get("in_sroi") is not None:
        in_sroi = c.boolean(data["in_sroi"], join(path, "in_sroi"))
    texts = {k: c.text(data.get(k), join(path, k)) for k in ("beneficiary", "source", "notes")}
    if len(c.problems) > before or name is None or in_sroi is None:
        return None
    line = BenefitLine(
        name=name,
        benefit_class=str(benefit_class),
        amounts=amounts,
        unit_cost=unit_cost,
        volumes=volumes,
        deadweight=_given(adjustments["deadweight"]),
        attribution=_given(adjustments["attribution"]),
        displacement=_given(adjustments["displacement"]),
        drop_off=_given(adjustments["drop_off"]),
        confidence=confidence,
        optimism_bias=bias,
        in_sroi=in_sroi,
        **texts,
    )
    try:
        disbenefit = benefit_sign(line, path) < 0
    except AppraisalError as exc:
        c.problems.extend(exc.problems)
        return None
    if disbenefit and not in_sroi:
        c.problem(join(path, "in_sroi"), DISBENEFIT_IN_SROI)
        return None
    return line


def _given(value: Value | None) -> Value:
    assert value is not None  # only called once every problem has been ruled out
    return value


def _grade_table(c: _Checker, raw: object) -> dict[int, float] | None:
    path = "optimism_bias_by_grade"
    if raw is None:
        return dict(DEFAULT_OPTIMISM_BIAS_BY_GRADE)
    if not isinstance(raw, Mapping):  # keyed by numbers, so not the checker's text-keyed mapping
        c.problem(
            path, f"must be a mapping of confidence grades to optimism bias, got {describe(raw)}"
        )
        return None
    data = raw
    table: dict[int, float] = {}
    ok = True
    for key, value in data.items():
        where = f"{path}[{key}]"
        grade: object = key
        if isinstance(key, str) and key.strip().isdigit():
            grade = int(key)
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in CONFIDENCE_GRADES:
            c.problem(where, f"grade must be 1 (best) to 6 (worst), got {describe(key)}")
            ok = False
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            c.problem(where, f"must be a number, got {describe(value)}")
            ok = False
            continue
        if not math.isfinite(value) or not c.in_range(float(value), where, "bias"):
            ok = False
            continue
        table[grade] = float(value)
    return table if ok else None


def _monte_carlo(c: _Checker, raw: object) -> MonteCarloSettings | None:
    if raw is None:
        return None
    data = c.mapping(raw, "monte_carlo", "settings (iterations, seed)")
    if data is None:
        return None
    c.keys(data, "monte_carlo", optional=MONTE_CARLO_KEYS)
    iterations = c.integer(
        data.get("iterations", DEFAULT_ITERATIONS), "monte_carlo.iterations", minimum=1
    )
    seed = c.integer(data.get("seed", DEFAULT_SEED), "monte_carlo.seed", minimum=0)
    if iterations is None or seed is None:
        return None
    return MonteCarloSettings(iterations=iterations, seed=seed)


def _discount(c: _Checker, raw: object) -> str | Value | None:
    if raw is None:
        return GREEN_BOOK
    if isinstance(raw, str):
        if raw in DISCOUNT_SCHEDULES:
            return raw
        names = ", ".join(DISCOUNT_SCHEDULES)
        c.problem("discount", f"must be {names} or a rate such as 0.035, got {describe(raw)}")
        return None
    return c.value(raw, "discount", "rate")


def parse_appraisal(data: object, source: str = "<appraisal>") -> Appraisal:
    """Check loaded YAML data and build an :class:`Appraisal`.

    Raises :class:`AppraisalFileError` listing every problem; ``source`` names the file in the
    error's message.
    """
    c = _Checker(source)
    top = c.mapping(data, "", "keys to values (title, price_year, years, costs, benefits, ...)")
    if top is None:
        c.fail()
    c.keys(top, "", required=TOP_REQUIRED, optional=TOP_OPTIONAL)
    title = c.text(top.get("title"), "title")
    description = c.text(top.get("description"), "description")
    collaboration = c.text(top.get("collaboration"), "collaboration")
    price_year = None
    if top.get("price_year") is not None:
        price_year = c.integer(top["price_year"], "price_year")
    years = None
    if top.get("years") is not None:
        years = c.integer(top["years"], "years", minimum=1)
        if years is not None and years > MAX_YEARS:
            # A horizon of 100,000 years was accepted and gave a 23 MB result.
            c.problem(
                "years",
                f"must be at most {MAX_YEARS} (the Green Book's longest horizon in Accord), "
                f"got {years:,}",
                refused=True,
            )
            years = None
    discount = _discount(c, top.get("discount"))
    table = _grade_table(c, top.get("optimism_bias_by_grade"))
    settings = _monte_carlo(c, top.get("monte_carlo"))

    def lines(key: str, build: Callable[..., Any]) -> list[Any]:
        return [
            build(c, item, f"{key}[{i}]", years, table)
            for i, item in enumerate(c.items(top.get(key), key))
        ]

    costs: list[CostLine | None] = lines("costs", _cost)
    benefits: list[BenefitLine | None] = lines("benefits", _benefit)
    c.raise_if_any()
    assert title is not None and price_year is not None and years is not None
    assert discount is not None and table is not None
    return Appraisal(
        title=title,
        description=description,
        collaboration=collaboration,
        price_year=price_year,
        years=years,
        discount=discount,
        optimism_bias_by_grade=table,
        monte_carlo=settings,
        costs=tuple(x for x in costs if x is not None),
        benefits=tuple(x for x in benefits if x is not None),
    )


def load_appraisal(path: str | Path) -> Appraisal:
    """Read and check an appraisal file; raises :class:`AppraisalFileError`."""
    source = str(path)
    try:
        data = safe_yaml.load(safe_yaml.read_file(path))
    except safe_yaml.YamlRefused as exc:
        raise AppraisalFileError([Problem(str(exc), refused=True)], source) from exc
    except OSError as exc:
        raise AppraisalFileError([f"cannot read the file: {exc.strerror or exc}"], source) from exc
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise AppraisalFileError([f"not valid YAML: {reason}"], source) from exc
    return parse_appraisal(data, source)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def _value_data(value: Value) -> Any:
    if isinstance(value, Distribution):
        return {value.kind: [_plain(p) for p in value.params]}
    return _plain(value)


def _line_data(line: CostLine | BenefitLine) -> dict[str, Any]:
    out: dict[str, Any] = {"name": line.name}
    if isinstance(line, BenefitLine):
        out["class"] = line.benefit_class
        if line.beneficiary is not None:
            out["beneficiary"] = line.beneficiary
    elif line.payer is not None:
        out["payer"] = line.payer
    if line.amounts is not None:
        out["amounts"] = [_value_data(v) for v in line.amounts]
    if line.unit_cost is not None:
        out["unit_cost"] = _value_data(line.unit_cost)
    if line.volumes is not None:
        out["volumes"] = [_value_data(v) for v in line.volumes]
    if isinstance(line, BenefitLine):
        for key in ADJUSTMENTS:
            value = getattr(line, key)
            if value != 0:
                out[key] = _value_data(value)
    if line.confidence is not None:
        out["confidence"] = line.confidence
    if line.optimism_bias is not None:
        out["optimism_bias"] = _value_data(line.optimism_bias)
    if isinstance(line, BenefitLine) and not line.in_sroi:
        out["in_sroi"] = False
    for key in ("source", "notes"):
        if getattr(line, key) is not None:
            out[key] = getattr(line, key)
    return out


def appraisal_to_data(appraisal: Appraisal) -> dict[str, Any]:
    """The appraisal as plain data in the file's layout (what :func:`dump_appraisal` writes)."""
    out: dict[str, Any] = {"title": appraisal.title}
    if appraisal.description is not None:
        out["description"] = appraisal.description
    if appraisal.collaboration is not None:
        out["collaboration"] = appraisal.collaboration
    out["price_year"] = appraisal.price_year
    out["years"] = appraisal.years
    discount = appraisal.discount
    out["discount"] = discount if isinstance(discount, str) else _value_data(discount)
    if appraisal.optimism_bias_by_grade:
        out["optimism_bias_by_grade"] = {
            int(k): _plain(v) for k, v in sorted(appraisal.optimism_bias_by_grade.items())
        }
    if appraisal.monte_carlo is not None:
        out["monte_carlo"] = {
            "iterations": appraisal.monte_carlo.iterations,
            "seed": appraisal.monte_carlo.seed,
        }
    out["costs"] = [_line_data(x) for x in appraisal.costs]
    out["benefits"] = [_line_data(x) for x in appraisal.benefits]
    return out


class _Dumper(yaml.SafeDumper):
    """Safe YAML, but text holding NEL (U+0085), which plain and single-quoted styles would
    read back as a line break, is double-quoted, where it is escaped."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_appraisal(appraisal: Appraisal) -> str:
    """YAML text for the appraisal; ``parse_appraisal(yaml.safe_load(text))`` gives it back."""
    return yaml.dump(
        appraisal_to_data(appraisal),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=100,
    )


_TEMPLATE_TEXT: Final = """\
# An appraisal for `accord appraise`: costs and benefits by year, in real prices.
# Years run 0, 1, 2, ... (year 0 is the first year, usually the set-up year).
# Any number below may instead be a distribution, for the Monte Carlo and tornado:
#   {triangular: [low, mode, high]}   {pert: [low, mode, high]}   {uniform: [low, high]}
#   {normal: [mean, sd]}              {lognormal: [mean, sd]}    (of the value itself)
# The deterministic result uses the mode (uniform: the midpoint; normal, lognormal: the mean).

title: Joint Ambulance Conveyance Project
description: Fire crews convey non-urgent patients so that ambulances are released.
collaboration: JACP            # optional: the registered collaboration's reference
price_year: 2016               # the year whose prices every figure is in
years: 5                       # every list of amounts or volumes has this many values
discount: green_book           # 3.5% to year 30, then 3.0% ... (Green Book); green_book_health
                               # for health effects (1.5% to year 30, ...); or a rate: 0.035

# Optimism bias by confidence grade, 1 (best evidence) to 6 (worst); a line's `confidence`
# looks its bias up here unless the line gives `optimism_bias` itself. Costs are raised by
# the bias, benefits cut by it.
optimism_bias_by_grade: GRADES

monte_carlo: {iterations: 10000, seed: 1}   # used only where some input is a distribution

costs:
  # Each line: `amounts` (one per year), or `unit_cost` with `volumes` (one per year).
  - name: Vehicles and kit
    payer: E31000025           # who pays: an organisation code
    amounts: [180000, 0, 0, 0, 0]
    confidence: 2
    source: Supplier quotation, March 2016
  - name: Crew time
    payer: E31000025
    unit_cost: {triangular: [38, 42, 50]}   # pounds per crew hour
    volumes: [0, 3000, 3000, 3000, 3000]    # crew hours
    confidence: 3

benefits:
  - name: Ambulance hours released
    class: fiscal_non_cashable   # fiscal_cashable | fiscal_non_cashable | economic | social
    beneficiary: RX9             # who benefits: an organisation code
    unit_cost: 180               # pounds per ambulance hour
    volumes: [0, 900, 950, 1000, 1000]
    deadweight: 0.1              # share that would have happened anyway
    attribution: {uniform: [0.1, 0.3]}   # share owed to others
    displacement: 0.0            # share moved from elsewhere, not made
    drop_off: 0.0                # yearly decline after the first year with a benefit
    confidence: 3
    notes: Hours valued at the ambulance service's unit cost.
  - name: Fewer falls readmissions
    class: social
    unit_cost: 3000
    volumes: [0, 10, 12, 12, 12]
    deadweight: 0.25
    drop_off: 0.1
    optimism_bias: 0.2           # given here, so the grade table is not used
    in_sroi: true                # false leaves it out of the SROI ratio (still in the BCR)
"""


def grade_table_text(table: Mapping[int, float] = DEFAULT_OPTIMISM_BIAS_BY_GRADE) -> str:
    """The table as the file writes it in one line: ``{1: 0.0, 2: 0.05, ...}``."""
    return "{" + ", ".join(f"{grade}: {float(bias)!r}" for grade, bias in table.items()) + "}"


#: The commented starting file of ``accord appraise --template``.
TEMPLATE: Final = _TEMPLATE_TEXT.replace(
    "optimism_bias_by_grade: GRADES", f"optimism_bias_by_grade: {grade_table_text()}"
)
