import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from accord.cli import main as accord
from accord.register import exports, importers
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db

HEADER = "reference,title,summary,research_area,nature,status,partners,started_on,champions\n"
GOOD_ROW = (
    "JACP2,Conveyance pilot,Fire crews convey patients,effective,co_responding,operational,"
    '"E31000025:lead; East Midlands Ambulance Service NHS Trust",2015-04-01,'
    '"Chief Fire Officer (E31000025)"\n'
)


def _problems(content: str | bytes, name: str = "upload.csv") -> list[str]:
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(importers.ImportFailed) as caught:
        importers.parse_file(data, name)
    return caught.value.problems


def _upload(client: Client, content: bytes, name: str) -> Any:
    return client.post(
        "/collaborations/import/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_a_good_csv_imports_every_row(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = _upload(client, (HEADER + GOOD_ROW).encode(), "good.csv")
    assert "Imported 1 collaborations" in response.content.decode()
    c = Collaboration.objects.get(reference="JACP2")
    assert c.service_mix == "fire_ambulance"
    assert c.started_on.isoformat() == "2015-04-01"
    assert c.champions.get().organisation.code == "E31000025"
    assert c.visibility == "partners"


def test_an_xlsx_imports_too(owner: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(next(csv.reader(io.StringIO(GOOD_ROW))))
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = importers.parse_file(buffer.getvalue(), "good.xlsx")
    assert rows[0].data.title == "Conveyance pilot"


def test_wrong_columns_are_named(owner: Any) -> None:
    problems = _problems("reference,titel,summary\nX,Y,Z\n")
    assert any("unknown column(s) titel" in p for p in problems)
    assert any("missing required column(s) title" in p for p in problems)


def test_an_unknown_organisation_is_named_with_a_suggestion() -> None:
    row = GOOD_ROW.replace("E31000025:lead", "Lincolnshire Fire and Rescu:lead")
    problems = _problems(HEADER + row)
    assert problems == [
        "Row 2, column partners: no organisation matches 'Lincolnshire Fire and Rescu'. "
        "Did you mean Lincolnshire Fire and Rescue (E31000025)?"
    ]


def test_bad_dates_and_choices_name_row_and_column() -> None:
    row = GOOD_ROW.replace("2015-04-01", "31/02/2015").replace("operational", "running")
    problems = _problems(HEADER + GOOD_ROW.replace("JACP2", "A1") + row.replace("JACP2", "A2"))
    assert "Row 3, column status: 'running' is not one of" in " ".join(problems)
    assert any(
        p.startswith("Row 3, column started_on: '31/02/2015' is not a date") for p in problems
    )
    assert not any(p.startswith("Row 2") for p in problems)


def test_duplicate_rows_are_refused() -> None:
    problems = _problems(HEADER + GOOD_ROW + GOOD_ROW)
    assert any("Row 3, column reference: 'JACP2' repeats row 2" in p for p in problems)


def test_a_reference_already_in_the_register_is_refused(make_collaboration: Any) -> None:
    c = make_collaboration()
    problems = _problems(HEADER + GOOD_ROW.replace("JACP2", c.reference))
    assert f"'{c.reference}' is already in the register" in problems[0]


def test_empty_files_and_non_spreadsheets_are_refused() -> None:
    assert _problems(b"") == ["upload.csv: the file is empty"]
    assert _problems(HEADER) == ["upload.csv: the file has a header but no rows"]
    assert "not a readable XLSX workbook" in _problems(b"%PDF-1.4 junk", "report.xlsx")[0]
    assert "not a CSV or XLSX" in _problems(b"%PDF-1.4 junk", "report.pdf")[0]


def test_nothing_is_written_when_any_row_is_bad(client: Client, owner: Any) -> None:
    client.force_login(owner)
    bad = GOOD_ROW.replace("JACP2", "B2").replace("co_responding", "teleportation")
    response = _upload(client, (HEADER + GOOD_ROW + bad).encode(), "mixed.csv")
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Row 3, column nature" in page
    assert not Collaboration.objects.exists()


def test_importing_rows_for_other_organisations_is_refused(client: Client, outsider: Any) -> None:
    client.force_login(outsider)
    page = _upload(client, (HEADER + GOOD_ROW).encode(), "good.csv").content.decode()
    assert "Row 2, column partners: Your organisation must be one of the partners" in page
    assert not Collaboration.objects.exists()


def test_readers_cannot_import(client: Client, colleague: Any) -> None:
    client.force_login(colleague)
    response = _upload(client, (HEADER + GOOD_ROW).encode(), "good.csv")
    assert response.status_code == 403
    assert "contributor role to import" in response.content.decode()
    assert not Collaboration.objects.exists()


def test_formula_injection_is_neutralised_in_exports(make_collaboration: Any) -> None:
    make_collaboration('=HYPERLINK("http://evil.example","click")', visibility="public")
    make_collaboration("+44 trick", visibility="public", summary="@SUM(1)")
    csv_text = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    titles = {row["title"] for row in csv.DictReader(io.StringIO(csv_text))}
    assert titles == {'\'=HYPERLINK("http://evil.example","click")', "'+44 trick"}
    sheet = load_workbook(io.BytesIO(exports.render(Collaboration.objects.all(), "xlsx"))).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'@SUM(1)" in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in cells)


def test_an_export_imports_again_elsewhere(make_collaboration: Any, tmp_path: Path) -> None:
    c = make_collaboration(visibility="public")
    data = exports.render(Collaboration.objects.all(), "csv")
    text = data.decode("utf-8-sig")
    # Drop the export-only columns and rename the record, as someone moving it would.
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for extra in ("service_mix", "archived", "updated_at"):
            row.pop(extra)
        row["reference"] = "COPY-1"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    parsed = importers.parse_file(out.getvalue().encode(), "copy.csv")
    assert parsed[0].data.title == c.title
    assert [o.code for o, _ in parsed[0].data.partners] == ["E31000025", "RX9"]


def test_the_protective_marking_follows_the_records_visibility(make_collaboration: Any) -> None:
    make_collaboration(visibility="public")
    document = json.loads(exports.render(Collaboration.objects.all(), "json"))
    # Public records only: published to anyone, so not marked as if they were more.
    assert document["protective_marking"] == "OFFICIAL"
    assert document["count"] == 1
    assert document["records"][0]["protective_marking"] == "OFFICIAL"
    make_collaboration(visibility="partners")
    document = json.loads(exports.render(Collaboration.objects.all(), "json"))
    assert document["protective_marking"] == "OFFICIAL-SENSITIVE"
    by_visibility = {r["visibility"]: r["protective_marking"] for r in document["records"]}
    assert by_visibility == {"public": "OFFICIAL", "partners": "OFFICIAL-SENSITIVE"}
    sheet = load_workbook(
        io.BytesIO(exports.render(Collaboration.objects.all(), "xlsx")), read_only=False
    ).worksheets[0]
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    lines = list(
        csv.DictReader(
            io.StringIO(exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig"))
        )
    )
    assert sorted(r["protective_marking"] for r in lines) == ["OFFICIAL", "OFFICIAL-SENSITIVE"]


def test_an_export_imports_again_as_it_is(make_collaboration: Any) -> None:
    """The labels beside the codes, the marking and what Accord keeps for itself are passed over
    by the import: the file a person downloads is one they can import elsewhere."""
    make_collaboration(visibility="public", reference="ORIGINAL-1")
    data = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    parsed = importers.parse_file(data.replace("ORIGINAL-1", "COPY-1").encode(), "copy.csv")
    assert [row.data.reference for row in parsed] == ["COPY-1"]


def test_the_templates_download_with_every_column(client: Client) -> None:
    text = client.get("/collaborations/import/template.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == list(importers.COLUMN_NAMES)
    sheet = load_workbook(io.BytesIO(client.get("/collaborations/import/template.xlsx").content))
    assert [c.value for c in sheet.active[1]] == list(importers.COLUMN_NAMES)


def test_command_line_import_is_all_or_nothing(tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROW)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD_ROW.replace("JACP2", "X1") + GOOD_ROW.replace("2015", "20xx"))
    assert accord(["import", "collaborations", str(bad)]) == 2
    assert "Row 3, column started_on" in capsys.readouterr().err
    assert not Collaboration.objects.exists()
    assert accord(["import", "collaborations", str(good)]) == 0
    assert Collaboration.objects.get().reference == "JACP2"


def test_command_line_import_as_a_user_checks_their_permission(
    tmp_path: Path, outsider: Any, capsys: Any
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROW)
    assert accord(["import", "collaborations", str(good), "--as", outsider.email]) == 2
    assert "must be one of the partners" in capsys.readouterr().err


def test_every_import_column_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "register.md").read_text()
    assert [name for name in importers.COLUMN_NAMES if f"`{name}`" not in doc] == []


def test_every_problem_is_listed_at_once_even_in_rows_with_several() -> None:
    bad = GOOD_ROW.replace("operational", "running")
    problems = _problems(HEADER.replace("\n", ",colour\n") + bad.replace("\n", ",red\n") * 2)
    assert any(p.startswith("Header: unknown column(s) colour") for p in problems)
    assert "Row 2, column status: 'running' is not one of" in " ".join(problems)
    assert any("Row 3, column reference: 'JACP2' repeats row 2" in p for p in problems)
    assert any("Row 3, column title: the same title and partners as row 2" in p for p in problems)


def test_row_numbers_are_the_lines_a_person_sees_blank_lines_and_all() -> None:
    problems = _problems(HEADER + "\n\n" + GOOD_ROW.replace("operational", "running"))
    assert problems[0].startswith("Row 4, column status")


def test_named_visibility_needs_the_named_organisations() -> None:
    header = HEADER.replace("\n", ",visibility\n")
    problems = _problems(header + GOOD_ROW.replace("\n", ",named\n"))
    assert problems == [
        "Row 2, column named_organisations: is required when visibility is named: list the "
        "organisations that may see it"
    ]
