"""Statistical process control (`accord.kpis.spc`) against examples worked by hand.

Each example gives its arithmetic in a comment: the mean, the moving ranges (MR) and their
average (amr), the limits mean +/- 2.66 amr and the near limits mean +/- 1.7733 amr
((2/3)(2.66)), then which rule holds where. The figures asserted are those of the hand
working; each float is compared with the same expression in Python (``13 + 2.66 * 3.25``),
so that the comparison is exact, and with the rounded figure a person would write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from accord.core.problems import Problems
from accord.kpis.spc import FEW_POINTS, NEAR_FACTOR, Result, analyse, analyse_many


def periods(n: int) -> list[str]:
    """Monthly periods from 2020-01."""
    return [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def spc(values: Sequence[float | None], **options: object) -> Result:
    return analyse(list(zip(periods(len(values)), values, strict=True)), **options)  # type: ignore[arg-type]


def rules(result: Result) -> list[tuple[str, ...]]:
    return [point.rules for point in result.points]


def types(result: Result) -> list[str]:
    return [point.point_type for point in result.points]


# -- The arithmetic --------------------------------------------------------------------------

# 10, 14, 12, 16, 13: mean 65 / 5 = 13. MR 4, 2, 4, 3: amr 13 / 4 = 3.25 (none >= 3.267 x
# 3.25 = 10.6). Limits 13 +/- 2.66 x 3.25 = 13 +/- 8.645: 21.645 and 4.355; near limits
# 13 +/- 5.763: 18.763 and 7.237. Nothing is near them: every point common cause.
PLAIN = [10.0, 14.0, 12.0, 16.0, 13.0]


def test_mean_moving_ranges_and_limits() -> None:
    result = spc(PLAIN, direction="increase")
    (phase,) = result.phases
    assert (phase.start, phase.n, phase.mean, phase.amr) == ("2020-01", 5, 13.0, 3.25)
    assert phase.upl == 13.0 + 2.66 * 3.25 == pytest.approx(21.645)
    assert phase.lpl == 13.0 - 2.66 * 3.25 == pytest.approx(4.355)
    assert phase.near_upl == pytest.approx(13 + 2 / 3 * 8.645)
    assert phase.near_lpl == pytest.approx(13 - 2 / 3 * 8.645)
    assert pytest.approx(1.77333, abs=1e-5) == NEAR_FACTOR
    assert [p.relative_to_mean for p in result.points] == [-1, 1, -1, 1, 0]
    assert not any(p.outside_limits or p.close_to_limits for p in result.points)
    assert rules(result) == [()] * 5
    assert types(result) == ["common_cause"] * 5
    assert result.variation == "common_cause"
    assert phase.few_points  # 5 < 12


def test_the_json_has_the_issues_keys_in_its_order() -> None:
    data = spc(PLAIN, direction="decrease", target=420).to_json_dict()
    assert list(data) == [
        "direction",
        "target",
        "screen_outliers",
        "fix_after",
        "phases",
        "points",
        "missing",
        "variation",
        "assurance",
    ]
    assert list(data["phases"][0]) == ["start", "n", "mean", "amr", "upl", "lpl", "few_points"]
    assert list(data["points"][0]) == [
        "period",
        "value",
        "phase",
        "outside_limits",
        "relative_to_mean",
        "close_to_limits",
        "rules",
        "point_type",
    ]
    assert data["target"] == 420.0 and isinstance(data["target"], float)
    assert data["points"][0]["value"] == 10.0 and isinstance(data["points"][0]["value"], float)
    assert (data["direction"], data["screen_outliers"], data["fix_after"]) == (
        "decrease",
        True,
        None,
    )
    assert data["missing"] == [] and data["points"][0]["rules"] == []


# -- Each rule alone -------------------------------------------------------------------------

# -1, 1, -1, 1, -1, 12, -12, 1, -1, 1, -1, 1: sum 0, mean 0, the sides alternate.
# MR: 2, 2, 2, 2, 13, 24, 13, 2, 2, 2, 2 = 66 over 11: amr 6.
# Screening: 24 >= 3.267 x 6 = 19.6 is left out; amr = 42 / 10 = 4.2; limits +/- 11.172,
# near limits +/- 7.448. 12 and -12 are outside (so not close); nothing else is near.
OUTLIERS = [-1.0, 1.0, -1.0, 1.0, -1.0, 12.0, -12.0, 1.0, -1.0, 1.0, -1.0, 1.0]


def test_outside_alone_with_screening() -> None:
    result = spc(OUTLIERS, direction="increase")
    (phase,) = result.phases
    assert (phase.mean, phase.amr) == (0.0, 42 / 10)
    assert phase.upl == 0.0 + 2.66 * 4.2 == pytest.approx(11.172)
    assert phase.lpl == pytest.approx(-11.172)
    assert [p.outside_limits for p in result.points] == [i in (5, 6) for i in range(12)]
    assert not any(p.close_to_limits for p in result.points)
    assert rules(result) == [("outside",) if i in (5, 6) else () for i in range(12)]
    # increase: above the mean is improvement, below is concern
    assert types(result)[5:7] == ["special_cause_improvement", "special_cause_concern"]
    assert types(result)[:5] == types(result)[7:] == ["common_cause"] * 5
    assert not phase.few_points  # 12 points


def test_screening_off_keeps_the_large_moving_range() -> None:
    # amr 66 / 11 = 6: limits +/- 15.96, so 12 and -12 are inside; near limits +/- 10.64, so
    # both are close, but the points between them are on opposite sides: no rule holds.
    result = spc(OUTLIERS, direction="increase", screen_outliers=False)
    (phase,) = result.phases
    assert (phase.mean, phase.amr) == (0.0, 6.0)
    assert phase.upl == 2.66 * 6.0 == pytest.approx(15.96)
    assert not any(p.outside_limits for p in result.points)
    assert [p.close_to_limits for p in result.points] == [i in (5, 6) for i in range(12)]
    assert rules(result) == [()] * 12
    assert result.to_json_dict()["screen_outliers"] is False


def test_screening_applies_to_ranges_of_3267_amr_or_more() -> None:
    # 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10: MR nine 0s and one 10: amr 1; 10 >= 3.267 is left out,
    # amr 0: limits on the mean (10 / 11 = 0.909); 10 is above them.
    result = spc([0.0] * 10 + [10.0])
    (phase,) = result.phases
    assert phase.amr == 0.0 and phase.upl == phase.lpl == phase.mean == 10 / 11
    assert result.points[-1].outside_limits and result.points[0].outside_limits  # 0 < 0.909
    # An amr of 0 screens every range out (each is >= 0): it stays 0.
    flat = spc([5.0] * 4)
    assert (flat.phases[0].amr, flat.phases[0].upl, flat.phases[0].lpl) == (0.0, 5.0, 5.0)
    assert rules(flat) == [()] * 4  # on the mean: not outside, no side


# 5, 7, 5, 7, 5, 7, then 1, 3, 1, 3, 1, 3, 1: mean 49 / 13 = 3.769; 5 and 7 above, 1 and 3
# below. MR: 2 x 5, 6, 2 x 6 = 28 over 12: amr 2.333 (6 < 7.62 kept). Near limits 3.769 +/-
# 4.138: 7.907 and -0.369, so no point is close; limits 9.976 and -2.437. The 7 low points
# are a shift; the 6 high ones are not.
SHIFT = [5.0, 7.0, 5.0, 7.0, 5.0, 7.0, 1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 1.0]


def test_shift_alone_needs_seven_on_one_side() -> None:
    result = spc(SHIFT, direction="increase")
    (phase,) = result.phases
    assert phase.mean == 49 / 13 and phase.amr == 28 / 12
    assert not any(p.outside_limits or p.close_to_limits for p in result.points)
    assert rules(result) == [()] * 6 + [("shift",)] * 7
    assert types(result) == ["common_cause"] * 6 + ["special_cause_concern"] * 7
    assert result.variation == "special_cause_concern"
    # Six low points (drop the last): mean 48 / 12 = 4, no run of 7, nothing holds.
    six = spc(SHIFT[:-1], direction="increase")
    assert six.phases[0].mean == 4.0
    assert rules(six) == [()] * 12


# 12, 15, 12, 15, 12, 14, then 6, 9, 6, 9, 10, 9, 6, 9, 6: sum 150 over 15, mean 10; the
# point 10 is on the mean. MR: 3, 3, 3, 3, 2, 8, 3, 3, 3, 1, 1, 3, 3, 3 = 42 over 14: amr 3
# (8 < 9.8 kept); near limits 10 +/- 5.32 (15.32 and 4.68), limits 17.98 and 2.02: nothing near.
# Below the mean: 4 points, the point on it, 4 more: no run of 7, so no shift. Put 8 in its
# place and the 9 low points in a row are a shift.
ON_THE_MEAN = [12.0, 15.0, 12.0, 15.0, 12.0, 14.0, 6.0, 9.0, 6.0, 9.0, 10.0, 9.0, 6.0, 9.0, 6.0]


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    result = spc(ON_THE_MEAN, direction="increase")
    (phase,) = result.phases
    assert (phase.mean, phase.amr, phase.upl) == (10.0, 3.0, 10 + 2.66 * 3)
    assert result.points[10].relative_to_mean == 0
    assert rules(result) == [()] * 15
    below = list(ON_THE_MEAN)
    below[10] = 8.0  # mean 148 / 15 = 9.867: 9 below it too
    broken = spc(below, direction="increase")
    assert rules(broken) == [()] * 6 + [("shift",)] * 9


# 7, 2, 6, then 2, 3, 4, 5, 6, 7, 8 rising: sum 50 over 10, mean 5, so the point 5 is on the
# mean. MR: 5, 4, 4, 1, 1, 1, 1, 1, 1 = 19 over 9: amr 2.111 (5 < 6.9 kept); near limits 5 +/-
# 3.744 (8.744 and 1.256), limits 10.616 and -0.616: nothing near. No 7 on one side (2, 3, 4
# below, 5 on, 6, 7, 8 above).
RISING = [7.0, 2.0, 6.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def test_trend_alone_and_the_sense_of_a_point_on_the_mean() -> None:
    result = spc(RISING, direction="increase")
    (phase,) = result.phases
    assert (phase.mean, phase.amr) == (5.0, 19 / 9)
    assert not any(p.outside_limits or p.close_to_limits for p in result.points)
    assert rules(result) == [()] * 3 + [("trend",)] * 7
    # Sense is the side of the mean: below it in a rising trend is still concern; on the mean
    # in a rising run, +1, so improvement when increase is better.
    assert (
        types(result)
        == ["common_cause"] * 3 + ["special_cause_concern"] * 3 + ["special_cause_improvement"] * 4
    )
    assert result.points[6].relative_to_mean == 0
    assert types(spc(RISING, direction="decrease"))[6] == "special_cause_concern"


def test_a_point_on_the_mean_in_a_falling_trend_has_sense_minus_one() -> None:
    # 3, 8, 4, then 8, 7, 6, 5, 4, 3, 2 falling: the mirror of RISING (mean 5, amr 19 / 9).
    falling = [3.0, 8.0, 4.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]
    result = spc(falling, direction="increase")
    assert rules(result) == [()] * 3 + [("trend",)] * 7
    assert result.points[6].relative_to_mean == 0
    assert types(result)[6] == "special_cause_concern"  # -1 with increase
    assert types(spc(falling, direction="decrease"))[6] == "special_cause_improvement"
    assert types(spc(falling, direction="neutral"))[6] == "special_cause_neutral_low"


def test_an_equal_value_breaks_a_trend() -> None:
    # 7, 2, 6, 2, 3, 4, 4, 5, 6, 7: rising runs 2, 3, 4 and 4, 5, 6, 7: neither is 7 long.
    # (Mean 4.6, amr 18 / 9 = 2: limits 9.92 and -0.72, near 8.147 and 1.053: nothing near;
    # sides + - + - - - - + + +: no run of 7.)
    result = spc([7.0, 2.0, 6.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0, 7.0], direction="increase")
    assert result.phases[0].mean == pytest.approx(4.6)
    assert rules(result) == [()] * 10
    # Six rising points are not a trend: 7, 2, 6, 2, 3, 4, 5, 6, 7 without the last.
    assert rules(spc(RISING[:-1], direction="increase")) == [()] * 9


# [0, 10] nine times, then 28, 9, 28, then 0, 10, 0, 10: sum 175 over 25, mean 7.
# MR: seventeen 10s (170), 18, 19, 19, 28, 10, 10, 10 = 284 over 24: amr 11.833 (28 < 38.7
# kept). Limits 7 +/- 31.477 (38.477 and -24.477): nothing outside. Near limits 7 +/- 20.984:
# 27.984 and -13.984, so each 28 is close. 28, 9, 28 are all above the mean and two of them
# are close: both 28s hold two_of_three; 9 is not close, so it does not.
TWO_OF_THREE = [0.0, 10.0] * 9 + [28.0, 9.0, 28.0] + [0.0, 10.0, 0.0, 10.0]


def test_two_of_three_alone() -> None:
    result = spc(TWO_OF_THREE, direction="decrease")
    (phase,) = result.phases
    assert (phase.mean, phase.amr) == (7.0, 284 / 24)
    assert phase.near_upl == pytest.approx(27.984, abs=1e-3)
    assert not any(p.outside_limits for p in result.points)
    close = [i for i, p in enumerate(result.points) if p.close_to_limits]
    assert close == [18, 20]
    assert rules(result) == [("two_of_three",) if i in (18, 20) else () for i in range(25)]
    # decrease: high is concern
    assert types(result)[18] == types(result)[20] == "special_cause_concern"
    assert result.points[19].point_type == "common_cause"


def test_two_of_three_counts_only_points_close_to_the_limits_not_outside() -> None:
    # In OUTLIERS without screening both 12 and -12 are close, but 12, -12 and their
    # neighbours are on opposite sides (test above). With screening they are outside, and an
    # outside point is not close, so two_of_three never holds there either.
    screened = spc(OUTLIERS)
    assert all("two_of_three" not in r for r in rules(screened))


STEP = [10.0, 12.0] * 4 + [20.0, 22.0] * 4


def test_rules_are_listed_in_order_outside_shift_trend_two_of_three() -> None:
    # Rebase's example without the rebase: 10, 12 four times, then 20, 22 four times. Mean 16;
    # MR: 2 x 7, 8, 2 x 7 = 36 over 15 = 2.4; 8 >= 3.267 x 2.4 = 7.84 is left out: amr 28 / 14
    # = 2. Limits 16 +/- 5.32 (21.32, 10.68): every 10 and 22 outside; near limits 16 +/-
    # 3.547 (19.547, 12.453): every 12 and 20 close. All 8 low points below the mean and all
    # 8 high above: shift everywhere. 12, 10, 12 below with both 12s close: two_of_three.
    result = spc(STEP, direction="increase")
    (phase,) = result.phases
    assert (phase.mean, phase.amr) == (16.0, 2.0)
    assert rules(result) == [
        ("outside", "shift") if v in (10.0, 22.0) else ("shift", "two_of_three") for v in STEP
    ]
    assert types(result) == ["special_cause_concern"] * 8 + ["special_cause_improvement"] * 8


# -- Phases ----------------------------------------------------------------------------------


def test_rebase_starts_a_phase_with_its_own_mean_and_limits() -> None:
    # Phase 0: 10, 12 four times: mean 11, MR seven 2s, amr 2, limits 11 +/- 5.32 (16.32 and
    # 5.68). Phase 1: 20, 22 four times: mean 21, amr 2 (the range 12 -> 20 between phases is
    # no phase's), limits 26.32 and 15.68. Sides alternate in each: nothing holds.
    result = spc(STEP, direction="increase", rebase={"2020-09"})
    first, second = result.phases
    assert (first.start, first.n, first.mean, first.amr) == ("2020-01", 8, 11.0, 2.0)
    assert (second.start, second.n, second.mean, second.amr) == ("2020-09", 8, 21.0, 2.0)
    assert (first.upl, first.lpl) == (11 + 2.66 * 2, 11 - 2.66 * 2)
    assert (second.upl, second.lpl) == (21 + 2.66 * 2, 21 - 2.66 * 2)
    assert first.few_points and second.few_points  # 8 < 12
    assert [p.phase for p in result.points] == [0] * 8 + [1] * 8
    assert rules(result) == [()] * 16
    assert result.variation == "common_cause"
    assert spc(STEP, direction="increase", rebase="2020-09").phases == result.phases  # one period


def test_runs_do_not_cross_a_rebase() -> None:
    # RISING's seven rising points, the rebase at the fourth of them (2020-07): 3 rising in
    # one phase and 4 in the next, no trend in either.
    rising = [7.0, 2.0, 6.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    result = spc(rising, rebase={"2020-07"})
    assert [p.phase for p in result.points] == [0] * 6 + [1] * 4
    assert all("trend" not in r for r in rules(result))
    # A rebase at the first point, or at a period no point has, starts no phase.
    assert len(spc(rising, rebase={"2020-01", "1999-01"}).phases) == 1


def test_fix_after_takes_mean_and_limits_from_the_first_points_of_each_phase() -> None:
    # 10, 12, 10, 12, 10, 12, then 16, 18, 16, 18; fix_after 6: mean 66 / 6 = 11, MR five 2s,
    # amr 2 (the range 12 -> 16 is not among the first 6): limits 16.32 and 5.68, near limits
    # 14.547 and 7.453. 18 is outside; 16 is close. 16, 18, 16 are above the mean with both
    # 16s close: two_of_three on them. 12, 16, 18, 16, 18: 5 above in a row, no shift.
    values = [10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 16.0, 18.0, 16.0, 18.0]
    result = spc(values, direction="increase", fix_after=6)
    (phase,) = result.phases
    assert (phase.n, phase.mean, phase.amr) == (10, 11.0, 2.0)
    assert phase.upl == 11 + 2.66 * 2
    assert rules(result) == [()] * 6 + [
        ("two_of_three",),
        ("outside",),
        ("two_of_three",),
        ("outside",),
    ]
    assert result.to_json_dict()["fix_after"] == 6
    # Without it: mean 134 / 10 = 13.4, MR 2 x 5, 4, 2 x 3 = 20 over 9: amr 2.222, limits
    # 19.311 and 7.489: 18 is inside.
    everything = spc(values, direction="increase")
    assert everything.phases[0].mean == pytest.approx(13.4)
    assert everything.phases[0].amr == 20 / 9
    assert not any(p.outside_limits for p in everything.points)
    # fix_after at least the phase's length is the same as none.
    assert spc(values, fix_after=10).phases == spc(values).phases


def test_fix_after_counts_within_each_phase() -> None:
    # STEP rebased at its ninth point, limits from the first 2 points of each phase:
    # phase 0: 10, 12: mean 11, amr 2; phase 1: 20, 22: mean 21, amr 2.
    result = spc(STEP, rebase={"2020-09"}, fix_after=2)
    assert [(p.mean, p.amr) for p in result.phases] == [(11.0, 2.0), (21.0, 2.0)]


def test_a_phase_of_one_point_has_no_limits_and_no_special_cause() -> None:
    # PLAIN, then 100 in a phase of its own: no moving range, so no amr and no limits.
    values = [*PLAIN, 100.0]
    result = spc(values, direction="increase", target=50, rebase={"2020-06"})
    last = result.phases[-1]
    assert (last.n, last.mean, last.amr, last.upl, last.lpl) == (1, 100.0, None, None, None)
    assert last.few_points
    point = result.points[-1]
    assert (point.outside_limits, point.close_to_limits, point.rules) == (False, False, ())
    assert point.relative_to_mean == 0 and point.point_type == "common_cause"
    assert result.variation == "common_cause"
    assert result.assurance is None  # the last phase has no limits
    data = result.to_json_dict()["phases"][-1]
    assert (data["amr"], data["upl"], data["lpl"]) == (None, None, None)
    # A series of one point is one such phase.
    alone = spc([480.0], direction="decrease", target=420)
    assert alone.phases[0].upl is None and alone.assurance is None


def test_few_points_below_twelve() -> None:
    assert spc([float(i % 2) for i in range(11)]).phases[0].few_points
    assert not spc([float(i % 2) for i in range(12)]).phases[0].few_points
    assert FEW_POINTS == 12


# -- Missing values --------------------------------------------------------------------------


def test_missing_values_are_dropped_first_and_listed() -> None:
    # PLAIN with a gap at 2020-02 and one at 2020-05: the moving ranges join the points either
    # side of a gap (10 -> 14, 12 -> 16), so the phase is PLAIN's: mean 13, amr 3.25.
    values: list[float | None] = [10.0, None, 14.0, 12.0, None, 16.0, 13.0]
    result = spc(values)
    assert result.missing == ("2020-02", "2020-05")
    assert [p.period for p in result.points] == [
        "2020-01",
        "2020-03",
        "2020-04",
        "2020-06",
        "2020-07",
    ]
    assert (result.phases[0].n, result.phases[0].mean, result.phases[0].amr) == (5, 13.0, 3.25)
    assert spc([10.0, math.nan, 14.0]).missing == ("2020-02",)  # NaN is missing too
    assert result.to_json_dict()["missing"] == ["2020-02", "2020-05"]


def test_a_rebase_at_a_missing_period_starts_no_phase() -> None:
    result = spc([10.0, 12.0, None, 10.0, 12.0], rebase={"2020-03"})
    assert len(result.phases) == 1


def test_no_points_at_all() -> None:
    result = spc([None, None], direction="increase", target=3)
    assert (result.phases, result.points, result.variation, result.assurance) == (
        (),
        (),
        None,
        None,
    )
    assert result.missing == ("2020-01", "2020-02")


# -- Direction -------------------------------------------------------------------------------


def test_neutral_direction_says_high_or_low_and_has_no_assurance() -> None:
    result = spc(OUTLIERS, direction="neutral", target=100)
    assert types(result)[5:7] == ["special_cause_neutral_high", "special_cause_neutral_low"]
    assert result.assurance is None


def test_decrease_reverses_improvement_and_concern() -> None:
    result = spc(OUTLIERS, direction="decrease")
    assert types(result)[5:7] == ["special_cause_concern", "special_cause_improvement"]


# -- Assurance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        # PLAIN's limits: 21.645 and 4.355
        ("increase", 25.0, "consistent_fail"),  # target above upl: the process cannot reach it
        ("increase", 3.0, "consistent_pass"),  # target below lpl: every point beats it
        ("increase", 15.0, "inconsistent"),
        ("decrease", 3.0, "consistent_fail"),
        ("decrease", 25.0, "consistent_pass"),
        ("decrease", 15.0, "inconsistent"),
        ("increase", 13.0 + 2.66 * 3.25, "inconsistent"),  # on a limit is not beyond it
        ("decrease", None, None),
        ("neutral", 25.0, None),
    ],
)
def test_assurance(direction: str, target: float | None, assurance: str | None) -> None:
    assert spc(PLAIN, direction=direction, target=target).assurance == assurance


def test_assurance_reads_the_last_phase() -> None:
    # STEP rebased: the last phase's limits are 26.32 and 15.68, the first's 16.32 and 5.68.
    # A target of 24 with increase: inconsistent in the last, though above the first's upl.
    rebased = spc(STEP, direction="increase", target=24, rebase={"2020-09"})
    assert rebased.assurance == "inconsistent"
    assert spc(STEP[:8], direction="increase", target=24).assurance == "consistent_fail"


# -- Bad input -------------------------------------------------------------------------------


def test_bad_options_and_values_are_problems() -> None:
    with pytest.raises(Problems, match="unknown direction 'up'"):
        spc(PLAIN, direction="up")
    with pytest.raises(Problems, match="at least 1"):
        spc(PLAIN, fix_after=0)
    with pytest.raises(Problems, match="finite"):
        spc([1.0, math.inf])
    with pytest.raises(Problems, match="given twice"):
        analyse([("2020-01", 1.0), ("2020-01", 2.0)])


# -- Many series at once ---------------------------------------------------------------------


def test_many_series_at_once_match_one_at_a_time() -> None:
    rows = [PLAIN + [13.0] * 7, [float(v) for v in range(12)], OUTLIERS]
    batch = analyse_many(rows, direction="increase", target=5.0, rebase_at=[6])
    for row, values in enumerate(rows):
        one = spc(values, direction="increase", target=5.0, rebase={"2020-07"})
        assert batch.phase_starts == (0, 6)
        assert batch.mean[row].tolist() == [p.mean for p in one.phases]
        assert batch.upl[row].tolist() == [p.upl for p in one.phases]
        assert batch.rules[row].tolist() == [
            sum(
                1 << i
                for i, r in enumerate(("outside", "shift", "trend", "two_of_three"))
                if r in p.rules
            )
            for p in one.points
        ]
        assert [p.point_type for p in one.points] == [
            ("common_cause", "special_cause_improvement", "special_cause_concern")[c]
            for c in batch.point_type[row].tolist()
        ]
    with pytest.raises(Problems, match="finite"):
        analyse_many([[1.0, math.nan]])
