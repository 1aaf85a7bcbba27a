"""`accord overlap FILE...`: the JSON exactly as issue 15 prints it, readable tables, the
options, bad files and their exit status, without a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.analytics.overlap_reference import at, write_csv

from accord.analytics.overlap_cli import main
from accord.cli import main as accord

KEYS = [
    "window_minutes",
    "distance_m",
    "records",
    "unlocated",
    "by_service",
    "pairs",
    "joint_incidents",
    "tri_service",
    "by_hour",
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    rows = [
        at("police", north_m=-200),
        at("fire", north_m=200, minutes=2),
        at("ambulance", minutes=5),
        at("ambulance", minutes=500),
        at("fire", located=False),
    ]
    return write_csv(tmp_path / "chain.csv", rows)


def test_json_keys_order_and_floats(chain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(chain), "--json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == KEYS
    assert out.startswith('{"window_minutes": 20.0, "distance_m": 250.0, "records": 5, ')
    assert data["unlocated"] == 1
    assert data["by_service"] == {
        "ambulance": {"records": 2, "in_joint": 1, "share_joint": 0.5},
        "fire": {"records": 2, "in_joint": 1, "share_joint": 0.5},
        "police": {"records": 1, "in_joint": 1, "share_joint": 1.0},
    }
    assert list(data["by_service"]["fire"]) == ["records", "in_joint", "share_joint"]
    assert data["pairs"] == {
        "ambulance+fire": {"links": 1, "joint_incidents": 1},
        "ambulance+police": {"links": 1, "joint_incidents": 1},
        "fire+police": {"links": 0, "joint_incidents": 1},
    }
    assert (data["joint_incidents"], data["tri_service"]) == (1, 1)
    assert list(data["by_hour"]) == [str(hour) for hour in range(24)]
    assert data["by_hour"]["14"] == 1 and sum(data["by_hour"].values()) == 1


def test_options_and_the_accord_command(chain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = accord(
        ["overlap", str(chain), "--window-minutes", "1", "--distance-m", "1000", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (data["window_minutes"], data["distance_m"]) == (1.0, 1000.0)
    # Within a minute only police (14:00) and fire (14:02)? No: two minutes apart. None.
    assert data["joint_incidents"] == 0
    code = accord(["overlap", str(chain), "--distance-m", "1000", "--engine", "duckdb", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["pairs"]["fire+police"]["links"] == 1


def test_readable_tables(chain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(chain)], capsys)
    assert (code, err) == (0, "")
    for words in (
        "Joint incidents",
        "With police, fire and ambulance all present",
        "Unlocated (counted, never linked)",
        "ambulance and police",
        "14:00",
        "50.0%",
    ):
        assert words in out


def test_several_files_and_the_montco_format(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    police = write_csv(tmp_path / "police.csv", [at("police")])
    fire = write_csv(tmp_path / "fire.csv", [at("fire", minutes=1)])
    code, out, _ = run([str(police), str(fire), "--json"], capsys)
    assert code == 0 and json.loads(out)["joint_incidents"] == 1
    sample = shared_data / "montco_911_sample.csv"
    code, out, err = run([str(sample), "--format", "montco", "--json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["records"] == 3051


def test_bad_files_exit_2_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "incident_id,service,received_at,latitude,longitude,category\n"
        "1,police,2024-03-01 14:00,53.2,-0.54,x\n"
        "2,fire,not a time,53.2,-0.54,x\n"
        "3,fire,2024-03-01 14:00,-95,-0.54,x\n",
        encoding="utf-8",
    )
    code, out, err = run([str(bad), "--json"], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{bad}: line 3, column received_at: the time 'not a time' is not a date and time: "
        "write ISO 8601 local time, such as 2024-03-01 14:05:00",
        f"{bad}: line 4, column latitude: the latitude -95 is outside -90 to 90",
    ]
    missing = tmp_path / "missing.csv"
    missing.write_text("service,received_at,latitude\npolice,2024-03-01 14:00,53.2\n")
    code, out, err = run([str(missing)], capsys)
    assert (code, out) == (2, "")
    assert f"{missing}: line 1, column longitude: the required column 'longitude'" in err
    code, out, err = run([str(tmp_path / "nowhere.csv")], capsys)
    assert (code, out) == (2, "")
    assert "nowhere.csv: cannot be read" in err


@pytest.mark.parametrize(
    "options",
    [
        ["--window-minutes", "-1"],
        ["--distance-m", "far"],
        ["--distance-m", "inf"],
        ["--engine", "sqlite"],
        ["--format", "excel"],
    ],
)
def test_bad_options_exit_2(
    chain: Path, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([str(chain), *options], capsys)
    assert (code, out) == (2, "")
    assert "usage: accord overlap" in err


def test_help_and_no_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"], capsys)[0] == 0
    code, _, err = run([], capsys)
    assert code == 2 and "FILE" in err


def test_runs_without_django(chain: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    script = (
        "import sys; from accord.cli import main; code = main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'imported Django'; sys.exit(code)"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script, "overlap", str(chain), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["joint_incidents"] == 1
