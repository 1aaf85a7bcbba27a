"""The appraisal file: validation with every problem at once, the template, YAML round trips."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.appraisal.appraisal_file import (
    TEMPLATE,
    AppraisalFileError,
    dump_appraisal,
    load_appraisal,
    parse_appraisal,
)
from accord.appraisal.engine import (
    Appraisal,
    BenefitLine,
    CostLine,
    Distribution,
    MonteCarloSettings,
    appraise,
)
from accord.core.problems import Problems

EXAMPLE = """
title: Joint Ambulance Conveyance Project
collaboration: JACP            # optional link to a registered collaboration
price_year: 2016
years: 5
discount: green_book           # or a rate such as 0.035
optimism_bias_by_grade: {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}
monte_carlo: {iterations: 10000, seed: 1}
costs:
  - {name: Vehicles and kit, payer: E31000025, amounts: [180000, 0, 0, 0, 0], confidence: 2}
  - name: Crew time
    payer: E31000025
    unit_cost: {triangular: [38, 42, 50]}
    volumes: [0, 3000, 3000, 3000, 3000]
benefits:
  - name: Ambulance hours released
    class: fiscal_non_cashable   # fiscal_cashable | fiscal_non_cashable | economic | social
    beneficiary: RX9
    unit_cost: 180
    volumes: [0, 900, 950, 1000, 1000]
    deadweight: 0.1
    attribution: {uniform: [0.1, 0.3]}
    drop_off: 0.0
    confidence: 3
"""


def example() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(EXAMPLE))


def problems(data: object) -> list[str]:
    with pytest.raises(AppraisalFileError) as info:
        parse_appraisal(data)
    return info.value.problems


def test_the_brief_example_parses() -> None:
    a = parse_appraisal(example())
    assert a.title == "Joint Ambulance Conveyance Project"
    assert (a.collaboration, a.price_year, a.years, a.discount) == ("JACP", 2016, 5, "green_book")
    assert a.optimism_bias_by_grade[5] == 0.25
    assert a.monte_carlo == MonteCarloSettings(10000, 1)
    assert a.costs[0] == CostLine(
        name="Vehicles and kit",
        payer="E31000025",
        amounts=(180000.0, 0.0, 0.0, 0.0, 0.0),
        confidence=2,
    )
    assert a.costs[1].unit_cost == Distribution("triangular", (38.0, 42.0, 50.0))
    b = a.benefits[0]
    assert b.benefit_class == "fiscal_non_cashable"
    assert b.attribution == Distribution("uniform", (0.1, 0.3))
    assert (b.deadweight, b.displacement, b.drop_off, b.in_sroi) == (0.1, 0.0, 0.0, True)


def test_optional_keys_are_accepted() -> None:
    data = example()
    data["description"] = "Fire crews convey patients."
    data["discount"] = 0.035
    data["costs"][0].update(source="Quotation", notes="Two vehicles", optimism_bias=0.3)
    data["benefits"][0].update(in_sroi=False, source="ORH study", displacement=0.05)
    a = parse_appraisal(data)
    assert a.description == "Fire crews convey patients."
    assert a.discount == 0.035
    assert (a.costs[0].source, a.costs[0].notes, a.costs[0].optimism_bias) == (
        "Quotation",
        "Two vehicles",
        0.3,
    )
    assert a.benefits[0].in_sroi is False
    assert a.benefits[0].source == "ORH study"


# --------------------------------------------------------------------------------------------
# Validation: each kind of problem
# --------------------------------------------------------------------------------------------


def test_share_outside_zero_to_one() -> None:
    data = example()
    data["benefits"][0]["attribution"] = 1.2
    assert problems(data) == ["benefits[0].attribution: share must be between 0 and 1, got 1.2"]


@pytest.mark.parametrize("key", ["deadweight", "displacement", "drop_off"])
def test_every_share_is_checked(key: str) -> None:
    data = example()
    data["benefits"][0][key] = -0.1
    assert problems(data) == [f"benefits[0].{key}: share must be between 0 and 1, got -0.1"]


def test_unknown_keys() -> None:
    data = example()
    data["colour"] = "blue"
    data["benefits"][0]["deadwieght"] = 0.1
    found = problems(data)
    assert len(found) == 2
    assert found[0].startswith("colour: unknown key")
    assert found[1].startswith("benefits[0].deadwieght: unknown key")
    assert "deadweight" in found[1]  # the keys it expected


def test_adjustments_are_not_for_costs() -> None:
    data = example()
    data["costs"][0]["deadweight"] = 0.1
    assert problems(data)[0].startswith("costs[0].deadweight: unknown key")


@pytest.mark.parametrize("key", ["title", "price_year", "years"])
def test_missing_required_top_level_keys(key: str) -> None:
    data = example()
    del data[key]
    assert problems(data) == [f"{key}: required key missing"]


def test_missing_line_name() -> None:
    data = example()
    del data["costs"][1]["name"]
    assert problems(data) == ["costs[1].name: required key missing"]


def test_negative_amounts() -> None:
    # A cost and a volume are never negative. (A benefit's unit cost may be: a disbenefit.)
    data = example()
    data["costs"][0]["amounts"][2] = -5
    data["benefits"][0]["unit_cost"] = -180
    data["benefits"][0]["volumes"][1] = {"triangular": [-10, 0, 10]}
    assert problems(data) == [
        "costs[0].amounts[2]: must not be negative, got -5",
        "benefits[0].volumes[1]: must not be negative, got low -10",
    ]


def test_a_benefit_may_be_negative_a_disbenefit() -> None:
    data = example()
    data["benefits"].append(
        {"name": "Noise", "amounts": [0, -50, -50, {"triangular": [-60, -50, -40]}, 0]}
    )
    data["benefits"].append({"name": "Disruption", "unit_cost": -20, "volumes": [5, 0, 0, 0, 0]})
    a = parse_appraisal(data)
    assert a.benefits[1].amounts == (
        0.0,
        -50.0,
        -50.0,
        Distribution("triangular", (-60.0, -50.0, -40.0)),
        0.0,
    )
    assert parse_appraisal(yaml.safe_load(dump_appraisal(a))) == a  # and the YAML keeps it


def test_a_line_is_a_benefit_or_a_disbenefit_not_both() -> None:
    data = example()
    data["benefits"].append({"name": "Mixed", "amounts": [10, -5, 0, 0, 0]})
    data["benefits"].append({"name": "Spans", "amounts": [{"uniform": [-5, 5]}, 0, 0, 0, 0]})
    data["benefits"].append({"name": "Left out", "amounts": [-5, 0, 0, 0, 0], "in_sroi": False})
    found = problems(data)
    assert found[0].startswith("benefits[1]: a line is a benefit or a disbenefit, not both")
    assert found[1] == (
        "benefits[2].amounts[0]: uniform must not span zero (a benefit is at least 0, a "
        "disbenefit at most 0), got [low, high] = [-5, 5]"
    )
    assert found[2] == (
        "benefits[3].in_sroi: a disbenefit cannot be left out of the SROI ratio (negative "
        "outcomes count too)"
    )


def test_lists_of_the_wrong_length() -> None:
    data = example()
    data["costs"][0]["amounts"] = [1, 2, 3, 4]
    data["benefits"][0]["volumes"] = [1, 2, 3, 4, 5, 6]
    assert problems(data) == [
        "costs[0].amounts: must have 5 values, one per year, got 4",
        "benefits[0].volumes: must have 5 values, one per year, got 6",
    ]


def test_amounts_must_be_a_list() -> None:
    data = example()
    data["costs"][0]["amounts"] = 180000
    assert problems(data) == [
        "costs[0].amounts: must be a list of 5 numbers, one per year, got 180000"
    ]


def test_both_amounts_and_unit_cost() -> None:
    data = example()
    data["costs"][1]["amounts"] = [1, 2, 3, 4, 5]
    assert problems(data) == ["costs[1]: give either amounts or unit_cost with volumes, not both"]


def test_neither_amounts_nor_unit_cost() -> None:
    data = example()
    del data["costs"][0]["amounts"]
    assert problems(data) == [
        "costs[0]: give either amounts or unit_cost with volumes (neither is given)"
    ]


def test_unit_cost_needs_volumes_and_the_other_way_round() -> None:
    data = example()
    del data["costs"][1]["volumes"]
    del data["benefits"][0]["unit_cost"]
    assert problems(data) == [
        "costs[1].volumes: required with unit_cost",
        "benefits[0].unit_cost: required with volumes",
    ]


@pytest.mark.parametrize(
    ("dist", "reason"),
    [
        ({"triangular": [50, 42, 38]}, "triangular low must not exceed high"),
        ({"pert": [38, 60, 50]}, "pert mode must be between low and high"),
        ({"triangular": [38, 30, 50]}, "triangular mode must be between low and high"),
        ({"uniform": [5, 1]}, "uniform low must not exceed high"),
        ({"normal": [42, -1]}, "normal sd must not be negative, got -1"),
        ({"lognormal": [42, -1]}, "lognormal sd must not be negative, got -1"),
        ({"lognormal": [0, 1]}, "lognormal mean must be positive, got 0"),
        ({"beta": [1, 2]}, "unknown distribution 'beta'"),
        ({"triangular": [38, 50]}, "triangular needs 3 numbers [low, mode, high], got 2"),
        ({"normal": [1, 2, 3]}, "normal needs 2 numbers [mean, sd], got 3"),
        ({"uniform": 5}, "uniform needs 2 numbers [low, high], got 5"),
        ({"uniform": [1, 2], "normal": [1, 2]}, "a distribution is a mapping with one key"),
    ],
)
def test_bad_distributions(dist: dict[str, Any], reason: str) -> None:
    data = example()
    data["costs"][1]["unit_cost"] = dist
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith(f"costs[1].unit_cost: {reason}"), found[0]


def test_distribution_of_a_share_must_stay_within_zero_to_one() -> None:
    data = example()
    data["benefits"][0]["attribution"] = {"uniform": [0.1, 1.2]}
    data["benefits"][0]["deadweight"] = {"normal": [1.5, 0.1]}
    assert problems(data) == [
        "benefits[0].deadweight: share must be between 0 and 1, got mean 1.5",
        "benefits[0].attribution: share must be between 0 and 1, got high 1.2",
    ]


def test_class_not_in_the_set() -> None:
    data = example()
    data["benefits"][0]["class"] = "fiscal"
    assert problems(data) == [
        "benefits[0].class: must be one of fiscal_cashable, fiscal_non_cashable, economic, "
        "social, got 'fiscal'"
    ]


def test_class_defaults_to_social() -> None:
    data = example()
    del data["benefits"][0]["class"]
    assert parse_appraisal(data).benefits[0].benefit_class == "social"


@pytest.mark.parametrize(
    ("years", "reason"),
    [
        (0, "must be at least 1, got 0"),
        (-3, "must be at least 1, got -3"),
        ("five", "must be a whole number, got 'five'"),
    ],
)
def test_years(years: object, reason: str) -> None:
    data = example()
    data["years"] = years
    assert problems(data) == [f"years: {reason}"]


def test_monte_carlo_iterations_at_least_one() -> None:
    data = example()
    data["monte_carlo"]["iterations"] = 0
    assert problems(data) == ["monte_carlo.iterations: must be at least 1, got 0"]


def test_monte_carlo_defaults() -> None:
    data = example()
    data["monte_carlo"] = {}
    assert parse_appraisal(data).monte_carlo == MonteCarloSettings(10_000, 1)
    del data["monte_carlo"]
    assert parse_appraisal(data).monte_carlo is None


def test_confidence_grade_not_in_the_table() -> None:
    data = example()
    data["optimism_bias_by_grade"] = {1: 0.0, 2: 0.05}
    found = problems(data)
    assert found == [
        "benefits[0].confidence: grade 3 is not in optimism_bias_by_grade (grades: 1, 2)"
    ]


def test_without_a_table_the_greater_manchester_grades_apply() -> None:
    data = example()
    del data["optimism_bias_by_grade"]
    appraisal = parse_appraisal(data)
    assert appraisal.optimism_bias_by_grade == {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}
    # Grade 2 on the vehicles: costs uplifted by 5%.
    assert appraise(appraisal).per_year[0].costs == pytest.approx(180_000 * 1.05)
    data["costs"][0]["optimism_bias"] = 0.1
    assert parse_appraisal(data).costs[0].optimism_bias == 0.1


def test_a_grade_missing_from_the_files_own_table_is_an_error() -> None:
    data = example()
    data["optimism_bias_by_grade"] = {1: 0.0}
    assert problems(data)[0].startswith("costs[0].confidence: grade 2 is not in")


def test_confidence_grade_is_one_to_six() -> None:
    data = example()
    data["costs"][0]["confidence"] = 7
    assert problems(data) == ["costs[0].confidence: grade must be 1 (best) to 6 (worst), got 7"]


def test_discount_must_be_green_book_or_a_rate() -> None:
    data = example()
    data["discount"] = "treasury"
    assert problems(data)[0].startswith(
        "discount: must be green_book, green_book_health or a rate such as 0.035"
    )
    data["discount"] = "green_book_health"
    assert parse_appraisal(data).discount == "green_book_health"
    data["discount"] = 1.5
    assert problems(data) == ["discount: discount rate must be between 0 and 1, got 1.5"]
    data["discount"] = {"triangular": [0.02, 0.035, 0.05]}
    assert parse_appraisal(data).discount == Distribution("triangular", (0.02, 0.035, 0.05))


def test_every_problem_is_reported_together() -> None:
    data = example()
    data["years"] = 0
    data["title"] = None
    data["benefits"][0]["class"] = "other"
    data["benefits"][0]["attribution"] = 1.2
    data["costs"][1]["unit_cost"] = {"pert": [1, 2]}
    data["monte_carlo"]["iterations"] = -1
    found = problems(data)
    assert len(found) == 6
    assert "title: required key missing" in found
    assert "years: must be at least 1, got 0" in found
    assert "monte_carlo.iterations: must be at least 1, got -1" in found


def test_the_file_must_be_a_mapping() -> None:
    # The kernel's checker names the top level of the file.
    assert problems([1, 2])[0].startswith("(top level): must be a mapping")
    assert problems(None)[0].startswith("(top level): must be a mapping")


def test_lines_must_be_mappings_in_a_list() -> None:
    data = example()
    data["costs"] = {"name": "x"}
    data["benefits"] = ["x"]
    found = problems(data)
    assert found[0].startswith("costs: must be a list of lines")
    assert found[1].startswith("benefits[0]: must be a mapping")


def test_error_message_names_the_source() -> None:
    data = example()
    data["years"] = 0
    with pytest.raises(AppraisalFileError) as info:
        parse_appraisal(data, "jacp.yaml")
    assert str(info.value) == "jacp.yaml: years: must be at least 1, got 0"
    # The kernel's vocabulary: each problem keeps its place and its reason.
    assert isinstance(info.value, Problems)
    (problem,) = info.value.problems
    assert (problem.field, problem.reason) == ("years", "must be at least 1, got 0")


# --------------------------------------------------------------------------------------------
# Files, template and round trips
# --------------------------------------------------------------------------------------------


def test_load_appraisal(tmp_path: Path) -> None:
    path = tmp_path / "jacp.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert load_appraisal(path) == parse_appraisal(example())
    assert load_appraisal(str(path)) == parse_appraisal(example())


def test_load_appraisal_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(AppraisalFileError) as info:
        load_appraisal(path)
    assert info.value.problems[0].startswith("not valid YAML")
    with pytest.raises(AppraisalFileError) as info:
        load_appraisal(tmp_path / "missing.yaml")
    assert info.value.problems[0].startswith("cannot read the file")


def test_template_parses_and_is_commented() -> None:
    a = parse_appraisal(yaml.safe_load(TEMPLATE))
    assert a.costs and a.benefits
    assert TEMPLATE.count("#") > 10


def test_template_round_trips() -> None:
    a = parse_appraisal(yaml.safe_load(TEMPLATE))
    assert parse_appraisal(yaml.safe_load(dump_appraisal(a))) == a


def test_example_round_trips_with_every_optional_key() -> None:
    data = example()
    data["description"] = "Line one\nline two: with a colon"
    data["discount"] = {"normal": [0.035, 0.005]}
    data["costs"][0].update(source="Quote", notes="# not a comment", optimism_bias=0.3)
    data["benefits"][0].update(
        in_sroi=False, displacement={"pert": [0, 0.1, 0.3]}, drop_off={"lognormal": [0.1, 0.02]}
    )
    data["benefits"].append(
        {"name": "123", "beneficiary": "00123", "amounts": [0, 0.1, 1e-7, 1e12, 2.5]}
    )
    a = parse_appraisal(data)
    text = dump_appraisal(a)
    assert parse_appraisal(yaml.safe_load(text)) == a
    assert a.benefits[1].name == "123" and a.benefits[1].beneficiary == "00123"


numbers = st.floats(0, 1e9, allow_nan=False, allow_infinity=False)
shares = st.floats(0, 1, allow_nan=False)


def _dist(base: st.SearchStrategy[float]) -> st.SearchStrategy[Distribution | float]:
    tri = st.lists(base, min_size=3, max_size=3).map(sorted)
    return st.one_of(
        base,
        tri.map(lambda p: Distribution("triangular", tuple(p))),
        tri.map(lambda p: Distribution("pert", tuple(p))),
        st.lists(base, min_size=2, max_size=2)
        .map(sorted)
        .map(lambda p: Distribution("uniform", tuple(p))),
        st.tuples(base, st.floats(0, 10)).map(lambda p: Distribution("normal", p)),
    )


@st.composite
def appraisals(draw: st.DrawFn) -> Appraisal:
    years = draw(st.integers(1, 4))
    row = st.lists(_dist(numbers), min_size=years, max_size=years).map(tuple)
    text = st.one_of(st.none(), st.text(max_size=20))

    def amounts() -> dict[str, Any]:
        if draw(st.booleans()):
            return {"amounts": draw(row)}
        return {"unit_cost": draw(_dist(numbers)), "volumes": draw(row)}

    costs = tuple(
        CostLine(
            name=draw(st.text(min_size=1, max_size=10)),
            payer=draw(text),
            confidence=draw(st.sampled_from([None, 1, 2])),
            optimism_bias=draw(st.one_of(st.none(), _dist(numbers))),
            source=draw(text),
            notes=draw(text),
            **amounts(),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    benefits = tuple(
        BenefitLine(
            name=draw(st.text(min_size=1, max_size=10)),
            benefit_class=draw(st.sampled_from(["economic", "social", "fiscal_cashable"])),
            beneficiary=draw(text),
            deadweight=draw(_dist(shares)),
            attribution=draw(_dist(shares)),
            displacement=draw(shares),
            drop_off=draw(shares),
            confidence=draw(st.sampled_from([None, 1, 2])),
            optimism_bias=draw(st.one_of(st.none(), _dist(shares))),
            in_sroi=draw(st.booleans()),
            **amounts(),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    return Appraisal(
        title=draw(st.text(min_size=1, max_size=30)),
        price_year=draw(st.integers(1990, 2100)),
        years=years,
        discount=draw(st.one_of(st.just("green_book"), _dist(st.floats(0, 0.1)))),
        optimism_bias_by_grade={1: 0.0, 2: draw(shares)},
        monte_carlo=draw(
            st.one_of(
                st.none(),
                st.builds(MonteCarloSettings, st.integers(1, 10**6), st.integers(0, 2**32)),
            )
        ),
        collaboration=draw(text),
        description=draw(text),
        costs=costs,
        benefits=benefits,
    )


@given(appraisals())
@settings(max_examples=100, deadline=None)
def test_dump_then_parse_gives_the_same_appraisal(a: Appraisal) -> None:
    assert parse_appraisal(yaml.safe_load(dump_appraisal(a))) == a
