"""Hostile files: each is built here (small: a deflate bomb is a small zip), run through the
reader, `accord import collaborations`, `accord appraise` and the import page, and must be
refused with one plain message naming the file and the reason, quickly, with nothing written.

A hostile file exits 1 (refused outright); a file that was read but is wrong still exits 2.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from accord.appraisal.appraisal_file import TEMPLATE
from accord.cli import main as accord
from accord.core import safe_yaml
from accord.core.problems import Problems
from accord.core.spreadsheets import read_rows, write_xlsx
from accord.core.text import first_control_character
from accord.register.models import Collaboration

HEADER = "reference,title,summary,research_area,nature,status,partners\n"
ROW = "HOST1,Hostile,A summary,effective,co_responding,operational,E31000025:lead\n"


def _workbook(rows: list[list[Any]], far_row: int | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if far_row is not None:
        sheet.cell(row=far_row, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _without_dimension(data: bytes) -> bytes:
    # A sheet that does not state its size, so only counting the rows can stop it.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension ref=\"[^\"]*\" />", b"", body)
            target.writestr(member.filename, body)
    return out.getvalue()


def _deflate_bomb() -> bytes:
    data = _workbook([["title"], ["a"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member.filename))
        # 200 MB of one letter deflates to about 200 KB.
        strings = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            + b"A" * 200_000_000
            + b"</t></si></sst>"
        )
        target.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def _alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_SPREADSHEETS = {
    "far-rows.xlsx": (
        lambda: _workbook([["title"], ["a"]], far_row=1_048_576),
        "the sheet reaches row 1,048,576",
    ),
    "far-rows-unstated.xlsx": (
        lambda: _without_dimension(_workbook([["title"], ["a"]], far_row=1_048_576)),
        "more than 100,000 rows",
    ),
    "bomb.xlsx": (_deflate_bomb, "(a compression bomb?)"),
    "long-field.csv": (
        lambda: (HEADER + "x" * 200_000 + "\n").encode(),
        "line 2 has a field longer than 100,000 characters",
    ),
    "nul.csv": (
        lambda: (HEADER + ROW.replace("Hostile", "Host\x00ile")).encode(),
        "nul.csv: Row 2, column title: contains a NUL byte",
    ),
    "utf16.csv": (
        lambda: (HEADER + ROW).encode("utf-16"),
        "the file is UTF-16 text: save it as CSV UTF-8",
    ),
    "bom-1252.csv": (
        lambda: b"\xef\xbb\xbf" + (HEADER + ROW.replace("A summary", "£5")).encode("cp1252"),
        "starts with a UTF-8 byte-order mark but its text is not UTF-8",
    ),
    "digits.csv": (
        lambda: (HEADER.strip() + ",funding_amount\n" + ROW.strip() + "," + "9" * 5000).encode(),
        "is not an amount in pounds (at most 12 digits)",
    ),
}


# The amount is judged by the register's importer, not the reader.
@pytest.mark.parametrize("name", [n for n in HOSTILE_SPREADSHEETS if n != "digits.csv"])
def test_the_reader_refuses_each_hostile_spreadsheet(name: str) -> None:
    build, reason = HOSTILE_SPREADSHEETS[name]
    with pytest.raises(Problems) as caught:
        read_rows(build(), name)
    assert len(caught.value.problems) == 1
    assert reason in caught.value.problems[0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_SPREADSHEETS)
def test_accord_import_collaborations_refuses_each_and_writes_nothing(
    name: str, tmp_path: Path, capsys: Any
) -> None:
    build, reason = HOSTILE_SPREADSHEETS[name]
    path = tmp_path / name
    path.write_bytes(build())
    assert accord(["import", "collaborations", str(path)]) == 1
    err = capsys.readouterr().err
    assert reason in err
    assert "Traceback" not in err
    assert not Collaboration.objects.filter(reference="HOST1").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_SPREADSHEETS)
def test_the_import_page_refuses_each_and_writes_nothing(
    name: str, client: Client, owner: Any
) -> None:
    build, reason = HOSTILE_SPREADSHEETS[name]
    client.force_login(owner)
    before = Collaboration.objects.count()
    response = client.post(
        "/collaborations/import/", {"file": SimpleUploadedFile(name, build())}, follow=True
    )
    assert response.status_code == 200
    assert reason in html.unescape(response.content.decode())
    assert Collaboration.objects.count() == before


HOSTILE_YAML = {
    "alias-bomb.yaml": (_alias_bomb, "its aliases expand to more than 1,000,000 values"),
    "deep.yaml": (lambda: "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "nests deeper than 100"),
    "digits.yaml": (
        lambda: TEMPLATE.replace("price_year:", "price_year: " + "9" * 5000 + "\nx:", 1),
        "a number of 5,000 digits",
    ),
    "forever.yaml": (
        lambda: re.sub(r"(?m)^years: 5", "years: 100000", TEMPLATE),
        "years: must be at most 200 (the Green Book's longest horizon in Accord)",
    ),
}


@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_accord_appraise_refuses_each_hostile_yaml(name: str, tmp_path: Path, capsys: Any) -> None:
    build, reason = HOSTILE_YAML[name]
    path = tmp_path / name
    path.write_text(build(), encoding="utf-8")
    assert accord(["appraise", str(path)]) == 1
    captured = capsys.readouterr()
    assert reason in captured.err
    assert str(path) in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_the_template_still_appraises_so_the_limits_refuse_only_hostile_files(
    tmp_path: Path,
) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    assert accord(["appraise", str(path), "--iterations", "100"]) == 0


def test_safe_yaml_keeps_ordinary_aliases_and_numbers() -> None:
    assert safe_yaml.load("a: &x [1, 2]\nb: *x\nc: 0x1F\nd: 1_000\n") == {
        "a": [1, 2],
        "b": [1, 2],
        "c": 31,
        "d": 1000,
    }


def test_safe_yaml_refuses_a_file_over_the_import_limit() -> None:
    with pytest.raises(safe_yaml.YamlRefused, match="larger than 1 KB"):
        safe_yaml.load("a: " + "x" * 2000, max_bytes=1024)


def test_a_spreadsheet_over_the_import_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(Problems, match=r"big.csv: the file is 2 KB, larger than .* 1 KB"):
        read_rows((HEADER + "x" * 2000).encode(), "big.csv", max_bytes=1024)


def test_windows_1252_without_a_mark_is_still_read() -> None:
    _header, rows = read_rows((HEADER + ROW.replace("A summary", "£5")).encode("cp1252"), "a.csv")
    assert rows[0]["summary"] == "£5"


def test_a_control_character_in_stored_text_does_not_break_the_excel_export() -> None:
    data = write_xlsx(["title"], [["Bad\x01title"]], title="Collaborations", marking="OFFICIAL")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == "Badtitle"


def test_the_rule_for_forms_allows_tab_and_newline_only() -> None:
    assert first_control_character("a\tb\r\nc") is None
    assert first_control_character("a\x01b") == "\x01"
    assert first_control_character("a\x00b") == "\x00"


@pytest.mark.django_db
def test_the_register_form_refuses_a_control_character() -> None:
    from accord.register.forms import CollaborationForm

    form = CollaborationForm(data={"title": "Bad\x01title", "summary": "fine\ttext\nhere"})
    assert not form.is_valid()
    assert "control character (U+0001)" in str(form.errors["title"])
    assert "summary" not in form.errors


@pytest.mark.django_db
def test_an_alias_bomb_uploaded_as_an_appraisal_or_a_framework_is_refused(
    platform_admin: Any,
) -> None:
    """The upload pages' YAML goes through the same guarded reader as the command line."""
    from accord.appraisal import services as appraisal_services
    from accord.assessments import services as assessment_services
    from accord.assessments.models import FrameworkVersion

    with pytest.raises(Problems, match="alias"):
        appraisal_services.parse_yaml_text(_alias_bomb())
    before = FrameworkVersion.objects.count()
    with pytest.raises(Problems, match="alias"):
        assessment_services.add_framework(platform_admin, _alias_bomb(), "bomb.yaml")
    assert FrameworkVersion.objects.count() == before


# The exit status tells a script which kind of bad input it met: 1, the file is refused
# outright (hostile or unreadable); 2, it was read and its content needs fixing.


@pytest.mark.django_db
def test_an_ordinary_mistake_in_an_import_still_exits_2(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text(HEADER + ROW.replace("operational", "sideways"), encoding="utf-8")
    assert accord(["import", "collaborations", str(path)]) == 2
    assert "sideways" in capsys.readouterr().err
    assert not Collaboration.objects.filter(reference="HOST1").exists()


@pytest.mark.django_db
def test_an_import_larger_than_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, capsys: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes((HEADER + ROW * 20_000).encode())
    assert accord(["import", "collaborations", str(path)]) == 1
    err = capsys.readouterr().err
    assert "larger than the import limit of 1 MB" in err
    assert "Traceback" not in err


def test_an_ordinary_mistake_in_an_appraisal_still_exits_2(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(re.sub(r"(?m)^years: 5", "years: -5", TEMPLATE), encoding="utf-8")
    assert accord(["appraise", str(path)]) == 2
    assert "years" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("encoding", "said"),
    [("utf-16", "the file is UTF-16 text: save it as UTF-8"), ("cp1252", "Windows-1252")],
)
def test_an_appraisal_in_another_encoding_names_the_one_found_and_the_one_wanted(
    encoding: str, said: str, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "other.yaml"
    path.write_bytes(TEMPLATE.replace("title:", "title: £", 1).encode(encoding))
    assert accord(["appraise", str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err


def test_an_appraisal_larger_than_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ACCORD_IMPORT_MAX_MB", "1")
    path = tmp_path / "big.yaml"
    path.write_text(TEMPLATE + "#" * (2 * 1024 * 1024), encoding="utf-8")
    assert accord(["appraise", str(path)]) == 1
    assert "larger than the import limit of 1 MB" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["alias-bomb.yaml", "deep.yaml", "digits.yaml"])
def test_accord_assess_score_refuses_a_hostile_framework_with_1(
    name: str, tmp_path: Path, capsys: Any
) -> None:
    build, reason = HOSTILE_YAML[name]
    framework = tmp_path / name
    framework.write_text(build(), encoding="utf-8")
    responses = tmp_path / "responses.csv"
    responses.write_text("respondent,organisation,level\n", encoding="utf-8")
    assert accord(["assess", "score", str(framework), str(responses)]) == 1
    err = capsys.readouterr().err
    assert reason in err
    assert "Traceback" not in err


def test_accord_assess_score_refuses_utf16_responses_naming_the_encoding(
    tmp_path: Path, capsys: Any
) -> None:
    responses = tmp_path / "responses.csv"
    responses.write_bytes("respondent,organisation,level\n".encode("utf-16"))
    assert accord(["assess", "score", "collaboration-factors", str(responses)]) == 1
    assert "the file is UTF-16 text: save it as CSV UTF-8" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/collaborations/import/", "/assessments/frameworks/"],
)
def test_upload_pages_refuse_a_file_over_the_limit_before_reading_it(
    url: str, client: Client, platform_admin: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_MB = 1
    client.force_login(platform_admin)
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    response = client.post(url, {"file": big}, follow=True)
    assert response.status_code == 200
    assert "larger than the import limit of 1 MB" in html.unescape(response.content.decode())


@pytest.mark.django_db
def test_the_appraisal_upload_names_the_encoding_found_and_the_one_wanted(
    client: Client, owner: Any
) -> None:
    from tests.support.factories import CollaborationFactory

    collaboration = CollaborationFactory(actor=owner)
    client.force_login(owner)
    response = client.post(
        f"/appraisals/for/{collaboration.reference}/upload/",
        {"file": SimpleUploadedFile("a.yaml", TEMPLATE.encode("utf-16")), "text": ""},
    )
    assert "the file is UTF-16 text: save it as UTF-8" in html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_YAML)
def test_the_appraisal_upload_page_refuses_each_hostile_yaml_and_saves_nothing(
    name: str, client: Client, owner: Any
) -> None:
    from tests.support.factories import CollaborationFactory

    from accord.appraisal.models import Appraisal

    build, reason = HOSTILE_YAML[name]
    collaboration = CollaborationFactory(actor=owner)
    client.force_login(owner)
    response = client.post(
        f"/appraisals/for/{collaboration.reference}/upload/",
        {"file": SimpleUploadedFile(name, build().encode()), "text": ""},
    )
    assert response.status_code == 200
    assert reason in html.unescape(response.content.decode())
    assert not Appraisal.objects.exists()
