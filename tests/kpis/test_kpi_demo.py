"""The demo KPIs: JACP's EMAS response times from the real AmbSYS file with a go-live, CRIT's
prevention visits and calls answered for partners, H3's cashable savings; loaded once however
often the demo runs, and saying so when the AmbSYS file is not there."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from accord.core.actors import SystemActor
from accord.kpis import demo
from accord.kpis.models import Adoption, Measurement, Milestone
from accord.register.demo import load_demo_collaborations

ACTOR = SystemActor("demo loader")


@pytest.fixture
def collaborations(db: None) -> None:
    load_demo_collaborations(ACTOR)


@pytest.mark.usefixtures("collaborations")
def test_the_demo_kpis_load_once_with_the_real_ambsys_figures(shared_data: Path) -> None:
    loaded = demo.load_demo(ACTOR, ambsys=shared_data / demo.AMBSYS_FILE)
    assert loaded.adoptions == 7 and loaded.ambsys is not None
    jacp = Adoption.objects.filter(collaboration__reference="JACP")
    assert sorted(a.indicator.key for a in jacp) == sorted(demo.JACP_INDICATORS)
    assert {a.organisation.code for a in jacp if a.organisation} == {"RX9"}
    go_live = Milestone.objects.filter(adoption__in=jacp)
    assert {(m.on, m.kind, m.starts_phase) for m in go_live} == {
        (demo.JACP_GO_LIVE, "go_live", True)
    }
    assert all("illustrative" in m.title for m in go_live)
    # What every adoption of C1 mean for EMAS reads: the published series.
    emas_c1 = Measurement.objects.get(
        indicator__key="ambsys-c1-mean", organisation__code="RX9", period=dt.date(2017, 8, 1)
    )
    assert emas_c1.value == 480.0 and emas_c1.adoption is None

    crit = Adoption.objects.filter(collaboration__reference="CRIT")
    assert sorted(a.indicator.key for a in crit) == ["partner-calls-answered", "prevention-visits"]
    assert not Measurement.objects.filter(adoption__in=crit).exists()

    (h3,) = Adoption.objects.filter(collaboration__reference="H3")
    (saving,) = Measurement.objects.filter(adoption=h3)
    assert (h3.indicator.key, saving.value, saving.period) == (
        "cashable-savings",
        4_000_000.0,
        dt.date(2016, 1, 1),
    )
    assert "Hansard" in saving.note and "gives no year" in saving.note

    counts = (Adoption.objects.count(), Measurement.objects.count(), Milestone.objects.count())
    again = demo.load_demo(ACTOR, ambsys=shared_data / demo.AMBSYS_FILE)
    assert again.adoptions == 0 and again.ambsys is not None and again.ambsys.created == 0
    assert (Adoption.objects.count(), Measurement.objects.count(), Milestone.objects.count()) == (
        counts
    )


@pytest.mark.usefixtures("collaborations")
def test_without_the_ambsys_file_the_demo_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "shared_ambsys_file", lambda: None)
    loaded = demo.load_demo(ACTOR)
    assert loaded.ambsys is None
    assert any("is not in ../shared/data/" in line and "--ambsys" in line for line in loaded.lines)
    # Adopted all the same: the charts fill once the file is imported.
    assert Adoption.objects.filter(collaboration__reference="JACP").count() == 4
    assert not Measurement.objects.filter(indicator__key="ambsys-c1-mean").exists()


def test_the_shared_file_is_found_beside_the_project(shared_data: Path) -> None:
    found = demo.shared_ambsys_file()
    assert found is not None and found.resolve() == (shared_data / demo.AMBSYS_FILE).resolve()


@pytest.mark.django_db
def test_accord_demo_takes_the_ambsys_file(shared_data: Path) -> None:
    from accord.cli import main

    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(
            [
                "demo",
                "--password",
                "correct-horse-battery-staple",
                "--ambsys",
                str(shared_data / demo.AMBSYS_FILE),
            ]
        )
    assert code == 0
    text = err.getvalue()
    assert "Indicators: " in text and "AmbSYS: loaded" in text and "Demo KPIs: 7 adopted" in text
    assert (
        Measurement.objects.get(
            indicator__key="ambsys-c1-mean", organisation__code="RX9", period=dt.date(2017, 8, 1)
        ).value
        == 480.0
    )
