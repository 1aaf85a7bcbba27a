"""A collaboration's measurements file (CSV or XLSX): columns indicator, organisation, period,
value, note; one transaction; every bad row listed with its reason."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.support.factories import AdoptionFactory, IndicatorFactory, MeasurementFactory
from tests.support.people import EMAS

from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.kpis import services
from accord.kpis.models import Measurement


def _after(event: Any) -> dict[str, Any]:
    return dict(event.after or {})


def _before(event: Any) -> dict[str, Any]:
    return dict(event.before or {})


def _code(organisation: Any) -> str | None:
    return organisation.code if organisation is not None else None


@pytest.fixture
def kpis(collaboration: Any) -> dict[str, Any]:
    visits: Any = IndicatorFactory(key="prevention-visits-test", title="Prevention visits")
    calls: Any = IndicatorFactory(key="partner-calls-test", title="Calls answered for partners")
    return {
        "visits": AdoptionFactory(collaboration=collaboration, indicator=visits, organisation=None),
        "calls": AdoptionFactory(collaboration=collaboration, indicator=calls, organisation=EMAS),
    }


GOOD = """\
indicator,organisation,period,value,note
prevention-visits-test,,2019-01,120,First month
prevention-visits-test,,2019-02-01,"1,089",
partner-calls-test,RX9,2019-01,15,
partner-calls-test,East Midlands Ambulance Service NHS Trust,2019-02,16,by name
"""


def _problems(owner: Any, collaboration: Any, text: str, name: str = "m.csv") -> list[str]:
    with pytest.raises(Problems) as caught:
        services.import_measurements(owner, collaboration, text.encode(), name)
    return [str(p) for p in caught.value.problems]


@pytest.mark.django_db
def test_a_good_file_is_imported_each_row_audited(
    collaboration: Any, kpis: dict[str, Any], owner: Any
) -> None:
    count = services.import_measurements(owner, collaboration, GOOD.encode(), "m.csv")
    assert int(count) == count.created == 4
    visits = Measurement.objects.filter(adoption=kpis["visits"]).order_by("period")
    assert [(m.period, m.value, m.note) for m in visits] == [
        (dt.date(2019, 1, 1), 120.0, "First month"),
        (dt.date(2019, 2, 1), 1089.0, ""),
    ]
    calls = Measurement.objects.filter(adoption=kpis["calls"])
    assert {_code(m.organisation) for m in calls} == {EMAS}
    assert all(m.entered_by == owner and m.source_file == "m.csv" for m in calls)
    assert AuditEvent.objects.filter(action="kpi.measurement.create").count() == 4


@pytest.mark.django_db
def test_an_xlsx_file_reads_the_same(collaboration: Any, kpis: dict[str, Any], owner: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["indicator", "organisation", "period", "value", "note"])
    sheet.append(["partner-calls-test", "RX9", dt.datetime(2019, 3, 1), 17, "from Excel"])
    out = io.BytesIO()
    book.save(out)
    services.import_measurements(owner, collaboration, out.getvalue(), "m.xlsx")
    (found,) = Measurement.objects.filter(adoption=kpis["calls"])
    assert (found.period, found.value, found.note) == (dt.date(2019, 3, 1), 17.0, "from Excel")


@pytest.mark.django_db
def test_every_bad_row_is_listed_and_nothing_is_written(
    collaboration: Any, kpis: dict[str, Any], owner: Any
) -> None:
    text = """\
indicator,organisation,period,value,note
prevention-visits-test,,2019-01,120,
prevention-visit-test,,2019-01,1,
partner-calls-test,Lincs Ambulanse,2019-01,1,
partner-calls-test,,2019-01,1,
prevention-visits-test,,January 2019,1,
prevention-visits-test,,2019-03-15,1,
prevention-visits-test,,2019-04,lots,
prevention-visits-test,,2019-01,121,
,RX9,,,
"""
    problems = _problems(owner, collaboration, text)
    assert problems[0].startswith("Row 3, column indicator: no indicator has the id ")
    assert any(
        p.startswith("Row 4, column organisation: no organisation matches 'Lincs Ambulanse'.")
        and "Did you mean" in p
        for p in problems
    )
    assert (
        "Row 5, column indicator: the collaboration has adopted partner-calls-test only for RX9, "
        "not for the whole collaboration" in problems
    )
    assert any(
        p.startswith("Row 6, column period: 'January 2019' is not a month") for p in problems
    )
    assert any(
        p.startswith("Row 7, column period: '2019-03-15' is not the first day") for p in problems
    )
    assert "Row 8, column value: 'lots' is not a number" in problems
    assert (
        "Row 9, column period: 2019-01 for prevention-visits-test repeats row 2 "
        "(one value a period)" in problems
    )
    assert "Row 10, column indicator: is required" in problems
    assert "Row 10, column period: is required" in problems
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_the_header_is_checked_first(collaboration: Any, kpis: dict[str, Any], owner: Any) -> None:
    assert _problems(owner, collaboration, "indicator,month,amount\nx,2019-01,1\n") == [
        "Header: unknown column(s) month, amount; the columns are indicator, organisation, "
        "period, value, note",
        "Header: missing column(s) period, value",
    ]
    assert _problems(owner, collaboration, "") == ["m.csv: the file is empty"]
    assert "not a CSV or XLSX file" in _problems(owner, collaboration, "x", "m.pdf")[0]


@pytest.mark.django_db
def test_importing_again_replaces_a_changed_figure_and_keeps_its_history(
    collaboration: Any, kpis: dict[str, Any], owner: Any
) -> None:
    MeasurementFactory(adoption=kpis["visits"], period=dt.date(2019, 1, 1), value=100.0)
    first = services.import_measurements(owner, collaboration, GOOD.encode(), "m.csv")
    assert (first.created, first.changed, first.unchanged) == (3, 1, 0)
    event = AuditEvent.objects.get(action="kpi.measurement.update")
    assert (_before(event)["value"], _after(event)["value"]) == (100.0, 120.0)
    again = services.import_measurements(owner, collaboration, GOOD.encode(), "m.csv")
    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.filter(action__startswith="kpi.measurement").count() == 5
    assert Measurement.objects.count() == 4


@pytest.mark.django_db
def test_only_those_who_may_edit_the_collaboration_import(
    collaboration: Any, kpis: dict[str, Any], outsider: Any, partner_user: Any
) -> None:
    with pytest.raises(PermissionRefused):
        services.import_measurements(outsider, collaboration, GOOD.encode(), "m.csv")
    assert services.import_measurements(partner_user, collaboration, GOOD.encode(), "m.csv") == 4


@pytest.mark.django_db
def test_the_command_imports_a_file(
    collaboration: Any, kpis: dict[str, Any], owner: Any, tmp_path: Path
) -> None:
    from accord.cli import main

    path = tmp_path / "figures.csv"
    path.write_text(GOOD)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["import", "measurements", collaboration.reference, str(path)]) == 0
    assert "4 figures stored (4 new, 0 changed, 0 as they were)" in out.getvalue()
    path.write_text(GOOD.replace("120", "many"))
    assert main(["import", "measurements", collaboration.reference, str(path)]) == 2
    assert main(["import", "measurements", "NO-SUCH", str(path)]) == 2
