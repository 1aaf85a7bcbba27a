"""Reading incident files for the overlap: Accord's columns and the Montgomery County layout,
CSV and Parquet, and bad files refused naming the file, line and column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.analytics.overlap_reference import Row, at, reference, write_csv

from accord.analytics.layouts import LAYOUTS, MONTCO
from accord.analytics.overlap import run
from accord.analytics.records import MAX_PROBLEMS_PER_FILE, read_incidents
from accord.core.problems import Problems

HEADER = "incident_id,service,received_at,latitude,longitude,category\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(paths: list[Path], layout: str = "accord") -> list[str]:
    with pytest.raises(Problems) as raised:
        read_incidents(paths, layout)
    return [str(problem) for problem in raised.value.problems]


# --------------------------------------------------------------------------------------------
# Accord's columns


def test_columns_in_any_order_and_case_others_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.csv",
        "Category,LATITUDE,Longitude,received_at,Service,extra,INCIDENT_ID\n"
        "Fall,53.2,-0.54,2024-03-01T14:00,Ambulance,x,A1\n"
        '"Assist, ambulance",53.2,-0.54,2024-03-01 14:05:30.25,FIRE,y,F1\n',
    )
    table = read_incidents([path]).table
    assert table.column("service").to_pylist() == ["ambulance", "fire"]
    assert table.column("category").to_pylist() == ["Fall", "Assist, ambulance"]
    assert table.column("incident_id").to_pylist() == ["A1", "F1"]
    assert table.column("received_at").to_pylist() == [
        dt.datetime(2024, 3, 1, 14, 0),
        dt.datetime(2024, 3, 1, 14, 5, 30, 250000),
    ]
    assert run([path]).to_json_dict()["joint_incidents"] == 1


def test_incident_id_and_category_may_be_absent(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bare.csv",
        "service,received_at,latitude,longitude\npolice,2024-03-01 14:00,53.2,-0.54\n",
    )
    table = read_incidents([path]).table
    assert table.column("incident_id").to_pylist() == [None]
    assert table.column("category").to_pylist() == [None]


def test_blank_lines_are_skipped_but_counted_in_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "gaps.csv",
        HEADER + "\n1,police,2024-03-01 14:00,53.2,-0.54,x\n,,,,,\n\n2,fire,soon,53.2,-0.54,y\n",
    )
    assert problems_of([path]) == [
        f"{path}: line 6, column received_at: the time 'soon' is not a date and time: write "
        "ISO 8601 local time, such as 2024-03-01 14:05:00"
    ]
    good = write(tmp_path / "good.csv", HEADER + "\n1,police,2024-03-01 14:00,53.2,-0.54,x\n\n")
    assert read_incidents([good]).records == 1


def test_a_quoted_value_over_two_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "multiline.csv",
        HEADER + '1,police,2024-03-01 14:00,53.2,-0.54,"a\nb"\n2,fire,later,53.2,-0.54,y\n',
    )
    assert problems_of([path]) == [
        f"{path}: line 4, column received_at: the time 'later' is not a date and time: write "
        "ISO 8601 local time, such as 2024-03-01 14:05:00"
    ]


def test_a_byte_order_mark_and_spaces_around_values(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + HEADER.encode() + b"1, Police ,2024-03-01 14:00 , 53.2 ,-0.54,x\n"
    )
    table = read_incidents([path]).table
    assert table.column("service").to_pylist() == ["police"]
    assert table.column("latitude").to_pylist() == [53.2]


# --------------------------------------------------------------------------------------------
# Bad files: the file, the line, the column; nothing read


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("1,police,yesterday,53.2,-0.54,x", "received_at", "the time 'yesterday' is not a date"),
        ("1,police,2024-02-30 14:00,53.2,-0.54,x", "received_at", "is not a date and time"),
        ("1,police,2024-03-01 25:00,53.2,-0.54,x", "received_at", "is not a date and time"),
        ("1,police,2024-03-01,53.2,-0.54,x", "received_at", "a date without a time of day"),
        ("1,police,2024-03-01T14:00Z,53.2,-0.54,x", "received_at", "has a time zone"),
        ("1,police,2024-03-01T14:00+01:00,53.2,-0.54,x", "received_at", "has a time zone"),
        ("1,police,,53.2,-0.54,x", "received_at", "no time the call was received"),
        (
            "1,police,2024-03-01 14:00,90.5,-0.54,x",
            "latitude",
            "latitude 90.5 is outside -90 to 90",
        ),
        ("1,police,2024-03-01 14:00,-91,-0.54,x", "latitude", "outside -90 to 90"),
        ("1,police,2024-03-01 14:00,53.2,180.01,x", "longitude", "outside -180 to 180"),
        ("1,police,2024-03-01 14:00,north,-0.54,x", "latitude", "'north' is not a number"),
        ("1,police,2024-03-01 14:00,nan,-0.54,x", "latitude", "'nan' is not a number"),
        ("1,,2024-03-01 14:00,53.2,-0.54,x", "service", "no service"),
    ],
)
def test_bad_values_name_the_file_line_and_column(
    tmp_path: Path, line: str, column: str, message: str
) -> None:
    good = "2,fire,2024-03-01 14:00,53.2,-0.54,y\n"
    path = write(tmp_path / "bad.csv", HEADER + good + line + "\n")
    (problem,) = problems_of([path])
    assert problem.startswith(f"{path}: line 3, column {column}: ")
    assert message in problem


def test_the_edges_of_the_ranges_are_good(tmp_path: Path) -> None:
    path = write(
        tmp_path / "edges.csv",
        HEADER
        + "1,police,2024-03-01 14:00,90,180,x\n2,fire,2024-03-01 14:00,-90,-180,x\n"
        + "3,fire,2024-03-01 14:00,-90.0,1e2,x\n",
    )
    assert read_incidents([path]).records == 3


def test_a_missing_required_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "short.csv",
        "incident_id,service,latitude,longitude\n1,police,53.2,-0.54\n",
    )
    assert problems_of([path]) == [
        f"{path}: line 1, column received_at: the required column 'received_at' is missing "
        "(the columns are 'incident_id', 'service', 'latitude', 'longitude')"
    ]


def test_rows_of_the_wrong_width(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ragged.csv",
        HEADER + "1,police,2024-03-01 14:00,53.2,-0.54,x\n2,fire,2024-03-01 14:00,53.2\n",
    )
    assert problems_of([path]) == [f"{path}: line 3: the row has 4 fields; the header has 6"]


def test_every_bad_file_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [at("police")])
    one = write(tmp_path / "one.csv", HEADER + "1,fire,2024-03-01 14:00,99,-0.54,x\n")
    two = write(tmp_path / "two.csv", HEADER + "1,fire,noon,53.2,-0.54,x\n")
    found = problems_of([good, one, two, tmp_path / "absent.csv"])
    assert [problem.split(":")[0] for problem in found] == [
        str(one),
        str(two),
        str(tmp_path / "absent.csv"),
    ]
    assert "cannot be read" in found[-1]


def test_problems_are_capped_a_file(tmp_path: Path) -> None:
    rows = "".join(f"{n},fire,noon,53.2,-0.54,x\n" for n in range(MAX_PROBLEMS_PER_FILE + 7))
    found = problems_of([write(tmp_path / "many.csv", HEADER + rows)])
    assert len(found) == MAX_PROBLEMS_PER_FILE + 1
    assert found[-1] == f"{tmp_path / 'many.csv'}: and 7 more problems in this file"


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        HEADER.encode() + "1,police,2024-03-01 14:00,53.2,-0.54,Café\n".encode("latin-1")
    )
    assert problems_of([path]) == [f"{path}: line 2: is not UTF-8 text: save the file as CSV UTF-8"]


def test_an_empty_file(tmp_path: Path) -> None:
    (problem,) = problems_of([write(tmp_path / "empty.csv", "")])
    assert "the file is empty" in problem
    # A header alone is no records; so is an empty file with no header row to expect.
    assert read_incidents([write(tmp_path / "header.csv", HEADER)]).records == 0
    assert read_incidents([write(tmp_path / "montco.csv", "")], "montco").records == 0


def test_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = write(
        tmp_path / "late.csv",
        "\n\n" + HEADER + "1,police,2024-03-01 14:00,53.2,-0.54,x\n2,fire,noon,53.2,-0.54,x\n",
    )
    (problem,) = problems_of([path])
    assert problem.startswith(f"{path}: line 5, column received_at: the time 'noon'")


# --------------------------------------------------------------------------------------------
# Parquet


def test_parquet_with_typed_columns_gives_the_same_figures_as_csv(tmp_path: Path) -> None:
    rows = [at("police"), at("fire", minutes=4, north_m=100), at("ambulance", located=False)]
    csv_path = write_csv(tmp_path / "incidents.csv", rows)
    table = pa.table(
        {
            "incident_id": ["1", "2", "3"],
            "Service": [row.service for row in rows],
            "received_at": pa.array(
                [dt.datetime.fromisoformat(row.received_at) for row in rows], pa.timestamp("ms")
            ),
            "latitude": pa.array([row.latitude for row in rows], pa.float64()),
            "longitude": pa.array([row.longitude for row in rows], pa.float32()).cast(pa.float64()),
            "category": ["a", "b", "c"],
        }
    )
    parquet_path = tmp_path / "incidents.parquet"
    pq.write_table(table, parquet_path)
    from_csv = run([csv_path]).to_json_dict()
    assert run([parquet_path]).to_json_dict() == from_csv == reference(rows)
    # CSV and Parquet together.
    assert run([csv_path, parquet_path]).to_json_dict()["records"] == 6


def test_parquet_with_text_columns_and_a_zoned_timestamp(tmp_path: Path) -> None:
    table = pa.table(
        {
            "service": ["police", "fire"],
            "received_at": pa.array(
                [dt.datetime(2024, 7, 1, 13, 0), dt.datetime(2024, 7, 1, 13, 10)],
                pa.timestamp("us", tz="UTC"),
            ).cast(pa.timestamp("us", tz="Europe/London")),
            "latitude": ["53.2", "53.2"],
            "longitude": ["-0.54", ""],
        }
    )
    path = tmp_path / "zoned.parquet"
    pq.write_table(table, path)
    read = read_incidents([path]).table
    # The wall-clock time in its zone: 13:00 UTC is 14:00 in London in July.
    assert read.column("received_at").to_pylist()[0] == dt.datetime(2024, 7, 1, 14, 0)
    assert read.column("longitude").to_pylist() == [-0.54, None]


def test_bad_parquet_names_the_row_and_column(tmp_path: Path) -> None:
    table = pa.table(
        {
            "service": ["police", "fire"],
            "received_at": ["2024-03-01 14:00", "teatime"],
            "latitude": [53.2, 123.0],
        }
    )
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)
    assert problems_of([path]) == [
        f"{path}: longitude: the required column 'longitude' is missing (the columns are "
        "'service', 'received_at', 'latitude')"
    ]
    pq.write_table(table.append_column("longitude", pa.array([1.0, 2.0])), path)
    found = problems_of([path])
    assert found[0].startswith(f"{path}: row 2, column received_at: the time 'teatime'")
    assert found[1] == f"{path}: row 2, column latitude: the latitude 123.0 is outside -90 to 90"


# --------------------------------------------------------------------------------------------
# Montgomery County's layout


def test_montco_layout_is_one_small_mapping() -> None:
    assert set(LAYOUTS) == {"accord", "montco"}
    assert MONTCO.columns == ("latitude", "longitude", "title", "timestamp", "township", "address")
    assert dict(MONTCO.services) == {"EMS": "ambulance", "Fire": "fire", "Traffic": "police"}


def test_montco_titles_give_the_service_and_category(tmp_path: Path) -> None:
    path = write(
        tmp_path / "montco.csv",
        "40.1,-75.3,EMS: FALL VICTIM,2016-01-15 12:01,NORRISTOWN,MAIN ST\n"
        "40.1,-75.3,Fire: FIRE ALARM,2016-01-15 12:05,NORRISTOWN,MAIN ST\n"
        "40.1,-75.3,Traffic: VEHICLE ACCIDENT -,2016-01-15 12:06,NORRISTOWN,MAIN ST\n",
    )
    table = read_incidents([path], "montco").table
    assert table.column("service").to_pylist() == ["ambulance", "fire", "police"]
    assert table.column("category").to_pylist() == [
        "FALL VICTIM",
        "FIRE ALARM",
        "VEHICLE ACCIDENT -",
    ]
    figures = run([path], layout="montco").to_json_dict()
    assert (figures["joint_incidents"], figures["tri_service"]) == (1, 1)


def test_montco_bad_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "montco.csv",
        "40.1,-75.3,EMS: FALL VICTIM,2016-01-15 12:01,NORRISTOWN,MAIN ST\n"
        "40.1,-75.3,Sheriff: ESCORT,2016-01-15 12:05,NORRISTOWN,MAIN ST\n"
        "40.1,-75.3,Fire: FIRE ALARM,15/01/2016 12:06,NORRISTOWN,MAIN ST\n"
        "40.1,-75.3,Fire: FIRE ALARM,2016-01-15 12:06,NORRISTOWN\n",
    )
    assert problems_of([path], "montco") == [
        f"{path}: line 4: the row has 5 fields; the montco layout has 6"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    assert problems_of([path], "montco") == [
        f"{path}: line 2, column title: the title 'Sheriff: ESCORT' does not start with a "
        "service (EMS:, Fire:, Traffic:)",
        f"{path}: line 3, column timestamp: the time '15/01/2016 12:06' is not a date and "
        "time: write ISO 8601 local time, such as 2024-03-01 14:05:00",
    ]


def test_the_montco_sample_matches_the_every_pair_reference(shared_data: Path) -> None:
    path = shared_data / "montco_911_sample.csv"
    services = dict(MONTCO.services)
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for lat, lon, title, timestamp, _township, _address in csv.reader(handle):
            prefix, _, category = title.partition(":")
            rows.append(Row(services[prefix], timestamp, float(lat), float(lon), category.strip()))
    figures = run([path], layout="montco").to_json_dict()
    assert figures == reference(rows)
    assert figures["records"] == 3051
    assert set(figures["by_service"]) == {"ambulance", "fire", "police"}
    assert figures["joint_incidents"] > 0
