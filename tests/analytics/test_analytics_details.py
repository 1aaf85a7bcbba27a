"""The page's figures beyond the contract (analytics/details.py), from hand-built incidents:
weekday and hour, category pairs, hotspots with small cells withheld, duplicated attendance.
No database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.analytics_factories import ROWS, csv_bytes

from accord.analytics import presentation
from accord.analytics.details import analyse_in_detail, yearly_factor
from accord.analytics.overlap import analyse
from accord.analytics.records import Incidents, read_incidents


@pytest.fixture
def incidents(tmp_path: Path) -> Incidents:
    path = tmp_path / "incidents.csv"
    path.write_bytes(csv_bytes())
    return read_incidents([path])


def test_the_contract_json_is_exactly_the_commands(incidents: Incidents) -> None:
    detailed = analyse_in_detail(incidents)
    plain = analyse(read_incidents(list(incidents.files), details=False))
    data = detailed.to_json_dict()
    details = data.pop("details")
    assert json.dumps(data) == json.dumps(plain.to_json_dict())
    assert details["grid"] == {"cell_m": 1000.0, "threshold": 5}


def test_the_hand_built_incidents(incidents: Incidents) -> None:
    data = analyse_in_detail(incidents, threshold=1).to_json_dict()
    assert data["records"] == len(ROWS)
    assert data["unlocated"] == 1
    assert data["joint_incidents"] == 3
    assert data["tri_service"] == 1
    details = data["details"]
    # 4 March 2024 was a Monday: one joint incident on each of Monday, Tuesday, Wednesday.
    assert details["by_weekday"] == {"0": 1, "1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0}
    assert details["by_weekday_hour"][0][10] == 1
    assert details["by_weekday_hour"][1][14] == 1
    assert details["by_weekday_hour"][2][9] == 1
    assert sum(map(sum, details["by_weekday_hour"])) == 3


def test_category_pairs_count_joint_incidents_once_each(incidents: Incidents) -> None:
    pairs = analyse_in_detail(incidents).details["category_pairs"]
    assert pairs[0] == {
        "services": ["ambulance", "fire"],
        "categories": ["Fall", "Assist ambulance"],
        "joint_incidents": 2,
    }
    rest = {(tuple(p["services"]), tuple(p["categories"])): p["joint_incidents"] for p in pairs[1:]}
    assert rest == {
        (("ambulance", "fire"), ("Breathing", "Road traffic collision")): 1,
        (("ambulance", "police"), ("Breathing", "Road traffic collision")): 1,
        (("fire", "police"), ("Road traffic collision", "Road traffic collision")): 1,
    }


def test_each_joint_incident_counts_one_attendance_fewer_than_its_records(
    incidents: Incidents,
) -> None:
    data = analyse_in_detail(incidents).to_json_dict()
    duplicated = data["details"]["duplicated_attendances"]
    # The earliest record of each is the attendance needed: the ambulance's every time.
    assert duplicated == {"fire": 3, "police": 1}
    in_joint = sum(f["in_joint"] for f in data["by_service"].values())
    assert sum(duplicated.values()) == in_joint - data["joint_incidents"]


@pytest.mark.parametrize("threshold", [1, 2, 3, 4])
def test_no_hotspot_below_the_threshold_is_shown(incidents: Incidents, threshold: int) -> None:
    details = analyse_in_detail(incidents, threshold=threshold).details
    shown = details["hotspots"]
    assert all(cell["joint_incidents"] >= threshold for cell in shown)
    withheld = details["hotspots_withheld"]
    assert sum(c["joint_incidents"] for c in shown) + withheld["joint_incidents"] == 3
    if threshold > 3:
        assert shown == [] and withheld["joint_incidents"] == 3


def test_a_threshold_raised_since_the_run_withholds_more(incidents: Incidents) -> None:
    result = analyse_in_detail(incidents, threshold=1).to_json_dict()
    shown, withheld = presentation.hotspots_shown(result, 4)
    assert shown == [] and withheld["joint_incidents"] == 3
    exported = presentation.export_json(result, 4)
    assert exported["details"]["hotspots"] == []
    assert not any(row[0] == "hotspots" for row in presentation.export_rows(result, 4))


def test_the_period_and_the_yearly_factor(incidents: Incidents) -> None:
    period = analyse_in_detail(incidents).details["period"]
    assert period == {
        "first": "2024-03-04 10:00:00",
        "last": "2024-03-06 09:11:00",
        "days_with_records": 3,
    }
    assert yearly_factor(3) == pytest.approx(365 / 3)
    assert yearly_factor(0) == 0.0


def test_bad_grid_settings_are_refused(incidents: Incidents) -> None:
    with pytest.raises(ValueError, match="cell"):
        analyse_in_detail(incidents, cell_m=0)
    with pytest.raises(ValueError, match="threshold"):
        analyse_in_detail(incidents, threshold=0)


def test_the_results_view_has_every_chart_with_its_table(incidents: Incidents) -> None:
    result = analyse_in_detail(incidents, threshold=1).to_json_dict()
    view = presentation.results_view(result, 1)
    ids = [chart.id for chart in view.charts]
    assert ids[:3] == ["by-hour", "by-weekday", "by-weekday-hour"]
    assert "hotspots" in ids
    for chart in view.charts:
        assert chart.rows and chart.spec["data"]["values"]


def test_montgomery_county_sample(shared_data: Path) -> None:
    incidents = read_incidents([shared_data / "montco_911_sample.csv"], "montco")
    data = analyse_in_detail(incidents, cell_m=5000).to_json_dict()
    assert data["joint_incidents"] == 120
    details = data["details"]
    assert sum(details["by_weekday"].values()) == 120
    assert all(c["joint_incidents"] >= 5 for c in details["hotspots"])
    assert sum(details["duplicated_attendances"].values()) == (
        sum(f["in_joint"] for f in data["by_service"].values()) - 120
    )


def test_the_page_draws_the_busiest_hundred_cells_and_the_export_has_all() -> None:
    cells = [
        {"latitude": 50 + i / 100, "longitude": -1.0, "joint_incidents": 500 - i}
        for i in range(150)
    ]
    result = {
        "window_minutes": 20.0,
        "distance_m": 250.0,
        "records": 0,
        "unlocated": 0,
        "by_service": {},
        "pairs": {},
        "joint_incidents": 0,
        "tri_service": 0,
        "by_hour": {str(h): 0 for h in range(24)},
        "details": {
            "by_weekday": {},
            "hotspots": cells,
            "hotspots_withheld": {"cells": 0, "joint_incidents": 0},
            "grid": {"cell_m": 1000.0, "threshold": 5},
        },
    }
    view = presentation.results_view(result, 5)
    (chart,) = [c for c in view.charts if c.id == "hotspots"]
    assert len(chart.rows) == presentation.MAX_CELLS_SHOWN and view.hotspot_cells == 150
    assert chart.rows[0][1] == "500"
    rows = [r for r in presentation.export_rows(result, 5) if r[0] == "hotspots"]
    assert len(rows) == 150
