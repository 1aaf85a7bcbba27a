"""The linkage contract of issue 15 on hand-built incidents: each threshold just inside and
just outside, a chain through a third service, same-service records, unlocated records,
several files, the grid's edges (the antimeridian, the poles), and the engine held to a
reference that compares every pair."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
from tests.analytics.overlap_reference import LAT, LON, Row, at, reference, write_csv

from accord.analytics.overlap import (
    EARTH_RADIUS_M,
    grid_for,
    haversine_m,
    links_sql,
    run,
    to_spark_sql,
    window_microseconds,
)


def analyse(tmp_path: Path, rows: list[Row], **options: Any) -> dict[str, Any]:
    path = write_csv(tmp_path / "incidents.csv", rows)
    figures: dict[str, Any] = run([path], **options).to_json_dict()
    assert figures == reference(rows, **options)
    return figures


def linked(figures: dict[str, Any]) -> int:
    return sum(pair["links"] for pair in figures["pairs"].values())


# --------------------------------------------------------------------------------------------
# Each threshold, just inside and just outside


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0.0, 1), (19.99, 1), (20.0, 1), (20 + 1 / 60, 0), (20 + 1 / 60_000_000, 0), (-20.0, 1)],
)
def test_time_window_is_inclusive(tmp_path: Path, minutes: float, expected: int) -> None:
    rows = [at("police"), at("fire", minutes=minutes)]
    assert linked(analyse(tmp_path, rows)) == expected


def test_a_time_one_microsecond_past_the_window_is_not_linked(tmp_path: Path) -> None:
    rows = [
        Row("police", "2024-03-01 14:00:00", LAT, LON),
        Row("fire", "2024-03-01 14:20:00.000001", LAT, LON),
        Row("ambulance", "2024-03-01 13:40:00", LAT, LON),
    ]
    figures = analyse(tmp_path, rows)
    # Ambulance 20:00 before police (linked), 40:00 and a microsecond before fire (not).
    assert figures["pairs"] == {
        "ambulance+police": {"links": 1, "joint_incidents": 1},
    }


@pytest.mark.parametrize(("metres", "expected"), [(0.0, 1), (249.9, 1), (250.1, 0), (400.0, 0)])
def test_distance_just_inside_and_just_outside(
    tmp_path: Path, metres: float, expected: int
) -> None:
    for direction in ((1, 0), (0, 1), (0.6, 0.8)):
        rows = [
            at("police"),
            at("ambulance", north_m=metres * direction[0], east_m=metres * direction[1]),
        ]
        assert linked(analyse(tmp_path, rows)) == expected, direction


def test_a_pair_exactly_the_distance_apart_is_linked_and_one_a_float_further_is_not(
    tmp_path: Path,
) -> None:
    rows = [at("police"), at("fire", north_m=180.0, east_m=170.0)]
    assert rows[1].latitude is not None and rows[1].longitude is not None
    exact = haversine_m(LAT, LON, rows[1].latitude, rows[1].longitude)
    assert linked(analyse(tmp_path, rows, distance_m=exact)) == 1
    assert linked(analyse(tmp_path, rows, distance_m=math.nextafter(exact, 0.0))) == 0


def test_the_window_and_distance_options(tmp_path: Path) -> None:
    rows = [at("police"), at("fire", minutes=25, north_m=300)]
    assert linked(analyse(tmp_path, rows)) == 0
    figures = analyse(tmp_path, rows, window_minutes=30.0, distance_m=500.0)
    assert linked(figures) == 1
    assert (figures["window_minutes"], figures["distance_m"]) == (30.0, 500.0)
    # A window of no minutes links only records received at the same moment.
    assert linked(analyse(tmp_path, [at("police"), at("fire")], window_minutes=0.0)) == 1
    assert (
        linked(analyse(tmp_path, [at("police"), at("fire", minutes=1e-6)], window_minutes=0.0)) == 0
    )


def test_window_microseconds_are_exact() -> None:
    assert window_microseconds(20.0) == 1_200_000_000
    assert window_microseconds(0.1) == 6_000_000  # 0.1 as a double is a hair over 0.1
    assert window_microseconds(0.0) == 0


def test_haversine_known_distance() -> None:
    # A degree of latitude on the sphere is R·π/180 metres, whatever the longitude.
    assert haversine_m(0.0, 10.0, 1.0, 10.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180)
    # London to Paris, about 343.5 km on the sphere.
    assert haversine_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_560, rel=1e-3)


# --------------------------------------------------------------------------------------------
# Components


def test_a_chain_through_a_third_service_is_one_joint_incident(tmp_path: Path) -> None:
    # Police and fire 400 m apart (not linked), an ambulance between them linked to both.
    rows = [at("police", north_m=-200), at("fire", north_m=200), at("ambulance", minutes=5)]
    figures = analyse(tmp_path, rows)
    assert figures["joint_incidents"] == 1
    assert figures["tri_service"] == 1
    assert figures["pairs"] == {
        "ambulance+fire": {"links": 1, "joint_incidents": 1},
        "ambulance+police": {"links": 1, "joint_incidents": 1},
        # No link, but they share the joint incident.
        "fire+police": {"links": 0, "joint_incidents": 1},
    }
    assert all(s["in_joint"] == 1 for s in figures["by_service"].values())
    assert figures["by_hour"]["14"] == 1


def test_same_service_records_are_never_linked_directly(tmp_path: Path) -> None:
    rows = [at("police"), at("Police", minutes=1), at(" POLICE ", north_m=10)]
    figures = analyse(tmp_path, rows)
    assert figures["joint_incidents"] == 0
    assert figures["pairs"] == {}
    assert figures["by_service"] == {"police": {"records": 3, "in_joint": 0, "share_joint": 0.0}}


def test_same_service_records_join_through_another_service(tmp_path: Path) -> None:
    rows = [at("police"), at("police", minutes=2), at("fire", minutes=1)]
    figures = analyse(tmp_path, rows)
    assert figures["joint_incidents"] == 1
    assert figures["pairs"] == {"fire+police": {"links": 2, "joint_incidents": 1}}
    assert figures["by_service"]["police"]["in_joint"] == 2
    assert figures["tri_service"] == 0


def test_the_hour_is_the_earliest_records(tmp_path: Path) -> None:
    rows = [
        Row("police", "2024-03-01 23:55:00", LAT, LON),
        Row("fire", "2024-03-02 00:10:00", LAT, LON),
        Row("ambulance", "2024-03-02 09:00:00", LAT, LON),
        Row("fire", "2024-03-02 09:10:00", LAT, LON),
    ]
    figures = analyse(tmp_path, rows)
    assert list(figures["by_hour"]) == [str(hour) for hour in range(24)]
    assert {hour: n for hour, n in figures["by_hour"].items() if n} == {"23": 1, "9": 1}


def test_other_bodies_are_services_too(tmp_path: Path) -> None:
    rows = [at("police"), at("Coastguard", minutes=3), at("ambulance", minutes=4)]
    figures = analyse(tmp_path, rows)
    assert list(figures["by_service"]) == ["ambulance", "coastguard", "police"]
    assert list(figures["pairs"]) == [
        "ambulance+coastguard",
        "ambulance+police",
        "coastguard+police",
    ]
    assert figures["tri_service"] == 0  # no fire


# --------------------------------------------------------------------------------------------
# Unlocated records, several files


def test_unlocated_records_are_counted_and_never_linked(tmp_path: Path) -> None:
    rows = [
        at("police"),
        at("fire", located=False),
        Row("ambulance", "2024-03-01 14:00:00", LAT, None),
        Row("ambulance", "2024-03-01 14:00:00", None, LON),
    ]
    figures = analyse(tmp_path, rows)
    assert (figures["records"], figures["unlocated"]) == (4, 3)
    assert figures["joint_incidents"] == 0
    # `records` of a service counts its unlocated records too, so the share is of them all.
    assert figures["by_service"]["ambulance"] == {"records": 2, "in_joint": 0, "share_joint": 0.0}


def test_share_joint_counts_unlocated_records_in_records(tmp_path: Path) -> None:
    rows = [at("police"), at("fire"), at("fire", minutes=200), at("fire", located=False)]
    figures = analyse(tmp_path, rows)
    assert figures["by_service"]["fire"] == {
        "records": 3,
        "in_joint": 1,
        "share_joint": 1 / 3,
    }
    assert repr(1 / 3) in __import__("json").dumps(figures)


def test_several_files_are_one_set_of_records(tmp_path: Path) -> None:
    police = write_csv(tmp_path / "police.csv", [at("police"), at("police", minutes=90)])
    fire = write_csv(tmp_path / "fire.csv", [at("fire", minutes=3)])
    ambulance = write_csv(tmp_path / "ambulance.csv", [at("ambulance", minutes=91, east_m=30)])
    figures = run([police, fire, ambulance]).to_json_dict()
    assert figures["records"] == 4
    assert figures["joint_incidents"] == 2
    assert figures["pairs"] == {
        "ambulance+police": {"links": 1, "joint_incidents": 1},
        "fire+police": {"links": 1, "joint_incidents": 1},
    }


def test_no_records_at_all(tmp_path: Path) -> None:
    figures = analyse(tmp_path, [])
    assert figures["records"] == 0
    assert figures["by_service"] == {} and figures["pairs"] == {}
    assert sum(figures["by_hour"].values()) == 0


# --------------------------------------------------------------------------------------------
# The grid: never missing a pair, wherever on Earth


def test_pairs_across_the_antimeridian(tmp_path: Path) -> None:
    rows = [
        Row("police", "2024-03-01 14:00:00", 0.0, 179.9995),
        Row("fire", "2024-03-01 14:00:00", 0.0, -179.9995),  # 111 m away, across 180°
        Row("police", "2024-03-01 14:00:00", 51.0, 180.0),
        Row("ambulance", "2024-03-01 14:00:00", 51.0, -180.0),  # the same meridian
        Row("fire", "2024-03-01 15:00:00", 0.0, 179.99),
        Row("ambulance", "2024-03-01 15:00:00", 0.0, -179.99),  # 2.2 km: not linked
    ]
    figures = analyse(tmp_path, rows)
    assert figures["joint_incidents"] == 2


def test_pairs_near_the_poles(tmp_path: Path) -> None:
    rows = [
        Row("police", "2024-03-01 15:00:00", 89.9999, 0.0),
        Row("fire", "2024-03-01 15:00:00", 89.9999, 180.0),  # 22 m away, across the pole
        Row("police", "2024-03-01 16:00:00", -90.0, 10.0),
        Row("ambulance", "2024-03-01 16:00:00", -90.0, -170.0),  # the same point
    ]
    figures = analyse(tmp_path, rows)
    assert figures["joint_incidents"] == 2


def test_the_grid_at_high_latitude_has_fewer_columns() -> None:
    low = grid_for(20.0, 250.0, earliest_us=0, highest_latitude=10.0)
    high = grid_for(20.0, 250.0, earliest_us=0, highest_latitude=80.0)
    polar = grid_for(20.0, 250.0, earliest_us=0, highest_latitude=90.0)
    assert low.columns > high.columns > polar.columns == 1
    assert len(low.offsets) == 14 and len(polar.offsets) == 5
    # Cells at least D across: bands D/R radians high, columns D wide at the highest latitude.
    assert low.band_deg * math.pi / 180 * EARTH_RADIUS_M >= 250.0
    assert low.column_deg * math.pi / 180 * EARTH_RADIUS_M * math.cos(math.radians(10)) >= 250.0


@pytest.mark.parametrize("seed", range(6))
def test_random_incidents_match_the_every_pair_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    centre_lat = rng.choice([LAT, 0.0, -33.9, 64.1, 89.9])
    centre_lon = rng.choice([LON, 179.999, -179.999, 0.0])
    distance = rng.choice([50.0, 250.0, 1000.0])
    window = rng.choice([5.0, 20.0, 60.0])
    rows = []
    for _ in range(250):
        rows.append(
            at(
                rng.choice(["police", "fire", "ambulance", "fire"]),
                minutes=rng.uniform(0, 240),
                north_m=rng.uniform(-1500, 1500),
                east_m=rng.uniform(-1500, 1500),
                lat=centre_lat,
                lon=centre_lon,
                located=rng.random() > 0.05,
            )
        )
    # Longitudes past ±180 are wrapped back into range, as a file would hold them.
    rows = [
        Row(
            r.service,
            r.received_at,
            r.latitude,
            None if r.longitude is None else ((r.longitude + 180) % 360) - 180,
        )
        for r in rows
    ]
    figures = analyse(tmp_path, rows, window_minutes=window, distance_m=distance)
    assert figures["records"] == 250


# --------------------------------------------------------------------------------------------
# One SQL text


def test_one_sql_text_for_both_engines_with_a_bucketed_join() -> None:
    grid = grid_for(20.0, 250.0, earliest_us=0, highest_latitude=53.0)
    sql = links_sql(grid)
    # The records meet only through the equi-join on bucket, band and column; the one cross
    # join is with the 14 neighbour offsets.
    assert "JOIN located AS q" in sql and "ON q.bucket = p.bucket" in sql
    assert sql.count("CROSS JOIN") == 1 and "CROSS JOIN neighbours" in sql
    spark = to_spark_sql(sql)
    assert " DIV " in spark and "CROSS JOIN neighbours" in spark
    assert "1.2742017600000000e+07" in spark  # 2R, the same double in both texts
