"""`accord.bench.overlap`: the generated year of incidents reads cleanly, and a small run of
the benchmark reports the ratio to DuckDB's read and the memory peak."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.analytics.overlap import run
from accord.bench import overlap as bench


def test_the_generated_incidents(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    made = bench.generate(path, rows=5000)
    assert made["rows"] == 5000
    figures = run([path]).to_json_dict()
    assert figures["records"] == 5000
    assert figures["unlocated"] == made["unlocated"] > 0
    assert set(figures["by_service"]) == {"ambulance", "fire", "police"}
    # Events attended by two or three services make joint incidents; by chance, few others.
    assert 0.1 < figures["joint_incidents"] / made["events"] < 0.4
    assert figures["tri_service"] > 0
    # The same seed, the same file.
    again = tmp_path / "again.csv"
    bench.generate(again, rows=5000)
    assert again.read_bytes() == path.read_bytes()


def test_a_small_run_reports_the_ratio_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--rows", "3000", "--repeats", "1", "--no-spark"]) == 0
    out = capsys.readouterr().out
    assert "DuckDB reads the CSV and counts its rows" in out
    assert "target within 10×" in out
    assert "peak resident memory" in out
