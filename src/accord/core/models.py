from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change of state, chained to the one before it by hash so that tampering shows.

    `hash` is an HMAC, keyed outside the database, of every column here but the row number
    (`core.audit.SIGNED_COLUMNS`), the previous event's hash among them; `accord audit verify`
    recomputes the chain and names each event that no longer matches.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # Protected: the actor's id is signed, so deleting a person who acted would break the chain
    # (and lose who did what); people are deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The newest event about a kind of object: what cached figures are keyed by.
            models.Index(fields=["object_type", "sequence"], name="audit_newest_of_a_kind"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"


class AuditHead(models.Model):
    """Where the chain ends: the newest event's sequence and hash, moved with every event.

    Without it, deleting the newest events would leave a shorter chain that still verifies.
    Its row is also the lock that puts concurrent events in one order.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at #{self.sequence}"
