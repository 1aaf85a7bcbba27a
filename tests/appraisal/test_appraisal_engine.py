"""The appraisal engine: the arithmetic worked by hand, the Monte Carlo, the tornado."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.appraisal.appraisal_file import parse_appraisal
from accord.appraisal.engine import (
    GREEN_BOOK_HEALTH_SCHEDULE,
    Appraisal,
    AppraisalError,
    BenefitLine,
    CostLine,
    Distribution,
    MonteCarloSettings,
    appraise,
    discount_factors,
    green_book_discount_factor,
    monte_carlo,
    payback_year,
    results_to_json_dict,
    run_appraisal,
    schedule_discount_factor,
    tornado,
    uncertain_inputs,
)

approx = pytest.approx


def make(
    costs: list[dict[str, Any]] | None = None,
    benefits: list[dict[str, Any]] | None = None,
    **top: Any,
) -> Appraisal:
    """An appraisal from file-shaped data; undiscounted (rate 0) unless told otherwise."""
    lines = [*(costs or []), *(benefits or [])]
    years = next((len(x.get("amounts") or x["volumes"]) for x in lines), 1)
    data: dict[str, Any] = {
        "title": "Test",
        "price_year": 2016,
        "years": years,
        "discount": 0.0,
        "costs": costs or [],
        "benefits": benefits or [],
    }
    data.update(top)
    return parse_appraisal(data)


def benefit(amounts: list[Any], **extra: Any) -> dict[str, Any]:
    return {"name": "B", "class": "social", "amounts": amounts} | extra


def cost(amounts: list[Any], **extra: Any) -> dict[str, Any]:
    return {"name": "C", "amounts": amounts, **extra}


# --------------------------------------------------------------------------------------------
# Each adjustment alone
# --------------------------------------------------------------------------------------------


def test_deadweight_alone() -> None:
    # 100 a year for 2 years, 20% would have happened anyway: 80 + 80 = 160.
    r = appraise(make(benefits=[benefit([100, 100], deadweight=0.2)]))
    assert r.pv_benefits == approx(160)
    assert [y.benefits for y in r.per_year] == approx([80, 80])


def test_attribution_alone() -> None:
    # A quarter owed to others: 100 * 0.75 = 75 a year.
    r = appraise(make(benefits=[benefit([100, 100], attribution=0.25)]))
    assert r.pv_benefits == approx(150)


def test_displacement_alone() -> None:
    # 10% moved from elsewhere: 90 a year.
    r = appraise(make(benefits=[benefit([100, 100], displacement=0.1)]))
    assert r.pv_benefits == approx(180)


def test_adjustments_multiply() -> None:
    # 1000 * 0.9 * 0.8 * 0.7 = 504.
    line = benefit([1000], deadweight=0.1, attribution=0.2, displacement=0.3)
    assert appraise(make(benefits=[line])).pv_benefits == approx(504)


def test_drop_off_alone() -> None:
    # 10% drop-off from year 0: 100, 90, 81 -> 271.
    r = appraise(make(benefits=[benefit([100, 100, 100], drop_off=0.1)]))
    assert [y.benefits for y in r.per_year] == approx([100, 90, 81])
    assert r.pv_benefits == approx(271)


def test_drop_off_counts_from_the_first_non_zero_year() -> None:
    # Starts in year 2, drop-off 50%: years 2, 3, 4 give 100, 50, 25 -> 175.
    r = appraise(make(benefits=[benefit([0, 0, 100, 100, 100], drop_off=0.5)]))
    assert [y.benefits for y in r.per_year] == approx([0, 0, 100, 50, 25])
    assert r.pv_benefits == approx(175)


def test_drop_off_start_with_unit_cost_and_volumes() -> None:
    # 2 * [0, 50, 50] with 20% drop-off: 0, 100, 80.
    line = {"name": "B", "class": "economic", "unit_cost": 2, "volumes": [0, 50, 50]}
    r = appraise(make(benefits=[{**line, "drop_off": 0.2}]))
    assert [y.benefits for y in r.per_year] == approx([0, 100, 80])


GRADES = {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}


def test_optimism_bias_from_grade_raises_costs_and_cuts_benefits() -> None:
    # Grade 3 -> 10%: cost 1000 * 1.1 = 1100; benefit 1000 * 0.9 = 900.
    a = make(
        costs=[cost([1000], confidence=3)],
        benefits=[benefit([1000], confidence=3)],
        optimism_bias_by_grade=GRADES,
    )
    r = appraise(a)
    assert r.pv_costs == approx(1100)
    assert r.pv_benefits == approx(900)


def test_optimism_bias_given_wins_over_grade() -> None:
    # Given 20% beats grade 3's 10%: 1000 * 1.2 = 1200.
    a = make(costs=[cost([1000], confidence=3, optimism_bias=0.2)], optimism_bias_by_grade=GRADES)
    assert appraise(a).pv_costs == approx(1200)


def test_no_grade_and_no_bias_means_no_optimism_bias() -> None:
    a = make(costs=[cost([1000])], optimism_bias_by_grade=GRADES)
    assert appraise(a).pv_costs == approx(1000)


def test_optimism_bias_applies_after_the_adjustments() -> None:
    # 1000 * (1 - 0.5) * (1 - 0.4) = 300.
    a = make(
        benefits=[benefit([1000], deadweight=0.5, confidence=6)], optimism_bias_by_grade=GRADES
    )
    assert appraise(a).pv_benefits == approx(300)


def test_engine_rejects_a_grade_missing_from_the_table() -> None:
    a = Appraisal("T", 2016, 1, costs=(CostLine("C", amounts=(1.0,), confidence=4),))
    with pytest.raises(AppraisalError, match="grade 4"):
        appraise(a)


# --------------------------------------------------------------------------------------------
# Discounting
# --------------------------------------------------------------------------------------------


def test_green_book_discount_factors() -> None:
    assert green_book_discount_factor(0) == 1.0
    assert green_book_discount_factor(1) == approx(1 / 1.035)
    assert green_book_discount_factor(30) == approx(1.035**-30)
    # Past year 30 the rate is 3.0%: DF(31) = 1.035^-30 * 1.03^-1.
    assert green_book_discount_factor(31) == approx(1.035**-30 * 1.03**-1)
    assert green_book_discount_factor(75) == approx(1.035**-30 * 1.03**-45)
    # Then 2.5% to 125, 2.0% to 200, 1.5% to 300, 1.0% after, continuing the product.
    df75 = 1.035**-30 * 1.03**-45
    assert green_book_discount_factor(76) == approx(df75 / 1.025)
    df125 = df75 * 1.025**-50
    assert green_book_discount_factor(125) == approx(df125)
    assert green_book_discount_factor(130) == approx(df125 * 1.02**-5)
    df200 = df125 * 1.02**-75
    assert green_book_discount_factor(201) == approx(df200 / 1.015)
    # 1.5% to year 300, then 1.0%.
    df300 = df200 * 1.015**-100
    assert green_book_discount_factor(300) == approx(df300)
    assert green_book_discount_factor(301) == approx(df300 / 1.01)


def test_green_book_health_discount_factors_by_hand() -> None:
    health = GREEN_BOOK_HEALTH_SCHEDULE
    assert schedule_discount_factor(0, health) == 1.0
    assert schedule_discount_factor(30, health) == approx(1.015**-30)
    # Year 31: thirty years at 1.5%, then one at 1.29%.
    # 1.015^-30 = 0.639762…; / 1.0129 = 0.631614…
    assert schedule_discount_factor(31, health) == approx(1.015**-30 / 1.0129)
    assert schedule_discount_factor(31, health) == approx(0.631614, abs=1e-6)
    # Year 76: 30 years at 1.5%, 45 at 1.29% (years 31-75), one at 1.07%:
    # 0.639762… * 1.0129^-45 = 0.359354…; / 1.0107 = 0.355550…
    df76 = 1.015**-30 * 1.0129**-45 / 1.0107
    assert schedule_discount_factor(76, health) == approx(df76)
    assert schedule_discount_factor(76, health) == approx(0.355550, abs=1e-6)
    # Then 0.86% to 200, 0.64% to 300 and 0.43% after, the product continuing.
    df300 = 1.015**-30 * 1.0129**-45 * 1.0107**-50 * 1.0086**-75 * 1.0064**-100
    assert schedule_discount_factor(301, health) == approx(df300 / 1.0043)


def test_green_book_health_in_an_appraisal() -> None:
    # 1000 of health benefit in year 31 only: PV = 1000 * 1.015^-30 / 1.0129.
    amounts = [0] * 31 + [1000]
    r = appraise(make(benefits=[benefit(amounts)], discount="green_book_health"))
    assert r.per_year[31].discount_factor == approx(1.015**-30 / 1.0129)
    assert r.pv_benefits == approx(1000 * 1.015**-30 / 1.0129)
    # The standard schedule's year-31 factor for comparison: 1.035^-30 / 1.03.
    standard = appraise(make(benefits=[benefit(amounts)], discount="green_book"))
    assert standard.pv_benefits == approx(1000 * 1.035**-30 / 1.03)
    assert discount_factors("green_book_health", 3) == approx([1, 1 / 1.015, 1 / 1.015**2])


def test_green_book_in_an_appraisal_past_year_30() -> None:
    # 1000 in year 31 only: PV = 1000 * 1.035^-30 * 1.03^-1.
    amounts = [0] * 31 + [1000]
    r = appraise(make(benefits=[benefit(amounts)], discount="green_book"))
    assert r.per_year[31].discount_factor == approx(1.035**-30 / 1.03)
    assert r.pv_benefits == approx(1000 * 1.035**-30 / 1.03)


def test_green_book_is_the_default() -> None:
    data = {"title": "T", "price_year": 2016, "years": 2, "benefits": [benefit([0, 1035])]}
    assert appraise(parse_appraisal(data)).pv_benefits == approx(1000)


def test_fixed_rate() -> None:
    # 5%: 105 in year 1 and 110.25 in year 2 are each worth 100 now.
    r = appraise(make(benefits=[benefit([0, 105, 110.25])], discount=0.05))
    assert r.pv_benefits == approx(200)
    assert [y.discount_factor for y in r.per_year] == approx([1, 1 / 1.05, 1 / 1.05**2])
    assert discount_factors(0.05, 3) == approx([1, 1 / 1.05, 1 / 1.05**2])


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def test_npv_bcr_and_payback() -> None:
    # Costs 100 now; benefits 60 in years 1 and 2 (undiscounted).
    # Cumulative net: -100, -40, +20 -> payback in year 2; NPV 20; BCR 1.2.
    r = appraise(make(costs=[cost([100, 0, 0])], benefits=[benefit([0, 60, 60])]))
    assert r.npv == approx(20)
    assert r.bcr == approx(1.2)
    assert r.sroi == approx(1.2)
    assert r.payback_year == 2
    assert [y.cumulative_pv_net for y in r.per_year] == approx([-100, -40, 20])


def test_payback_when_cumulative_net_is_exactly_zero() -> None:
    r = appraise(make(costs=[cost([100, 0])], benefits=[benefit([0, 100])]))
    assert r.payback_year == 1


def test_payback_with_costs_only_in_year_2() -> None:
    # Benefits 10 a year from year 0, the cost of 100 only in year 2, benefits of 100 in year 3.
    # Cumulative: 10, 20, -70, 30. The first year with a cost is 2; the total is below zero
    # there, so it pays back in year 3 (the old rule said year 0, before anything was spent).
    r = appraise(make(costs=[cost([0, 0, 100, 0])], benefits=[benefit([10, 10, 10, 100])]))
    assert [y.cumulative_pv_net for y in r.per_year] == approx([10, 20, -70, 30])
    assert r.payback_year == 3


def test_payback_is_not_a_crossing_that_falls_back_below_zero() -> None:
    # Costs 100 in year 0 and 50 in year 2; benefits 120 in year 1 and 60 in year 3.
    # Cumulative: -100, 20, -30, 30. Year 1 crosses zero but falls back: payback is year 3.
    r = appraise(make(costs=[cost([100, 0, 50, 0])], benefits=[benefit([0, 120, 0, 60])]))
    assert [y.cumulative_pv_net for y in r.per_year] == approx([-100, 20, -30, 30])
    assert r.payback_year == 3


def test_payback_when_benefits_come_before_the_cost() -> None:
    # Benefit 50 in year 0, cost 20 in year 1: cumulative 50, 30. Nothing to pay back before the
    # first cost, so payback is the cost's own year, 1.
    r = appraise(make(costs=[cost([0, 20])], benefits=[benefit([50, 0])]))
    assert r.payback_year == 1


def test_no_payback_year_without_costs() -> None:
    # Nothing spent, nothing to pay back: null, not year 0.
    r = appraise(make(costs=[cost([0, 0])], benefits=[benefit([5, 5])]))
    assert r.payback_year is None
    assert appraise(make(benefits=[benefit([5, 5])])).payback_year is None


def test_payback_rule_by_hand_on_arrays() -> None:
    costs = np.array([0.0, 0.0, 100.0, 0.0])
    assert payback_year(costs, np.array([10.0, 20.0, -70.0, 40.0])) == 3
    assert payback_year(costs, np.array([10.0, 20.0, 5.0, 40.0])) == 2  # never below from 2
    assert payback_year(costs, np.array([10.0, 20.0, -70.0, -1.0])) is None  # ends below
    assert payback_year(np.zeros(4), np.array([1.0, 2.0, 3.0, 4.0])) is None


def test_payback_never_reached() -> None:
    r = appraise(make(costs=[cost([100, 0, 0])], benefits=[benefit([0, 10, 10])]))
    assert r.payback_year is None
    assert r.npv == approx(-80)


def test_per_year_rows_are_adjusted_then_discounted() -> None:
    # Cost 1000 with 10% bias in year 1 at 10%: undiscounted 1100, discounted 1000.
    a = make(
        costs=[cost([0, 1000], optimism_bias=0.1)],
        benefits=[benefit([0, 2200], deadweight=0.5)],
        discount=0.1,
    )
    row = appraise(a).per_year[1]
    assert row.costs == approx(1100)
    assert row.benefits == approx(1100)
    assert row.pv_costs == approx(1000)
    assert row.pv_benefits == approx(1000)
    assert row.cumulative_pv_net == approx(0)


def test_split_by_organisation() -> None:
    # E31000025 pays 300 (two lines), RX9 pays 100 and receives 50; the unassigned cost (1000)
    # and benefit (7) go nowhere in the split.
    a = make(
        costs=[
            cost([100, 100], payer="E31000025"),
            cost([50, 50], payer="RX9"),
            cost([100, 0], payer="E31000025"),
            cost([500, 500]),
        ],
        benefits=[benefit([25, 25], beneficiary="RX9"), benefit([7, 0])],
    )
    r = appraise(a)
    assert list(r.by_organisation) == ["E31000025", "RX9"]
    assert r.by_organisation["E31000025"].paid == approx(300)
    assert r.by_organisation["E31000025"].received == 0
    assert r.by_organisation["RX9"].paid == approx(100)
    assert r.by_organisation["RX9"].received == approx(50)


def test_fiscal_bcr_and_benefits_left_out_of_sroi() -> None:
    # Costs 100. Benefits: fiscal cashable 50, fiscal non-cashable 30, economic 20, social 40
    # (not in the SROI). BCR = 140/100; fiscal BCR = 80/100; SROI = 100/100.
    a = make(
        costs=[cost([100])],
        benefits=[
            {"name": "a", "class": "fiscal_cashable", "amounts": [50]},
            {"name": "b", "class": "fiscal_non_cashable", "amounts": [30]},
            {"name": "c", "class": "economic", "amounts": [20]},
            {"name": "d", "class": "social", "amounts": [40], "in_sroi": False},
        ],
    )
    r = appraise(a)
    assert r.pv_benefits_by_class == approx(
        {"fiscal_cashable": 50, "fiscal_non_cashable": 30, "economic": 20, "social": 40}
    )
    assert r.bcr == approx(1.4)
    assert r.fiscal_bcr == approx(0.8)
    assert r.sroi == approx(1.0)


def test_ratios_are_null_without_costs() -> None:
    r = appraise(make(benefits=[benefit([10])]))
    assert (r.bcr, r.fiscal_bcr, r.sroi) == (None, None, None)
    assert r.npv == approx(10)
    assert r.payback_year is None  # no cost, so no payback year (it was 0 before the fix)


def test_unit_cost_times_volumes() -> None:
    a = make(costs=[{"name": "C", "unit_cost": 42, "volumes": [0, 3000]}])
    assert [y.costs for y in appraise(a).per_year] == approx([0, 126000])


def test_deterministic_result_uses_central_values() -> None:
    # mode 42; midpoint of [0.1, 0.3] = 0.2; mean 5; mean 7; pert mode 3.
    a = make(
        costs=[{"name": "C", "unit_cost": {"triangular": [38, 42, 50]}, "volumes": [10]}],
        benefits=[
            benefit([{"normal": [5, 1]}], attribution={"uniform": [0.1, 0.3]}),
            benefit([{"lognormal": [7, 2]}]),
            benefit([{"pert": [1, 3, 10]}]),
        ],
    )
    r = appraise(a)
    assert r.pv_costs == approx(420)
    assert r.pv_benefits == approx(5 * 0.8 + 7 + 3)


# --------------------------------------------------------------------------------------------
# Disbenefits
# --------------------------------------------------------------------------------------------


def test_a_disbenefit_is_subtracted_from_benefits_never_added_to_costs() -> None:
    # Undiscounted. Cost 100 in year 0; a benefit of 300 and a disbenefit of 50 (noise near a
    # new station, say) in year 1. Benefits net of disbenefits: 300 - 50 = 250.
    # NPV = 250 - 100 = 150. BCR = 250 / 100 = 2.5 (had the disbenefit been added to the
    # costs it would read 300 / 150 = 2.0). SROI the same, 2.5.
    a = make(
        costs=[cost([100, 0])],
        benefits=[benefit([0, 300]), benefit([0, -50], name="Noise")],
    )
    r = appraise(a)
    assert r.pv_costs == approx(100)
    assert r.pv_benefits == approx(250)
    assert r.pv_disbenefits == approx(50)
    assert r.npv == approx(150)
    assert r.bcr == approx(2.5) and r.sroi == approx(2.5)
    assert r.pv_benefits_by_class["social"] == approx(250)
    assert [y.benefits for y in r.per_year] == approx([0, 250])
    assert [y.disbenefits for y in r.per_year] == approx([0, 50])
    assert r.per_year[1].pv_disbenefits == approx(50)


def test_optimism_bias_enlarges_a_disbenefit_and_adjustments_shrink_it() -> None:
    # Grade 3 (10%): the disbenefit -50 becomes -55, as a cost would grow; the benefit 300
    # becomes 270. Deadweight 20% on the disbenefit: -50 * 0.8 * 1.1 = -44.
    a = make(
        costs=[cost([100, 0])],
        benefits=[
            benefit([0, 300], confidence=3),
            benefit([0, -50], name="Noise", confidence=3),
        ],
        optimism_bias_by_grade=GRADES,
    )
    r = appraise(a)
    assert r.pv_disbenefits == approx(55)
    assert r.pv_benefits == approx(270 - 55)
    b = make(benefits=[benefit([-50], deadweight=0.2, confidence=3)], optimism_bias_by_grade=GRADES)
    assert appraise(b).pv_disbenefits == approx(44)


def test_a_disbenefit_in_the_monte_carlo_keeps_its_sign() -> None:
    # Disbenefit triangular [-60, -50, -40] with no uncertainty elsewhere: NPV = 300 - x - 100.
    a = make(
        costs=[cost([100, 0])],
        benefits=[benefit([0, 300]), benefit([0, {"triangular": [-60, -50, -40]}])],
    )
    mc = monte_carlo(a, 20_000, 1)
    assert mc.npv.mean == approx(150, rel=0.01)
    assert mc.npv.p5 is not None and 140 <= mc.npv.p5 <= mc.npv.p95 <= 160  # type: ignore[operator]


def test_the_engine_refuses_a_line_that_is_both() -> None:
    a = Appraisal("T", 2016, 2, benefits=(BenefitLine("B", amounts=(10.0, -5.0)),))
    with pytest.raises(AppraisalError, match="a benefit or a disbenefit, not both"):
        appraise(a)


# --------------------------------------------------------------------------------------------
# Monte Carlo and tornado
# --------------------------------------------------------------------------------------------


UNCERTAIN: dict[str, Any] = {
    "costs": [{"name": "C", "unit_cost": {"triangular": [38, 42, 50]}, "volumes": [0, 100, 100]}],
    "benefits": [
        {
            "name": "B",
            "class": "economic",
            "unit_cost": 180,
            "volumes": [0, 30, {"pert": [20, 30, 45]}],
            "deadweight": 0.1,
            "attribution": {"uniform": [0.1, 0.3]},
            "drop_off": {"normal": [0.1, 0.05]},
        }
    ],
    "discount": {"triangular": [0.02, 0.035, 0.05]},
}


def test_inputs_are_named_by_their_paths() -> None:
    names = [u.path for u in uncertain_inputs(make(**UNCERTAIN))]
    assert names == [
        "discount",
        "costs[0].unit_cost",
        "benefits[0].volumes[2]",
        "benefits[0].attribution",
        "benefits[0].drop_off",
    ]


def test_same_seed_same_figures_and_another_seed_differs() -> None:
    a = make(**UNCERTAIN)
    one = monte_carlo(a, 5000, 7)
    assert monte_carlo(a, 5000, 7) == one
    assert np.array_equal(monte_carlo(a, 5000, 7).npv_samples, one.npv_samples)
    assert monte_carlo(a, 5000, 8) != one
    assert (one.iterations, one.seed) == (5000, 7)


def test_monte_carlo_summaries_are_ordered_around_the_deterministic_npv() -> None:
    a = make(**UNCERTAIN)
    mc = monte_carlo(a, 20_000, 1)
    for s in (mc.npv, mc.bcr, mc.sroi):
        assert s.p5 is not None and s.p50 is not None and s.p95 is not None
        assert s.p5 <= s.p50 <= s.p95
    # The modes are not the means (the triangular's mean is 43.3, not 42), so only roughly.
    assert mc.npv.p5 < appraise(a).npv < mc.npv.p95  # type: ignore[operator]
    assert 0 <= mc.p_npv_positive <= 1
    assert mc.p_npv_positive == approx(float(np.mean(mc.npv_samples > 0)))


def test_monte_carlo_settings_come_from_the_file_unless_overridden() -> None:
    a = make(**UNCERTAIN, monte_carlo={"iterations": 123, "seed": 9})
    assert a.monte_carlo == MonteCarloSettings(123, 9)
    mc = monte_carlo(a)
    assert (mc.iterations, mc.seed) == (123, 9)
    assert (monte_carlo(a, 50, 2).iterations, monte_carlo(a, 50, 2).seed) == (50, 2)
    plain = make(**UNCERTAIN)
    assert (monte_carlo(plain).iterations, monte_carlo(plain).seed) == (10_000, 1)


def test_p_npv_positive_counts_iterations() -> None:
    # NPV = benefit - 100 with benefit uniform on [0, 400]: P(NPV > 0) = 3/4.
    a = make(costs=[cost([100])], benefits=[benefit([{"uniform": [0, 400]}])])
    assert monte_carlo(a, 40_000, 3).p_npv_positive == approx(0.75, abs=0.01)


def test_distribution_means() -> None:
    # PERT mean (low + 4 mode + high) / 6 = (0 + 40 + 40) / 6; lognormal of mean 50, sd 20;
    # triangular mean (low + mode + high) / 3.
    for dist, mean in [
        ({"pert": [0, 10, 40]}, 80 / 6),
        ({"lognormal": [50, 20]}, 50),
        ({"triangular": [0, 10, 50]}, 20),
        ({"normal": [30, 5]}, 30),
        ({"uniform": [10, 20]}, 15),
    ]:
        mc = monte_carlo(make(benefits=[benefit([dist])]), 100_000, 5)
        assert mc.npv.mean == approx(mean, rel=0.01), dist


def test_lognormal_sd_is_of_the_variable_itself() -> None:
    a = make(benefits=[benefit([{"lognormal": [50, 20]}])])
    samples = monte_carlo(a, 200_000, 11).npv_samples
    assert samples.std() == approx(20, rel=0.02)
    assert samples.min() > 0


def test_shares_drawn_outside_zero_to_one_are_clipped() -> None:
    # Attribution ~ N(0.5, 10): nearly every draw clips to 0 or 1, so the benefit is 100 or 0.
    a = make(benefits=[benefit([100], attribution={"normal": [0.5, 10]})])
    samples = monte_carlo(a, 1000, 1).npv_samples
    assert np.all((samples >= 0) & (samples <= 100))
    assert np.mean((samples == 0) | (samples == 100)) > 0.9


def test_ratios_in_monte_carlo_are_null_without_costs() -> None:
    mc = monte_carlo(make(benefits=[benefit([{"uniform": [1, 2]}])]), 100, 1)
    assert mc.bcr.mean is None and mc.sroi.p95 is None
    assert mc.npv.mean is not None


def test_tornado_sorted_by_swing_with_low_and_high() -> None:
    # Undiscounted. Cost = unit cost * 10, unit cost triangular [1, 2, 3] -> NPV swing 20.
    # Benefit 1000 * (1 - attribution), attribution uniform [0.1, 0.3] -> swing 200.
    # Deadweight N(0.2, 0.01): p5/p95 = 0.2 -/+ 1.6449 * 0.01 -> swing 1000 * 0.0329 = 32.9.
    a = make(
        costs=[{"name": "C", "unit_cost": {"triangular": [1, 2, 3]}, "volumes": [10]}],
        benefits=[
            benefit(
                [1000],
                attribution={"uniform": [0.1, 0.3]},
                deadweight={"normal": [0.2, 0.01]},
            )
        ],
    )
    rows = tornado(a)
    assert [r.input for r in rows] == [
        "benefits[0].attribution",
        "benefits[0].deadweight",
        "costs[0].unit_cost",
    ]
    top = rows[0]
    assert (top.low, top.high) == (0.1, 0.3)
    # At low: 1000 * 0.9 * 0.8 - 20 = 700; at high: 1000 * 0.7 * 0.8 - 20 = 540.
    assert top.npv_at_low == approx(700)
    assert top.npv_at_high == approx(540)
    assert top.swing == approx(160)
    z = 1.6448536269514722
    dw = rows[1]
    assert (dw.low, dw.high) == approx((0.2 - z * 0.01, 0.2 + z * 0.01))
    assert dw.swing == approx(1000 * 0.8 * 2 * z * 0.01)
    assert rows[2].swing == approx(20)
    assert rows[2].npv_at_low > rows[2].npv_at_high


def test_tornado_lognormal_bounds_are_p5_and_p95() -> None:
    mu_sigma2 = math.log(1 + 20**2 / 50**2)
    mu, sigma = math.log(50) - mu_sigma2 / 2, math.sqrt(mu_sigma2)
    rows = tornado(make(benefits=[benefit([{"lognormal": [50, 20]}])]))
    assert (rows[0].low, rows[0].high) == approx(
        (math.exp(mu - 1.6448536269514722 * sigma), math.exp(mu + 1.6448536269514722 * sigma))
    )
    assert (rows[0].npv_at_low, rows[0].npv_at_high) == approx((rows[0].low, rows[0].high))


def test_run_appraisal_without_uncertainty_has_no_monte_carlo() -> None:
    report = run_appraisal(make(costs=[cost([1])], monte_carlo={"iterations": 5, "seed": 1}))
    assert report.monte_carlo is None and report.tornado is None
    data = results_to_json_dict(report.appraisal, report.result)
    assert "monte_carlo" not in data and "tornado" not in data


def test_many_iterations_are_chunked_and_fast() -> None:
    # 40 uncertain yearly amounts: the (iterations, lines, years) arrays are evaluated in chunks.
    lines = [benefit([{"triangular": [0, 5, 10]}] * 10, drop_off=0.1) for _ in range(4)]
    mc = monte_carlo(make(benefits=lines), 100_000, 1)
    assert mc.npv.mean == approx(appraise(make(benefits=lines)).npv, rel=0.01)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


share = st.floats(0, 1, allow_nan=False)
amount = st.floats(0, 1e6, allow_nan=False)


def _reference_npv(a: Appraisal) -> float:
    """The arithmetic of the brief written out with plain loops, for comparison."""

    def df(t: int) -> float:
        if a.discount == "green_book":
            return green_book_discount_factor(t)
        assert isinstance(a.discount, float)
        return (1 + a.discount) ** -t

    def amounts(line: CostLine | BenefitLine) -> list[float]:
        if line.amounts is not None:
            return [float(x) for x in line.amounts]  # type: ignore[arg-type]
        return [float(line.unit_cost) * float(v) for v in line.volumes or ()]  # type: ignore[arg-type]

    def bias(line: CostLine | BenefitLine) -> float:
        if line.optimism_bias is not None:
            return float(line.optimism_bias)  # type: ignore[arg-type]
        return a.optimism_bias_by_grade.get(line.confidence or 0, 0.0)

    npv = 0.0
    for c in a.costs:
        npv -= sum(x * (1 + bias(c)) * df(t) for t, x in enumerate(amounts(c)))
    for b in a.benefits:
        xs = amounts(b)
        start = next((t for t, x in enumerate(xs) if x != 0), 0)
        keep = (1 - b.deadweight) * (1 - b.attribution) * (1 - b.displacement) * (1 - bias(b))  # type: ignore[operator]
        for t, x in enumerate(xs):
            npv += x * keep * (1 - b.drop_off) ** max(0, t - start) * df(t)  # type: ignore[operator]
    return npv


@st.composite
def appraisals(draw: st.DrawFn) -> Appraisal:
    years = draw(st.integers(1, 8))
    values = st.lists(st.one_of(st.just(0.0), amount), min_size=years, max_size=years).map(tuple)

    def line_amounts() -> dict[str, Any]:
        if draw(st.booleans()):
            return {"amounts": draw(values)}
        return {"unit_cost": draw(amount), "volumes": draw(values)}

    costs = [
        CostLine(
            name="c",
            confidence=draw(st.sampled_from([None, 1, 3, 6])),
            optimism_bias=draw(st.one_of(st.none(), st.floats(0, 2))),
            **line_amounts(),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    benefits = [
        BenefitLine(
            name="b",
            benefit_class=draw(st.sampled_from(["economic", "social", "fiscal_cashable"])),
            deadweight=draw(share),
            attribution=draw(share),
            displacement=draw(share),
            drop_off=draw(share),
            confidence=draw(st.sampled_from([None, 2, 5])),
            **line_amounts(),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    discount = draw(st.one_of(st.just("green_book"), st.floats(0, 0.2)))
    return Appraisal(
        title="p",
        price_year=2020,
        years=years,
        discount=discount,
        costs=tuple(costs),
        benefits=tuple(benefits),
        optimism_bias_by_grade=GRADES,
    )


@given(appraisals())
@settings(max_examples=200, deadline=None)
def test_engine_agrees_with_plain_loops(a: Appraisal) -> None:
    r = appraise(a)
    assert r.npv == approx(_reference_npv(a), rel=1e-9, abs=1e-6)
    assert r.npv == approx(sum(y.pv_benefits - y.pv_costs for y in r.per_year), rel=1e-9, abs=1e-6)


@given(appraisals(), st.integers(0, 2), share)
@settings(max_examples=150, deadline=None)
def test_raising_deadweight_never_raises_npv(a: Appraisal, which: int, extra: float) -> None:
    if not a.benefits:
        return
    i = which % len(a.benefits)
    b = a.benefits[i]
    higher = b.deadweight + (1 - b.deadweight) * extra  # type: ignore[operator]
    raised = replace(b, deadweight=higher)
    a2 = replace(a, benefits=(*a.benefits[:i], raised, *a.benefits[i + 1 :]))
    assert appraise(a2).npv <= appraise(a).npv + 1e-9 * (1 + abs(appraise(a).npv))


def _degenerate(x: float, kind: str) -> Distribution:
    if kind in ("triangular", "pert"):
        return Distribution(kind, (x, x, x))
    if kind == "uniform":
        return Distribution(kind, (x, x))
    return Distribution(kind, (x, 0.0))


@given(appraisals(), st.sampled_from(["triangular", "pert", "uniform", "normal", "lognormal"]))
@settings(max_examples=100, deadline=None)
def test_zero_uncertainty_monte_carlo_equals_the_deterministic_result(
    a: Appraisal, kind: str
) -> None:
    def fuzz(v: float) -> Distribution | float:
        if kind == "lognormal" and v <= 0:
            return v
        return _degenerate(v, kind)

    def blur(line: Any) -> Any:
        changes: dict[str, Any] = {}
        if line.amounts is not None:
            changes["amounts"] = tuple(fuzz(v) for v in line.amounts)
        else:
            changes["unit_cost"] = fuzz(line.unit_cost)
        if isinstance(line, BenefitLine):
            changes["attribution"] = fuzz(line.attribution)  # type: ignore[arg-type]
        return replace(line, **changes)

    blurred = replace(
        a, costs=tuple(blur(c) for c in a.costs), benefits=tuple(blur(b) for b in a.benefits)
    )
    r = appraise(a)
    assert appraise(blurred).npv == approx(r.npv, rel=1e-12, abs=1e-9)
    mc = monte_carlo(blurred, 50, 1)
    for s in (mc.npv,):
        assert s.mean == approx(r.npv, rel=1e-12, abs=1e-9)
        assert s.p5 == approx(r.npv, rel=1e-12, abs=1e-9)
        assert s.p95 == approx(r.npv, rel=1e-12, abs=1e-9)
    if r.bcr is None:
        assert mc.bcr.mean is None
    else:
        assert mc.bcr.p50 == approx(r.bcr, rel=1e-12)
        assert mc.sroi.mean == approx(r.sroi, rel=1e-12)
    assert mc.p_npv_positive in (0.0, 1.0)
    assert mc.p_npv_positive == (1.0 if r.npv > 0 else 0.0) or abs(r.npv) < 1e-6


@given(appraisals(), st.integers(0, 2**32))
@settings(max_examples=30, deadline=None)
def test_same_seed_gives_the_same_result(a: Appraisal, seed: int) -> None:
    blurred = replace(
        a, discount=Distribution("uniform", (0.0, 0.1)), monte_carlo=MonteCarloSettings(200, seed)
    )
    assert monte_carlo(blurred) == monte_carlo(blurred)
    assert run_appraisal(blurred).to_json_dict() == run_appraisal(blurred).to_json_dict()
