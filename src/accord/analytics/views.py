"""Thin views: find what the person may see (a 404 otherwise), check they may change it (the
refusal page otherwise), validate, call one service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accord.appraisal import services as appraisal_services
from accord.core import audit
from accord.core.editing import for_editing
from accord.core.problems import Problems
from accord.core.uploads import read_upload

from . import costing, exports, presentation, services
from .forms import AnalysisForm, BenefitForm, CostForm, UploadForm
from .layouts import LAYOUTS
from .models import Analysis, State


def _page(analysis: Analysis) -> str:
    return reverse("analytics:detail", args=[analysis.pk])


def _add_problems(form: Any, exc: Problems) -> None:
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.reason if name else str(problem))


def _editable(request: HttpRequest, pk: int, action: str) -> Analysis:
    analysis = services.get_analysis(request.user, pk)
    return for_editing(analysis, services.can_edit(request.user, analysis.collaboration), action)


# A collaboration's page -----------------------------------------------------------------------


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any]:
    """The demand analyses panel on a collaboration's page (registered in AppConfig.ready).
    The register's page has found the collaboration visible to this person before it asks."""
    return {
        "c": collaboration,
        "analyses": services.analyses_of(collaboration),
        "can_add": services.can_edit(request.user, collaboration),
    }


# Making and filling an analysis -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = services.get_collaboration(request.user, reference)
    for_editing(
        collaboration,
        services.can_edit(request.user, collaboration),
        "add analyses to this collaboration",
    )
    form = AnalysisForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = services.AnalysisData(**form.cleaned_data)
        try:
            analysis = services.create_analysis(request.user, collaboration, data)
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, "Analysis made: now upload the services' incident files.")
            return HttpResponseRedirect(reverse("analytics:upload", args=[analysis.pk]))
    return render(request, "analytics/create.html", {"c": collaboration, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _editable(request, pk, "add files to this analysis")
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            data = read_upload(upload_file)
            item = services.add_file(
                request.user,
                analysis,
                upload_file.name,
                data,
                keep=form.cleaned_data["keep"],
            )
        except Problems as exc:
            problems = list(exc.problems)
        else:
            messages.success(request, f"{item.name}: {item.rows:,} records checked and added.")
            return HttpResponseRedirect(_page(analysis))
    return render(
        request,
        "analytics/upload.html",
        {
            "analysis": analysis,
            "c": analysis.collaboration,
            "form": form,
            "problems": problems,
            "open": analysis.state in services.OPEN_STATES,
        },
    )


@login_required
@require_POST
def remove_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    analysis = _editable(request, pk, "remove files from this analysis")
    item = services.get_file(request.user, analysis, file_pk)
    services.remove_file(request.user, item)
    messages.success(request, f"{item.name} removed.")
    return HttpResponseRedirect(_page(analysis))


@login_required
@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _editable(request, pk, "run this analysis")
    try:
        services.queue_run(request.user, analysis)
    except Problems as exc:
        for problem in exc.problems:
            messages.error(request, str(problem))
        return HttpResponseRedirect(_page(analysis))
    if services.run_on_the_page():
        finished = services.run(analysis.pk)
        if finished is not None and finished.state == State.FAILED:
            messages.error(request, "The analysis failed: the page says why.")
    return HttpResponseRedirect(_page(analysis))


# Reading ----------------------------------------------------------------------------------------


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = services.get_analysis(request.user, pk)
    collaboration = analysis.collaboration
    can_edit = services.can_edit(request.user, collaboration)
    files = list(services.files_visible_to(request.user, analysis))
    context: dict[str, Any] = {
        "analysis": analysis,
        "c": collaboration,
        "can_edit": can_edit,
        "files": files,
        "has_files": bool(files) or analysis.files.exists(),
        "open": analysis.state in services.OPEN_STATES,
        "worker": not services.run_on_the_page(),
        "layout_name": LAYOUTS[analysis.layout].description.split(",")[0],
    }
    if analysis.state == State.DONE and analysis.result:
        threshold = int(settings.DISCLOSURE_THRESHOLD)
        context["view"] = presentation.results_view(analysis.result, threshold)
        context.update(_costing_context(request, analysis, can_edit))
    if can_edit:
        context["history"] = audit.history(analysis, limit=10)
    return render(request, "analytics/detail.html", context)


def _costing_context(request: HttpRequest, analysis: Analysis, can_edit: bool) -> dict[str, Any]:
    library = costing.unit_costs()
    service_names = sorted((analysis.result or {}).get("by_service") or {})
    initial: dict[str, Any] = {"price_year": costing.default_price_year()}
    for service in service_names:
        chosen = costing.default_choice(service, library)
        if chosen is not None:
            initial[f"cost_{service}"] = str(chosen.pk)
    asked = "price_year" in request.GET
    data = request.GET if asked else None
    form = CostForm(data, initial=initial, services=service_names, library=library)
    if asked and form.is_valid():
        choices, year = form.chosen(library), form.cleaned_data["price_year"]
    else:
        by_pk = {str(item.pk): item for item in library}
        choices = {s: by_pk[initial[f"cost_{s}"]] for s in service_names if f"cost_{s}" in initial}
        year = initial["price_year"]
    context: dict[str, Any] = {
        "cost_form": form,
        "costing": costing.costing(analysis, choices, year),
    }
    if can_edit:
        appraisals = appraisal_services.appraisals_of(analysis.collaboration)
        if appraisals:
            benefit_initial: dict[str, Any] = {
                f"cost_{s}": str(item.pk) for s, item in choices.items()
            }
            benefit_initial["from_year"] = 1
            context["benefit_form"] = BenefitForm(
                initial=benefit_initial,
                services=service_names,
                library=library,
                appraisals=appraisals,
            )
    return context


def progress(request: HttpRequest, pk: int) -> JsonResponse:
    """How the run is going, for the page's small script (the page itself says the same)."""
    analysis = services.get_analysis(request.user, pk)
    return JsonResponse(
        {
            "state": analysis.state,
            "state_label": analysis.get_state_display(),
            "progress": analysis.progress,
            "text": analysis.progress_text,
            "working": analysis.working,
        }
    )


def export(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = services.get_analysis(request.user, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS or analysis.state != State.DONE:
        raise Http404("no such export")
    return exports.response(analysis, fmt)


def download_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A kept file's rows: for its uploader's organisation and the partners only."""
    analysis = services.get_analysis(request.user, pk)
    item = services.get_file(request.user, analysis, file_pk)
    if item.data is None:
        raise Http404("the file's rows were not kept")
    answer = HttpResponse(bytes(item.data), content_type="application/octet-stream")
    answer["Content-Disposition"] = f'attachment; filename="{item.name}"'
    return answer


@login_required
@require_POST
def add_benefit(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _editable(request, pk, "add this cost to an appraisal")
    if analysis.state != State.DONE:
        raise Http404("the analysis has no results")
    library = costing.unit_costs()
    service_names = sorted((analysis.result or {}).get("by_service") or {})
    appraisals = appraisal_services.appraisals_of(analysis.collaboration)
    form = BenefitForm(request.POST, services=service_names, library=library, appraisals=appraisals)
    if form.is_valid():
        record = appraisal_services.get_appraisal(request.user, form.cleaned_data["appraisal"])
        try:
            costing.add_to_appraisal(
                request.user,
                analysis,
                record,
                form.chosen(library),
                from_year=form.cleaned_data["from_year"],
            )
        except Problems as exc:
            for problem in exc.problems:
                messages.error(request, str(problem))
        else:
            messages.success(
                request, f"The cost of duplicated attendance is a benefit line of {record.title}."
            )
            return HttpResponseRedirect(reverse("appraisal:detail", args=[record.pk]))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return HttpResponseRedirect(_page(analysis))
