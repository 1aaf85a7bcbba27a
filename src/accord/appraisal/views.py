"""Thin views: check who may see or change what, validate, call one service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accord.core import audit, editing
from accord.core.editing import for_editing
from accord.core.marking import marking_for
from accord.core.problems import EditConflict, Problem, Problems

from . import deflators, exports, presentation, services
from .forms import (
    AppraisalFilterForm,
    AppraisalForm,
    BenefitFormSet,
    BenefitLineForm,
    CostFormSet,
    CostLineForm,
    RealisedForm,
    UnitCostFilterForm,
    UnitCostForm,
    UploadForm,
    attach_problems,
)
from .models import Appraisal, UnitCost

_CHANGE_LIBRARY = "change the unit cost library (platform administrators do)"


# A collaboration's page --------------------------------------------------------------------


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any]:
    """The appraisals panel on a collaboration's page (registered in AppConfig.ready): its
    appraisals with their headline figures, and the ways to add one for those who may. The
    register's page has found the collaboration visible to this person before it asks."""
    return {
        "c": collaboration,
        "appraisals": services.appraisals_of(collaboration),
        "can_add": services.can_edit(request.user, collaboration),
    }


# Lists --------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    form = AppraisalFilterForm(request.GET or None)
    appraisals = services.visible_appraisals(request.user).order_by(
        "collaboration__title", "title", "pk"
    )
    q = ""
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
    if q:
        appraisals = appraisals.filter(
            Q(collaboration__reference__icontains=q) | Q(collaboration__title__icontains=q)
        )
    paginator = Paginator(appraisals, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "appraisal/index.html",
        {
            "form": form,
            "page": page,
            "total": paginator.count,
            "query": urlencode({"q": q}) if q else "",
        },
    )


@login_required
def unit_cost_list(request: HttpRequest) -> HttpResponse:
    table = services.deflator_table()
    form = UnitCostFilterForm(request.GET or None, years=table.years)
    q, year = "", table.years[-1]
    if form.is_bound and form.is_valid():
        q = form.cleaned_data.get("q") or ""
        year = form.cleaned_data.get("price_year") or year
    elif not form.is_bound:
        form = UnitCostFilterForm(initial={"price_year": year}, years=table.years)
    items = UnitCost.objects.search(q)
    paginator = Paginator(items, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(item, services.uplifted(item.value, item.price_year, year, table)) for item in page]
    return render(
        request,
        "appraisal/unit_costs.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "total": paginator.count,
            "year": year,
            "table": table,
            "release": services.deflator_release(table),
            "deflator_rows": [(deflators.financial_year_label(y), table[y]) for y in table.years],
            "can_manage": services.can_manage_unit_costs(request.user),
            "query": urlencode({"q": q, "price_year": str(year)}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_cost_create(request: HttpRequest) -> HttpResponse:
    for_editing(None, services.can_manage_unit_costs(request.user), _CHANGE_LIBRARY)
    form = UnitCostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.create_unit_cost(request.user, form.to_data())
        messages.success(request, f"Added {item.name} to the unit cost library.")
        return HttpResponseRedirect(reverse("appraisal:unit_costs"))
    return render(request, "appraisal/unit_cost_form.html", {"form": form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def unit_cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = for_editing(
        services.get_unit_cost(pk), services.can_manage_unit_costs(request.user), _CHANGE_LIBRARY
    )
    salt = f"unit_cost:{item.pk}"
    conflict = merged = None
    if request.method == "POST":
        opened = editing.read_opened(request.POST, salt)
        form = UnitCostForm(editing.resolved(request.POST, opened), instance=item)
        editing.offer_choices(form, opened)
        if form.is_valid():
            try:
                services.update_unit_cost(
                    request.user,
                    item,
                    form.to_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except EditConflict as exc:
                # Merged: the unit cost as it is now plus only this person's changes.
                conflict = exc
                current = services.get_unit_cost(pk)
                now = UnitCostForm(initial=UnitCostForm.initial_for(current), instance=current)
                merged = editing.merge_edit(
                    editing.Version(form), editing.Version(now), opened, exc, salt=salt
                )
                form = UnitCostForm(initial=merged.initial, instance=current)
                editing.offer_choices(form, merged.payload, token=merged.token)
            else:
                messages.success(request, f"Saved {item.name}.")
                return HttpResponseRedirect(reverse("appraisal:unit_costs"))
    else:
        form = UnitCostForm(initial=UnitCostForm.initial_for(item), instance=item)
        editing.start(form, salt=salt, version=item.version)
    return render(
        request,
        "appraisal/unit_cost_form.html",
        {"form": form, "item": item, "conflict": conflict, "merge": editing.summary(merged)},
    )


# Building and uploading -------------------------------------------------------------------


def _editable_collaboration(request: HttpRequest, reference: str) -> Any:
    """The collaboration for a new appraisal: a 404 if this person may not see it, the refusal
    page if they may see it but not change it."""
    collaboration = services.get_collaboration(request.user, reference)
    allowed = services.can_edit(request.user, collaboration)
    return for_editing(collaboration, allowed, "add appraisals to this collaboration")


def _editable_appraisal(request: HttpRequest, pk: int) -> Appraisal:
    record = services.get_appraisal(request.user, pk)
    allowed = services.can_edit(request.user, record.collaboration)
    return for_editing(record, allowed, "change this appraisal")


def _forms(
    data: Any = None,
    initial: dict[str, Any] | None = None,
    lines: Any = None,
    rows: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[AppraisalForm, Any, Any]:
    """The appraisal's form and its cost and benefit lines: bound to `data`, or filled from an
    appraisal (`initial` and its `lines`) or from a merge's `rows`."""
    unit_costs = UnitCost.objects.all()
    index = services.organisation_index()
    costs_initial = benefits_initial = None
    if lines is not None:
        costs_initial = [CostLineForm.initial_for(x, index, i) for i, x in enumerate(lines.costs)]
        benefits_initial = [
            BenefitLineForm.initial_for(x, index, i) for i, x in enumerate(lines.benefits)
        ]
    if rows is not None:
        costs_initial, benefits_initial = rows.get("costs"), rows.get("benefits")
    form = AppraisalForm(data, initial=initial)
    kwargs = {"unit_costs": unit_costs, "organisations": index}
    costs = CostFormSet(data, prefix="costs", initial=costs_initial, form_kwargs=kwargs)
    benefits = BenefitFormSet(data, prefix="benefits", initial=benefits_initial, form_kwargs=kwargs)
    return form, costs, benefits


#: How a merged page names each formset's lines ("Cost line 2").
LINE_LABELS = {"costs": "Cost", "benefits": "Benefit"}


def _valid(form: AppraisalForm, costs: Any, benefits: Any) -> bool:
    """Validate everything; where only some lines have mistakes, the file's own checks still
    run on the rest (in :func:`_build`), so that every problem is shown at once."""
    lines_ok = all([costs.is_valid(), benefits.is_valid()])
    if not form.is_valid():
        return False
    if not lines_ok:
        _build(form, costs, benefits)
    return lines_ok


def _build(form: AppraisalForm, costs: Any, benefits: Any) -> Any:
    """The engine's appraisal from the forms (lines with mistakes left out), or None with every
    problem shown beside its field."""
    mapping = form.to_mapping()
    price_year = form.cleaned_data.get("price_year")
    rows: dict[str, list[int]] = {"costs": [], "benefits": []}
    table = services.deflator_table()
    for key, formset in (("costs", costs), ("benefits", benefits)):
        mapping[key] = []
        for i, line in formset.kept_forms():
            rows[key].append(i)
            mapping[key].append(line.to_mapping(price_year, table))
    try:
        return services.parse_data(mapping, "the form")
    except Problems as exc:
        attach_problems(exc.problems, form, rows, {"costs": costs, "benefits": benefits})
        return None


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "appraisal/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_create(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable_collaboration(request, reference)
    data = request.POST if request.method == "POST" else None
    form, costs, benefits = _forms(data, initial={"title": f"{collaboration.title} appraisal"})
    if request.method == "POST" and _valid(form, costs, benefits):
        appraisal = _build(form, costs, benefits)
        if appraisal is not None:
            record = services.create_appraisal(request.user, collaboration, appraisal)
            messages.success(request, f"Saved {record.title}.")
            return HttpResponseRedirect(reverse("appraisal:detail", args=[record.pk]))
    return _form_page(
        request,
        {"form": form, "costs": costs, "benefits": benefits, "c": collaboration, "record": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _editable_appraisal(request, pk)
    salt = f"appraisal:{record.pk}"
    conflict = merged = None
    if request.method == "POST":
        opened = editing.read_opened(request.POST, salt)
        # The choices of a merged page (keep yours or theirs, keep or remove a line) applied
        # before anything is checked.
        form, costs, benefits = _forms(editing.resolved(request.POST, opened))
        editing.offer_choices(form, opened, {"costs": costs, "benefits": benefits})
        if _valid(form, costs, benefits):
            appraisal = _build(form, costs, benefits)
            if appraisal is not None:
                try:
                    services.update_appraisal(
                        request.user,
                        record,
                        appraisal,
                        expected_version=form.cleaned_data.get("version") or 0,
                    )
                except EditConflict as exc:
                    conflict = exc
                    merged = _merged(request, pk, (form, costs, benefits), opened, exc, salt)
                    form, costs, benefits = _forms(initial=merged.initial, rows=merged.rows)
                    editing.offer_choices(
                        form,
                        merged.payload,
                        {"costs": costs, "benefits": benefits},
                        token=merged.token,
                    )
                else:
                    messages.success(request, f"Saved {record.title}.")
                    return HttpResponseRedirect(reverse("appraisal:detail", args=[pk]))
    else:
        appraisal = services.stored_appraisal(record)
        form, costs, benefits = _forms(
            None, AppraisalForm.initial_for(appraisal, record.version), appraisal
        )
        editing.start(
            form, {"costs": costs, "benefits": benefits}, salt=salt, version=record.version
        )
    return _form_page(
        request,
        {
            "form": form,
            "costs": costs,
            "benefits": benefits,
            "c": record.collaboration,
            "record": record,
            "conflict": conflict,
            "merge": editing.summary(merged),
        },
    )


def _merged(
    request: HttpRequest,
    pk: int,
    sent: tuple[AppraisalForm, Any, Any],
    opened: dict[str, Any] | None,
    conflict: EditConflict,
    salt: str,
) -> editing.Merged:
    """What this person sent merged with the appraisal as it is now, field by field and line
    by line."""
    form, costs, benefits = sent
    current = services.get_appraisal(request.user, pk)
    appraisal = services.stored_appraisal(current)
    now = _forms(None, AppraisalForm.initial_for(appraisal, current.version), appraisal)
    mine = editing.Version(
        form,
        {
            "costs": editing.rows_sent(costs, costs.kept_forms()),
            "benefits": editing.rows_sent(benefits, benefits.kept_forms()),
        },
    )
    theirs = editing.Version.shown(now[0], {"costs": now[1], "benefits": now[2]})
    return editing.merge_edit(mine, theirs, opened, conflict, salt=salt, row_labels=LINE_LABELS)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_upload(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable_collaboration(request, reference)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.parse_yaml_text(form.cleaned_data["yaml_text"])
            record = services.create_appraisal(request.user, collaboration, appraisal, how="upload")
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Uploaded {record.title}.")
            return HttpResponseRedirect(reverse("appraisal:detail", args=[record.pk]))
    return render(
        request,
        "appraisal/upload.html",
        {"form": form, "problems": problems, "c": collaboration, "record": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_replace(request: HttpRequest, pk: int) -> HttpResponse:
    record = _editable_appraisal(request, pk)
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"version": record.version}
    )
    problems: list[Problem] = []
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.parse_yaml_text(form.cleaned_data["yaml_text"])
            services.update_appraisal(
                request.user,
                record,
                appraisal,
                expected_version=form.cleaned_data.get("version") or 0,
                how="upload",
            )
        except Problems as exc:
            problems = exc.problems
        except EditConflict as exc:
            conflict = exc
            form = UploadForm(initial={"version": exc.current_version})
        else:
            messages.success(request, f"Uploaded a new version of {record.title}.")
            return HttpResponseRedirect(reverse("appraisal:detail", args=[pk]))
    return render(
        request,
        "appraisal/upload.html",
        {
            "form": form,
            "problems": problems,
            "c": record.collaboration,
            "record": record,
            "conflict": conflict,
        },
    )


# Results and downloads ----------------------------------------------------------------------


def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.get_appraisal(request.user, pk)
    report = services.report_for(record)
    names = services.organisation_names(list(report["by_organisation"]))
    can_edit = services.can_edit(request.user, record.collaboration)
    history = audit.history(record, limit=10) if can_edit else []
    return render(
        request,
        "appraisal/detail.html",
        {
            "record": record,
            "c": record.collaboration,
            "report": report,
            "view": presentation.results_view(report, names),
            "can_edit": can_edit,
            "history": history,
        },
    )


def download_yaml(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.get_appraisal(request.user, pk)
    response = HttpResponse(record.yaml_text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(record)}.yaml"'
    return response


def download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.get_appraisal(request.user, pk)
    report = services.report_for(record)
    stored = services.stored_appraisal(record)
    # Every payer and beneficiary named beside its code, those of lines with no flow too.
    parties = {
        *report["by_organisation"],
        *(line.payer for line in stored.costs if line.payer),
        *(line.beneficiary for line in stored.benefits if line.beneficiary),
    }
    content = exports.appraisal_xlsx(
        stored,
        report,
        services.organisation_names(sorted(parties)),
        # An appraisal is seen by whoever may see its collaboration: marked as that is.
        marking=marking_for([record.collaboration.visibility]),
        collaboration_title=record.collaboration.title,
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(record)}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def realisation(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.get_appraisal(request.user, pk)
    can_edit = services.can_edit(request.user, record.collaboration)
    form = None
    if request.method == "POST":
        for_editing(record, can_edit, "record realised benefits for this appraisal")
    if can_edit:
        form = RealisedForm(request.POST or None, years=record.years)
        if request.method == "POST" and form.is_valid():
            services.record_realised(request.user, record, form.to_data())
            messages.success(request, "Recorded the realised benefit.")
            return HttpResponseRedirect(reverse("appraisal:realisation", args=[pk]))
    report = services.report_for(record)
    rows = services.realisation_for(record, report)
    entries = list(record.realised.all())
    return render(
        request,
        "appraisal/realisation.html",
        {
            "record": record,
            "c": record.collaboration,
            "rows": rows,
            "entries": entries,
            "chart": presentation.realisation_chart(rows),
            "form": form,
            "can_edit": can_edit,
        },
    )
