"""The reports' pages: a collaboration's board pack (a printable page, and its PDF, drawn while
the person waits) and the national report (asked for, written in the background, downloaded by
the person who asked)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import reports


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any]:
    """The board pack's link on a collaboration's page (registered in AppConfig.ready). The
    register's page has found the collaboration visible to this person before it asks."""
    return {"c": collaboration}


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Drawn from what this person may see: kept by no shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def board_pack(request: HttpRequest, reference: str) -> HttpResponse:
    pack = reports.board_pack(request.user, reference)
    return render(
        request,
        "insights/board_pack.html",
        {"pack": pack, "pdf": False, "protective_marking": pack.marking},
    )


@require_GET
def board_pack_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    pack, data = reports.board_pack_pdf(request.user, reference)
    return _pdf(data, reports.board_pack_filename(pack))


@login_required
@require_http_methods(["GET", "POST"])
def national_report(request: HttpRequest) -> HttpResponse:
    """Ask for a national report (POST), and see how the latest ones are going: the page
    refreshes itself while one is being written."""
    if request.method == "POST":
        reports.request_national_report(request.user)
        messages.success(request, "Your national report is being written.")
        return HttpResponseRedirect(reverse("insights:national_report"))
    runs = reports.runs_of(request.user)
    now = timezone.now()
    rows = [(run, reports.is_stale(run, now)) for run in runs]
    working = any(run.working and not stale for run, stale in rows)
    return render(
        request,
        "insights/national_report.html",
        {"rows": rows, "working": working, "refresh_seconds": 2},
    )


@login_required
@require_GET
def national_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    run = reports.get_run(request.user, pk)
    if run.state != reports.ReportState.DONE or not run.pdf:
        return HttpResponseRedirect(reverse("insights:national_report"))
    return _pdf(bytes(run.pdf), reports.national_filename(timezone.localdate(run.finished_at)))
