"""`accord kpi spc FILE.csv`: the JSON's shape, many series, readable tables, bad input and
its exit status, no database; and the real AmbSYS file (EMAS, RX9, Category 1 mean)."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accord.cli import main as accord
from accord.kpis.spc_cli import main


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# 10, 14, 12, 16, 13 (test_kpi_spc.PLAIN): mean 13, amr 3.25, limits 21.645 and 4.355.
PLAIN_CSV = "period,value\n2020-01,10\n2020-02,14\n2020-03,12\n2020-04,16\n2020-05,13\n"


def test_json_keys_order_and_full_precision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV)
    code, out, err = run(
        [str(path), "--direction", "decrease", "--target", "420", "--json"], capsys
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
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
    assert '"target": 420.0' in out  # a float, as the issue prints it
    assert (data["direction"], data["target"], data["screen_outliers"], data["fix_after"]) == (
        "decrease",
        420.0,
        True,
        None,
    )
    (phase,) = data["phases"]
    assert list(phase) == ["start", "n", "mean", "amr", "upl", "lpl", "few_points"]
    assert phase == {
        "start": "2020-01",
        "n": 5,
        "mean": 13.0,
        "amr": 3.25,
        "upl": 13 + 2.66 * 3.25,  # full precision: 21.645000000000003 in binary, not rounded
        "lpl": 13 - 2.66 * 3.25,
        "few_points": True,
    }
    assert repr(13 + 2.66 * 3.25) in out
    first = data["points"][0]
    assert list(first) == [
        "period",
        "value",
        "phase",
        "outside_limits",
        "relative_to_mean",
        "close_to_limits",
        "rules",
        "point_type",
    ]
    assert first == {
        "period": "2020-01",
        "value": 10.0,
        "phase": 0,
        "outside_limits": False,
        "relative_to_mean": -1,
        "close_to_limits": False,
        "rules": [],
        "point_type": "common_cause",
    }
    assert '"value": 10.0' in out
    # decrease, target 420 above upl: every month beats it
    assert (data["missing"], data["variation"], data["assurance"]) == (
        [],
        "common_cause",
        "consistent_pass",
    )


def test_options_reach_the_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 10, 12 four times, then 20, 22 four times (test_kpi_spc.STEP).
    values = [10, 12] * 4 + [20, 22] * 4
    rows = [f"{2020 + i // 12}-{i % 12 + 1:02d},{v}" for i, v in enumerate(values)]
    path = write(tmp_path / "step.csv", "period,value\n" + "\n".join(rows) + "\n")
    code, out, err = run([str(path), "--rebase", "2020-09", "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [(p["start"], p["n"], p["mean"]) for p in data["phases"]] == [
        ("2020-01", 8, 11.0),
        ("2020-09", 8, 21.0),
    ]
    code, out, _ = run([str(path), "--rebase", "2020-09-01", "--fix-after", "2", "--json"], capsys)
    assert code == 0 and json.loads(out)["fix_after"] == 2
    assert len(json.loads(out)["phases"]) == 2  # 2020-09-01 is the month 2020-09
    # Without screening the step's moving range of 8 stays: amr 36 / 15 = 2.4.
    code, out, _ = run([str(path), "--no-screen-outliers", "--json"], capsys)
    data = json.loads(out)
    assert data["screen_outliers"] is False and data["phases"][0]["amr"] == 36 / 15
    code, out, _ = run([str(path), "--json"], capsys)
    assert json.loads(out)["phases"][0]["amr"] == 2.0  # 8 >= 3.267 x 2.4 left out


def test_missing_values_periods_as_written_and_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["Value,Period,note", "14,2020-03-01,x", ".,2020-02-01,", "10,2020-01-01,"]
    lines += ["NA,2020-04-01,", ",2020-05-01,", "12,2020-06-01,"]
    text = "\n".join(lines) + "\n"
    path = write(tmp_path / "dates.csv", text)
    code, out, err = run([str(path), "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    # sorted by period; periods printed as the file writes them
    assert [p["period"] for p in data["points"]] == ["2020-01-01", "2020-03-01", "2020-06-01"]
    assert data["missing"] == ["2020-02-01", "2020-04-01", "2020-05-01"]
    assert data["direction"] == "neutral" and data["target"] is None


def test_a_series_column_makes_many_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "series,period,value\nB,2020-01,5\nA,2020-01,1\nB,2020-02,6\nA,2020-02,2\nA,2020-03,3\n"
    path = write(tmp_path / "many.csv", text)
    code, out, err = run([str(path), "--direction", "increase", "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["series"]
    assert list(data["series"]) == ["B", "A"]  # in the order they first appear
    assert data["series"]["A"]["phases"][0]["mean"] == 2.0
    assert data["series"]["B"]["phases"][0]["n"] == 2
    assert data["series"]["A"]["direction"] == "increase"


def test_readable_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV.replace("2020-02,14", "2020-02,."))
    code, out, err = run([str(path), "--direction", "increase", "--target", "12"], capsys)
    assert (code, err) == (0, "")
    assert "Phases" in out and "Points" in out and "2020-05" in out
    assert "Missing: 2020-02." in out
    assert "Variation: common cause. Assurance: passes and fails the target at random." in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,value\n2020-01,1\n", "plain.csv: line 1: no column named 'period'"),
        ("\n\nperiod,amount\n2020-01,1\n", "plain.csv: line 3: no column named 'value'"),
        (
            "period,value\n2020-01,1\n2020-02,fast\n",
            "plain.csv: line 3, column value: the value 'fast' is not a number",
        ),
        (
            "period,value\n2020-01,1\n2020-13,2\n",
            "plain.csv: line 3, column period: the period '2020-13' is not a month",
        ),
        (
            "period,value\n2020-01,1\n2020-02,2\n2020-01,3\n",
            "plain.csv: line 4, column period: the period 2020-01 is also on line 2",
        ),
        (
            "period,value\n2020-01,1\n2020-01-01,3\n",
            "line 3, column period: the period 2020-01-01 is also on line 2",
        ),
        ("period,value\n2020-01,1e999\n", "line 2, column value: the value 1e999 is too large"),
        ("series,period,value\n,2020-01,1\n", "line 2, column series: no series name"),
        ("", "plain.csv: the file is empty"),
    ],
)
def test_bad_input_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = write(tmp_path / "plain.csv", text)
    code, out, err = run([str(path), "--json"], capsys)
    assert (code, out) == (2, "")
    assert message in err


def test_every_problem_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "plain.csv", "period,value\n2020-01,x\n2020-02,y\n")
    code, _, err = run([str(path)], capsys)
    assert code == 2 and "line 2" in err and "line 3" in err


def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV)
    code, _, err = run([str(path), "--direction", "up"], capsys)
    assert code == 2 and "unknown direction 'up': use increase, decrease or neutral" in err
    for bad in (["--target", "x"], ["--fix-after", "0"], ["--rebase", "2020-13"]):
        code, _, err = run([str(path), *bad], capsys)
        assert code == 2, bad
    code, _, err = run([str(tmp_path / "absent.csv")], capsys)
    assert code == 2 and "absent.csv" in err


def test_a_rebase_without_a_point_is_said_and_starts_no_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV.replace("2020-03,12", "2020-03,"))
    code, out, err = run(
        [str(path), "--rebase", "2020-03", "--rebase", "2021-01", "--json"], capsys
    )
    assert code == 0 and len(json.loads(out)["phases"]) == 1
    assert "--rebase 2020-03: its value is missing, so no phase starts there" in err
    assert "--rebase 2021-01: no line has that period" in err


def test_a_file_too_large_is_refused_with_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_IMPORT_MAX_MB", "1")
    path = write(tmp_path / "big.csv", "period,value\n" + "2020-01,1\n" * 120_000)
    code, _, err = run([str(path)], capsys)
    assert code == 1 and "larger than the import limit" in err


def test_accord_kpi_spc_runs_without_a_database(tmp_path: Path) -> None:
    """Through `accord`, in a fresh process: Django is never imported."""
    path = write(tmp_path / "plain.csv", PLAIN_CSV)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # would fail if it were used
    script = (
        "import sys; from accord.cli import main; code = main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'django imported'; sys.exit(code)"
    )
    command = [sys.executable, "-c", script, "kpi", "spc", str(path), "--json"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["phases"][0]["mean"] == 13.0
    assert accord(["kpi", "spc", "--help"]) == 0


# -- The real AmbSYS file --------------------------------------------------------------------

AMBSYS = "ambsys_2017-08_to_2019-12.csv"
C1_MEAN = "A25"  # Category 1 mean response time, seconds (shared/data/README.md)


def ambsys_series(shared_data: Path, org_codes: list[str]) -> list[tuple[str, str, str]]:
    """(org code, period YYYY-MM, C1 mean) rows, read by column name."""
    with (shared_data / AMBSYS).open(newline="", encoding="utf-8") as file:
        return [
            (row["Org Code"], f"{int(row['Year'])}-{int(row['Month']):02d}", row[C1_MEAN])
            for row in csv.DictReader(file)
            if row["Org Code"] in org_codes
        ]


def test_emas_category_1_mean_from_the_real_ambsys_file(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ambsys_series(shared_data, ["RX9"])
    path = tmp_path / "emas_c1_mean.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["period", "value"])
        writer.writerows((period, value) for _, period, value in rows)
    # The national standard for the Category 1 mean is 7 minutes: 420 seconds.
    code, out, err = run(
        [str(path), "--direction", "decrease", "--target", "420", "--json"], capsys
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    first = data["points"][0]
    assert (first["period"], first["value"]) == ("2017-08", 480.0)  # the figure
    assert len(data["points"]) == 29 and data["missing"] == []  # August 2017 to December 2019
    values = [float(value) for _, _, value in rows]
    (phase,) = data["phases"]
    assert (phase["start"], phase["n"], phase["few_points"]) == ("2017-08", 29, False)
    mean = sum(values) / 29  # whole seconds: every sum is exact
    assert phase["mean"] == mean
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    amr = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * amr]
    assert phase["amr"] == sum(kept) / len(kept)
    assert phase["lpl"] == mean - 2.66 * phase["amr"]
    # 420 s is below the lower limit: with decrease, the process cannot be relied on to meet it
    assert phase["lpl"] > 420 and data["assurance"] == "consistent_fail"


def test_ambsys_trusts_as_series(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ambsys_series(shared_data, ["RX9", "Eng"])
    path = tmp_path / "c1_mean.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["series", "period", "value"])
        writer.writerows(rows)
    code, out, err = run(
        [str(path), "--direction", "decrease", "--target", "420", "--json"], capsys
    )
    assert (code, err) == (0, "")
    series = json.loads(out)["series"]
    assert list(series) == ["Eng", "RX9"]
    assert series["RX9"]["points"][0]["value"] == 480.0
    assert series["Eng"]["points"][0]["value"] == 554.0  # England, August 2017, A25
    assert all(len(s["points"]) == 29 for s in series.values())
