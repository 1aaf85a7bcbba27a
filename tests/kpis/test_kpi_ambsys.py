"""`accord import ambsys`: NHS England's AmbSYS file into the published series, read by column
name (either column set), England kept as the national comparator, the regions skipped, '.'
missing, and a re-import that duplicates nothing and touches nothing entered by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from tests.support.factories import AdoptionFactory, MeasurementFactory

from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.kpis import services
from accord.kpis.choices import Source
from accord.kpis.models import Indicator, Measurement


def _after(event: Any) -> dict[str, Any]:
    return dict(event.after or {})


ADMIN = SystemActor("test")
FILE = "ambsys_2017-08_to_2019-12.csv"
AUGUST_2017 = dt.date(2017, 8, 1)
#: The columns of each set, as ../shared/data/README.md says: A58-A73 end with September
#: 2019, A74-A122 begin in October 2019.
OLD_ONLY = {f"A{n}" for n in range(58, 74)}
NEW_ONLY = {f"A{n}" for n in range(74, 123)}


@pytest.fixture
def ambsys(shared_data: Path) -> bytes:
    return (shared_data / FILE).read_bytes()


@pytest.fixture
def library(db: Any) -> None:
    services.load_shipped_library(ADMIN)


def _published(key: str, code: str | None, period: dt.date) -> Measurement:
    return (
        Measurement.objects.get(
            indicator__key=key,
            adoption__isnull=True,
            organisation__code=code,
            period=period,
        )
        if code
        else Measurement.objects.get(
            indicator__key=key, adoption__isnull=True, national=True, period=period
        )
    )


def _rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return list(reader.fieldnames or []), list(reader)


def _write(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.usefixtures("library")
def test_the_emas_category_1_mean_for_august_2017_is_480_seconds(ambsys: bytes) -> None:
    result = services.import_ambsys(ADMIN, ambsys, FILE)
    assert _published("ambsys-c1-mean", "RX9", AUGUST_2017).value == 480.0
    emas = _published("ambsys-c1-mean", "RX9", AUGUST_2017)
    assert emas.source == Source.AMBSYS and not emas.national
    # The file's own C1 total and count agree with its mean: 2,043,438 s / 4,260 = 479.7.
    assert _published("ambsys-c2-90th", "RX9", AUGUST_2017).value == 2986.0
    england = _published("ambsys-c1-mean", None, AUGUST_2017)
    assert england.organisation is None and england.value == 554.0
    assert result.periods == (AUGUST_2017, dt.date(2019, 12, 1))
    # 7 regions a month for 29 months.
    assert result.skipped_regional == 7 * 29
    assert result.rows == 551 and not result.unknown_codes
    assert result.created == result.imported > 0 and result.replaced == 0
    assert result.missing_values > 0
    assert not Measurement.objects.filter(organisation__code__startswith="Y").exists()


@pytest.mark.usefixtures("library")
def test_a_second_import_changes_nothing(ambsys: bytes) -> None:
    first = services.import_ambsys(ADMIN, ambsys, FILE)
    rows = dict(Measurement.objects.values_list("pk", "value"))
    events = AuditEvent.objects.count()
    second = services.import_ambsys(ADMIN, ambsys, FILE)
    assert dict(Measurement.objects.values_list("pk", "value")) == rows
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="kpi.ambsys.import").count() == 2
    for name in ("rows", "imported", "skipped_regional", "missing_values", "unknown_codes"):
        assert getattr(second, name) == getattr(first, name), name
    assert (second.created, second.changed, second.removed) == (0, 0, 0)
    assert second.replaced == first.imported


@pytest.mark.usefixtures("library")
def test_a_reimport_replaces_what_ambsys_supplied_and_nothing_entered_by_hand(
    ambsys: bytes, collaboration: Any
) -> None:
    header, rows = _rows(ambsys)
    services.import_ambsys(ADMIN, ambsys, FILE)
    adoption: Any = AdoptionFactory(
        collaboration=collaboration, indicator=Indicator.objects.get(key="ambsys-c1-mean")
    )
    entered: Any = MeasurementFactory(adoption=adoption, period=AUGUST_2017, value=400.0)
    emas_august = next(
        r for r in rows if r["Org Code"] == "RX9" and (r["Year"], r["Month"]) == ("2017", "8")
    )
    emas_august["A25"] = "470"  # a revised figure
    emas_august["A26"] = "."  # withdrawn
    later = [r for r in rows if (r["Year"], r["Month"]) != ("2019", "12")]  # one month fewer
    result = services.import_ambsys(ADMIN, _write(header, later), "revised.csv")
    assert result.changed == 1 and result.removed == 1 and result.created == 0
    assert _published("ambsys-c1-mean", "RX9", AUGUST_2017).value == 470.0
    assert not Measurement.objects.filter(
        indicator__key="ambsys-c1-90th", organisation__code="RX9", period=AUGUST_2017
    ).exists()
    # A month the new file does not cover keeps what the earlier file supplied.
    assert _published("ambsys-c1-mean", "RX9", dt.date(2019, 12, 1))
    entered.refresh_from_db()
    assert (entered.value, entered.source, entered.adoption_id) == (400.0, "entered", adoption.pk)
    event = AuditEvent.objects.filter(action="kpi.ambsys.import").order_by("sequence").last()
    assert event is not None and _after(event)["file"] == "revised.csv"
    assert _after(event)["changed"] == 1 and _after(event)["removed"] == 1


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize("dropped", [NEW_ONLY, OLD_ONLY], ids=["before-october-2019", "after"])
def test_either_column_set_reads_the_same(ambsys: bytes, dropped: set[str]) -> None:
    header, rows = _rows(ambsys)
    kept = [name for name in header if name not in dropped]
    # Columns by name, not place: the same file with its columns in another order.
    shuffled = kept[:5] + list(reversed(kept[5:]))
    services.import_ambsys(ADMIN, _write(shuffled, rows), "one-set.csv")
    assert _published("ambsys-c1-mean", "RX9", AUGUST_2017).value == 480.0
    assert _published("ambsys-c1-mean", "RX9", dt.date(2019, 12, 1))


@pytest.mark.usefixtures("library")
def test_missing_values_are_dots_and_a_bad_cell_is_named_by_row_and_column() -> None:
    header = ["Year", "Month", "Region", "Org Code", "Org Name", "A8", "A25", "A26"]
    good = [
        {"Year": "2018", "Month": "1", "Org Code": "RX9", "A8": "10", "A25": ".", "A26": "900"},
        {"Year": "2018", "Month": "1", "Org Code": "Eng", "A8": "20", "A25": "500", "A26": "."},
        {"Year": "2018", "Month": "1", "Org Code": "Y60", "A25": "1"},
        {"Year": "2018", "Month": "1", "Org Code": "ZZZ", "A25": "1"},
    ]
    result = services.import_ambsys(ADMIN, _write(header, good), "small.csv")
    assert result.missing_values == 2 and result.skipped_regional == 1
    assert result.unknown_codes == {"ZZZ": 1}
    assert not Measurement.objects.filter(indicator__key="ambsys-c1-mean", organisation__code="RX9")
    assert _published("ambsys-c1-90th", "RX9", dt.date(2018, 1, 1)).value == 900.0

    bad = [
        {"Year": "2018", "Month": "2", "Org Code": "RX9", "A25": "quick"},
        {"Year": "2018", "Month": "13", "Org Code": "RX9", "A25": "1"},
        {"Year": "2018", "Month": "2", "Org Code": "RX9", "A25": "2"},
    ]
    before = Measurement.objects.count()
    with pytest.raises(Problems) as caught:
        services.import_ambsys(ADMIN, _write(header, bad), "bad.csv")
    messages = [str(p) for p in caught.value.problems]
    assert (
        "bad.csv: Row 2, column A25: 'quick' is not a number ('.' is a missing value)" in messages
    )
    assert any(m.startswith("bad.csv: Row 3, column Month:") for m in messages)
    assert "bad.csv: Row 4, column Org Code: RX9 2018-02 is also on row 2" in messages
    assert Measurement.objects.count() == before


@pytest.mark.usefixtures("library")
def test_a_file_that_is_not_ambsys_is_refused_whole() -> None:
    with pytest.raises(Problems) as caught:
        services.import_ambsys(ADMIN, b"period,value\n2018-01,3\n", "series.csv")
    assert "missing column(s) Year, Month, Org Code" in str(caught.value)


@pytest.mark.django_db
def test_without_the_library_it_says_to_load_it(shared_data: Path) -> None:
    with pytest.raises(Problems) as caught:
        services.import_ambsys(ADMIN, (shared_data / FILE).read_bytes(), FILE)
    assert "accord kpi library load" in str(caught.value)


@pytest.mark.usefixtures("library")
def test_only_platform_administrators_import_published_data(
    ambsys: bytes, owner: Any, platform_admin: Any
) -> None:
    with pytest.raises(PermissionRefused):
        services.import_ambsys(owner, ambsys, FILE)
    assert services.import_ambsys(platform_admin, ambsys, FILE).created > 0


@pytest.mark.usefixtures("library")
def test_the_values_are_written_in_bulk(ambsys: bytes, django_assert_max_num_queries: Any) -> None:
    # In batches of 1,000 rows (SQLite splits each into queries of its variable limit, about
    # 80 rows): a query a value would be thousands.
    with django_assert_max_num_queries(100):
        result = services.import_ambsys(ADMIN, ambsys, FILE)
    assert result.created > 3000


@pytest.mark.usefixtures("library")
def test_the_command_says_what_it_did(shared_data: Path) -> None:
    from accord.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["import", "ambsys", str(shared_data / FILE)]) == 0
    text = out.getvalue()
    assert "551 rows, August 2017 to December 2019" in text
    assert "Skipped 203 regional rows" in text and "Missing values ('.')" in text
    assert _published("ambsys-c1-mean", "RX9", AUGUST_2017).value == 480.0


@pytest.mark.usefixtures("library")
def test_a_file_refused_unread_exits_1_and_wrong_content_2(tmp_path: Path) -> None:
    from accord.cli import main

    pdf = tmp_path / "ambsys.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert main(["import", "ambsys", str(pdf)]) == 1
    wrong = tmp_path / "ambsys.csv"
    wrong.write_text("Year,Month,Org Code,A25\n2018,1,RX9,quick\n")
    assert main(["import", "ambsys", str(wrong)]) == 2
    assert not Measurement.objects.exists()
