"""Exports stream: rows are read in chunks and written as they come, so that a whole register
costs no more memory than a few chunks, and the file is the same as one written at once."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.support.factories import CollaborationFactory

from accord.register import exports
from accord.register.models import Collaboration


def _stream_peak(fmt: str) -> tuple[int, bytes]:
    tracemalloc.start()
    try:
        size = 0
        last = b""
        for piece in exports.stream(Collaboration.objects.all(), fmt):
            size += len(piece)
            last = piece
        return tracemalloc.get_traced_memory()[1], last
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_the_export_page_streams_every_visible_row(client: Client, owner: Any) -> None:
    for n in range(3):
        CollaborationFactory(title=f"Public pilot {n}", visibility="public")
    CollaborationFactory(title="Hampshire's own", partners=(("E23000030", "lead"),))
    response = client.get("/collaborations/export/?format=csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    titles = sorted(row["title"] for row in csv.DictReader(io.StringIO(text)))
    assert titles == ["Public pilot 0", "Public pilot 1", "Public pilot 2"]

    body = json.loads(b"".join(client.get("/collaborations/export/?format=json").streaming_content))
    assert body["count"] == 3 and len(body["records"]) == 3
    assert body["protective_marking"] == "OFFICIAL-SENSITIVE"

    sheet = load_workbook(
        io.BytesIO(b"".join(client.get("/collaborations/export/?format=xlsx").streaming_content))
    ).active
    assert sheet is not None and sheet.max_row == 4  # the header and three rows


@pytest.mark.django_db
def test_memory_does_not_grow_with_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.core import spreadsheets

    monkeypatch.setattr(exports, "CHUNK", 20)
    monkeypatch.setattr(spreadsheets, "BATCH_ROWS", 20)
    for n in range(40):
        CollaborationFactory(title=f"Pilot {n}", visibility="public")
    small, _ = _stream_peak("csv")
    for n in range(40, 200):
        CollaborationFactory(title=f"Pilot {n}", visibility="public")
    large, _ = _stream_peak("csv")
    # Five times the rows: the peak is that of a chunk or two, not five times the first.
    assert large < small * 2, (small, large)


@pytest.mark.django_db
def test_a_streamed_file_is_the_file_written_at_once() -> None:
    for n in range(5):
        CollaborationFactory(title=f"=HYPERLINK(pilot {n})", visibility="public")
    streamed = exports.render(Collaboration.objects.all(), "csv")
    rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
    assert rows[0] == list(exports.EXPORT_COLUMNS)
    assert {r[1] for r in rows[1:]} == {f"'=HYPERLINK(pilot {n})" for n in range(5)}
