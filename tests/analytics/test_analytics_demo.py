"""The demo analysis: Montgomery County's 911 calls attached to PSTN, labelled as US sample
data, its rows discarded after the run (the product keeps no copy of the shared file); made
once however often the demo runs, and saying so when the file is not there."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accord.analytics import demo
from accord.analytics.models import Analysis, State
from accord.core.actors import SystemActor
from accord.register.demo import load_demo_collaborations

ACTOR = SystemActor("demo loader")


@pytest.fixture
def collaborations(db: None) -> None:
    load_demo_collaborations(ACTOR)


@pytest.mark.usefixtures("collaborations")
def test_the_demo_analysis_of_pstn(shared_data: Path, client: Client, platform_admin: Any) -> None:
    path = shared_data / demo.MONTCO_FILE
    loaded = demo.load_demo(ACTOR, path)
    assert loaded.made == 1
    analysis = Analysis.objects.get()
    assert analysis.collaboration.reference == "PSTN-SURREY-SUSSEX"
    assert analysis.state == State.DONE and analysis.layout == "montco"
    assert "US sample data" in analysis.title and "US sample data" in analysis.data_note
    assert analysis.result["records"] == 3051
    assert analysis.result["joint_incidents"] == 120
    item = analysis.files.get()
    assert item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert item.data is None  # not copied into the product
    # Shown with its label, on its page and in the collaboration's panel.
    client.force_login(platform_admin)
    page = client.get(f"/analytics/{analysis.pk}/").content.decode()
    assert "US sample data" in page and 'id="hotspots-table"' in page
    panel = client.get("/collaborations/PSTN-SURREY-SUSSEX/").content.decode()
    assert f"/analytics/{analysis.pk}/" in panel
    again = demo.load_demo(ACTOR, path)
    assert again.made == 0 and Analysis.objects.count() == 1


@pytest.mark.usefixtures("collaborations")
def test_without_the_file_the_demo_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "shared_montco_file", lambda: None)
    loaded = demo.load_demo(ACTOR)
    assert loaded.made == 0 and "not in ../shared/data/" in loaded.lines[0]
    assert not Analysis.objects.exists()
