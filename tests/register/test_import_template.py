"""The import template: drop-down lists for coded columns, a message for every column, and an
example row that is marked as one, matches no demo record, and is never imported."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from accord.core.spreadsheets import ColumnGuide, read_rows, write_xlsx
from accord.register import importers
from accord.register.demo import DEMO_FILE
from accord.register.import_template import CODED, template
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db

XLSX = "/collaborations/import/template.xlsx"
CSV = "/collaborations/import/template.csv"


def _workbook(client: Client) -> Workbook:
    response = client.get(XLSX)
    assert response.status_code == 200
    assert 'filename="collaborations-template.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def _validations(sheet: Any) -> dict[str, Any]:
    """Each column's data validation, by the column's name in the header."""
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        found[header[letter]] = validation
    return found


def _offered(workbook: Workbook, validation: Any) -> list[str]:
    """The values a list validation's drop-down offers: inline, or from its range."""
    formula = validation.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.split("!")
    return [row[0].value for row in workbook[sheet_name.strip("'")][cells.replace("$", "")]]


def _upload(client: Client, content: bytes, name: str) -> str:
    response = client.post(
        "/collaborations/import/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    return response.content.decode()


def test_every_coded_column_has_a_drop_down_of_the_values_the_import_accepts(
    client: Client,
) -> None:
    workbook = _workbook(client)
    sheet = workbook.worksheets[0]
    validations = _validations(sheet)
    assert set(CODED) == {
        "research_area",
        "nature",
        "status",
        "services",
        "written_agreement",
        "visibility",
    }
    for name, coded in CODED.items():
        validation = validations[name]
        assert validation.type == "list", name
        letter = get_column_letter(importers.COLUMN_NAMES.index(name) + 1)
        assert str(validation.sqref).startswith(f"{letter}2:"), name
        offered = _offered(workbook, validation)
        assert offered == [code for code, _ in coded.values], name
        # Typing something else is refused where a cell takes one code, questioned where it
        # may combine them.
        assert validation.errorStyle == ("stop" if coded.strict else "warning"), name
    assert "co_responding" in _offered(workbook, validations["nature"])
    assert _offered(workbook, validations["written_agreement"]) == ["yes", "no", "not known"]
    assert "fire; ambulance" in _offered(workbook, validations["services"])


def test_every_value_a_drop_down_offers_imports(client: Client) -> None:
    """A row with each offered value, the rest of the row the template's example, is read
    without a problem in that column."""
    header = list(importers.COLUMN_NAMES)
    base = {c.name: c.example for c in importers.COLUMNS}
    base.update(reference="", title="Offered value check")
    for name, coded in CODED.items():
        for code, _ in coded.values:
            row = {**base, name: code}
            if name == "visibility" and code == "named":
                row["named_organisations"] = "E31000025"
            out = io.StringIO()
            csv.writer(out).writerows([header, [row[h] for h in header]])
            parsed = importers.parse_file(out.getvalue().encode(), "offered.csv")
            assert len(parsed) == 1, (name, code)


def test_every_column_explains_itself_within_excels_limits(client: Client) -> None:
    sheet = _workbook(client).worksheets[0]
    validations = _validations(sheet)
    assert set(validations) == set(importers.COLUMN_NAMES)
    for column in importers.COLUMNS:
        validation = validations[column.name]
        assert validation.showInputMessage, column.name
        assert validation.promptTitle.startswith(column.name)
        assert ("(required)" in validation.promptTitle) == column.required
        assert 0 < len(validation.prompt) <= 255 and len(validation.promptTitle) <= 32
        assert validation.error is None or len(validation.error) <= 225
    # A code's meaning is beside it where the message has room; the Guide sheet has them all.
    assert "efficient: Efficient services" in validations["research_area"].prompt
    assert "Guide sheet" in validations["nature"].prompt
    assert "Organisations sheet" in validations["partners"].prompt


def test_the_workbook_has_a_guide_and_the_codes_it_needs(client: Client) -> None:
    workbook = _workbook(client)
    assert workbook.sheetnames[0] == "Collaborations"
    assert {"Guide", "Organisations", "Areas", "About"} <= set(workbook.sheetnames)
    guide = {row[0]: row for row in workbook["Guide"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == set(importers.COLUMN_NAMES)
    assert "co_responding: First response and co-responding" in str(guide["nature"][3])
    assert guide["title"][1] == "yes" and guide["notes"][1] == "no"
    codes = {row[0]: row[1] for row in workbook["Organisations"].iter_rows(values_only=True)}
    assert codes["E31000025"] == "Lincolnshire Fire and Rescue"
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert "EXAMPLE-DELETE-ME" in str(about["The example row"])
    # Its example is a partners-only record, as what it is filled with is: marked so.
    assert about["Protective marking"] == "OFFICIAL-SENSITIVE"
    header = workbook.worksheets[0].oddHeader
    assert header is not None and header.center.text == "OFFICIAL-SENSITIVE"


def test_the_import_reads_the_first_sheet_and_nothing_else(client: Client) -> None:
    header, rows = read_rows(client.get(XLSX).content, "template.xlsx")
    assert header == list(importers.COLUMN_NAMES)
    assert len(rows) == 1 and rows[0]["reference"] == importers.EXAMPLE_REFERENCE


def test_a_long_list_goes_on_a_hidden_lists_sheet_and_a_short_one_inline() -> None:
    long_choices = tuple(f"choice_number_{i:02d}_of_a_long_list" for i in range(12))
    assert len(",".join(long_choices)) > 255
    data = write_xlsx(
        ["kind", "size", "note"],
        [["choice_number_00_of_a_long_list", "small", ""]],
        title="Things",
        marking="OFFICIAL",
        guides={
            "kind": ColumnGuide("kind", "What kind it is.", long_choices),
            "size": ColumnGuide("size", "How big.", ("small", "large")),
            "note": ColumnGuide("note", "Anything."),
        },
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Things", "About", "Lists"]
    assert workbook["Lists"].sheet_state == "hidden"
    assert workbook.active is not None and workbook.active.title == "Things"
    validations = _validations(workbook["Things"])
    assert validations["kind"].formula1 == "'Lists'!$A$1:$A$12"
    assert _offered(workbook, validations["kind"]) == list(long_choices)
    assert validations["size"].formula1 == '"small,large"'
    assert validations["note"].type is None and validations["note"].prompt == "Anything."
    header, rows = read_rows(data, "things.xlsx")
    assert header == ["kind", "size", "note"] and len(rows) == 1


def test_a_message_longer_than_excel_shows_is_refused_when_the_template_is_built() -> None:
    with pytest.raises(ValueError, match="at most 255"):
        ColumnGuide("kind", "x" * 256)
    with pytest.raises(ValueError, match="over 32"):
        ColumnGuide("a title longer than thirty-two characters", "x")


def test_the_example_row_matches_no_demo_record() -> None:
    demo = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    references = {item["reference"].casefold() for item in demo}
    titles = {item["title"].casefold() for item in demo}
    example = {c.name: c.example for c in importers.COLUMNS}
    assert example["reference"] == "EXAMPLE-DELETE-ME"
    assert example["reference"].casefold() not in references
    assert example["title"].casefold() not in titles
    assert "example" in example["title"].casefold()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_untouched_template_is_refused_saying_to_delete_the_example(
    client: Client, owner: Any, fmt: str
) -> None:
    client.force_login(owner)
    page = _upload(client, template(fmt), f"collaborations-template.{fmt}")
    assert "Nothing was imported" in page
    assert "Row 2, column reference: is the template&#x27;s example row: delete the row" in page
    assert not Collaboration.objects.exists()


def test_the_example_title_kept_under_a_new_reference_is_refused_too() -> None:
    text = template("csv").decode("utf-8-sig").replace("EXAMPLE-DELETE-ME", "MY-OWN")
    with pytest.raises(importers.ImportFailed) as caught:
        importers.parse_file(text.encode(), "mine.csv")
    assert [p.field for p in caught.value.problems] == ["title"]
    assert "the template's example row" in caught.value.problems[0]


def test_the_example_row_made_ones_own_imports(client: Client, owner: Any) -> None:
    """The example shows a row the import accepts: given a title and reference of its own,
    it imports as it stands."""
    text = (
        template("csv")
        .decode("utf-8-sig")
        .replace("EXAMPLE-DELETE-ME", "CONVEY-PILOT")
        .replace(importers.EXAMPLE_TITLE, "Conveyance pilot")
    )
    client.force_login(owner)
    page = _upload(client, text.encode(), "mine.csv")
    assert "Imported 1 collaborations" in page
    record = Collaboration.objects.get()
    assert record.reference == "CONVEY-PILOT" and record.visibility == "partners"
    assert record.has_written_agreement is None


def test_the_csv_template_has_the_header_and_the_example(client: Client) -> None:
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == list(importers.COLUMN_NAMES)
    assert lines[1] == [c.example for c in importers.COLUMNS]
    assert client.get("/collaborations/import/template.pdf").status_code == 404
