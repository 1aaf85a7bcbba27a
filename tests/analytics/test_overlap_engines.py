"""One computation, two engines: DuckDB and Spark (local mode) on the same files give the same
JSON, to the last digit. One Spark session serves the whole module (it takes seconds to
start); the module needs Java 17, which `make test` installs where it is missing."""

from __future__ import annotations

import json
import math
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.analytics.overlap_reference import LAT, LON, Row, at, reference, write_csv

from accord.analytics.overlap import DuckDBEngine, SparkEngine, haversine_m, run, spark_session
from accord.analytics.overlap_cli import main as overlap_command

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java 17: `make test` installs it"
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


def both(spark: Any, paths: list[Path], **options: Any) -> dict[str, Any]:
    on_duckdb = run(paths, engine=DuckDBEngine(), **options).to_json_dict()
    on_spark = run(paths, engine=SparkEngine(session=spark), **options).to_json_dict()
    assert json.dumps(on_spark) == json.dumps(on_duckdb)
    return on_duckdb


def test_hand_built_incidents(spark: Any, tmp_path: Path) -> None:
    rows = [
        at("police", north_m=-200),
        at("fire", north_m=200, minutes=2),
        at("ambulance", minutes=5),
        at("police", minutes=5, east_m=30),
        at("ambulance", minutes=25.5),
        at("fire", minutes=300, located=False),
        at("fire", minutes=30, north_m=249.9),
        at("police", minutes=50.01, north_m=249.9),
    ]
    police = write_csv(tmp_path / "police.csv", [r for r in rows if r.service == "police"])
    others = write_csv(tmp_path / "others.csv", [r for r in rows if r.service != "police"])
    figures = both(spark, [police, others])
    # The chain of four, and the second ambulance with the fire 249.9 m north 4.5 minutes on.
    assert figures["joint_incidents"] == 2 and figures["tri_service"] == 1


def test_the_distance_boundary_is_decided_alike(spark: Any, tmp_path: Path) -> None:
    rows = [at("police"), at("fire", north_m=180.0, east_m=170.0)]
    path = write_csv(tmp_path / "pair.csv", rows)
    assert rows[1].latitude is not None and rows[1].longitude is not None
    exact = haversine_m(LAT, LON, rows[1].latitude, rows[1].longitude)
    assert both(spark, [path], distance_m=exact)["joint_incidents"] == 1
    assert both(spark, [path], distance_m=math.nextafter(exact, 0))["joint_incidents"] == 0


def test_random_incidents_across_the_antimeridian(spark: Any, tmp_path: Path) -> None:
    rng = random.Random(15)
    rows = []
    for _ in range(400):
        row = at(
            rng.choice(["police", "fire", "ambulance", "coastguard"]),
            minutes=rng.uniform(0, 600),
            north_m=rng.uniform(-800, 800),
            east_m=rng.uniform(-800, 800),
            lat=-16.5,
            lon=179.999,
            located=rng.random() > 0.03,
        )
        lon = None if row.longitude is None else ((row.longitude + 180) % 360) - 180
        rows.append(Row(row.service, row.received_at, row.latitude, lon))
    path = write_csv(tmp_path / "fiji.csv", rows)
    figures = both(spark, [path], window_minutes=45.0, distance_m=300.0)
    assert figures == reference(rows, window_minutes=45.0, distance_m=300.0)
    assert figures["joint_incidents"] > 0


def test_the_montco_sample(spark: Any, shared_data: Path) -> None:
    sample = shared_data / "montco_911_sample.csv"
    on_duckdb = run([sample], layout="montco").to_json_dict()
    on_spark = run([sample], layout="montco", engine=SparkEngine(session=spark)).to_json_dict()
    assert on_spark == on_duckdb


def test_the_command_with_engine_spark(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "chain.csv", [at("police"), at("fire", minutes=1)])
    assert overlap_command([str(path), "--json"]) == 0
    on_duckdb = capsys.readouterr().out
    # The command finds the running session and leaves it running.
    assert overlap_command([str(path), "--engine", "spark", "--json"]) == 0
    assert capsys.readouterr().out == on_duckdb
    assert spark.sparkContext._jsc is not None  # still running
