import io

import pytest
from openpyxl import load_workbook

from accord.core.spreadsheets import UnreadableFile, neutralise, read_rows, write_csv, write_xlsx


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_evaluate_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_ordinary_cells_are_left_alone() -> None:
    assert neutralise("Lincolnshire") == "Lincolnshire"
    assert neutralise(12) == 12


def test_csv_export_neutralises_and_reads_back() -> None:
    data = write_csv(["title"], [['=HYPERLINK("http://evil")']])
    header, rows = read_rows(data, "x.csv")
    assert header == ["title"]
    assert rows[0]["title"].startswith("'=")


@pytest.mark.parametrize(
    "row",
    [
        ["Lincolnshire", "fire", "=1+1"],  # all text: the fast check
        ["Lincolnshire", None, 12, "=1+1"],  # not all text: each cell checked
    ],
)
def test_csv_export_neutralises_a_formula_in_any_cell_of_a_row(row: list[object]) -> None:
    data = write_csv([f"c{i}" for i in range(len(row))], [row, ["plain"] * len(row)])
    _, rows = read_rows(data, "x.csv")
    assert rows[0][f"c{len(row) - 1}"] == "'=1+1"
    assert rows[0]["c0"] == "Lincolnshire"
    assert list(rows[1].values()) == ["plain"] * len(row)
    if None in row:
        assert rows[0]["c1"] == ""


def test_xlsx_export_keeps_the_header_first_and_the_marking_in_the_print_header() -> None:
    data = write_xlsx(["title"], [["@cmd"]], title="Collaborations", marking="OFFICIAL-SENSITIVE")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A1"].value == "title"
    assert sheet["A2"].value == "'@cmd"
    assert "OFFICIAL-SENSITIVE" in sheet.oddHeader.center.text


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly() -> None:
    with pytest.raises(UnreadableFile, match="not a readable XLSX"):
        read_rows(b"PK\x03\x04 not really a zip", "x.xlsx")
    with pytest.raises(UnreadableFile, match="not a CSV or XLSX"):
        read_rows(b"hello", "x.pdf")
