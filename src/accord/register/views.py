from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accord.core import audit, editing
from accord.core.choices import Visibility
from accord.core.editing import for_editing
from accord.core.forms import filter_panel
from accord.core.panels import render_panels
from accord.core.problems import EditConflict, PermissionRefused, Problem, Problems
from accord.core.uploads import read_upload

from . import exports, importers, listing, queries, record, services
from . import import_template as import_template_file
from .forms import CollaborationForm, ImportForm, ReviewForm
from .listing import ListFilterForm
from .models import Collaboration


def _filters(request: HttpRequest, form: ListFilterForm | None = None) -> dict[str, Any]:
    return listing.filters_from(form or ListFilterForm(request.GET or None))


def collaboration_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    filters = _filters(request, form)
    today = timezone.localdate()
    visible = Collaboration.objects.visible_to(request.user)
    filtered = queries.apply_filters(visible, filters, today=today)
    facets = queries.visible_facet_counts(request.user, filters)
    form.show_counts(facets)
    rows = queries.with_risk_inputs(filtered.only(*listing.LIST_COLUMNS))
    paginator = Paginator(rows, settings.PAGE_SIZE)
    # The counts hold the number of rows already; the paginator need not count them again.
    paginator.count = facets["total"][""]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = listing.list_rows(page.object_list, today)
    pairs = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    chosen = {k: v for k, v in filters.items() if k != "sort"}
    return render(
        request,
        "register/list.html",
        {
            "form": form,
            "panel": filter_panel(form, request),
            "page": page,
            "total": paginator.count,
            "count_words": listing.count_words(paginator.count, bool(chosen)),
            "facets": facets,
            "filters": filters,
            "place_not_found": listing.place_not_found_html(form, request.GET),
            "query": urlencode(pairs),
            "can_create": services.can_create(request.user),
        },
    )


def collaboration_detail(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = services.get_visible(request.user, reference, whole=True)
    can_edit = services.can_edit(request.user, collaboration)
    history = record.history_sentences(audit.history(collaboration)) if can_edit else []
    return render(
        request,
        "register/detail.html",
        {
            "c": collaboration,
            "partners": collaboration.partners.all(),
            "champions": collaboration.champions.all(),
            "reviews": collaboration.reviews.all(),
            "evidence": list(collaboration.evidence.all()),
            "areas": list(collaboration.areas.all()),
            "named": list(collaboration.named_organisations.all())
            if collaboration.visibility == Visibility.NAMED
            else [],
            "risks": services.risks_for(collaboration),
            "can_edit": can_edit,
            "history": history,
            # Assessments, appraisals and what comes after: each app's own panel.
            "panels": render_panels("collaboration", request, collaboration),
        },
    )


def _editable(request: HttpRequest, reference: str, action: str) -> Collaboration:
    """The collaboration for a change: a 404 if this person may not see it, the refusal page
    if they may see it but not change it."""
    collaboration = services.get_visible(request.user, reference)
    return for_editing(collaboration, services.can_edit(request.user, collaboration), action)


def _add_problems(form: Any, exc: Problems) -> None:
    """Each problem on its field where the form has one, otherwise at the top of the form."""
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.reason if name else str(problem))


@login_required
@require_http_methods(["GET", "POST"])
def collaboration_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionRefused("You need the contributor role to add collaborations.")
    initial: dict[str, Any] = {}
    user_org = getattr(request.user, "organisation", None)
    if user_org:
        initial["lead"] = user_org
    form = CollaborationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            collaboration = services.create_collaboration(request.user, form.to_data())
        except PermissionRefused as exc:
            form.add_error("lead", exc.message)
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, f"Added {collaboration.title}.")
            return HttpResponseRedirect(reverse("register:detail", args=[collaboration.reference]))
    return render(request, "register/form.html", {"form": form, "creating": True})


def _edit_form(collaboration: Collaboration, data: Any = None, **kwargs: Any) -> CollaborationForm:
    form = CollaborationForm(data, **kwargs)
    form.fields["reference"].disabled = True
    form.fields["reference"].initial = collaboration.reference
    return form


@login_required
@require_http_methods(["GET", "POST"])
def collaboration_edit(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable(request, reference, "edit this collaboration")
    salt = f"collaboration:{collaboration.pk}"
    conflict = merged = None
    if request.method == "POST":
        opened = editing.read_opened(request.POST, salt)
        # The choices of a merged page (keep yours or theirs) applied before anything is checked.
        form = _edit_form(collaboration, editing.resolved(request.POST, opened))
        editing.offer_choices(form, opened)
        if form.is_valid():
            try:
                data = form.to_data()
                data.reference = collaboration.reference
                services.update_collaboration(
                    request.user,
                    collaboration,
                    data,
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except EditConflict as exc:
                # Someone saved first: the form again, with the record as it is now plus only
                # what this person changed, and a choice wherever both changed one field.
                conflict = exc
                current = services.get_visible(request.user, reference)
                now = _edit_form(current, initial=CollaborationForm.initial_for(current))
                merged = editing.merge_edit(
                    editing.Version(form), editing.Version(now), opened, exc, salt=salt
                )
                form = _edit_form(current, initial=merged.initial)
                editing.offer_choices(form, merged.payload, token=merged.token)
            except PermissionRefused as exc:
                form.add_error("lead", exc.message)
            except Problems as exc:
                _add_problems(form, exc)
            else:
                messages.success(request, f"Saved {collaboration.title}.")
                return HttpResponseRedirect(reverse("register:detail", args=[reference]))
    else:
        form = _edit_form(collaboration, initial=CollaborationForm.initial_for(collaboration))
        editing.start(form, salt=salt, version=collaboration.version)
    return render(
        request,
        "register/form.html",
        {
            "form": form,
            "c": collaboration,
            "creating": False,
            "conflict": conflict,
            "merge": editing.summary(merged),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collaboration_archive(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable(request, reference, "archive this collaboration")
    archiving = collaboration.archived_at is None
    if request.method == "POST":
        services.archive_collaboration(request.user, collaboration, archive=archiving)
        messages.success(
            request, f"{'Archived' if archiving else 'Restored'} {collaboration.title}."
        )
        return HttpResponseRedirect(reverse("register:detail", args=[reference]))
    return render(request, "register/archive.html", {"c": collaboration, "archiving": archiving})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = _editable(request, reference, "record reviews of this collaboration")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_review(request.user, collaboration, form.to_data())
        messages.success(request, "Recorded the duty-to-collaborate review.")
        return HttpResponseRedirect(reverse("register:detail", args=[reference]) + "#reviews")
    return render(request, "register/review_form.html", {"form": form, "c": collaboration})


def collaboration_export(request: HttpRequest) -> HttpResponseBase:
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404("Unknown format")
    queryset = queries.apply_filters(
        Collaboration.objects.visible_to(request.user), _filters(request)
    )
    content_type, extension = exports.FORMATS[fmt]
    # Streamed: the first bytes leave before the last row is read.
    response = StreamingHttpResponse(exports.stream(queryset, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="collaborations.{extension}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def collaboration_import(request: HttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionRefused("You need the contributor role to import collaborations.")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = importers.parse_file(read_upload(upload), upload.name)
            created = services.import_collaborations(request.user, rows)
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Imported {len(created)} collaborations.")
            return HttpResponseRedirect(reverse("register:list") + "?sort=-updated")
    return render(
        request,
        "register/import.html",
        {"form": form, "problems": problems, "columns": importers.COLUMNS},
    )


def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in import_template_file.FORMATS:
        raise Http404("Unknown format")
    response = HttpResponse(
        import_template_file.template(fmt), content_type=import_template_file.FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="collaborations-template.{fmt}"'
    return response
