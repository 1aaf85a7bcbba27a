"""Analyses through their services: made, filled, queued and run, every change audited; bad
files refused naming file, line and column with nothing stored; rows discarded after the run
unless kept; who may change what."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from tests.support.analytics_factories import csv_bytes, make_analysis

from accord.analytics import services
from accord.analytics.models import Analysis, AnalysisFile, State
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems

pytestmark = pytest.mark.django_db


def _actions(obj: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_an_analysis_made_filled_and_run_by_a_partner(collaboration: Any, owner: Any) -> None:
    analysis = make_analysis(collaboration, owner, run=False)
    item = analysis.files.get()
    assert item.name == "incidents.csv"
    assert item.rows == 9
    assert item.sha256 == hashlib.sha256(csv_bytes()).hexdigest()
    assert item.organisation == owner.organisation
    assert analysis.state == State.DRAFT
    services.queue_run(owner, analysis)
    finished = services.run(analysis.pk)
    assert finished is not None and finished.state == State.DONE
    assert finished.result["joint_incidents"] == 3
    assert finished.result["details"]["duplicated_attendances"] == {"fire": 3, "police": 1}
    assert finished.run_by == owner and finished.run_by_label == owner.email
    assert finished.progress == 100
    assert _actions(finished) == [
        "analysis.create",
        "analysis.queue",
        "analysis.start",
        "analysis.finish",
    ]
    # The rows are gone; the name, count and checksum stay.
    item.refresh_from_db()
    assert item.data is None and item.discarded_at is not None
    assert item.sha256 and item.rows == 9
    assert _actions(item) == ["analysis_file.upload", "analysis_file.discard"]


def test_rows_are_kept_when_the_uploader_asks(collaboration: Any, owner: Any) -> None:
    analysis = make_analysis(collaboration, owner, keep=True)
    item = analysis.files.get()
    assert bytes(item.data) == csv_bytes()
    assert _actions(item) == ["analysis_file.upload"]


def test_a_bad_file_is_refused_naming_file_line_and_column_and_nothing_is_stored(
    collaboration: Any, owner: Any
) -> None:
    analysis = make_analysis(collaboration, owner, files=[], run=False)
    bad = csv_bytes(
        [
            ("x1", "fire", "not a time", "53.2", "-0.5", "Fire"),
            ("x2", "police", "2024-03-04 10:00:00", "95", "-0.5", "Theft"),
        ]
    )
    with pytest.raises(Problems) as caught:
        services.add_file(owner, analysis, "C:\\exports\\fire.csv", bad)
    text = "\n".join(caught.value.problems)
    assert "fire.csv" in text and "exports" not in text
    assert "line 2" in text.lower() and "received_at" in text
    assert "line 3" in text.lower() and "latitude" in text
    assert not AnalysisFile.objects.exists()


def test_a_missing_column_is_refused(collaboration: Any, owner: Any) -> None:
    analysis = make_analysis(collaboration, owner, files=[], run=False)
    with pytest.raises(Problems, match="latitude"):
        services.add_file(
            owner, analysis, "short.csv", b"service,received_at\nfire,2024-03-04 10:00\n"
        )
    assert not AnalysisFile.objects.exists()


def test_several_files_and_the_montgomery_layout(collaboration: Any, owner: Any) -> None:
    rows = csv_bytes().decode().splitlines()
    header, body = rows[0], rows[1:]
    first = "\n".join([header, *body[:4]]).encode()
    second = "\n".join([header, *body[4:]]).encode()
    analysis = make_analysis(collaboration, owner, files=[("a.csv", first), ("b.csv", second)])
    assert analysis.result["joint_incidents"] == 3
    montco = (
        b"40.0883549,-75.3821004,EMS: FALL VICTIM,2016-01-15 12:01,UPPER MERION,DEKALB PIKE\n"
        b"40.0883550,-75.3821005,Fire: FIRE ALARM,2016-01-15 12:05,UPPER MERION,DEKALB PIKE\n"
    )
    other = make_analysis(collaboration, owner, files=[("m.csv", montco)], layout="montco")
    assert other.result["pairs"] == {"ambulance+fire": {"links": 1, "joint_incidents": 1}}
    assert other.result["details"]["category_pairs"][0]["categories"] == [
        "FALL VICTIM",
        "FIRE ALARM",
    ]


def test_nobody_but_a_partner_contributor_changes_an_analysis(
    collaboration: Any, owner: Any, colleague: Any, outsider: Any, partner_user: Any
) -> None:
    data = services.AnalysisData(title="Mine")
    for refused in (colleague, outsider):
        with pytest.raises(PermissionRefused):
            services.create_analysis(refused, collaboration, data)
    analysis = services.create_analysis(partner_user, collaboration, data)
    for refused in (colleague, outsider):
        with pytest.raises(PermissionRefused):
            services.add_file(refused, analysis, "x.csv", csv_bytes())
        with pytest.raises(PermissionRefused):
            services.queue_run(refused, analysis)
    services.add_file(owner, analysis, "x.csv", csv_bytes())


def test_a_run_needs_a_file_and_happens_once(collaboration: Any, owner: Any) -> None:
    empty = make_analysis(collaboration, owner, files=[], run=False)
    with pytest.raises(Problems, match="upload at least one file"):
        services.queue_run(owner, empty)
    analysis = make_analysis(collaboration, owner)
    assert services.run(analysis.pk) is None  # not queued: nothing happens
    with pytest.raises(PermissionRefused):
        services.queue_run(owner, analysis)
    with pytest.raises(PermissionRefused):
        services.add_file(owner, analysis, "late.csv", csv_bytes())


def test_a_failed_run_says_why_and_keeps_the_rows_to_run_again(
    collaboration: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = make_analysis(collaboration, owner, run=False)
    services.queue_run(owner, analysis)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(services, "analyse_in_detail", broken)
    failed = services.run(analysis.pk)
    assert failed is not None and failed.state == State.FAILED
    assert "the engine broke" in failed.error
    assert analysis.files.get().data is not None
    assert _actions(failed)[-1] == "analysis.fail"
    monkeypatch.undo()
    services.queue_run(owner, failed)
    assert services.run(analysis.pk).state == State.DONE  # type: ignore[union-attr]


def test_run_all_queued_runs_the_oldest_first(collaboration: Any, owner: Any) -> None:
    first = make_analysis(collaboration, owner, title="First", run=False)
    second = make_analysis(collaboration, owner, title="Second", run=False)
    services.queue_run(owner, first)
    services.queue_run(owner, second)
    done = services.run_all_queued()
    assert [a.title for a in done] == ["First", "Second"]
    assert set(Analysis.objects.values_list("state", flat=True)) == {State.DONE}


def test_files_are_seen_by_the_partners_and_the_uploaders_organisation_only(
    make_collaboration: Any, owner: Any, partner_user: Any, outsider: Any, platform_admin: Any
) -> None:
    public = make_collaboration("Open pilot", visibility="public")
    analysis = make_analysis(public, owner)
    assert list(services.files_visible_to(owner, analysis)) == list(analysis.files.all())
    assert services.files_visible_to(partner_user, analysis).count() == 1
    # The results are public; the files are not.
    assert services.get_analysis(outsider, analysis.pk) == analysis
    assert services.files_visible_to(outsider, analysis).count() == 0
    assert services.files_visible_to(platform_admin, analysis).count() == 0


def test_a_file_uploaded_by_a_non_partner_is_seen_by_its_organisation(
    collaboration: Any, platform_admin: Any, outsider: Any, owner: Any
) -> None:
    analysis = make_analysis(collaboration, platform_admin, run=False)
    item = analysis.files.get()
    assert item.organisation == platform_admin.organisation
    assert services.files_visible_to(platform_admin, analysis).get() == item
    assert services.files_visible_to(owner, analysis).get() == item
    assert services.files_visible_to(outsider, analysis).count() == 0


def test_a_file_is_removed_before_the_run_only(collaboration: Any, owner: Any) -> None:
    analysis = make_analysis(collaboration, owner, run=False)
    item = analysis.files.get()
    services.remove_file(owner, item)
    assert not analysis.files.exists()
    assert AuditEvent.objects.filter(action="analysis_file.remove").count() == 1


def test_a_parquet_file_is_read_as_a_csv_is(collaboration: Any, owner: Any, tmp_path: Any) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    source = tmp_path / "x.csv"
    source.write_bytes(csv_bytes())
    table = pacsv.read_csv(
        source,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(
                ("incident_id", "service", "received_at", "latitude", "longitude", "category"),
                pa.string(),
            )
        ),
    )
    path = tmp_path / "x.parquet"
    pq.write_table(table, path)
    analysis = make_analysis(collaboration, owner, files=[("x.parquet", path.read_bytes())])
    assert analysis.result["joint_incidents"] == 3


def test_an_upload_over_the_limit_is_refused_unread(
    client: Any, collaboration: Any, owner: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_MB = 1
    analysis = make_analysis(collaboration, owner, files=[], run=False)
    client.force_login(owner)
    big = SimpleUploadedFile("big.csv", csv_bytes() + b"#" * (1024 * 1024))
    page = client.post(f"/analytics/{analysis.pk}/upload/", {"file": big})
    assert page.status_code == 200 and "Nothing was stored" in page.content.decode()
    assert not AnalysisFile.objects.exists()


def test_a_run_whose_process_ended_is_failed_to_run_again(collaboration: Any, owner: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    analysis = make_analysis(collaboration, owner, run=False)
    services.queue_run(owner, analysis)
    claimed = services._claim(analysis.pk)
    assert claimed is not None and claimed.state == State.RUNNING
    assert services.fail_stale() == []  # still young
    later = timezone.now() + services.STALE_AFTER + dt.timedelta(minutes=1)
    (failed,) = services.fail_stale(later)
    assert failed.state == State.FAILED and "run it again" in failed.error
    services.queue_run(owner, failed)
    assert services.run(analysis.pk).state == State.DONE  # type: ignore[union-attr]
