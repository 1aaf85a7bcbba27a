"""GDP deflator uplift and benefits realisation: pure functions, worked by hand."""

from __future__ import annotations

import pytest

from accord.appraisal.deflators import (
    DeflatorError,
    factor,
    financial_year_label,
    load_table,
    parse_table,
    uplift,
)
from accord.appraisal.realisation import realisation_rows

TABLE = {2015: 80.0, 2016: 82.0, 2020: 90.0, 2023: 100.0}


def test_uplift_multiplies_by_the_ratio_of_the_indices() -> None:
    # £1,000 in 2015 prices, in 2023 prices: 1000 × 100 / 80 = 1250.
    assert uplift(1000, 2015, 2023, TABLE) == pytest.approx(1250.0)
    # And back down: £1,250 in 2023 prices is £1,000 in 2015 prices.
    assert uplift(1250, 2023, 2015, TABLE) == pytest.approx(1000.0)
    # 2016 to 2020: 82 → 90, so £410 becomes 410 × 90 / 82 = £450.
    assert uplift(410, 2016, 2020, TABLE) == pytest.approx(450.0)


def test_the_same_year_changes_nothing_and_factors_chain() -> None:
    assert uplift(123.45, 2016, 2016, TABLE) == 123.45
    assert factor(2015, 2016, TABLE) * factor(2016, 2023, TABLE) == pytest.approx(
        factor(2015, 2023, TABLE)
    )


def test_a_year_outside_the_table_is_named() -> None:
    with pytest.raises(
        DeflatorError, match=r"no GDP deflator for 2009 \(the table covers 2015 to 2023\)"
    ):
        uplift(1, 2009, 2023, TABLE)


def test_a_table_is_read_with_its_source_and_forecasts() -> None:
    table = parse_table(
        "# HM Treasury, GDP deflators\n# release X\nyear,label,index,status\n"
        "2022,2022-23,95.0,outturn\n2023,2023-24,100,outturn\n2024,2024-25,104,forecast\n"
    )
    assert table.index == {2022: 95.0, 2023: 100.0, 2024: 104.0}
    assert table.source == "HM Treasury, GDP deflators release X"
    assert table.forecast_years == frozenset({2024})
    assert uplift(95, 2022, 2024, table) == pytest.approx(104.0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("year,index\n2020,abc\n", "Row 2: needs a year and an index"),
        ("year,index\n2020,0\n", "Row 2: the index must be positive"),
        ("year,index\n2020,1\n2020,2\n", "Row 3: year 2020 appears twice"),
        ("year,index\n", "the table has no rows"),
    ],
)
def test_a_bad_table_is_refused_with_its_row(text: str, reason: str) -> None:
    with pytest.raises(DeflatorError, match=reason):
        parse_table(text)


def test_the_shipped_table_covers_2010_to_2025_and_names_its_source() -> None:
    table = load_table()
    assert set(range(2010, 2026)) <= set(table.years)
    assert "HM Treasury" in table.source and "GDP deflators at market prices" in table.source
    assert table[2023] == 100.0  # the reference year of the release followed
    assert all(table[y] < table[y + 1] for y in range(2010, 2025))  # prices rose every year
    assert financial_year_label(2016) == "2016-17"
    assert financial_year_label(2099) == "2099-00"


def test_realisation_gap_and_cumulative_gap_by_hand() -> None:
    rows = realisation_rows([0.0, 100.0, 200.0, 300.0], {1: 80.0, 2: 250.0})
    assert [r.realised for r in rows] == [None, 80.0, 250.0, None]
    assert [r.gap for r in rows] == [None, -20.0, 50.0, None]
    assert [r.cumulative_forecast for r in rows] == [0.0, 100.0, 300.0, 600.0]
    # Year 0 has no record: nothing realised. Cumulative runs to year 2, the last recorded.
    assert [r.cumulative_realised for r in rows] == [0.0, 80.0, 330.0, None]
    assert [r.cumulative_gap for r in rows] == [0.0, -20.0, 30.0, None]


def test_realisation_with_nothing_recorded_has_no_gaps() -> None:
    rows = realisation_rows([10.0, 20.0], {})
    assert all(r.gap is None and r.cumulative_gap is None for r in rows)
    assert realisation_rows([10.0], {5: 1.0})[0].cumulative_gap is None  # year out of range
