"""Thin views: check, call one service or results function, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accord.core.marking import marking_for
from accord.core.problems import PermissionRefused, Problem, Problems
from accord.core.spreadsheets import write_csv, write_xlsx
from accord.core.uploads import read_upload
from accord.orgs.models import Organisation
from accord.register import services as register_services

from . import exports, importers, results, services
from .forms import (
    FrameworkUploadForm,
    InviteFileForm,
    InviteListForm,
    ResponseImportForm,
    RoundForm,
    SurveyPageForm,
)
from .models import Invitation, Round, SurveyEmailKind

# Across the register -----------------------------------------------------------------------


ROUNDS_A_PAGE = 20


@login_required
def index(request: HttpRequest) -> HttpResponse:
    visible = register_services.visible_collaborations(request.user).current()
    overview = results.register_overview(visible)
    rounds = (
        Round.objects.filter(collaboration__in=visible.values("pk"))
        .select_related("collaboration", "framework")
        .order_by("-opens_on", "-pk")
    )
    page = Paginator(rounds, ROUNDS_A_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/index.html",
        {
            "overview": overview,
            "rounds_page": page,
            "round_rows": results.round_rows(list(page.object_list)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def frameworks(request: HttpRequest) -> HttpResponse:
    can_add = services.can_add_frameworks(request.user)
    form = FrameworkUploadForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST":
        if not can_add:
            raise PermissionRefused("Only platform administrators may add frameworks.")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                row, outcome = services.add_framework(
                    request.user, read_upload(upload), upload.name
                )
            except Problems as exc:
                problems = exc.problems
            else:
                messages.success(request, f"{row}: {outcome}.")
                return HttpResponseRedirect(reverse("assessments:frameworks"))
    return render(
        request,
        "assessments/frameworks.html",
        {
            "frameworks": services.frameworks_with_use(),
            "form": form,
            "problems": problems,
            "can_add": can_add,
        },
    )


# A collaboration's rounds ------------------------------------------------------------------


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any]:
    """The panel on a collaboration's page (registered in AppConfig.ready): the latest round's
    three Cs, and links to its rounds."""
    return {
        "c": collaboration,
        "panel": results.panel(collaboration),
        "can_manage": services.can_manage(request.user, collaboration),
        "can_start": services.can_start_round(request.user, collaboration),
    }


def collaboration_rounds(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = services.get_collaboration(request.user, reference)
    rounds = list(
        Round.objects.filter(collaboration=collaboration)
        .select_related("framework")
        .order_by("-opens_on", "-pk")
    )
    return render(
        request,
        "assessments/rounds.html",
        {
            "c": collaboration,
            "rounds": rounds,
            "round_rows": results.round_rows(rounds),
            "timelines": results.collaboration_timelines(rounds),
            "can_manage": services.can_manage(request.user, collaboration),
            "can_start": services.can_start_round(request.user, collaboration),
            "k": results.k(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, reference: str) -> HttpResponse:
    collaboration = services.get_collaboration(request.user, reference)
    if not services.can_manage(request.user, collaboration):
        raise PermissionRefused("You may not start assessment rounds for this collaboration.")
    if not services.can_start_round(request.user, collaboration):
        raise PermissionRefused(
            "This collaboration is archived, so it cannot have new assessment rounds. Restore "
            "it first if it is still going on."
        )
    form = RoundForm(request.POST or None, initial=RoundForm.initial_values())
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_round(request.user, collaboration, form.to_data())
        except Problems as exc:
            for problem in exc.problems:
                form.add_error(problem.field or None, problem.reason)
        else:
            warning = form.warning()
            messages.success(
                request,
                " ".join(p for p in (f"Started {created.title}.", warning) if p)
                + " Now invite people.",
            )
            return HttpResponseRedirect(reverse("assessments:invite", args=[created.pk]))
    return render(request, "assessments/round_form.html", {"form": form, "c": collaboration})


# One round ---------------------------------------------------------------------------------


def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    found = services.get_round(request.user, round_id)
    can_manage = services.can_manage(request.user, found.collaboration)
    return render(
        request,
        "assessments/round.html",
        {
            "r": found,
            "c": found.collaboration,
            "res": results.round_results(found),
            "can_manage": can_manage,
        },
    )


def _managed_round(request: HttpRequest, round_id: int) -> Round:
    found = services.get_round(request.user, round_id)
    if not services.can_manage(request.user, found.collaboration):
        raise PermissionRefused("You may not manage this round.")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def round_invite(request: HttpRequest, round_id: int) -> HttpResponse:
    found = _managed_round(request, round_id)
    partners = found.collaboration.partners.values_list("organisation", flat=True)
    partner_orgs = Organisation.objects.filter(pk__in=partners).order_by("name")
    list_form = InviteListForm(
        request.POST if request.POST.get("via") == "list" else None, partners=partner_orgs
    )
    file_form = InviteFileForm(
        request.POST if request.POST.get("via") == "file" else None,
        request.FILES if request.POST.get("via") == "file" else None,
        # Both forms ask how people get their links: their ids must differ.
        auto_id="id_upload_%s",
    )
    problems: list[Problem] = []
    if request.method == "POST":
        invitees = None
        try:
            if request.POST.get("via") == "file" and file_form.is_valid():
                upload = file_form.cleaned_data["file"]
                invitees = importers.parse_invitation_file(
                    read_upload(upload), upload.name, list(partner_orgs)
                )
            elif request.POST.get("via") == "list" and list_form.is_valid():
                invitees = importers.parse_email_list(
                    list_form.cleaned_data["emails"],
                    list_form.cleaned_data["organisation"],
                    list_form.cleaned_data["level"],
                )
            if invitees is not None:
                form = file_form if request.POST.get("via") == "file" else list_form
                links = services.invite(request.user, found, invitees)
                outcome = None
                if form.cleaned_data["send"] == "email":
                    outcome = services.email_invitations(request.user, found, links)
                return _links_page(request, found, links, outcome)
        except Problems as exc:
            problems = exc.problems
    invitations = list(Invitation.objects.filter(round=found).select_related("organisation"))
    return render(
        request,
        "assessments/invite.html",
        {
            "r": found,
            "c": found.collaboration,
            "list_form": list_form,
            "file_form": file_form,
            "problems": problems,
            "invitations": invitations,
            "counts": results.response_counts([found])[found.pk],
        },
    )


def _links_page(
    request: HttpRequest,
    found: Round,
    links: list[services.NewLink],
    outcome: services.EmailOutcome | None,
) -> HttpResponse:
    rows = [(link.email, services.respond_url(link.token), link) for link in links]
    response = render(
        request,
        "assessments/links.html",
        {"r": found, "c": found.collaboration, "rows": rows, "outcome": outcome},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_remind(request: HttpRequest, round_id: int) -> HttpResponse:
    """Remind everyone whose link is not yet used. Only counts are shown: never who."""
    found = _managed_round(request, round_id)
    problems: list[Problem] = []
    if request.method == "POST":
        try:
            batch = services.send_reminders(request.user, found)
        except Problems as exc:
            problems = exc.problems
        else:
            sent = f"Sent a reminder to {batch.sent} {'person' if batch.sent == 1 else 'people'}"
            if batch.failed:
                sent += f"; the mail server refused {batch.failed}"
            messages.success(request, sent + ".")
            return HttpResponseRedirect(reverse("assessments:remind", args=[found.pk]))
    return render(
        request,
        "assessments/remind.html",
        {
            "r": found,
            "c": found.collaboration,
            "counts": results.response_counts([found])[found.pk],
            "state": services.reminder_state(found),
            "problems": problems,
            "reminders": found.emails.filter(kind=SurveyEmailKind.REMINDER).order_by("-sent_on"),
        },
    )


@login_required
@require_POST
def round_links_csv(request: HttpRequest, round_id: int) -> HttpResponse:
    """Turn the links just shown back into a CSV download. The server keeps nothing: the page
    posts the links it was given, and they are returned as a file."""
    found = _managed_round(request, round_id)
    emails = request.POST.getlist("email")
    links = request.POST.getlist("link")
    if len(emails) != len(links):
        raise Http404("Mismatched links")
    body = write_csv(["email", "link"], list(zip(emails, links, strict=True)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{found.pk}-links.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_import(request: HttpRequest, round_id: int) -> HttpResponse:
    found = _managed_round(request, round_id)
    framework = found.framework.framework
    form = ResponseImportForm(request.POST or None, request.FILES or None, framework=framework)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            mapping = form.item_mapping()
            mapping_file = form.cleaned_data.get("mapping_file")
            if mapping_file:
                mapping.update(importers.parse_mapping_csv(read_upload(mapping_file)))
            upload = form.cleaned_data["file"]
            partners = [
                p.organisation for p in found.collaboration.partners.select_related("organisation")
            ]
            rows = importers.parse_response_file(
                read_upload(upload),
                upload.name,
                framework,
                importers.Mapping_(
                    organisation=form.cleaned_data["organisation_column"],
                    level=form.cleaned_data["level_column"],
                    comment=form.cleaned_data.get("comment_column") or "",
                    items=mapping,
                ),
                partners,
            )
            summary = services.add_responses(request.user, found, rows)
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Imported {summary.count} responses.")
            return HttpResponseRedirect(reverse("assessments:round", args=[found.pk]))
    return render(
        request,
        "assessments/import.html",
        {"r": found, "c": found.collaboration, "form": form, "problems": problems},
    )


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def round_export(request: HttpRequest, round_id: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown format")
    found = services.get_round(request.user, round_id)
    rows = exports.export_rows(results.round_results(found))
    if fmt == "csv":
        body = write_csv(exports.EXPORT_COLUMNS, rows)
    else:
        # A round is seen by whoever may see its collaboration: marked as that is.
        body = write_xlsx(
            exports.EXPORT_COLUMNS,
            rows,
            title="Scores",
            marking=marking_for([found.collaboration.visibility]),
        )
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="round-{found.pk}-scores.{fmt}"'
    return response


# The survey, reached by a personal link ----------------------------------------------------

CHECK = "check"


def _page_number(value: str | None, pages: int) -> int | str | None:
    if value in ("all", CHECK):
        return value
    if value and value.isdigit() and 1 <= int(value) <= pages:
        return int(value)
    return None


def _survey_url(token: str, page: int | str | None = None, **extra: str) -> str:
    url = reverse("assessments:respond", args=[token])
    query = {**({"page": str(page)} if page is not None else {}), **extra}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _answer_label(framework: Any, value: Any) -> str:
    if value is None:
        return "Not applicable"
    return str(framework.scale.labels[int(value) - framework.scale.min])


def _check_rows(framework: Any, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Each part with each statement's answer, for the check-your-answers page."""
    parts = []
    for number, factor in enumerate(framework.factors, start=1):
        rows = [
            {
                "item": item,
                "answered": item.id in answers,
                "answer": _answer_label(framework, answers[item.id])
                if item.id in answers
                else "Not answered",
            }
            for item in factor.items
        ]
        parts.append(
            {
                "number": number,
                "factor": factor,
                "rows": rows,
                "answered": sum(1 for row in rows if row["answered"]),
            }
        )
    return parts


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    found = invitation.round
    today = timezone.localdate()
    context: dict[str, Any] = {
        "r": found,
        "token": token,
        "invitation": invitation,
        "k": results.k(),
        # A respondent is no user of the service: the header shows no navigation or account.
        "plain_header": True,
    }
    if not found.is_open(today):
        context["state"] = found.state(today)
        status = 410 if context["state"] == "closed" else 200
        return render(request, "assessments/survey_closed.html", context, status=status)
    framework = found.framework.framework
    factors = list(framework.factors)
    existing = services.response_for_token(token)
    page = _page_number(request.GET.get("page"), len(factors))
    context.update({"framework": framework, "pages": len(factors), "response": existing})
    if request.GET.get("done") and existing is not None and existing.submitted:
        return render(request, "assessments/survey_done.html", context)
    if page is None:
        return render(request, "assessments/survey_start.html", context)
    if page == CHECK:
        return _check_page(request, token, context)
    on_page = factors if page == "all" else [factors[int(page) - 1]]
    last = page == "all" or page == len(factors)
    returning = request.GET.get("return") == CHECK
    initial = SurveyPageForm.initial_from(
        existing.answers if existing else {}, existing.comment if existing else ""
    )
    form = SurveyPageForm(
        request.POST or None,
        initial=initial,
        framework=framework,
        factors=on_page,
        with_comment=last,
    )
    blank_warning = False
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        given = form.answers()
        # A page left blank is allowed (every statement is optional), but said once: it is
        # more often a slip than a choice.
        if action == "next" and not given and not request.POST.get("blank_ok"):
            blank_warning = True
        else:
            try:
                services.save_answers(
                    token,
                    given,
                    comment=form.cleaned_data.get("comment") if last else None,
                )
            except services.RoundClosed:
                context["state"] = "closed"
                return render(request, "assessments/survey_closed.html", context, status=410)
            if action == "next":
                if returning or last:
                    return HttpResponseRedirect(_survey_url(token, CHECK))
                assert isinstance(page, int)
                return HttpResponseRedirect(_survey_url(token, page + 1))
            extra = {"return": CHECK} if returning else {}
            return HttpResponseRedirect(_survey_url(token, page, saved="1", **extra))
    context.update(
        {
            "form": form,
            "page": page,
            "last": last,
            "returning": returning,
            "blank_warning": blank_warning,
            "saved": request.GET.get("saved") == "1",
            "previous_page": page - 1 if isinstance(page, int) and page > 1 else None,
        }
    )
    return render(request, "assessments/survey.html", context)


def _check_page(request: HttpRequest, token: str, context: dict[str, Any]) -> HttpResponse:
    """Every answer, with a link to change each, and the one button that submits."""
    existing = context["response"]
    if request.method == "POST":
        try:
            services.save_answers(token, {}, submit=True)
        except services.RoundClosed:
            context["state"] = "closed"
            return render(request, "assessments/survey_closed.html", context, status=410)
        return HttpResponseRedirect(_survey_url(token, done="1"))
    answers = dict(existing.answers or {}) if existing else {}
    parts = _check_rows(context["framework"], answers)
    context.update(
        {
            "parts": parts,
            "answered": sum(part["answered"] for part in parts),
            "comment": existing.comment if existing else "",
        }
    )
    return render(request, "assessments/survey_check.html", context)
