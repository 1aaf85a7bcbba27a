"""`accord assess score`: JSON shape, readable tables, and bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from accord.assessments.framework import SHIPPED_DIR, load_framework
from accord.assessments.score_cli import main

# Version 1, by its file: the id alone names the latest version.
FRAMEWORK = SHIPPED_DIR / "collaboration-factors.yaml"
ITEMS = load_framework(FRAMEWORK).item_ids


def write_csv(path: Path, rows: list[tuple[str, str, str, list[str]]]) -> Path:
    lines = [",".join(["respondent", "organisation", "level", *ITEMS])]
    for respondent, organisation, level, answers in rows:
        lines.append(",".join([respondent, organisation, level, *answers]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def answers(value: str) -> list[str]:
    return [value] * len(ITEMS)


@pytest.fixture
def responses(tmp_path: Path) -> Path:
    # E23000030: 6 respondents; RYE: 2 (suppressed at k = 5); 8 in all
    rows = [(f"r{i}", "E23000030", "strategic", answers(str(1 + i % 5))) for i in range(6)]
    rows += [("r6", "RYE", "tactical", answers("4")), ("r7", "RYE", "Tactical", answers("NA"))]
    return write_csv(tmp_path / "responses.csv", rows)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_shape_without_breakdown(responses: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(FRAMEWORK), str(responses), "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["framework", "version", "k", "overall"]
    assert (data["framework"], data["version"], data["k"]) == ("collaboration-factors", 1, 5)
    overall = data["overall"]
    assert list(overall) == ["n", "factors", "groups"]
    assert overall["n"] == 8
    assert list(overall["factors"]) == list(load_framework(FRAMEWORK).factor_ids)
    assert list(overall["groups"]) == ["clear-vision", "consistency", "culture"]
    for cell in [*overall["factors"].values(), *overall["groups"].values()]:
        assert list(cell) == ["n", "mean", "sd", "ci_low", "ci_high"]
        assert cell["n"] == 7  # r7 answered nothing
    # enabler answers 1, 2, 3, 4, 5, 1, 4 -> mean 20 / 7
    assert overall["factors"]["trust"]["mean"] == 20 / 7  # full precision, not 2.8571
    # barrier answers reversed: 5, 4, 3, 2, 1, 5, 2 -> mean 22 / 7
    assert overall["factors"]["funding"]["mean"] == 22 / 7


def test_json_by_organisation(responses: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(FRAMEWORK), str(responses), "--json", "--by", "organisation"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["framework", "version", "k", "overall", "by", "breakdown"]
    assert data["by"] == "organisation"
    assert data["breakdown"]["RYE"] == {"suppressed": True}
    # E23000030's 6 with the total's 8 would give RYE's 2: withheld whole, its count too.
    assert data["breakdown"]["E23000030"] == {"suppressed": True}
    assert data["overall"]["n"] == 8


def test_json_by_organisation_shows_a_group_that_gives_nothing_away(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = ["strategic", "tactical"] * 3
    rows = [(f"r{i}", "E23000030", levels[i], answers(str(1 + i % 5))) for i in range(6)]
    rows += [("r6", "RYE", "strategic", answers("4")), ("r7", "RX9", "tactical", answers("3"))]
    path = write_csv(tmp_path / "three.csv", rows)
    code, out, _ = run([str(FRAMEWORK), str(path), "--json", "--by", "organisation"], capsys)
    assert code == 0
    data = json.loads(out)
    # The total less E23000030 is RYE and RX9 together: neither one's count follows.
    assert data["breakdown"]["RYE"] == data["breakdown"]["RX9"] == {"suppressed": True}
    shown = data["breakdown"]["E23000030"]
    assert list(shown) == ["n", "factors", "groups"] and shown["n"] == 6


def test_json_by_level_and_k(responses: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(FRAMEWORK), str(responses), "--json", "--by", "level", "--k", "2"], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert data["k"] == 2
    assert list(data["breakdown"]) == ["strategic", "tactical"]
    tactical = data["breakdown"]["tactical"]
    assert tactical["n"] == 2
    # only one tactical respondent answered: n = 1 < k = 2 -> suppressed
    assert tactical["factors"]["trust"] == {"suppressed": True}


def test_overall_suppressed_below_k(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(
        tmp_path / "few.csv", [(f"r{i}", "A", "operational", answers("3")) for i in range(4)]
    )
    code, out, _ = run([str(FRAMEWORK), str(path), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["overall"] == {"suppressed": True}
    code, out, _ = run([str(FRAMEWORK), str(path)], capsys)
    assert code == 0 and "fewer than 5 respondents" in out


def test_readable_tables(responses: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(FRAMEWORK), str(responses), "--by", "organisation"], capsys)
    assert (code, err) == (0, "")
    assert "Trust at all levels" in out
    assert "Clear vision" in out
    assert "Not shown (fewer than 5 respondents): RYE" in out
    assert "Not shown, to protect another group" in out and "E23000030" in out
    assert "Divergence between organisations" in out


def test_bad_csv_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = answers("3")
    bad[0], bad[1], bad[2] = "7", "3.5", "yes"
    rows = [
        ("r1", "A", "strategic", answers("3")),
        ("r2", "A", "senior", answers("3")),
        ("r1", "A", "tactical", answers("3")),
        ("r4", "", "tactical", bad),
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    code, out, err = run([str(FRAMEWORK), str(path), "--json"], capsys)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "bad.csv: line 3, column 'level': 'senior' is not a level "
        "(expected strategic, tactical or operational)",
        "bad.csv: line 4, column 'respondent': duplicate respondent id 'r1' (first on line 2)",
        "bad.csv: line 5, column 'organisation': empty (every row needs an organisation)",
        "bad.csv: line 5, column 'sv1': '7' is outside the scale 1 to 5",
        "bad.csv: line 5, column 'sv2': '3.5' is not a whole number from 1 to 5 "
        "or NA (not applicable)",
        "bad.csv: line 5, column 'sv3': 'yes' is not a whole number from 1 to 5 "
        "or NA (not applicable)",
    ]


def test_bad_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "header.csv"
    path.write_text(
        "respondent,organisation," + ",".join(ITEMS[2:]) + ",colour\nr1,A,1\n", encoding="utf-8"
    )
    code, _, err = run([str(FRAMEWORK), str(path)], capsys)
    assert code == 2
    assert err.splitlines() == [
        "header.csv: line 1: missing required column 'level'",
        "header.csv: line 1: unknown column(s), not items of framework "
        "'collaboration-factors': colour",
        "header.csv: line 1: missing column(s) for item(s): sv1, sv2",
    ]


def test_wrong_cell_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "short.csv", [("r1", "A", "strategic", answers("3")[:-1])])
    code, _, err = run([str(FRAMEWORK), str(path)], capsys)
    assert code == 2
    width = len(ITEMS) + 3
    expected = f"short.csv: line 2: expected {width} cells (as in the header), found {width - 1}"
    assert err.strip() == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty.csv: the file is empty (expected a header row)"),
        ("\n\n", "empty.csv: the file is empty (expected a header row)"),
        (
            "respondent,organisation,level," + ",".join(ITEMS) + "\n",
            "empty.csv: no data rows (only a header)",
        ),
    ],
)
def test_empty_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = run([str(FRAMEWORK), str(path)], capsys)
    assert (code, err.strip()) == (2, message)


def test_bad_framework_and_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = tmp_path / "fw.yaml"
    framework.write_text("id: fw\nversion: 0\n", encoding="utf-8")
    code, _, err = run([str(framework), str(tmp_path / "r.csv")], capsys)
    assert code == 2
    assert "fw.yaml: version: must be at least 1, got 0" in err.splitlines()
    code, _, err = run([str(FRAMEWORK), str(tmp_path / "nothing.csv")], capsys)
    assert code == 2 and err.startswith("nothing.csv: cannot read the file")


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main([str(FRAMEWORK), "x.csv", "--by", "region"]) == 2
    assert main([str(FRAMEWORK), "x.csv", "--k", "0"]) == 2
    assert "accord assess score" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_imports_no_django() -> None:
    # The command and the pure modules must not pull in Django.
    import subprocess

    # Of the kernel, only its pure modules (the shared problems, YAML checks and reader, text
    # limits and threshold).
    code = (
        "import sys; import accord.assessments.score_cli; "
        "pure = {'accord.core', 'accord.core.problems', 'accord.core.yaml_checks', "
        "'accord.core.disclosure', 'accord.core.safe_yaml', 'accord.core.text', "
        "'accord.core.spreadsheets'}; "
        "bad = [m for m in sys.modules if m not in pure and (m == 'django' or m.startswith(("
        "'django.', 'accord.core', 'accord.orgs')))]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_platforms_disclosure_threshold_is_the_default_k(
    responses: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_DISCLOSURE_THRESHOLD", "3")
    code, out, _ = run([str(FRAMEWORK), str(responses), "--json"], capsys)
    assert code == 0 and json.loads(out)["k"] == 3
    code, out, _ = run([str(FRAMEWORK), str(responses), "--json", "--k", "6"], capsys)
    assert json.loads(out)["k"] == 6
