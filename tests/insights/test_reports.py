"""Reports: a collaboration's board pack (page and PDF) and the national report (PDF, written in
the background), each drawn from what the person may see; PDFs read back with pypdf."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.assessments.assessment_helpers import invite, make_round
from tests.kpis.kpi_pages_helpers import make_kpi
from tests.support.lessons_factories import make_lesson

from accord import cli
from accord.assessments import services as assessment_services
from accord.core.actors import SystemActor
from accord.insights import reports
from accord.insights.models import ReportRun, ReportState
from accord.orgs import services as orgs

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test")
TITLE = "Joint response pilot"
#: The partners-only collaboration's flags: no champion, agreement not known, no review.
RISKS = (
    "No named champion",
    "Agreement not recorded",
    "No duty-to-collaborate review in the last 12 months",
)


def pages_text(data: bytes) -> list[str]:
    """Each page's text with its white space taken out (a wrapped line joins up again)."""
    assert data[:5] == b"%PDF-"
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def full(collaboration: Any) -> Any:
    """The partners-only collaboration with a KPI (a year of months), an appraisal, and an
    assessment round with one response (below the disclosure threshold)."""
    make_kpi(collaboration, [480.0 + (i % 4) * 10 for i in range(14)])
    make_appraisal(collaboration)
    found = make_round(collaboration)
    (token,) = invite(found, [("someone@lincs-fire.test", "E31000025", "operational")])
    invitation = assessment_services.invitation_for_token(token)
    answers = {item: 4 for item in invitation.round.framework.framework.item_ids}
    assessment_services.save_answers(token, answers, comment=None, submit=True)
    return collaboration


# The board pack --------------------------------------------------------------------------


def test_board_pack_pdf_has_the_title_the_risks_and_the_marking_on_every_page(
    full: Any, owner: Any
) -> None:
    response = client_for(owner).get(f"/insights/c/{full.reference}/board-pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="board-pack-')
    pages = pages_text(response.content)
    assert len(pages) >= 2, "a pack with a KPI, an appraisal and a round runs over pages"
    assert squeeze(TITLE) in pages[0]
    whole = "".join(pages)
    for risk in RISKS:
        assert squeeze(risk) in whole
    marking = squeeze(settings.PROTECTIVE_MARKING)
    for number, text in enumerate(pages, start=1):
        # At the top and at the foot of each page, with its number.
        assert text.count(marking) >= 2, f"page {number}"
        assert f"Page{number}of{len(pages)}" in text
    assert squeeze("record version 1") in whole
    # The KPI, the appraisal's headline and the withheld assessment figures.
    assert squeeze("Net present value (NPV)") in whole
    assert squeeze("fewer than 5 responses") in whole


def test_a_public_pack_of_public_records_carries_the_public_marking(
    make_collaboration: Callable[..., Any],
) -> None:
    public = make_collaboration("Shared estates", visibility="public")
    response = client_for().get(f"/insights/c/{public.reference}/board-pack.pdf")
    assert response.status_code == 200
    pages = pages_text(response.content)
    for text in pages:
        assert squeeze(settings.PUBLIC_MARKING) in text
        assert squeeze(settings.PROTECTIVE_MARKING) not in text


def test_board_pack_page_shows_each_part(full: Any, owner: Any) -> None:
    response = client_for(owner).get(f"/insights/c/{full.reference}/board-pack/")
    assert response.status_code == 200
    html = response.content.decode()
    assert TITLE in html
    for risk in RISKS:
        assert risk in html
    assert "Net present value (NPV)" in html
    assert 'data-accord-chart="kpi-' in html  # the KPI's control chart, from the page's spec
    assert "fewer than 5 responses" in html  # disclosure control, as the round's page
    assert f'href="/insights/c/{full.reference}/board-pack.pdf"' in html
    assert settings.PROTECTIVE_MARKING in html


def test_a_person_who_may_not_see_the_collaboration_gets_404_for_page_and_pdf(
    full: Any, outsider: Any
) -> None:
    for who in (outsider, None):
        client = client_for(who)
        assert client.get(f"/insights/c/{full.reference}/board-pack/").status_code == 404
        assert client.get(f"/insights/c/{full.reference}/board-pack.pdf").status_code == 404
    # As a collaboration that does not exist.
    assert client_for(outsider).get("/insights/c/NO-SUCH/board-pack.pdf").status_code == 404


def test_the_collaboration_page_links_to_its_board_pack(collaboration: Any, owner: Any) -> None:
    html = client_for(owner).get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert f'href="/insights/c/{collaboration.reference}/board-pack/"' in html


def test_lessons_in_the_pack_are_those_the_person_may_see(
    collaboration: Any, owner: Any, partner_user: Any
) -> None:
    """A draft lesson for the owner's organisation only: in the owner's pack, not in that of
    the other partner's contributor, who sees the collaboration itself."""
    make_lesson(
        owner, audience="organisation", collaboration=collaboration, title="Handsets not loaded"
    )
    mine = client_for(owner).get(f"/insights/c/{collaboration.reference}/board-pack/")
    theirs = client_for(partner_user).get(f"/insights/c/{collaboration.reference}/board-pack/")
    assert theirs.status_code == 200
    assert "Handsets not loaded" in mine.content.decode()
    assert "Handsets not loaded" not in theirs.content.decode()


def test_assessment_scores_show_once_the_round_passes_the_threshold(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration)
    tokens = invite(
        found, [(f"p{i}@lincs-fire.test", "E31000025", "operational") for i in range(5)]
    )
    for token in tokens:
        invitation = assessment_services.invitation_for_token(token)
        answers = {item: 4 for item in invitation.round.framework.framework.item_ids}
        assessment_services.save_answers(token, answers, comment=None, submit=True)
    pack = reports.board_pack(owner, collaboration.reference)
    assert pack.assessment is not None
    # The same figures as the assessments' own (a barrier's answers scored reversed).
    (scored,) = assessment_services.group_scores(collaboration)
    assert [row.mean for row in pack.assessment.groups] == [
        f"{scored.means[g.id]:.2f}" for g in pack.assessment.results.groups
    ]
    assert "Not shown" not in {row.mean for row in pack.assessment.groups}
    assert all(row.n == "5" for row in pack.assessment.groups)
    assert all(row.before == "No earlier round" for row in pack.assessment.groups)


# The command line ---------------------------------------------------------------------------


def test_the_command_line_writes_a_board_pack(full: Any, owner: Any, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    status = cli.main(
        ["report", "collaboration", full.reference, "--as", owner.email, "-o", str(out)]
    )
    assert status == 0
    pages = pages_text(out.read_bytes())
    assert squeeze(TITLE) in pages[0]


def test_the_command_line_names_what_it_cannot_find(
    full: Any, outsider: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pack.pdf"
    status = cli.main(
        ["report", "collaboration", full.reference, "--as", outsider.email, "-o", str(out)]
    )
    assert status == 2  # bad input, as the other commands say it
    assert f"no collaboration '{full.reference}' that {outsider.email} may see" in (
        capsys.readouterr().err
    )
    assert not out.exists()
    with pytest.raises(
        SystemExit, match=re.escape("no active user has the email nobody@example.org")
    ):
        cli.main(["report", "national", "--as", "nobody@example.org", "-o", str(out)])


# The national report -----------------------------------------------------------------------


@pytest.fixture
def two(make_collaboration: Callable[..., Any]) -> dict[str, Any]:
    """A public collaboration and a partners-only one, both with Lincolnshire Police (so in its
    force area) and Lincolnshire Fire, the owner's organisation."""
    orgs.load_reference_areas(actor=ACTOR)
    public = make_collaboration(
        "Tri-service station",
        partners=(("E23000020", "lead"), ("E31000025", "partner"), ("RX9", "partner")),
        visibility="public",
    )
    secret = make_collaboration(
        "Partners' pilot",
        partners=(("E23000020", "lead"), ("E31000025", "partner")),
        visibility="partners",
    )
    return {"public": public, "secret": secret}


def test_national_figures_differ_by_exactly_the_record_one_may_not_see(
    two: dict[str, Any], owner: Any, outsider: Any
) -> None:
    mine = reports.national_context(owner, pdf=False)
    theirs = reports.national_context(outsider, pdf=False)
    assert mine["picture"].collaborations == theirs["picture"].collaborations + 1
    lincs = {r.area.name: r.area.collaborations for r in mine["table"]}
    others = {r.area.name: r.area.collaborations for r in theirs["table"]}
    changed = {name for name in lincs if lincs[name] != others[name]}
    assert changed and all(lincs[n] == others[n] + 1 for n in changed)
    assert mine["marking"] == settings.PROTECTIVE_MARKING
    assert theirs["marking"] == settings.PUBLIC_MARKING


def test_the_national_report_pdf_says_what_it_is_drawn_from(
    two: dict[str, Any], owner: Any, outsider: Any, tmp_path: Path
) -> None:
    out = tmp_path / "national.pdf"
    assert cli.main(["report", "national", "--as", owner.email, "-o", str(out)]) == 0
    pages = pages_text(out.read_bytes())
    assert squeeze("from the 2 collaborations") in pages[0]
    assert all(squeeze(settings.PROTECTIVE_MARKING) in text for text in pages)
    assert squeeze("How consistent collaboration is") in "".join(pages)
    assert squeeze("Gini coefficient") in "".join(pages)
    _, theirs = reports.national_pdf(outsider)
    assert squeeze("from the 1 collaboration ") in pages_text(theirs)[0]


def test_the_national_page_links_to_the_report(owner: Any) -> None:
    html = client_for(owner).get("/insights/").content.decode()
    assert 'href="/insights/report/"' in html


def test_a_national_report_runs_in_the_background_and_only_its_asker_downloads_it(
    two: dict[str, Any],
    owner: Any,
    outsider: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    started: list[int] = []
    # The thread's work, here in the test's own transaction (a thread has its own connection).
    monkeypatch.setattr(reports, "start", started.append)
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/insights/report/")
    assert response.status_code == 302
    (run,) = ReportRun.objects.all()
    assert started == [run.pk]
    assert run.state == ReportState.QUEUED
    waiting = client.get("/insights/report/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "0% done: Waiting to start" in waiting

    seen: list[int] = []
    real = reports._note

    def note(pk: int, percent: int, text: str) -> None:
        seen.append(percent)
        real(pk, percent, text)

    monkeypatch.setattr(reports, "_note", note)
    done = reports.run_report(run.pk)
    assert done is not None and done.state == ReportState.DONE
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) >= 4
    ready = client.get("/insights/report/").content.decode()
    assert "http-equiv" not in ready
    assert f'href="/insights/report/{run.pk}/national-report.pdf"' in ready

    download = client.get(f"/insights/report/{run.pk}/national-report.pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert squeeze("from the 2 collaborations") in pages_text(download.content)[0]
    path = f"/insights/report/{run.pk}/national-report.pdf"
    assert client_for(outsider).get(path).status_code == 404
    assert client_for().get(path).status_code == 302  # sign in first


def test_a_run_whose_process_ended_shows_as_stopped_and_may_be_asked_again(
    owner: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    monkeypatch.setattr(reports, "start", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        first = reports.request_national_report(owner)
        assert reports.request_national_report(owner).pk == first.pk, "one at a time"
    long_ago = first.touched_at - reports.STALE_AFTER - dt.timedelta(seconds=1)
    ReportRun.objects.filter(pk=first.pk).update(touched_at=long_ago)
    html = client_for(owner).get("/insights/report/").content.decode()
    assert 'data-state="stopped"' in html
    assert "http-equiv" not in html
    with django_capture_on_commit_callbacks(execute=True):
        second = reports.request_national_report(owner)
    assert second.pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_the_thread_writes_the_report(owner: Any) -> None:
    """The thread itself, with its own connection: the run moves on to done."""
    import time

    run = reports.request_national_report(owner)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.working:
            break
        time.sleep(0.2)
    assert run.state == ReportState.DONE, run.error
    assert run.pdf and bytes(run.pdf)[:5] == b"%PDF-"


def test_a_person_keeps_their_five_newest_reports(
    owner: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(reports, "start", lambda pk: None)
    asked = []
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            run = reports.request_national_report(owner)
        ReportRun.objects.filter(pk=run.pk).update(state=ReportState.FAILED)
        asked.append(run.pk)
    assert sorted(ReportRun.objects.values_list("pk", flat=True)) == asked[-5:]
