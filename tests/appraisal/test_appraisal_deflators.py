"""GDP deflator uplift and benefits realisation: pure functions, worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from accord.appraisal.deflators import (
    DEFAULT_TABLE_FILE,
    DeflatorError,
    factor,
    financial_year_label,
    load_table,
    parse_ons_series,
    parse_table,
    read_ons_file,
    table_csv,
    uplift,
)
from accord.appraisal.realisation import realisation_rows

ONS_FILE = "ons_gdp_deflator_ybgb.csv"
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


def test_a_table_is_read_with_its_source_and_release_date() -> None:
    table = parse_table(
        "# ONS, GDP deflators\n# release X\n# release_date: 2025-06-30\nyear,label,index\n"
        "2022,2022-23,95.0\n2023,2023-24,100\n2024,2024-25,104\n"
    )
    assert table.index == {2022: 95.0, 2023: 100.0, 2024: 104.0}
    assert table.source == "ONS, GDP deflators release X"
    assert table.release_date == dt.date(2025, 6, 30)
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


def test_the_shipped_table_is_the_ons_series_by_financial_year() -> None:
    table = load_table()
    # Every financial year whose four quarters ONS has published: 1955-56 (1955 Q2 is the
    # first full year from April) to 2024-25 (2025 Q1 is the newest quarter).
    assert table.years == list(range(1955, 2025))
    assert "Office for National Statistics, series YBGB" in table.source
    assert table.release_date == dt.date(2025, 6, 30)
    assert "written down by the developer" not in table.source  # no caveat: it is the series
    # 2022-23 is the mean of 2022 Q2, Q3, Q4 and 2023 Q1 as the file gives them:
    # (99.1 + 100.7 + 103.2 + 105.0) / 4 = 408.0 / 4 = 102.0.
    assert table[2022] == 102.0
    # 2015-16: (83.2 + 83.5 + 83.9 + 84.4) / 4 = 83.75; 2019-20: (90.2 + 90.6 + 91.1 + 91.9) / 4.
    assert table[2015] == 83.75 and table[2019] == 90.95
    assert financial_year_label(2016) == "2016-17"
    assert financial_year_label(2099) == "2099-00"


def test_the_shipped_table_is_computed_from_the_ons_file(shared_data: Path) -> None:
    # Not typed: the shipped file is exactly what the module writes from the series.
    series = read_ons_file(shared_data / ONS_FILE)
    assert DEFAULT_TABLE_FILE.read_text(encoding="utf-8") == table_csv(series)


def test_the_ons_file_is_read_as_published(shared_data: Path) -> None:
    series = read_ons_file(shared_data / ONS_FILE)
    assert (series.cdid, series.dataset) == ("YBGB", "UKEA")
    assert series.release_date == dt.date(2025, 6, 30)
    assert series.annual[2022] == Decimal("100.0") and series.annual[1948] == Decimal("2.7")
    assert series.quarters[(2025, 1)] == Decimal("114.1")
    assert len(series.annual) == 77 and len(series.quarters) == 281
    fy = series.financial_years()
    # 2023-24 = 2023 Q2 … 2024 Q1: (106.8 + 107.8 + 108.0 + 109.3) / 4 = 431.9 / 4 = 107.975.
    assert fy[2023] == Decimal("107.975")
    quarters = [series.quarters[q] for q in ((2023, 2), (2023, 3), (2023, 4), (2024, 1))]
    assert quarters == [Decimal(x) for x in ("106.8", "107.8", "108.0", "109.3")]
    assert 2025 not in fy  # 2025-26 has one quarter so far


ONS_HEAD = (
    '"Title","Gross domestic product at market prices:Implied deflator:SA"\n'
    '"CDID","YBGB"\n"Source dataset ID","UKEA"\n"PreUnit","£"\n"Unit","m"\n'
    '"Release date","30-06-2025"\n"Next release","30 September 2025"\n"Important notes",\n'
)


def test_a_small_series_by_hand() -> None:
    text = ONS_HEAD + (
        '"2022","100.0"\n"2022 Q1","97.0"\n"2022 Q2","99.1"\n"2022 Q3","100.7"\n'
        '"2022 Q4","103.2"\n"2023 Q1","105.0"\n"2023 Q2","106.8"\n'
    )
    series = parse_ons_series(text, "small.csv")
    assert series.financial_years() == {2022: Decimal("102.0")}
    assert series.table().index == {2022: 102.0}


def test_a_bad_file_names_every_problem_by_its_line() -> None:
    text = ONS_HEAD.replace('"YBGB"', '"L55O"') + (
        '"2022 Q1","97.0"\n'  # line 9
        '"2022 Q2","n/a"\n'  # line 10
        '"2022 Q2","99.1"\n'  # line 11: twice
        '"Twenty23","1"\n'  # line 12
        '"2022 Q3","-4"\n'  # line 13
    )
    with pytest.raises(DeflatorError) as info:
        parse_ons_series(text, "bad.csv")
    problems = [str(p) for p in info.value.problems]
    assert (
        "bad.csv: Line 10: the index for 2022 Q2 must be a positive number, got 'n/a'" in problems
    )
    assert "bad.csv: Line 11: 2022 Q2 appears twice (first on line 10)" in problems
    assert any(p.startswith("bad.csv: Line 12: expected a period such as 2024") for p in problems)
    assert "bad.csv: Line 13: the index for 2022 Q3 must be a positive number, got '-4'" in problems
    assert (
        "bad.csv: Line 2: this is series L55O, not YBGB (GDP at market prices, implied deflator)"
        in problems
    )
    assert [p.row for p in info.value.problems] == [10, 11, 12, 13, 2]


def test_a_file_with_no_release_date_or_gaps_is_refused() -> None:
    text = ONS_HEAD.replace('"30-06-2025"', '"soon"') + '"2022 Q1","97.0"\n"2022 Q3","99"\n'
    with pytest.raises(DeflatorError) as info:
        parse_ons_series(text)
    problems = [str(p) for p in info.value.problems]
    assert "Line 6: needs the release date, such as 30-06-2025; got 'soon'" in problems
    assert "the quarters have gaps: 2022 Q2 missing" in problems


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
