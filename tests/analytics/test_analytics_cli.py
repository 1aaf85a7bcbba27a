"""`accord analytics new | run`: an analysis of a collaboration from files on disk, checked
in full first (nothing stored on a problem), queued, and run here or by `run`, every change
audited as on the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.support.analytics_factories import csv_bytes

from accord.analytics.models import Analysis, AnalysisFile, State
from accord.cli import main
from accord.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    path = tmp_path / "lincoln.csv"
    path.write_bytes(csv_bytes())
    return path


def test_new_with_run(
    collaboration: Any, incidents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = collaboration.reference
    status = main(["analytics", "new", ref, str(incidents), "--run", "--note", "test data"])
    out = capsys.readouterr().out
    assert status == 0, out
    analysis = Analysis.objects.get()
    assert analysis.state == State.DONE and analysis.title == "lincoln.csv"
    assert analysis.data_note == "test data"
    assert "9 records, 3 joint incidents" in out
    assert analysis.run_by_label == "system (command line)"
    assert AuditEvent.objects.filter(action="analysis.finish").count() == 1


def test_new_then_run_queued(
    collaboration: Any, incidents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analytics", "new", collaboration.reference, str(incidents)]) == 0
    assert Analysis.objects.get().state == State.QUEUED
    assert main(["analytics", "run"]) == 0
    assert Analysis.objects.get().state == State.DONE
    assert main(["analytics", "run"]) == 0
    assert "No analysis is waiting to run." in capsys.readouterr().out
    assert main(["analytics", "run", str(Analysis.objects.get().pk)]) == 2


def test_a_bad_file_stores_nothing(
    collaboration: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([("x", "fire", "yesterday", "53.2", "-0.5", "Fire")]))
    assert main(["analytics", "new", collaboration.reference, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "received_at" in err
    assert not AnalysisFile.objects.exists()


def test_an_unknown_collaboration(incidents: Path, db: None) -> None:
    assert main(["analytics", "new", "NO-SUCH", str(incidents)]) == 2
