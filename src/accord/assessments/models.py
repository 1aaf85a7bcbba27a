"""Frameworks, rounds, invitations and responses.

Anonymity is designed into the tables (see docs/assessments.md): a response of an anonymous
round has a random UUID key, no timestamps (only the date it was submitted), no link to its
invitation and no person; it is found again only through a hash of the respondent's own link
token, which differs from the hash that the invitation keeps.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from accord.orgs.models import Organisation

from .framework import Framework, parse_framework
from .responses import LEVELS


class Level(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    TACTICAL = "tactical", "Tactical"
    OPERATIONAL = "operational", "Operational"


assert tuple(Level.values) == LEVELS


class FrameworkVersion(models.Model):
    """One version of a framework, its definition stored as ``Framework.to_dict()``.

    A version that a round uses is never changed: a change is a new version.
    """

    key = models.CharField("framework id", max_length=100)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    definition = models.JSONField()
    shipped = models.BooleanField(default=False, help_text="Shipped with Accord")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="one_row_per_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.key}, version {self.version})"

    @property
    def framework(self) -> Framework:
        """The validated framework (parsed once per instance)."""
        cached: Framework | None = getattr(self, "_framework", None)
        if cached is None:
            cached = parse_framework(self.definition, f"{self.key} v{self.version}")
            self._framework = cached
        return cached


class Round(models.Model):
    """A round of an assessment: one collaboration, one framework version, open between dates."""

    collaboration = models.ForeignKey(
        "register.Collaboration", on_delete=models.PROTECT, related_name="assessment_rounds"
    )
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    anonymous = models.BooleanField(
        default=True,
        help_text="Anonymous rounds store nothing that links a response to a person.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["collaboration", "opens_on"])]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def state(self, today: dt.date | None = None) -> str:
        from django.utils import timezone

        today = today or timezone.localdate()
        if today < self.opens_on:
            return "not yet open"
        if today > self.closes_on:
            return "closed"
        return "open"


class Invitation(models.Model):
    """A personal link. Only ``sha256("invitation:" + token)`` is kept, never the token."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, choices=Level.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    # Whether a response has been submitted through this link; deliberately no time.
    responded = models.BooleanField(default=False)
    # The day Accord emailed this person their link (None: the link was sent some other way).
    # Everyone invited is emailed alike, so it says nothing about who answered.
    emailed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "level", "email"]
        constraints = [
            models.UniqueConstraint(fields=["round", "email"], name="one_invitation_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.round})"


class SurveyEmailKind(models.TextChoices):
    INVITATION = "invitation", "Invitations"
    REMINDER = "reminder", "Reminder"


class SurveyEmail(models.Model):
    """One sending of survey emails for a round: the invitations, or a reminder.

    Kept per round and day, not per person: a record of whom each reminder went to would say,
    day by day, who had still not answered, and with a response's date that could point to
    whose it is. A round has at most one reminder a day (the constraint is the rule, so two
    editors pressing the button at once cannot both send one).
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=16, choices=SurveyEmailKind.choices)
    sent_on = models.DateField()
    sent = models.PositiveIntegerField(default=0, help_text="Emails sent")
    failed = models.PositiveIntegerField(default=0, help_text="Emails the server refused")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "sent_on"],
                condition=models.Q(kind="reminder"),
                name="one_reminder_a_round_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.round} on {self.sent_on:%d %B %Y}"


class ResponseSource(models.TextChoices):
    LINK = "link", "Personal link"
    IMPORT = "import", "Imported from a file"
    DEMO = "demo", "Synthetic (demo)"


class Response(models.Model):
    """One respondent's answers.

    No auto timestamps and a random primary key, so that nothing orders or times a response;
    ``respondent_key`` is ``sha256("response:" + token)`` (null for imported responses).
    ``invitation`` is set only in named (not anonymous) rounds.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    respondent_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, choices=Level.choices)
    # {item_id: int | None}; an item left out or None is not answered (not applicable).
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    submitted = models.BooleanField(default=False)
    submitted_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=8, choices=ResponseSource.choices, default=ResponseSource.LINK
    )

    class Meta:
        # Never by insertion: the key is random.
        ordering = ["id"]
        indexes = [models.Index(fields=["round", "submitted"])]

    def __str__(self) -> str:
        return f"Response to {self.round_id}"

    def answer(self, item_id: str) -> Any:
        return (self.answers or {}).get(item_id)
