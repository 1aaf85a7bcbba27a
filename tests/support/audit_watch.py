"""Every change to an audited record leaves an audit event: checked on every test.

While a test runs (its body, not its fixtures' setup), each save, delete and many-to-many change
of an Accord model is noted. When the test ends, each must be followed by an audit event about
the record (or about the record it belongs to: a partner belongs to its collaboration). A write
made behind the services' back, such as the admin's bulk delete or a view saving a model itself,
fails the test that drives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import signals

#: Rows that belong to another record: their events are that record's.
BELONGS_TO = {
    "register.partner": "register.collaboration",
    "register.champion": "register.collaboration",
    "register.evidencelink": "register.collaboration",
    "register.collaboration_areas": "register.collaboration",
    "register.collaboration_named_organisations": "register.collaboration",
    "register.dutyreview_notified": "register.dutyreview",
    "orgs.area_within": "orgs.area",
    "orgs.organisation_areas": "orgs.organisation",
    "lessons.lesson_organisations": "lessons.lesson",
    "lessons.redaction": "lessons.lesson",
    "lessons.actionnote_lessons": "lessons.actionnote",
}

#: Writes that are deliberately not audited, and why.
NOT_AUDITED = {
    # The audit log itself.
    "core.auditevent",
    "core.audithead",
    # Anonymous answers carry no event, so that nothing joins an answer to a person.
    "assessments.response",
    # The API's per-token request counts: bookkeeping of the rate limit, no one's record.
    "core.ratewindow",
}

#: Fields whose update alone is no change of record: Django's sign-in stamps last_login.
BOOKKEEPING_FIELDS = {frozenset({"last_login"})}


@dataclass
class Write:
    label: str
    pk: str
    after_sequence: int
    how: str


@dataclass
class AuditWatch:
    writes: list[Write] = field(default_factory=list)

    def _sequence(self) -> int:
        from accord.core.models import AuditHead

        head = AuditHead.objects.order_by("-pk").only("sequence").first()
        return head.sequence if head else 0

    def _note(self, instance: Any, how: str, label: str | None = None) -> None:
        meta = instance._meta
        if not meta.app_label or not type(instance).__module__.startswith("accord."):
            return
        label = label or meta.label_lower
        if label in NOT_AUDITED:
            return
        self.writes.append(Write(label, str(instance.pk), self._sequence(), how))

    def saved(self, sender: Any, instance: Any, update_fields: Any = None, **_: Any) -> None:
        if update_fields and frozenset(update_fields) in BOOKKEEPING_FIELDS:
            return
        self._note(instance, "saved")

    def deleted(self, sender: Any, instance: Any, **_: Any) -> None:
        self._note(instance, "deleted")

    def m2m(self, sender: Any, instance: Any, action: str, **_: Any) -> None:
        if action.startswith("post_"):
            self._note(instance, f"{action} on {sender._meta.label_lower}")

    def _uid(self, what: str) -> str:
        # One per watch, so that a watch inside a test does not unhook the suite's own.
        return f"audit-watch-{what}-{id(self)}"

    def connect(self) -> None:
        signals.post_save.connect(self.saved, dispatch_uid=self._uid("save"))
        signals.post_delete.connect(self.deleted, dispatch_uid=self._uid("delete"))
        signals.m2m_changed.connect(self.m2m, dispatch_uid=self._uid("m2m"))

    def disconnect(self) -> None:
        signals.post_save.disconnect(dispatch_uid=self._uid("save"))
        signals.post_delete.disconnect(dispatch_uid=self._uid("delete"))
        signals.m2m_changed.disconnect(dispatch_uid=self._uid("m2m"))

    def unaudited(self) -> list[Write]:
        """The writes no later event speaks for."""
        if not self.writes:
            return []
        from accord.core.models import AuditEvent

        events = list(
            AuditEvent.objects.filter(sequence__gt=min(w.after_sequence for w in self.writes))
            .values_list("sequence", "object_type", "object_id")
            .order_by("sequence")
        )
        missing = []
        for write in self.writes:
            owner = BELONGS_TO.get(write.label, write.label)
            later = [(t, i) for s, t, i in events if s > write.after_sequence]
            exact = (write.label, write.pk) in later
            # A row that belongs to another record is spoken for by any later event about a
            # record of its owner's kind (the owner's id is not on the signal).
            if not exact and not any(t == owner for t, _ in later):
                missing.append(write)
        return missing
