"""The consistency measures against examples worked by hand (insights/consistency.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.insights import consistency as m
from accord.insights.consistency import AreaInput, CollaborationInput

D = dt.date


def test_gini_by_hand() -> None:
    # Rates 0, 0, 1, 3: mean 1. The absolute differences of the six pairs are
    # |0-0| = 0, |0-1| = 1, |0-3| = 3, |0-1| = 1, |0-3| = 3, |1-3| = 2: sum 10, so over all
    # ordered pairs (i, j) 20. G = 20 / (2 × 4² × 1) = 20 / 32 = 0.625.
    assert m.gini([3, 0, 1, 0]) == pytest.approx(0.625)


def test_gini_equal_and_concentrated() -> None:
    assert m.gini([2, 2, 2]) == 0
    # One of n areas has everything: G = (n - 1) / n.
    assert m.gini([0, 0, 0, 5]) == pytest.approx(3 / 4)
    assert m.gini([]) is None
    assert m.gini([0, 0]) is None


# Subnormal rates are left out: no area has 5e-324 collaborations per 100,000, and with them
# the reference formula's own mean underflows to zero.
@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_subnormal=False), min_size=1, max_size=30)
)
# Generating the lists is slow only when the shared machine is busy.
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_gini_is_the_double_sum(values: list[float]) -> None:
    n, total = len(values), sum(values)
    if total == 0:
        assert m.gini(values) is None
        return
    double = sum(abs(a - b) for a, b in itertools.product(values, repeat=2))
    assert m.gini(values) == pytest.approx(double / (2 * n * total), abs=1e-9)


def test_coefficient_of_variation_by_hand() -> None:
    # 0, 0, 1, 3: mean 1; squared deviations 1, 1, 0, 4, sum 6; σ = √(6/4) = 1.2247...
    assert m.coefficient_of_variation([0, 0, 1, 3]) == pytest.approx(math.sqrt(1.5))
    # 2, 4, 4, 4, 5, 5, 7, 9: the textbook example, μ = 5, σ = 2, CV = 0.4.
    assert m.coefficient_of_variation([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(0.4)
    assert m.coefficient_of_variation([]) is None
    assert m.coefficient_of_variation([0, 0]) is None


def test_rate_per_100000() -> None:
    assert m.rate_per_100000(3, 600_000) == pytest.approx(0.5)
    assert m.rate_per_100000(3, None) is None
    assert m.rate_per_100000(3, 0) is None


def test_nearest_population_year() -> None:
    area = AreaInput("A", "A", {2009: 100, 2019: 300})
    assert area.population_in(2019) == 300
    assert area.population_in(2024) == 300
    assert area.population_in(2000) == 100
    assert area.population_in(2014) == 100  # as near to both: the earlier
    assert AreaInput("W", "W").population_in(2019) is None


# A small register worked by hand --------------------------------------------------------------
#
# Four areas: A (200,000 people), B (100,000), C (400,000), W (no population, as a Welsh force).
# Collaborations:
#   1 touches A and B, tri-service, prevention, started 2015, reviewed 2024-03-01
#   2 touches A, police-fire, co-responding, started 2018, ended 2020-06-30
#   3 touches C, police-fire, prevention, no start date
#   4 touches W, tri-service, co-responding, started 2019
# Now (review since 2023-06-01):
#   counts A 2, B 1, C 1, W 1; rates A 1.0, B 1.0, C 0.25, W none.
#   mean rate 0.75; σ = √(((0.25)² + (0.25)² + (0.5)²) / 3) = √(0.375/3) = √0.125;
#   CV = √0.125 / 0.75 = 0.4714...
#   Gini: sorted 0.25, 1, 1; Σ(2i − n − 1)xᵢ = -2×0.25 + 0×1 + 2×1 = 1.5; / (3 × 2.25) = 0.2222...
#   no tri-service: C only, 1 of 4; no prevention: W, 1 of 4; no co-responding: B and C, 2 of 4;
#   no review since 2023-06-01: C and W (A and B have collaboration 1's), 2 of 4.

AREAS = [
    AreaInput("A", "Area A", {2019: 200_000}),
    AreaInput("B", "Area B", {2019: 100_000}),
    AreaInput("C", "Area C", {2019: 400_000}),
    AreaInput("W", "Area W"),
]
COLLABORATIONS = [
    CollaborationInput(
        1,
        frozenset({"A", "B"}),
        "tri_service",
        "prevention",
        "operational",
        D(2015, 4, 1),
        None,
        (D(2024, 3, 1),),
    ),
    CollaborationInput(
        2,
        frozenset({"A"}),
        "police_fire",
        "co_responding",
        "closed",
        D(2018, 1, 1),
        D(2020, 6, 30),
    ),
    CollaborationInput(3, frozenset({"C"}), "police_fire", "prevention", "idea"),
    CollaborationInput(
        4, frozenset({"W"}), "tri_service", "co_responding", "operational", D(2019, 9, 1)
    ),
]
NATURES = ("prevention", "co_responding", "shared_estates")


def test_the_picture_now() -> None:
    now = m.picture(AREAS, COLLABORATIONS, year=2019, review_since=D(2023, 6, 1), natures=NATURES)
    by_code = {a.code: a for a in now.areas}
    assert [by_code[c].collaborations for c in "ABCW"] == [2, 1, 1, 1]
    assert [by_code[c].rate for c in "ABCW"] == [1.0, 1.0, 0.25, None]
    assert by_code["A"].mixes == {"tri_service": 1, "police_fire": 1}
    assert by_code["A"].count("mix:police_fire") == 1
    assert by_code["A"].count("status:closed") == 1
    assert by_code["A"].count("collaborations") == 2
    assert now.rated == 3
    assert now.mean_rate == pytest.approx(0.75)
    assert now.cv == pytest.approx(math.sqrt(0.125) / 0.75)
    assert now.gini == pytest.approx(1.5 / 6.75)
    assert now.no_tri_service == pytest.approx(1 / 4)
    assert now.no_nature == {"prevention": 0.25, "co_responding": 0.5, "shared_estates": 1.0}
    assert now.no_review == pytest.approx(2 / 4)


def test_a_review_after_today_does_not_count() -> None:
    now = m.picture(
        AREAS, COLLABORATIONS, year=2019, review_since=D(2023, 6, 1), today=D(2024, 1, 1)
    )
    assert now.no_review == 1.0


# Year by year, by hand:
#   2015–2017: collaboration 1 only: A 1, B 1, C 0, W 0; rates 0.5, 1.0, 0;
#     mean 0.5; σ = √((0 + 0.25 + 0.25)/3) = √(1/6); CV = √(1/6)/0.5 = 0.8165...
#     Gini: sorted 0, 0.5, 1: (-2×0 + 0 + 2×1) / (3 × 1.5) = 0.4444...
#   2018: 1 and 2: A 2, B 1; rates 1.0, 1.0, 0: Gini (−2×0 + 0×1 + 2×1)/(3×2) = 1/3
#   2019, 2020: 1, 2 and 4 (2 ended mid-2020, so it counts in 2020; 4 in W from 2019)
#   2021: 1 and 4: like 2015 in A, B, C.
#   Collaboration 3 has no start date: in no year. Reviews: only 2024 (in A and B).


def test_year_by_year() -> None:
    series = m.years(AREAS, COLLABORATIONS, first=2015, last=2024, natures=NATURES)
    by_year = {y.year: y for y in series}
    assert [by_year[y].collaborations for y in (2015, 2017, 2018, 2019, 2020, 2021)] == [
        1,
        1,
        2,
        3,
        3,
        2,
    ]
    y2015 = by_year[2015].consistency
    assert [a.rate for a in y2015.areas] == [0.5, 1.0, 0.0, None]
    assert y2015.cv == pytest.approx(math.sqrt(1 / 6) / 0.5)
    assert y2015.gini == pytest.approx(2 / 4.5)
    assert y2015.no_tri_service == pytest.approx(2 / 4)  # C and W
    assert by_year[2019].consistency.no_tri_service == pytest.approx(1 / 4)  # C only
    assert by_year[2018].consistency.gini == pytest.approx(1 / 3)
    assert by_year[2021].consistency.gini == pytest.approx(y2015.gini)
    assert by_year[2023].consistency.no_review == 1.0
    assert by_year[2024].consistency.no_review == pytest.approx(2 / 4)  # C and W


def test_year_span() -> None:
    assert m.year_span(COLLABORATIONS, until=2026) == (2015, 2026)
    assert m.year_span([], until=2026) == (2026, 2026)


def test_active_in_a_year() -> None:
    c = CollaborationInput(1, frozenset(), "x", "y", "z", D(2018, 12, 31), D(2019, 1, 1))
    assert [c.active_in(y) for y in (2017, 2018, 2019, 2020)] == [False, True, True, False]
    assert not CollaborationInput(2, frozenset(), "x", "y", "z").active_in(2020)
