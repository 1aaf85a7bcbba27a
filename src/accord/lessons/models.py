"""Lessons: identified, notable practice and what did not work; their redactions, actions and
the action notes raised when a theme recurs.

A lesson's own text (title, what happened, why, the recommendation) is read only by its
submitter and the moderators of the submitter's organisation. Everyone else reads the
``published_*`` copies, in which each accepted redaction span is replaced by ``[redacted]``;
only those copies reach the search index, exports, the API and notifications.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact

from accord.core.choices import Role
from accord.core.expressions import Unindexed
from accord.orgs.models import Organisation

from .choices import ActionStatus, Audience, Evidence, Kind, NoteState, RedactionKind, Source, State

#: The fields of a lesson that may hold personal data, so are redacted before publication.
TEXT_FIELDS = ("title", "what_happened", "why", "recommendation")


def is_platform_moderator(user: Any) -> bool:
    """The platform's moderators: its administrators (who approve what goes public)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


class LessonQuerySet(models.QuerySet["Lesson"]):
    def visible_to(self, user: Any) -> LessonQuerySet:
        """The one rule every list, count, search, export and API read uses.

        A published lesson reaches its audience: anyone (public), anyone signed in, the
        submitter's organisation, or the organisations involved and the partners of its
        collaboration. Until it is published a lesson is seen only by its submitter, the
        moderators of the submitter's organisation and the platform's moderators.
        """
        if user is None or not user.is_authenticated:
            return self.filter(state=State.PUBLISHED, audience=Audience.PUBLIC)
        # Hidden from SQLite's choice of index (core.expressions.Unindexed): through the state
        # and submitter indexes it read every visible lesson and sorted them for a page of 25
        # (222 ms at 100,000 lessons); walking the list's own order stops at the page (3 ms).
        published = Q(Exact(Unindexed("state"), State.PUBLISHED))
        if is_platform_moderator(user):
            return self
        audience = Q(audience__in=(Audience.PUBLIC, Audience.SIGNED_IN))
        own = Q(Exact(Unindexed("submitter_id", output_field=models.IntegerField()), user.pk))
        org = getattr(user, "organisation_id", None)
        if org:
            # Subqueries rather than joins, so that no lesson is repeated and counts stay true.
            partner_in = Q(collaboration__partners__organisation_id=org)
            audience |= Q(
                audience__in=(Audience.ORGANISATION, Audience.PARTNERS), organisation_id=org
            )
            audience |= Q(
                audience=Audience.PARTNERS,
                pk__in=Lesson.organisations.through.objects.filter(organisation_id=org).values(
                    "lesson_id"
                ),
            )
            audience |= Q(
                audience=Audience.PARTNERS,
                pk__in=Lesson.objects.filter(partner_in).values("pk"),
            )
            if user.has_role(Role.MODERATOR):
                own |= Q(organisation_id=org)
        return self.filter((published & audience) | own)


class Lesson(models.Model):
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=24, choices=Source.choices)
    occurred_on = models.DateField()
    organisations = models.ManyToManyField(Organisation, related_name="lessons", blank=True)
    collaboration = models.ForeignKey(
        "register.Collaboration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lessons",
    )
    #: JESIP principles (ids of the shipped jesip-interoperability framework's factors).
    principles = models.JSONField(default=list, blank=True)
    #: Research factors (ids of the shipped collaboration-factors framework's factors).
    factors = models.JSONField(default=list, blank=True)
    what_happened = models.TextField()
    why = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    evidence = models.CharField(max_length=32, choices=Evidence.choices, default=Evidence.UNTESTED)
    audience = models.CharField(
        max_length=16, choices=Audience.choices, default=Audience.ORGANISATION
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons"
    )
    #: The submitter's organisation when they wrote it: whose moderators review it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField(blank=True)
    #: A public lesson approved by its organisation's moderator waits for a platform moderator.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_title = models.CharField(max_length=300, blank=True)
    published_what_happened = models.TextField(blank=True)
    published_why = models.TextField(blank=True)
    published_recommendation = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "audience"]),
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self) -> str:
        # The redacted title where there is one: labels reach the audit log and other readers.
        return f"Lesson {self.pk}: {self.published_title or '(not yet published)'}"

    @property
    def themes(self) -> list[str]:
        return [*self.principles, *self.factors]

    def shown(self, field: str, *, original: bool) -> str:
        """A text field as a reader sees it: the original only for those who may read it."""
        value: str = getattr(self, field if original else f"published_{field}")
        return value


class Attachment(models.Model):
    """A file kept with a lesson (lessons/attachments.py says what it may be), in the database
    so that it goes and comes back with the lesson's own transaction. Its name is read only by
    those who read the lesson's original; others reach it, once a moderator has published it
    with the lesson, by a name Accord gives it. Always downloaded, never shown inline."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=64)
    content_type = models.CharField(max_length=128)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    #: Checked by a moderator at review (holds no personal data): only then do other readers
    #: of the published lesson reach it.
    published = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Attachment {self.pk} of lesson {self.lesson_id}"

    @property
    def public_name(self) -> str:
        return f"lesson-{self.lesson_id}-attachment-{self.pk}{self.extension}"


class Redaction(models.Model):
    """One span of a lesson's text replaced by ``[redacted]`` when it is published."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="redactions")
    field = models.CharField(max_length=32)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=RedactionKind.choices, default="other")

    class Meta:
        ordering = ["lesson_id", "field", "start"]

    def __str__(self) -> str:
        return f"{self.field}[{self.start}:{self.end}]"


class Action(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lesson_actions"
    )
    due = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    completed_at = models.DateTimeField(null=True, blank=True)
    #: When the owner was last reminded that it is overdue (one reminder a day at most).
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"Action {self.pk} on lesson {self.lesson_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

    def overdue(self, today: Any) -> bool:
        return self.is_open and self.due < today


class ActionNote(models.Model):
    """Raised when a theme recurs (``themes.recurring``): platform moderators write it up and
    ask the organisations to report back by a date."""

    theme = models.CharField(max_length=64)
    lessons = models.ManyToManyField(Lesson, related_name="action_notes")
    state = models.CharField(max_length=16, choices=NoteState.choices, default=NoteState.RAISED)
    text = models.TextField(blank=True)
    report_by = models.DateField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Action note {self.pk}: {self.theme}"


class ActionNoteReply(models.Model):
    note = models.ForeignKey(ActionNote, on_delete=models.CASCADE, related_name="replies")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Reply {self.pk} to note {self.note_id}"
