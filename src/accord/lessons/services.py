"""Every change to lessons: write, submit, review (redact and publish, or return), withdraw,
actions and their completion, action notes and their replies, and the reminders.

Each function checks permission, writes inside one transaction and records the audit event.
Audit events carry states and choices, never a lesson's own text: the audit log is one more
reader, and only the redacted text may reach other readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accord.core import audit
from accord.core import email as mail
from accord.core.choices import Role
from accord.core.problems import EditConflict, NotVisible, PermissionRefused, Problem, Problems
from accord.orgs.models import Organisation, User
from accord.register import services as register

from . import attachments, redaction, search, themes
from .choices import ActionStatus, Audience, Evidence, Kind, NoteState, Source, State
from .models import (
    TEXT_FIELDS,
    Action,
    ActionNote,
    ActionNoteReply,
    Attachment,
    Lesson,
    LessonQuerySet,
    Redaction,
    is_platform_moderator,
)

NOTICE_SUBMITTED = "lesson_submitted"
NOTICE_REVIEWED = "lesson_reviewed"
NOTICE_ACTION = "lesson_action"

MAX_TITLE = 300
MAX_TEXT = 20_000


@dataclass
class LessonData:
    """Everything a submitter sets on a lesson, from a form, a file, the API or the demo."""

    kind: str
    title: str
    source: str
    occurred_on: dt.date | None
    what_happened: str
    organisations: list[Organisation] = field(default_factory=list)
    collaboration: Any = None
    principles: list[str] = field(default_factory=list)
    factors: list[str] = field(default_factory=list)
    why: str = ""
    recommendation: str = ""
    evidence: str = Evidence.UNTESTED
    audience: str = Audience.ORGANISATION


# Permission -------------------------------------------------------------------------------------


def visible_lessons(user: Any) -> LessonQuerySet:
    return Lesson.objects.visible_to(user)


def has_lessons(collaboration: Any) -> bool:
    """Whether any lesson, seen by anyone, belongs to the collaboration (not what a person may
    see: only to skip asking that when there is nothing to find)."""
    return Lesson.objects.filter(collaboration=collaboration).exists()


def is_moderator_for(user: Any, lesson: Lesson) -> bool:
    """A moderator (or organisation administrator) of the submitter's organisation."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "organisation_id", None)
        and user.organisation_id == lesson.organisation_id
        and user.has_role(Role.MODERATOR)
    )


def can_read_original(user: Any, lesson: Lesson) -> bool:
    """Only the submitter and the moderators of the submitter's organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    return lesson.submitter_id == getattr(user, "pk", None) or is_moderator_for(user, lesson)


def can_create(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "organisation_id", None)
        and user.has_role(Role.CONTRIBUTOR)
    )


def can_edit(user: Any, lesson: Lesson) -> bool:
    """The submitter, while it is a draft or returned to them."""
    return (
        lesson.state in (State.DRAFT, State.RETURNED)
        and getattr(user, "is_authenticated", False)
        and lesson.submitter_id == user.pk
    )


def can_submit(user: Any, lesson: Lesson) -> bool:
    return can_edit(user, lesson)


def can_review(user: Any, lesson: Lesson) -> bool:
    """Submitted lessons: the moderators of the submitter's organisation; a public lesson that
    they have approved waits for a platform moderator, who may also review any lesson."""
    if lesson.state != State.SUBMITTED:
        return False
    if is_platform_moderator(user):
        return True
    return lesson.approved_by_id is None and is_moderator_for(user, lesson)


def can_withdraw(user: Any, lesson: Lesson) -> bool:
    if lesson.state == State.WITHDRAWN or not getattr(user, "is_authenticated", False):
        return False
    return (
        lesson.submitter_id == user.pk
        or is_moderator_for(user, lesson)
        or is_platform_moderator(user)
    )


def can_manage_actions(user: Any, lesson: Lesson) -> bool:
    """The submitter and the moderators of the submitter's organisation (and the platform's)."""
    return lesson.state != State.WITHDRAWN and (
        can_read_original(user, lesson) or is_platform_moderator(user)
    )


def can_update_action(user: Any, action: Action) -> bool:
    return action.owner_id == getattr(user, "pk", None) or can_manage_actions(user, action.lesson)


def get_visible(user: Any, pk: int) -> Lesson:
    """The lesson, or NotVisible (404) where it does not exist or this person may not see it."""
    lesson = (
        visible_lessons(user).filter(pk=pk).select_related("organisation", "collaboration").first()
    )
    if lesson is None:
        raise NotVisible("lesson")
    return lesson


def get_visible_action(user: Any, pk: int) -> Action:
    action = Action.objects.filter(pk=pk, lesson__in=visible_lessons(user)).first()
    if action is None:
        raise NotVisible("action")
    return action


# Checking what is given -------------------------------------------------------------------------


def check(data: LessonData) -> None:
    """Problems naming each wrong field; nothing is written."""
    problems: list[Problem] = []
    choices = {
        "kind": Kind.values,
        "source": Source.values,
        "evidence": Evidence.values,
        "audience": Audience.values,
    }
    for name, allowed in choices.items():
        if getattr(data, name) not in allowed:
            problems.append(Problem(f"must be one of {', '.join(allowed)}", field=name))
    if not data.title.strip():
        problems.append(Problem("is required", field="title"))
    elif len(data.title) > MAX_TITLE:
        problems.append(Problem(f"must be at most {MAX_TITLE} characters", field="title"))
    if not data.what_happened.strip():
        problems.append(Problem("is required", field="what_happened"))
    for name in ("what_happened", "why", "recommendation"):
        text = getattr(data, name)
        if len(text) > MAX_TEXT:
            problems.append(Problem(f"must be at most {MAX_TEXT} characters", field=name))
        if "\x00" in text:
            problems.append(Problem("must not hold a NUL character", field=name))
    if data.occurred_on is None:
        problems.append(Problem("is required (YYYY-MM-DD)", field="occurred_on"))
    elif data.occurred_on > timezone.localdate():
        problems.append(Problem("must not be in the future", field="occurred_on"))
    known_principles = {p for p, _ in themes.principles()}
    known_factors = {f for f, _ in themes.factors()}
    for name, known in (("principles", known_principles), ("factors", known_factors)):
        unknown = [v for v in getattr(data, name) if v not in known]
        if unknown:
            problems.append(Problem(f"unknown: {', '.join(map(str, unknown))}", field=name))
    if data.audience == Audience.PARTNERS and not data.collaboration and not data.organisations:
        problems.append(
            Problem(
                "the partners' audience needs a collaboration or organisations", field="audience"
            )
        )
    if problems:
        raise Problems(problems)


def _snapshot(lesson: Lesson) -> dict[str, Any]:
    """What the audit log keeps of a lesson: choices and states, never its text."""
    return {
        "kind": lesson.kind,
        "source": lesson.source,
        "occurred_on": lesson.occurred_on.isoformat() if lesson.occurred_on else None,
        "evidence": lesson.evidence,
        "audience": lesson.audience,
        "state": lesson.state,
        "collaboration": lesson.collaboration.reference if lesson.collaboration else None,
        "principles": list(lesson.principles),
        "factors": list(lesson.factors),
        "version": lesson.version,
    }


def _set(lesson: Lesson, data: LessonData) -> None:
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
    ):
        setattr(lesson, name, getattr(data, name))
    lesson.principles = list(dict.fromkeys(data.principles))
    lesson.factors = list(dict.fromkeys(data.factors))
    lesson.collaboration = data.collaboration


# The workflow -----------------------------------------------------------------------------------


def create_lesson(actor: Any, data: LessonData) -> Lesson:
    """A draft lesson, by a contributor with an organisation."""
    if not can_create(actor):
        raise PermissionRefused("Contributors at an organisation write lessons.")
    check(data)
    with transaction.atomic():
        lesson = Lesson(submitter=actor, organisation_id=actor.organisation_id)
        _set(lesson, data)
        lesson.save()
        lesson.organisations.set(data.organisations)
        audit.record(actor=actor, action="lesson.create", obj=lesson, after=_snapshot(lesson))
    return lesson


def update_lesson(
    actor: Any, lesson: Lesson, data: LessonData, *, version: int | None = None
) -> Lesson:
    if not can_edit(actor, lesson):
        raise PermissionRefused("Only its submitter edits a draft or returned lesson.")
    check(data)
    with transaction.atomic():
        current = Lesson.objects.select_for_update(of=("self",)).get(pk=lesson.pk)
        if version is not None and current.version != version:
            raise EditConflict(
                by="someone else", at=current.updated_at, current_version=current.version
            )
        before = _snapshot(current)
        _set(current, data)
        current.version += 1
        current.save()
        current.organisations.set(data.organisations)
        audit.record(
            actor=actor, action="lesson.edit", obj=current, before=before, after=_snapshot(current)
        )
    return current


def _transition(actor: Any, lesson: Lesson, action: str, **changes: Any) -> Lesson:
    before = _snapshot(lesson)
    for name, value in changes.items():
        setattr(lesson, name, value)
    lesson.version += 1
    lesson.save()
    audit.record(actor=actor, action=action, obj=lesson, before=before, after=_snapshot(lesson))
    return lesson


def moderators_of(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=organisation_id,
        is_active=True,
        role__in=(Role.MODERATOR, Role.ORG_ADMIN),
    )


def platform_moderators() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(
        Q(role=Role.PLATFORM_ADMIN) | Q(is_superuser=True)
    )


def _page(lesson: Lesson) -> str:
    return mail.site_url(reverse("lessons:detail", args=[lesson.pk]))


def _notify(people: Iterable[Any], code: str, subject: str, template: str, **context: Any) -> int:
    sent = 0
    for person in people:
        if mail.wants_notice(person, code):
            sent += mail.send(person.email, subject, template, {"person": person, **context})
    return sent


def submit(actor: Any, lesson: Lesson) -> Lesson:
    """Draft or returned → submitted; the moderators of the submitter's organisation are told."""
    if not can_submit(actor, lesson):
        raise PermissionRefused("Only its submitter submits a draft or returned lesson.")
    with transaction.atomic():
        lesson = _transition(
            actor,
            lesson,
            "lesson.submit",
            state=State.SUBMITTED,
            submitted_at=timezone.now(),
            approved_by=None,
            return_reason="",
        )
        lesson_id = lesson.pk
        (
            _notify(
                moderators_of(lesson.organisation_id),
                NOTICE_SUBMITTED,
                f"Lesson {lesson_id} submitted for review",
                "lessons/email/submitted.txt",
                lesson_id=lesson_id,
                link=mail.site_url(reverse("lessons:review", args=[lesson_id])),
            )
        )
    return lesson


def _fields(lesson: Lesson) -> dict[str, str]:
    return {name: getattr(lesson, name) for name in TEXT_FIELDS}


def suggested_redactions(actor: Any, lesson: Lesson) -> list[redaction.Span]:
    """Spans that look like personal data: for those who may read its original text."""
    if not can_read_original(actor, lesson) or not (
        is_moderator_for(actor, lesson) or is_platform_moderator(actor)
    ):
        raise PermissionRefused("Only moderators of the submitter's organisation see these.")
    return redaction.suggest(_fields(lesson))


def spans_of(lesson: Lesson) -> list[redaction.Span]:
    return [
        redaction.Span(r.field, r.start, r.end, r.kind)
        for r in Redaction.objects.filter(lesson=lesson)
    ]


def review(
    actor: Any,
    lesson: Lesson,
    *,
    decision: str,
    reason: str = "",
    redactions: Sequence[redaction.Span] | None = None,
    attachments_published: Sequence[int] | None = None,
) -> Lesson:
    """Publish (with these spans redacted) or return (with a reason) a submitted lesson.

    A public lesson approved by its organisation's moderator stays submitted until a platform
    moderator publishes it too; the platform moderator reads only its redacted text, so keeps
    the spans the organisation's moderator chose.
    """
    if not can_review(actor, lesson):
        raise PermissionRefused(
            "Moderators of the submitter's organisation review its submitted lessons."
        )
    problems: list[Problem] = []
    if decision not in ("publish", "return"):
        problems.append(Problem("must be publish or return", field="decision"))
    if decision == "return" and not reason.strip():
        problems.append(Problem("is required to return a lesson", field="reason"))
    if problems:
        raise Problems(problems)
    original = can_read_original(actor, lesson)
    spans: list[redaction.Span] | None = None
    if redactions is not None and original:
        spans = redaction.check_spans(list(redactions), _fields(lesson))
    with transaction.atomic():
        if decision == "return":
            lesson = _transition(
                actor,
                lesson,
                "lesson.return",
                state=State.RETURNED,
                return_reason=reason.strip(),
                approved_by=None,
            )
            notice = ("returned", "lessons/email/returned.txt")
        else:
            if spans is not None or original:
                _redact(lesson, spans or [])
            if attachments_published is not None and original:
                _publish_attachments(actor, lesson, attachments_published)
            awaiting = lesson.audience == Audience.PUBLIC and not is_platform_moderator(actor)
            if awaiting:
                lesson = _transition(actor, lesson, "lesson.approve", approved_by=actor)
                notice = None
            else:
                lesson = _transition(
                    actor,
                    lesson,
                    "lesson.publish",
                    state=State.PUBLISHED,
                    published_at=timezone.now(),
                )
                search.index(lesson)
                notice = ("published", "lessons/email/published.txt")
        if notice is not None:
            word, template = notice
            submitter = lesson.submitter
            lesson_id, title = lesson.pk, lesson.published_title
            (
                _notify(
                    [submitter],
                    NOTICE_REVIEWED,
                    f"Your lesson {lesson_id} was {word}",
                    template,
                    lesson_id=lesson_id,
                    title=title,
                    link=mail.site_url(reverse("lessons:detail", args=[lesson_id])),
                )
            )
        elif lesson.approved_by_id:
            lesson_id, title = lesson.pk, lesson.published_title
            (
                _notify(
                    platform_moderators(),
                    NOTICE_SUBMITTED,
                    f"Public lesson {lesson_id} waits for a platform moderator",
                    "lessons/email/submitted.txt",
                    lesson_id=lesson_id,
                    link=mail.site_url(reverse("lessons:review", args=[lesson_id])),
                )
            )
        if lesson.state == State.PUBLISHED:
            raise_action_notes("system (lessons)")
    return lesson


def _redact(lesson: Lesson, spans: list[redaction.Span]) -> None:
    Redaction.objects.filter(lesson=lesson).delete()
    Redaction.objects.bulk_create(
        Redaction(lesson=lesson, field=s.field, start=s.start, end=s.end, kind=s.kind or "other")
        for s in spans
    )
    redacted = redaction.apply_all(_fields(lesson), spans)
    for name, text in redacted.items():
        setattr(lesson, f"published_{name}", text)
    audit.record(
        actor="system (redaction)",
        action="lesson.redact",
        obj=lesson,
        after={"spans": [{"field": s.field, "start": s.start, "end": s.end} for s in spans]},
    )


def _publish_attachments(actor: Any, lesson: Lesson, ids: Sequence[int]) -> None:
    chosen = set(ids)
    for attachment in Attachment.objects.filter(lesson=lesson).defer("data"):
        wanted = attachment.pk in chosen
        if attachment.published != wanted:
            attachment.published = wanted
            attachment.save(update_fields=["published"])
            audit.record(
                actor=actor,
                action="lesson.attachment.publish" if wanted else "lesson.attachment.hold",
                obj=attachment,
                after={"published": wanted},
            )


def can_attach(user: Any, lesson: Lesson) -> bool:
    """The submitter and their organisation's moderators, until it is withdrawn."""
    return lesson.state != State.WITHDRAWN and can_read_original(user, lesson)


def add_attachment(actor: Any, lesson: Lesson, *, name: str, data: bytes) -> Attachment:
    if not can_attach(actor, lesson):
        raise PermissionRefused("The submitter and their organisation's moderators attach files.")
    kind = attachments.check(name, data)
    clean = " ".join(name.replace("/", " ").replace("\\", " ").split())[:255] or "attachment"
    extension = next(e for e in kind.extensions if clean.lower().endswith(e))
    with transaction.atomic():
        attachment = Attachment.objects.create(
            lesson=lesson,
            name=clean,
            kind=kind.label,
            content_type=kind.content_type,
            extension=extension,
            size=len(data),
            data=data,
            uploaded_by=actor,
        )
        # The name is not recorded: it is the lesson's original, and the log is a reader.
        audit.record(
            actor=actor,
            action="lesson.attachment.add",
            obj=attachment,
            after={"lesson": lesson.pk, "kind": kind.label, "size": len(data)},
        )
    return attachment


def remove_attachment(actor: Any, attachment: Attachment) -> None:
    if not can_attach(actor, attachment.lesson):
        raise PermissionRefused("The submitter and their organisation's moderators remove files.")
    with transaction.atomic():
        pk, label = attachment.pk, str(attachment)
        before = {"lesson": attachment.lesson_id, "kind": attachment.kind}
        attachment.delete()
        audit.record(
            actor=actor,
            action="lesson.attachment.remove",
            object_type="lessons.attachment",
            object_id=str(pk),
            object_label=label,
            before=before,
        )


def attachments_for(user: Any, lesson: Lesson) -> QuerySet[Attachment]:
    """The attachments this person may reach: all for those who read the original, the
    published ones of a published lesson for everyone else who sees it."""
    found = Attachment.objects.filter(lesson=lesson).defer("data")
    if can_read_original(user, lesson):
        return found
    if lesson.state != State.PUBLISHED:
        return found.none()
    return found.filter(published=True)


def get_visible_attachment(user: Any, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk).defer("data").first()
    if attachment is None:
        raise NotVisible("attachment")
    lesson = get_visible(user, attachment.lesson_id)
    if not attachments_for(user, lesson).filter(pk=pk).exists():
        raise NotVisible("attachment")
    return Attachment.objects.get(pk=pk)


def withdraw(actor: Any, lesson: Lesson, reason: str = "") -> Lesson:
    if not can_withdraw(actor, lesson):
        raise PermissionRefused("Its submitter or a moderator withdraws a lesson.")
    with transaction.atomic():
        lesson = _transition(actor, lesson, "lesson.withdraw", state=State.WITHDRAWN)
        search.unindex(lesson.pk)
    return lesson


# Actions ---------------------------------------------------------------------------------------


def add_action(
    actor: Any, lesson: Lesson, *, title: str, owner_email: str, due: dt.date | None
) -> Action:
    if not can_manage_actions(actor, lesson):
        raise PermissionRefused("The submitter and the organisation's moderators add actions.")
    problems: list[Problem] = []
    if not title.strip():
        problems.append(Problem("is required", field="title"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem(f"must be at most {MAX_TITLE} characters", field="title"))
    owner = User.objects.filter(email=(owner_email or "").strip().lower(), is_active=True).first()
    if owner is None:
        problems.append(Problem("is no active person's email address", field="owner"))
    if due is None:
        problems.append(Problem("is required (YYYY-MM-DD)", field="due"))
    if problems:
        raise Problems(problems)
    assert owner is not None and due is not None
    with transaction.atomic():
        action = Action.objects.create(lesson=lesson, title=title.strip(), owner=owner, due=due)
        audit.record(
            actor=actor,
            action="lesson.action.create",
            obj=action,
            after={"lesson": lesson.pk, "owner": owner.email, "due": due.isoformat()},
        )
        action_id = action.pk
        (
            _notify(
                [owner],
                NOTICE_ACTION,
                f"An action on lesson {lesson.pk} is yours, due {due.isoformat()}",
                "lessons/email/action_assigned.txt",
                action_id=action_id,
                due=due,
                link=_page(lesson),
            )
        )
    return action


def update_action(
    actor: Any,
    action: Action,
    *,
    status: str,
    evidence: str = "",
    evidence_url: str = "",
) -> Action:
    if not can_update_action(actor, action):
        raise PermissionRefused("Its owner, the submitter and the moderators update an action.")
    if status not in ActionStatus.values:
        raise Problems(
            [Problem(f"must be one of {', '.join(ActionStatus.values)}", field="status")]
        )
    if status == ActionStatus.DONE and not (evidence.strip() or evidence_url.strip()):
        raise Problems([Problem("is required to complete an action", field="evidence")])
    with transaction.atomic():
        before = {"status": action.status}
        action.status = status
        if evidence.strip():
            action.evidence = evidence.strip()
        if evidence_url.strip():
            action.evidence_url = evidence_url.strip()
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
        action.save()
        audit.record(
            actor=actor,
            action="lesson.action.update",
            obj=action,
            before=before,
            after={"status": status},
        )
    return action


def complete_action(actor: Any, action: Action, *, evidence: str, evidence_url: str = "") -> Action:
    return update_action(
        actor, action, status=ActionStatus.DONE, evidence=evidence, evidence_url=evidence_url
    )


def learned(actions: Sequence[Action]) -> bool:
    """A lesson learned: at least one action done and none open or in progress."""
    return any(a.status == ActionStatus.DONE for a in actions) and not any(
        a.is_open for a in actions
    )


def overdue_actions(today: dt.date | None = None) -> list[Action]:
    """Open actions past their due date whose owner has not been reminded today."""
    today = today or timezone.localdate()
    return list(
        Action.objects.filter(
            status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS),
            due__lt=today,
            lesson__state__in=(State.DRAFT, State.SUBMITTED, State.PUBLISHED, State.RETURNED),
        )
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("owner", "lesson")
    )


def notify_due(today: dt.date | None = None) -> int:
    """Remind each owner of each overdue action, once a day: for cron (`accord notify due`)."""
    today = today or timezone.localdate()
    sent = 0
    for action in overdue_actions(today):
        with transaction.atomic():
            action.reminded_on = today
            action.save(update_fields=["reminded_on"])
            audit.record(
                actor="system (accord notify due)",
                action="lesson.action.remind",
                obj=action,
                after={"reminded_on": today.isoformat()},
            )
        sent += _notify(
            [action.owner],
            NOTICE_ACTION,
            f"Overdue: an action on lesson {action.lesson_id} was due {action.due.isoformat()}",
            "lessons/email/action_overdue.txt",
            action_id=action.pk,
            due=action.due,
            link=_page(action.lesson),
        )
    return sent


# Action notes ----------------------------------------------------------------------------------


def raise_action_notes(actor: Any) -> list[ActionNote]:
    """An action note for each theme that recurs (themes.recurring) and has none open."""
    published = Lesson.objects.filter(state=State.PUBLISHED).values_list(
        "pk", "organisation_id", "occurred_on", "principles", "factors"
    )
    touches = [
        themes.Touch(pk, org, on, tuple(p or ()) + tuple(f or ()))
        for pk, org, on, p, f in published
    ]
    open_themes = set(
        ActionNote.objects.exclude(state=NoteState.CLOSED).values_list("theme", flat=True)
    )
    raised: list[ActionNote] = []
    for found in themes.recurring(touches):
        if found.theme in open_themes:
            continue
        with transaction.atomic():
            note = ActionNote.objects.create(theme=found.theme)
            note.lessons.set(found.lessons)
            audit.record(
                actor=actor,
                action="lesson.note.raise",
                obj=note,
                after={"theme": found.theme, "lessons": list(found.lessons)},
            )
        raised.append(note)
    return raised


def issue_note(actor: Any, note: ActionNote, *, text: str, report_by: dt.date | None) -> ActionNote:
    if not is_platform_moderator(actor):
        raise PermissionRefused("Platform moderators write up action notes.")
    problems = []
    if not text.strip():
        problems.append(Problem("is required", field="text"))
    if report_by is None:
        problems.append(Problem("is required (YYYY-MM-DD)", field="report_by"))
    if problems:
        raise Problems(problems)
    with transaction.atomic():
        before = {"state": note.state}
        note.text, note.report_by, note.state = text.strip(), report_by, NoteState.ISSUED
        note.save()
        audit.record(
            actor=actor,
            action="lesson.note.issue",
            obj=note,
            before=before,
            after={"state": note.state, "report_by": str(report_by)},
        )
    return note


def reply_to_note(actor: Any, note: ActionNote, *, text: str) -> ActionNoteReply:
    if note.state != NoteState.ISSUED or not can_create(actor):
        raise PermissionRefused(
            "Contributors reply to an issued action note for their organisation."
        )
    if not text.strip():
        raise Problems([Problem("is required", field="text")])
    with transaction.atomic():
        reply = ActionNoteReply.objects.create(
            note=note, organisation_id=actor.organisation_id, author=actor, text=text.strip()
        )
        audit.record(actor=actor, action="lesson.note.reply", obj=reply, after={"note": note.pk})
    return reply


def collaboration_for(user: Any, reference: str | None) -> Any:
    """The collaboration a lesson belongs to, by reference, if this person may see it."""
    if not reference:
        return None
    return register.visible_collaborations(user).filter(reference=reference).first()


def organisations_by_code(codes: Iterable[str]) -> tuple[list[Organisation], list[str]]:
    codes = list(dict.fromkeys(codes))
    found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]
