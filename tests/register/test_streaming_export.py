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
    # Anonymous: public records only, so the file carries the public marking.
    assert body["protective_marking"] == "OFFICIAL"

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


def _bulk_register(first: int, count: int) -> None:
    """`count` public records with two partners, a champion and an evidence link each, written
    in bulk: a fixture large enough to span many chunks, built in a moment."""
    from accord.orgs.models import Organisation
    from accord.register.models import Champion, EvidenceLink, Partner

    lead, other = Organisation.objects.order_by("code")[:2]
    made = Collaboration.objects.bulk_create(
        Collaboration(
            reference=f"BULK-{n:05d}",
            title=f"Bulk pilot {n}",
            summary="A joint pilot between services, written in bulk for this test. " * 2,
            research_area="operations",
            nature="co_responding",
            status="operational",
            service_mix="fire_ambulance",
            visibility="public",
        )
        for n in range(first, first + count)
    )
    Partner.objects.bulk_create(
        Partner(collaboration=c, organisation=org, role=role)
        for c in made
        for org, role in ((lead, "lead"), (other, "partner"))
    )
    Champion.objects.bulk_create(Champion(collaboration=c, name="A champion") for c in made)
    EvidenceLink.objects.bulk_create(
        EvidenceLink(collaboration=c, title="Evaluation", url=f"https://example.org/{c.pk}")
        for c in made
    )


@pytest.mark.django_db
@pytest.mark.unaudited_writes("a bulk fixture of records to export")
def test_the_export_reads_one_chunk_of_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(exports, "CHUNK", 50)
    _bulk_register(0, 120)
    with CaptureQueriesContext(connection) as ctx:
        text = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == 120
    assert lines[0]["partners"].count(":") == 2 and lines[0]["evidence"].startswith("Evaluation")
    # One query for the file's marking, one for the organisations' state and one that keeps
    # the relations of records changed since the last export, then three chunks (50, 50, 20),
    # each one query that reads its rows with their relations: no query a row, never more
    # than a chunk in hand.
    assert len(ctx.captured_queries) == 3 + 3, [q["sql"][:120] for q in ctx.captured_queries]
    assert ctx.captured_queries[2]["sql"].startswith("INSERT INTO")
    assert all(q["sql"].endswith("LIMIT 50") for q in ctx.captured_queries[3:])


@pytest.mark.django_db
@pytest.mark.unaudited_writes("a bulk fixture of records to export")
def test_four_times_the_rows_need_no_more_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.core import spreadsheets

    monkeypatch.setattr(exports, "CHUNK", 100)
    monkeypatch.setattr(spreadsheets, "BATCH_ROWS", 100)
    _bulk_register(0, 500)
    small, _ = _stream_peak("csv")
    _bulk_register(500, 1500)
    large, _ = _stream_peak("csv")
    # 500 rows against 2,000: the peak is a chunk's, whatever the register's size.
    assert large < small * 1.25, (small, large)


@pytest.mark.django_db
def test_every_column_is_written_as_the_record_holds_it() -> None:
    """The database writes each row's text (dates, money, flags, the joined relations, the time
    of the last change): checked here cell by cell against a record with every field set, so
    that SQLite and PostgreSQL write the same file."""
    import datetime as dt
    from decimal import Decimal

    from tests.support.factories import ACTOR, AreaFactory

    from accord.orgs.models import Organisation
    from accord.register import services

    lincs, emas, hants = (
        Organisation.objects.get(code=code) for code in ("E31000025", "RX9", "E23000030")
    )
    b_area, a_area = AreaFactory(name="Bourne"), AreaFactory(name="Alford")
    record = services.create_collaboration(
        ACTOR,
        services.CollaborationData(
            title="Every field",
            summary="All of it.",
            research_area="effective",
            nature="co_responding",
            status="operational",
            partners=[(lincs, "lead"), (emas, "partner")],
            reference="EVERY-FIELD",
            proposed_on=dt.date(2015, 4, 1),
            started_on=dt.date(2016, 1, 31),
            ended_on=dt.date(2019, 12, 1),
            services=["police", "ambulance"],
            funding_source="Transformation Fund",
            funding_amount=Decimal("1234567.89"),
            funding_ends_on=dt.date(2020, 3, 31),
            board="Joint board",
            has_written_agreement=True,
            agreement_signed_on=dt.date(2015, 6, 30),
            champions=[("Ann Lead", lincs), ("Bo Helper", None)],
            evidence=[("Evaluation", "https://example.org/e"), ("Minutes", "")],
            outcomes="Faster response.",
            public_summary="A pilot.",
            notes="-5 is not a formula here",
            visibility="public",
            named_organisations=[hants],
            areas=[b_area, a_area],
        ),
    )
    services.archive_collaboration(ACTOR, record)
    record.refresh_from_db()
    text = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row == {
        "reference": "EVERY-FIELD",
        "title": "Every field",
        "summary": "All of it.",
        "research_area": "effective",
        "research_area_label": "Effective services",
        "nature": "co_responding",
        "nature_label": "First response and co-responding",
        "status": "operational",
        "status_label": "Operational",
        "proposed_on": "2015-04-01",
        "started_on": "2016-01-31",
        "ended_on": "2019-12-01",
        "services": "police; ambulance",
        "partners": "E31000025:lead; RX9:partner",
        "partner_names": f"{lincs.name} (lead); {emas.name} (partner)",
        "funding_source": "Transformation Fund",
        "funding_amount": "1234567.89",
        "funding_ends_on": "2020-03-31",
        "board": "Joint board",
        "written_agreement": "yes",
        "agreement_signed_on": "2015-06-30",
        "champions": "Ann Lead (E31000025); Bo Helper",
        "outcomes": "Faster response.",
        "public_summary": "A pilot.",
        "evidence": "Evaluation | https://example.org/e; Minutes",
        "visibility": "public",
        "visibility_label": "Public: anyone, signed in or not",
        "named_organisations": "E23000030",
        "named_organisation_names": hants.name,
        "areas": f"{a_area.code}; {b_area.code}",
        "area_names": "Alford; Bourne",
        "notes": "'-5 is not a formula here",
        "service_mix": record.service_mix,
        "service_mix_label": record.get_service_mix_display(),
        "archived": "yes",
        "updated_at": record.updated_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "protective_marking": "OFFICIAL",
    }
    # A record with none of the optional fields: empty cells, not "None" or "0.00".
    CollaborationFactory(reference="BARE", title="Bare", visibility="public", services=[])
    text = exports.render(Collaboration.objects.filter(reference="BARE"), "csv")
    (bare,) = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    for name in ("proposed_on", "funding_amount", "champions", "evidence", "areas"):
        assert bare[name] == "", name
    assert bare["written_agreement"] == "not known" and bare["archived"] == "no"
