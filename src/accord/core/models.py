from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import F


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


class RateWindowQuerySet(models.QuerySet["RateWindow"]):
    def hit(self, key: str, window_start: int) -> int:
        """Count one request against `key` in the window that starts at `window_start` (epoch
        seconds), and return the window's count with it.

        Atomic across processes: the row is made if missing (an INSERT that ignores a
        conflicting row, so two first requests cannot both start the count), then raised in
        the database (`count = count + 1`), then read in the same transaction, whose write
        lock keeps any other process from raising it in between.
        """
        with transaction.atomic(using=self.db):
            rows = self.filter(key=key, window_start=window_start)
            if not rows.update(count=F("count") + 1):
                # bulk_create sends no save signal: a counter is bookkeeping, not a record.
                self.bulk_create(
                    [RateWindow(key=key, window_start=window_start, count=0)],
                    ignore_conflicts=True,
                )
                rows.update(count=F("count") + 1)
                # A new window: windows before the last are of no more use to anyone.
                self.filter(window_start__lt=window_start - RATE_WINDOW_KEPT_SECONDS).delete()
            return int(rows.values_list("count", flat=True).get())


#: How far back old windows are kept before a new window clears them (seconds).
RATE_WINDOW_KEPT_SECONDS = 120


class RateWindow(models.Model):
    """How many requests one caller (such as an API token) has made in one fixed window.

    Kept in the database, not in a process's memory, so that every worker process of the
    server counts against the same limit.
    """

    key = models.CharField(max_length=100)
    window_start = models.BigIntegerField(help_text="The window's start, in epoch seconds")
    count = models.PositiveIntegerField(default=0)

    objects = RateWindowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_count_per_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_window_start")]

    def __str__(self) -> str:
        return f"{self.key} from {self.window_start}: {self.count}"
