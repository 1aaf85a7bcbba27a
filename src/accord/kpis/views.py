"""Thin views: find what the person may see (a 404 otherwise), check they may change it (the
refusal page otherwise), validate, call one service, render."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from accord.core import editing
from accord.core.editing import for_editing
from accord.core.forms import filter_panel
from accord.core.problems import EditConflict, Problem, Problems
from accord.core.uploads import read_upload

from . import exports, presentation, queries, services
from .forms import (
    AdoptionEditForm,
    AdoptionForm,
    ImportForm,
    IndicatorForm,
    LibraryUploadForm,
    MeasurementEditForm,
    MeasurementForm,
    MilestoneForm,
    PortfolioFilterForm,
    filters_from,
)
from .models import Adoption, Measurement

_CHANGE_LIBRARY = "change the indicator library (platform administrators do)"


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST, even an empty one (which is a form sent with nothing in it,
    to be told what is missing), else None."""
    return request.POST if request.method == "POST" else None


def _add_problems(form: Any, exc: Problems) -> None:
    """Each problem on its field where the form has one, otherwise at the top of the form."""
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.reason if name else str(problem))


def _editable_collaboration(request: HttpRequest, reference: str, action: str) -> Any:
    collaboration = queries.get_collaboration(request.user, reference)
    return for_editing(collaboration, services.can_edit(request.user, collaboration), action)


def _editable_adoption(request: HttpRequest, pk: int, action: str) -> Adoption:
    adoption = queries.get_adoption(request.user, pk)
    return for_editing(adoption, services.can_edit(request.user, adoption.collaboration), action)


def _kpi_page(adoption: Adoption) -> str:
    return reverse("kpis:adoption", args=[adoption.pk])


# A collaboration's page: its panel and its KPIs ----------------------------------------------


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any]:
    """The KPIs panel on a collaboration's page (registered in AppConfig.ready): each KPI's
    icons and status, and a link to the charts. The register's page has found the collaboration
    visible to this person before it asks."""
    adoptions = queries.adoptions_of(collaboration)
    services.refresh_stale_computed(adoptions)
    found = queries.summaries_for([a.pk for a in adoptions])
    rows = []
    for adoption in adoptions:
        summary = found.get(adoption.pk)
        if summary is None:
            continue
        rows.append(
            (
                adoption,
                presentation.badges(
                    adoption.indicator, summary, target=queries.target_of(adoption)
                ),
                presentation.figure(summary.latest_value, adoption.indicator.unit),
            )
        )
    return {
        "c": collaboration,
        "rows": rows,
        "can_add": services.can_edit(request.user, collaboration),
    }


#: How long a KPI's drawn section is kept; any change to the KPIs makes a new key first.
SECTION_SECONDS = 3600


def kpi_sections(
    request: HttpRequest,
    collaboration: Any,
    adoptions: list[Adoption],
    *,
    page: str,
    can_edit: bool,
) -> list[SafeString]:
    """Each KPI's section (kpis/_kpi.html: its icons, figures, chart, table, phases, before and
    after) drawn once for each state of the KPIs and kept (core's cache), so that reading a
    collaboration's KPIs again costs what the page around them does. Drawn afresh, a section
    judges its series, formats each point and writes its spec."""
    if not adoptions:
        return []
    state = hashlib.sha256(queries.state_key(timezone.localdate()).encode()).hexdigest()[:32]
    keys = {a.pk: f"kpis:section:{page}:{int(can_edit)}:{a.pk}:{state}" for a in adoptions}
    found: dict[str, str] = cache.get_many(list(keys.values()))
    missing = [a for a in adoptions if keys[a.pk] not in found]
    if missing:
        drawn = {}
        for analysis in queries.analyses_of(collaboration, adoptions=missing):
            context: dict[str, Any] = {
                "kpi": presentation.kpi_view(analysis),
                "link": page == "collaboration",
                "can_edit": can_edit,
            }
            template = "kpis/_kpi.html"
            if page == "adoption":
                # One KPI's page: its milestones and every measurement, newest first, too.
                template = "kpis/_adoption_body.html"
                context.update(
                    adoption=analysis.adoption,
                    milestones=analysis.milestones,
                    has_points=bool(analysis.points),
                    measurements=presentation.measurement_rows(
                        analysis.adoption,
                        list(reversed(analysis.points)),
                        can_edit=can_edit,
                        entered=queries.entered_by(analysis.adoption) if can_edit else None,
                    ),
                )
            html = render_to_string(template, context, request=request)
            drawn[keys[analysis.adoption.pk]] = html
        cache.set_many(drawn, SECTION_SECONDS)
        found.update(drawn)
    return [mark_safe(found[keys[a.pk]]) for a in adoptions if keys[a.pk] in found]


def collaboration_kpis(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = queries.get_collaboration(request.user, reference)
    can_edit = services.can_edit(request.user, collaboration)
    adoptions = queries.adoptions_of(collaboration)
    services.refresh_stale_computed(adoptions)
    return render(
        request,
        "kpis/collaboration.html",
        {
            "c": collaboration,
            "sections": kpi_sections(
                request, collaboration, adoptions, page="collaboration", can_edit=can_edit
            ),
            "can_edit": can_edit,
            # Those who may change the KPIs may restore an archived one.
            "archived": queries.archived_adoptions_of(collaboration) if can_edit else [],
        },
    )


def adoption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = queries.get_adoption(request.user, pk)
    collaboration = adoption.collaboration
    can_edit = services.can_edit(request.user, collaboration)
    services.refresh_stale_computed([adoption])
    (section,) = kpi_sections(
        request, collaboration, [adoption], page="adoption", can_edit=can_edit
    )
    return render(
        request,
        "kpis/adoption.html",
        {"c": collaboration, "adoption": adoption, "section": section, "can_edit": can_edit},
    )


# Changing a collaboration's KPIs --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable_collaboration(
        request, reference, "adopt indicators for this collaboration"
    )
    form = AdoptionForm(_posted(request), collaboration=collaboration)
    if request.method == "POST" and form.is_valid():
        try:
            adoption = services.adopt(request.user, collaboration, form.to_data())
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, f"Adopted {adoption.indicator.title}.")
            return HttpResponseRedirect(_kpi_page(adoption))
    return render(request, "kpis/adopt.html", {"form": form, "c": collaboration})


def _adoption_edit_form(adoption: Adoption, data: Any = None, **kwargs: Any) -> AdoptionEditForm:
    return AdoptionEditForm(data, adoption=adoption, **kwargs)


def _adoption_initial(adoption: Adoption) -> dict[str, Any]:
    return {**AdoptionEditForm.initial_for(adoption), "version": services.version_of(adoption)}


@login_required
@require_http_methods(["GET", "POST"])
def adoption_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a KPI's baseline, target, target date, tolerance (and, while it has no figures,
    its indicator and organisation). A crossing edit is merged, as the register's is."""
    adoption = _editable_adoption(request, pk, "change this KPI")
    salt = f"kpi-adoption:{adoption.pk}"
    conflict = merged = None
    if request.method == "POST":
        opened = editing.read_opened(request.POST, salt)
        form = _adoption_edit_form(adoption, editing.resolved(request.POST, opened))
        editing.offer_choices(form, opened)
        if form.is_valid():
            try:
                services.update_adoption(
                    request.user,
                    adoption,
                    form.to_data(),
                    opened=(opened or {}).get("fields") if opened else None,
                )
            except EditConflict as exc:
                # Someone saved first: the KPI as it is now plus only this person's changes,
                # and a choice wherever both changed the same thing.
                conflict = exc
                current = queries.get_adoption(request.user, pk)
                now = _adoption_edit_form(current, initial=_adoption_initial(current))
                merged = editing.merge_edit(
                    editing.Version(form), editing.Version(now), opened, exc, salt=salt
                )
                form = _adoption_edit_form(current, initial=merged.initial)
                editing.offer_choices(form, merged.payload, token=merged.token)
            except Problems as exc:
                _add_problems(form, exc)
            else:
                messages.success(request, f"Saved {adoption.indicator.title}.")
                return HttpResponseRedirect(_kpi_page(adoption))
    else:
        form = _adoption_edit_form(adoption, initial=_adoption_initial(adoption))
        editing.start(form, salt=salt, version=services.version_of(adoption))
    return render(
        request,
        "kpis/form.html",
        {
            "form": form,
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": "Change this KPI",
            "submit": "Save KPI",
            "unit": presentation.UNIT_LABELS.get(adoption.indicator.unit),
            "conflict": conflict,
            "merge": editing.summary(merged),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adoption_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop tracking a KPI (a confirmation page, then a POST): it leaves the pages, the
    portfolio and the exports; its figures and milestones are kept, and the audit log says
    who archived it."""
    adoption = _editable_adoption(request, pk, "archive this KPI")
    if request.method == "POST":
        services.archive_adoption(request.user, adoption)
        messages.success(request, f"Archived {adoption.indicator.title}.")
        return HttpResponseRedirect(
            reverse("kpis:collaboration", args=[adoption.collaboration.reference])
        )
    return render(
        request,
        "kpis/confirm.html",
        {
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": f"Archive {adoption.indicator.title}?",
            "body": "It will leave the collaboration's KPIs, the portfolio and the exports. "
            "Its figures and milestones are kept, and the audit log records who archived it.",
            "submit": "Archive KPI",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adoption_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Track an archived KPI again (a confirmation page, then a POST), with its figures and
    milestones; refused, saying why, where the collaboration has adopted it again since."""
    adoption = queries.get_archived_adoption(request.user, pk)
    for_editing(
        adoption, services.can_edit(request.user, adoption.collaboration), "restore this KPI"
    )
    problems: list[Problem] = []
    if request.method == "POST":
        try:
            services.archive_adoption(request.user, adoption, archive=False)
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Restored {adoption.indicator.title}.")
            return HttpResponseRedirect(_kpi_page(adoption))
    whom = adoption.organisation.name if adoption.organisation else "the collaboration as a whole"
    return render(
        request,
        "kpis/confirm.html",
        {
            "c": adoption.collaboration,
            "adoption": adoption,
            "back": reverse("kpis:collaboration", args=[adoption.collaboration.reference]),
            "heading": f"Restore {adoption.indicator.title}?",
            "body": f"It will return to the collaboration's KPIs, measured for {whom}, with its "
            "figures and milestones.",
            "submit": "Restore KPI",
            "warning": False,
            "problems": problems,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a milestone from a KPI's chart (a confirmation page, then a POST); the audit
    log keeps what it was."""
    milestone = queries.get_milestone(request.user, pk)
    adoption = milestone.adoption
    for_editing(
        milestone,
        services.can_edit(request.user, adoption.collaboration),
        "remove milestones of this KPI",
    )
    if request.method == "POST":
        services.remove_milestone(request.user, milestone)
        messages.success(request, f"Removed the milestone {milestone.title}.")
        return HttpResponseRedirect(_kpi_page(adoption) + "#milestones")
    return render(
        request,
        "kpis/confirm.html",
        {
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": f"Remove the milestone {milestone.title}?",
            "body": f"{milestone.title} ({milestone.on.day} {milestone.on:%B %Y}) will no "
            "longer mark the chart"
            + (" or start a phase of it" if milestone.starts_phase else "")
            + ". The audit log keeps what it was.",
            "submit": "Remove milestone",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = _editable_adoption(request, pk, "add milestones to this KPI")
    form = MilestoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(request.user, adoption, form.to_data())
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, f"Added the milestone {form.cleaned_data['title']}.")
            return HttpResponseRedirect(_kpi_page(adoption) + "#milestones")
    return render(
        request,
        "kpis/form.html",
        {
            "form": form,
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": "Add a milestone",
            "submit": "Add milestone",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = _editable_adoption(request, pk, "enter measurements for this KPI")
    form = MeasurementForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_measurement(
                request.user,
                adoption,
                period=data["period"],
                value=data["value"],
                note=data.get("note") or "",
            )
        except Problems as exc:
            _add_problems(form, exc)
        else:
            when = presentation.period_words(data["period"], adoption.indicator.frequency)
            messages.success(request, f"Recorded {adoption.indicator.title} for {when}.")
            return HttpResponseRedirect(_kpi_page(adoption))
    return render(
        request,
        "kpis/form.html",
        {
            "form": form,
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": "Enter a measurement",
            "submit": "Save measurement",
            "unit": presentation.UNIT_LABELS.get(adoption.indicator.unit),
        },
    )


def _version(measurement: Measurement) -> int:
    """The measurement's version for an edit page: when it was last saved, in microseconds
    (a measurement has no version number; a save always moves its ``updated_at``)."""
    return int(measurement.updated_at.timestamp() * 1_000_000)


def _measurement_initial(measurement: Measurement) -> dict[str, Any]:
    return {"value": measurement.value, "note": measurement.note, "version": _version(measurement)}


@login_required
@require_http_methods(["GET", "POST"])
def measurement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = queries.get_measurement(request.user, pk)
    adoption = measurement.adoption
    assert adoption is not None
    for_editing(
        measurement,
        services.can_edit(request.user, adoption.collaboration),
        "change measurements of this KPI",
    )
    salt = f"kpi-measurement:{measurement.pk}"
    conflict = merged = None
    if request.method == "POST":
        opened = editing.read_opened(request.POST, salt)
        form = MeasurementEditForm(editing.resolved(request.POST, opened))
        editing.offer_choices(form, opened)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_measurement(
                    request.user,
                    measurement,
                    value=data["value"],
                    note=data.get("note") or "",
                    opened=(opened or {}).get("fields") if opened else None,
                )
            except EditConflict as exc:
                # Someone saved first: the record as it is now plus only this person's changes,
                # and a choice wherever both changed the same thing.
                conflict = exc
                current = queries.get_measurement(request.user, pk)
                now = MeasurementEditForm(initial=_measurement_initial(current))
                merged = editing.merge_edit(
                    editing.Version(form), editing.Version(now), opened, exc, salt=salt
                )
                form = MeasurementEditForm(initial=merged.initial)
                editing.offer_choices(form, merged.payload, token=merged.token)
            except Problems as exc:
                _add_problems(form, exc)
            else:
                messages.success(request, "Saved the measurement.")
                return HttpResponseRedirect(_kpi_page(adoption))
    else:
        form = MeasurementEditForm(initial=_measurement_initial(measurement))
        editing.start(form, salt=salt, version=_version(measurement))
    return render(
        request,
        "kpis/form.html",
        {
            "form": form,
            "c": adoption.collaboration,
            "adoption": adoption,
            "heading": "Change a measurement",
            "caption": presentation.period_words(measurement.period, adoption.indicator.frequency),
            "submit": "Save measurement",
            "unit": presentation.UNIT_LABELS.get(adoption.indicator.unit),
            "conflict": conflict,
            "merge": editing.summary(merged),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_import(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable_collaboration(
        request, reference, "import measurements for this collaboration"
    )
    form = ImportForm(_posted(request), request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.import_measurements(
                request.user, collaboration, read_upload(upload), upload.name
            )
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Imported {count:,} measurement{'' if count == 1 else 's'}.")
            return HttpResponseRedirect(reverse("kpis:collaboration", args=[reference]))
    return render(
        request,
        "kpis/import.html",
        {
            "form": form,
            "c": collaboration,
            "problems": problems,
            "adoptions": queries.adoptions_of(collaboration),
        },
    )


# The portfolio --------------------------------------------------------------------------------


def portfolio(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    memo = queries.kept(today)
    if services.refresh_stale_computed_ids(memo.computed, today=today):
        memo = queries.kept(today)
    form = PortfolioFilterForm(request.GET or None, indicators=memo.indicators)
    filters = filters_from(form)
    found = queries.portfolio(request.user, filters, today=today, memo=memo)
    paginator = Paginator(found.ids, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # A page's rows are kept with the list they come from (its state, whom the person sees
    # as, the filters).
    rows_key = f"{found.signature}:rows:{page.number}"
    body = cache.get(rows_key) if found.signature else None
    if body is None:
        rows = found.rows(list(page.object_list))
        body = str(presentation.portfolio_body(rows)) if rows else ""
        if found.signature:
            cache.set(rows_key, body, queries.PORTFOLIO_SECONDS)
    pairs = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    return render(
        request,
        "kpis/portfolio.html",
        {
            "form": form,
            "panel": filter_panel(form, request, keep=()),
            "page": page,
            "rows": mark_safe(body),  # written by presentation.portfolio_body, escaped
            "total": paginator.count,
            "filtered": bool(filters),
            "query": urlencode(pairs),
        },
    )


def export(request: HttpRequest) -> HttpResponseBase:
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404("Unknown format")
    filters = filters_from(PortfolioFilterForm(request.GET or None))
    services.refresh_stale_computed_of(queries.filtered_adoptions(request.user, filters))
    ids = queries.portfolio(request.user, filters).ids if filters.get("status") else None
    adoptions = queries.filtered_adoptions(request.user, filters)
    if ids is not None:
        adoptions = adoptions.filter(pk__in=ids)
    return exports.response(adoptions, fmt)


# The indicator library ------------------------------------------------------------------------


def indicator_list(request: HttpRequest) -> HttpResponse:
    found = list(queries.indicators())
    in_use = set(
        Adoption.objects.filter(archived_at__isnull=True)
        .values_list("indicator_id", flat=True)
        .distinct()
    )
    return render(
        request,
        "kpis/indicators.html",
        {
            "indicators": found,
            "in_use": in_use,
            "units": presentation.UNIT_LABELS,
            "directions": presentation.DIRECTION_LABELS,
            "frequencies": presentation.FREQUENCY_LABELS,
            "can_manage": services.can_manage_indicators(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    for_editing(None, services.can_manage_indicators(request.user), _CHANGE_LIBRARY)
    form = IndicatorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.add_indicator(request.user, form.to_data())
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, f"Added {indicator.title} to the indicator library.")
            return HttpResponseRedirect(reverse("kpis:indicators") + f"#{indicator.key}")
    return render(request, "kpis/indicator_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_upload(request: HttpRequest) -> HttpResponse:
    for_editing(None, services.can_manage_indicators(request.user), _CHANGE_LIBRARY)
    form = LibraryUploadForm(_posted(request), request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload)
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise Problems(
                    [Problem("the file is not UTF-8 text", source=upload.name, refused=True)]
                ) from None
            count = services.load_library(request.user, text, upload.name)
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"Loaded {count:,} indicator{'' if count == 1 else 's'} from {upload.name}.",
            )
            return HttpResponseRedirect(reverse("kpis:indicators"))
    return render(request, "kpis/indicator_upload.html", {"form": form, "problems": problems})
