from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import NoticeKind


class Notice(models.Model):
    """One notice sent to one person about one record on one occasion: never sent twice.

    The occasion is what makes a notice new: the date the funding ends (a later end date is a
    new notice), the date a review is due, or the audit event of an edit. Records are named
    by type and id, as the audit log names them, so that this app holds no foreign key into
    another domain's tables.
    """

    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices"
    )
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    occasion = models.CharField(max_length=64)
    due_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "object_type", "object_id", "occasion"],
                name="notice_sent_once",
            )
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="notice_object")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} about {self.object_label}"
