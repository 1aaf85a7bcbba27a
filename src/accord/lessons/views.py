"""Thin views: find what the person may see (a 404 otherwise), check they may change it (the
refusal page otherwise), validate, call one service, render.

A page shows a lesson's original text only to those who may read it (its submitter and the
moderators of the submitter's organisation); everyone else reads the published, redacted text.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from accord.core import charts
from accord.core.editing import for_editing
from accord.core.forms import filter_panel
from accord.core.problems import EditConflict, NotVisible, PermissionRefused, Problem, Problems
from accord.core.uploads import read_upload

from . import (
    attachments,
    exports,
    importers,
    presentation,
    queries,
    redaction,
    search,
    services,
    themes,
)
from .choices import NoteState
from .forms import (
    ActionForm,
    ActionUpdateForm,
    AttachmentForm,
    ImportForm,
    LessonFilterForm,
    LessonForm,
    NoteForm,
    ReplyForm,
    ReviewForm,
    span_from_key,
    span_key,
)
from .models import TEXT_FIELDS, Action, ActionNote, Lesson, is_platform_moderator

PAGE_SIZE = 25


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _add_problems(form: Any, exc: Problems) -> None:
    for problem in exc.problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, problem.reason if name else str(problem))


def _detail(lesson: Lesson | int) -> str:
    pk = lesson if isinstance(lesson, int) else lesson.pk
    return reverse("lessons:detail", args=[pk])


# A collaboration's page: its panel -------------------------------------------------------------


#: The lessons of a collaboration whose open actions its panel lists (it shows 20 of them).
PANEL_LESSONS = 500


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any] | None:
    """The lessons panel on a collaboration's page: its lessons this person may see, and
    their open actions. The register's page has found the collaboration visible already."""
    # Most collaborations have no lessons: one plain question first, before the visibility
    # rule's (whose building alone is a millisecond on every collaboration's page).
    shown: list[Lesson] = []
    if services.has_lessons(collaboration):
        lessons = services.visible_lessons(request.user).filter(collaboration=collaboration)
        shown = list(lessons.select_related("organisation")[:PANEL_LESSONS])
    rows = [
        (lesson, lesson.shown("title", original=services.can_read_original(request.user, lesson)))
        for lesson in shown[:20]
    ]
    # The actions by the lessons' ids: asking by the visibility rule again cost the panel as
    # much as the lessons, and a collaboration with no lessons asks nothing more.
    actions = list(queries.open_actions_of([lesson.pk for lesson in shown])[:20]) if shown else []
    return {
        "c": collaboration,
        "rows": rows,
        "actions": actions,
        "today": timezone.localdate(),
        "can_add": services.can_create(request.user),
    }


# The list ----------------------------------------------------------------------------------------


def _filters(form: LessonFilterForm) -> dict[str, Any]:
    if not form.is_bound:
        return {}
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    return {k: v for k, v in cleaned.items() if v not in (None, "", [])}


def lesson_list(request: HttpRequest) -> HttpResponse:
    """The lessons this person may see, filtered and searched, a page at a time.

    The filters' panel and the page of results are drawn once for each state of what they
    read (queries.list_key: the counts' key and the page's address) and kept: at 100,000
    lessons, ranking every match of a common word costs a quarter of a second, and lessons
    change far less often than they are read."""
    form = LessonFilterForm(request.GET or None)
    filters = _filters(form)
    # A form with errors is drawn each time: its messages are for this request only.
    key = None if form.errors else queries.list_key(request.user, filters, request.GET)
    body = cache.get(key) if key else None
    if body is None:
        context = _list_context(request, form, filters)
        body = render_to_string("lessons/_list_body.html", context, request=request)
        if key:
            cache.set(key, body, queries.COUNTS_SECONDS)
    return render(
        request,
        "lessons/list.html",
        {
            "form": form,
            # Drawn by our own templates from escaped values, kept only in the server's cache.
            "body": mark_safe(body),
            "can_create": services.can_create(request.user),
        },
    )


def _list_context(
    request: HttpRequest, form: LessonFilterForm, filters: dict[str, Any]
) -> dict[str, Any]:
    lessons = queries.filtered(request.user, filters)
    counted = queries.counts(request.user, filters)
    form.set_counts(counted)
    paginator = Paginator(lessons.select_related("organisation"), PAGE_SIZE)
    # The count kept with the filters' counts: not asked again of the database.
    paginator.count = counted["total"]["all"]
    page = paginator.get_page(request.GET.get("page"))
    query = str(filters.get("q") or "")
    marks = search.highlights([lesson.pk for lesson in page.object_list], query)
    rows = []
    for lesson in page.object_list:
        original = services.can_read_original(request.user, lesson)
        title, extract = marks.get(lesson.pk, ("", ""))
        rows.append(
            {
                "lesson": lesson,
                "title": presentation.highlighted(title)
                if title
                else lesson.shown("title", original=original),
                "extract": presentation.highlighted(extract) if extract else "",
                "principles": presentation.theme_titles(lesson.principles),
                "factors": presentation.theme_titles(lesson.factors),
            }
        )
    kept = request.GET.copy()
    kept.pop("page", None)
    return {
        "form": form,
        "panel": filter_panel(form, request),
        "page": page,
        "rows": rows,
        "count": page.paginator.count,
        "query": kept.urlencode(),
        "filters": filters,
    }


def export(request: HttpRequest) -> HttpResponseBase:
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404("Unknown format")
    filters = _filters(LessonFilterForm(request.GET or None))
    return exports.response(queries.filtered(request.user, filters, ranked=False), fmt)


def trends(request: HttpRequest) -> HttpResponse:
    """Lessons per theme per quarter, as a chart with its table, and the themes that recur."""
    quarters, rows, recurring = queries.trends(request.user)
    titles = {theme: themes.theme_title(theme) for theme, _, _ in rows}
    data = [{"theme": titles[t], "quarter": q, "lessons": n} for t, q, n in rows]
    chart = charts.Chart(
        id="lessons-by-theme",
        title="Published lessons by theme and the quarter they happened in",
        spec=charts.spec(
            data,
            title="Published lessons by theme and quarter",
            mark={"type": "bar", "tooltip": True},
            encoding={
                "x": {"field": "quarter", "type": "ordinal", "title": "Quarter", "sort": quarters},
                "y": {"field": "lessons", "type": "quantitative", "title": "Lessons"},
                "color": {"field": "theme", "type": "nominal", "title": "Theme"},
            },
        ),
        columns=["Theme", *quarters],
        rows=[
            [
                titles[theme],
                *[
                    str(dict(((q, n) for t, q, n in rows if t == theme)).get(q, 0))
                    for q in quarters
                ],
            ]
            for theme in sorted(titles, key=lambda t: titles[t])
        ],
    )
    return render(
        request,
        "lessons/trends.html",
        {
            "chart": chart if rows else None,
            "recurring": [(themes.theme_title(r.theme), r) for r in recurring],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lesson_import(request: HttpRequest) -> HttpResponse:
    """Lessons from a CSV or XLSX file as drafts: every row's problems, or all of them."""
    if not services.can_create(request.user):
        raise PermissionRefused("Contributors at an organisation import lessons.")
    form = ImportForm(_posted(request), request.FILES or None)
    problems: list[Problem] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            made = importers.import_file(request.user, read_upload(upload), upload.name)
        except Problems as exc:
            problems = exc.problems
        else:
            messages.success(
                request, f"Imported {len(made)} lesson{'s' if len(made) != 1 else ''} as drafts."
            )
            return HttpResponseRedirect(reverse("lessons:list") + "?state=draft")
    return render(request, "lessons/import.html", {"form": form, "problems": problems})


# One lesson -----------------------------------------------------------------------------------


def _actions(lesson: Lesson) -> list[Action]:
    return list(Action.objects.filter(lesson=lesson).select_related("owner"))


def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    user = request.user
    original = services.can_read_original(user, lesson)
    actions = _actions(lesson)
    return render(
        request,
        "lessons/detail.html",
        {
            "lesson": lesson,
            "original": original,
            "text": presentation.text_of(lesson, original=original),
            "organisations": list(lesson.organisations.all()),
            "principles": presentation.theme_titles(lesson.principles),
            "factors": presentation.theme_titles(lesson.factors),
            "actions": actions,
            "today": timezone.localdate(),
            "learned": presentation.learned(actions),
            "can_edit": services.can_edit(user, lesson),
            "can_submit": services.can_submit(user, lesson),
            "can_review": services.can_review(user, lesson),
            "can_withdraw": services.can_withdraw(user, lesson),
            "can_manage_actions": services.can_manage_actions(user, lesson),
            "redactions": services.spans_of(lesson) if original else [],
            "attachments": [
                (a, a.name if original else a.public_name)
                for a in services.attachments_for(user, lesson)
            ],
            "can_attach": services.can_attach(user, lesson),
        },
    )


def _lesson_data(request: HttpRequest, form: LessonForm) -> services.LessonData:
    data = form.cleaned_data
    reference = (data.get("collaboration") or "").strip()
    collaboration = services.collaboration_for(request.user, reference)
    if reference and collaboration is None:
        raise Problems(
            [Problem("No collaboration you may see has this reference", field="collaboration")]
        )
    return services.LessonData(
        kind=data["kind"],
        title=data["title"],
        source=data["source"],
        occurred_on=data["occurred_on"],
        what_happened=data["what_happened"],
        why=data.get("why") or "",
        recommendation=data.get("recommendation") or "",
        organisations=list(data.get("organisations") or []),
        collaboration=collaboration,
        principles=list(data.get("principles") or []),
        factors=list(data.get("factors") or []),
        evidence=data["evidence"],
        audience=data["audience"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionRefused("Contributors at an organisation write lessons.")
    initial = {"kind": "lesson_identified", "evidence": "untested", "audience": "organisation"}
    if request.GET.get("collaboration"):
        initial["collaboration"] = request.GET["collaboration"]
    form = LessonForm(_posted(request), initial=initial)
    if form.is_valid():
        try:
            lesson = services.create_lesson(request.user, _lesson_data(request, form))
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, "Lesson saved as a draft. Submit it when it is ready.")
            return HttpResponseRedirect(_detail(lesson))
    return render(
        request,
        "lessons/form.html",
        {"form": form, "heading": "Write a lesson", "submit": "Save draft"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    for_editing(lesson, services.can_edit(request.user, lesson), "edit this lesson")
    initial = {
        **{
            name: getattr(lesson, name)
            for name in (
                "kind",
                "title",
                "source",
                "occurred_on",
                "what_happened",
                "why",
                "recommendation",
                "evidence",
                "audience",
                "principles",
                "factors",
                "version",
            )
        },
        "organisations": list(lesson.organisations.all()),
        "collaboration": lesson.collaboration.reference if lesson.collaboration else "",
    }
    form = LessonForm(_posted(request), initial=initial)
    conflict = None
    if form.is_valid():
        try:
            services.update_lesson(
                request.user,
                lesson,
                _lesson_data(request, form),
                version=form.cleaned_data.get("version"),
            )
        except Problems as exc:
            _add_problems(form, exc)
        except EditConflict as exc:
            conflict = exc
            form.add_error(None, "Someone changed this lesson since you opened it: look again.")
        else:
            messages.success(request, "Lesson saved.")
            return HttpResponseRedirect(_detail(lesson))
    return render(
        request,
        "lessons/form.html",
        {
            "form": form,
            "lesson": lesson,
            "heading": "Edit the lesson",
            "submit": "Save",
            "conflict": conflict,
        },
    )


@login_required
@require_POST
def lesson_submit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    services.submit(request.user, lesson)
    messages.success(request, "Lesson submitted: a moderator of your organisation will review it.")
    return HttpResponseRedirect(_detail(lesson))


@login_required
@require_POST
def lesson_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    services.withdraw(request.user, lesson)
    messages.success(request, "Lesson withdrawn.")
    return HttpResponseRedirect(_detail(lesson))


# Moderation -------------------------------------------------------------------------------------


def _extra_spans(lesson: Lesson, text: str) -> list[redaction.Span]:
    """Each line's text wherever it appears in the lesson's fields."""
    spans = []
    for line in text.splitlines():
        wanted = line.strip()
        if not wanted:
            continue
        for name in TEXT_FIELDS:
            value = getattr(lesson, name)
            at = value.find(wanted)
            while at >= 0:
                spans.append(redaction.Span(name, at, at + len(wanted), "other"))
                at = value.find(wanted, at + len(wanted))
    return spans


@login_required
@require_http_methods(["GET", "POST"])
def lesson_review(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    for_editing(lesson, services.can_review(request.user, lesson), "review this lesson")
    original = services.can_read_original(request.user, lesson)
    suggested = redaction.suggest({n: getattr(lesson, n) for n in TEXT_FIELDS}) if original else []
    stored = services.spans_of(lesson) if original else []
    known = {span_key(s): s for s in [*stored, *suggested]}
    choices = [
        (
            key,
            f"{s.kind.replace('_', ' ')} in {s.field.replace('_', ' ')}: "
            f"“{getattr(lesson, s.field)[s.start : s.end]}”",
        )
        for key, s in known.items()
    ]
    files = list(services.attachments_for(request.user, lesson)) if original else []
    form = ReviewForm(
        _posted(request),
        choices=choices,
        files=[(str(a.pk), f"{a.name} ({a.kind})") for a in files],
        initial={"spans": list(known), "attachments": [str(a.pk) for a in files if a.published]},
    )
    if form.is_valid():
        data = form.cleaned_data
        spans: list[redaction.Span] | None = None
        if original:
            spans = [s for s in (span_from_key(k) for k in data["spans"]) if s is not None]
            spans += _extra_spans(lesson, data.get("extra") or "")
            if (data.get("extra") or "").strip() and not spans:
                form.add_error("extra", "None of this text is in the lesson")
        if not form.errors:
            try:
                lesson = services.review(
                    request.user,
                    lesson,
                    decision=data["decision"],
                    reason=data.get("reason") or "",
                    redactions=spans,
                    attachments_published=[int(i) for i in data.get("attachments") or []]
                    if original
                    else None,
                )
            except Problems as exc:
                _add_problems(form, exc)
            else:
                messages.success(request, f"Lesson {lesson.get_state_display().lower()}.")
                return HttpResponseRedirect(_detail(lesson))
    preview = (
        redaction.apply_all({n: getattr(lesson, n) for n in TEXT_FIELDS}, list(known.values()))
        if original
        else presentation.text_of(lesson, original=False)
    )
    return render(
        request,
        "lessons/review.html",
        {"form": form, "lesson": lesson, "original": original, "preview": preview},
    )


# Actions ---------------------------------------------------------------------------------------


# Attachments ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    for_editing(lesson, services.can_attach(request.user, lesson), "attach files to it")
    form = AttachmentForm(_posted(request), request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if (upload.size or 0) > attachments.MAX_BYTES:
                attachments.check(upload.name, b"x" * (attachments.MAX_BYTES + 1))
            services.add_attachment(
                request.user, lesson, name=upload.name or "attachment", data=upload.read()
            )
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, "File attached.")
            return HttpResponseRedirect(_detail(lesson) + "#attachments")
    return render(
        request,
        "lessons/action_form.html",
        {
            "form": form,
            "lesson": lesson,
            "heading": "Attach a file",
            "submit": "Attach",
            "multipart": True,
            "intro": "A PDF, an Office document or an image, at most "
            f"{attachments.MAX_BYTES // (1024 * 1024)} MB. Others reach it only once a "
            "moderator has checked it at review and published it with the lesson.",
        },
    )


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Always a download, never shown inline, by a name Accord gives it for anyone who does
    not read the lesson's original."""
    attachment = services.get_visible_attachment(request.user, pk)
    original = services.can_read_original(request.user, attachment.lesson)
    name = attachment.name if original else attachment.public_name
    response = HttpResponse(bytes(attachment.data), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = services.get_visible_attachment(request.user, pk)
    lesson_id = attachment.lesson_id
    services.remove_attachment(request.user, attachment)
    messages.success(request, "File removed.")
    return HttpResponseRedirect(_detail(lesson_id) + "#attachments")


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = services.get_visible(request.user, pk)
    for_editing(lesson, services.can_manage_actions(request.user, lesson), "add actions to it")
    form = ActionForm(_posted(request))
    if form.is_valid():
        try:
            services.add_action(
                request.user,
                lesson,
                title=form.cleaned_data["title"],
                owner_email=form.cleaned_data["owner"],
                due=form.cleaned_data["due"],
            )
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, "Action added; its owner has been told.")
            return HttpResponseRedirect(_detail(lesson))
    return render(
        request,
        "lessons/action_form.html",
        {"form": form, "lesson": lesson, "heading": "Add an action", "submit": "Add the action"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.get_visible_action(request.user, pk)
    for_editing(action, services.can_update_action(request.user, action), "update this action")
    form = ActionUpdateForm(
        _posted(request),
        initial={
            "status": action.status,
            "evidence": action.evidence,
            "evidence_url": action.evidence_url,
        },
    )
    if form.is_valid():
        try:
            services.update_action(request.user, action, **form.cleaned_data)
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, "Action updated.")
            return HttpResponseRedirect(_detail(action.lesson_id))
    return render(
        request,
        "lessons/action_form.html",
        {
            "form": form,
            "lesson": action.lesson,
            "action": action,
            "heading": "Update the action",
            "submit": "Save",
        },
    )


@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    actions = list(queries.actions_of(request.user))
    return render(
        request, "lessons/my_actions.html", {"actions": actions, "today": timezone.localdate()}
    )


# Action notes ----------------------------------------------------------------------------------


def _notes(user: Any) -> Any:
    """Notes with at least one lesson this person may see, with only those lessons."""
    visible = services.visible_lessons(user)
    return (
        ActionNote.objects.filter(lessons__in=visible)
        .distinct()
        .prefetch_related(
            Prefetch("lessons", queryset=visible.order_by("occurred_on")), "replies__organisation"
        )
    )


@login_required
def note_list(request: HttpRequest) -> HttpResponse:
    notes = list(_notes(request.user))
    return render(
        request,
        "lessons/notes.html",
        {"notes": [(n, themes.theme_title(n.theme)) for n in notes]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = _notes(request.user).filter(pk=pk).first()
    if note is None:
        raise NotVisible("action note")
    is_platform = is_platform_moderator(request.user)
    note_form = NoteForm(
        request.POST if request.method == "POST" and "issue" in request.POST else None,
        initial={"text": note.text, "report_by": note.report_by},
    )
    reply_form = ReplyForm(
        request.POST if request.method == "POST" and "reply" in request.POST else None
    )
    if note_form.is_bound and note_form.is_valid():
        try:
            services.issue_note(request.user, note, **note_form.cleaned_data)
        except Problems as exc:
            _add_problems(note_form, exc)
        else:
            messages.success(request, "Action note issued.")
            return HttpResponseRedirect(reverse("lessons:note", args=[note.pk]))
    if reply_form.is_bound and reply_form.is_valid():
        try:
            services.reply_to_note(request.user, note, text=reply_form.cleaned_data["text"])
        except Problems as exc:
            _add_problems(reply_form, exc)
        else:
            messages.success(request, "Reply recorded.")
            return HttpResponseRedirect(reverse("lessons:note", args=[note.pk]))
    rows = [
        (lesson, lesson.shown("title", original=services.can_read_original(request.user, lesson)))
        for lesson in note.lessons.all()
    ]
    return render(
        request,
        "lessons/note.html",
        {
            "note": note,
            "theme": themes.theme_title(note.theme),
            "rows": rows,
            "note_form": note_form if is_platform else None,
            "reply_form": reply_form
            if note.state == NoteState.ISSUED and services.can_create(request.user)
            else None,
        },
    )
