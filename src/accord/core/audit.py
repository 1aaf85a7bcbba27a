"""The audit log: every change of state is one event, chained by SHA-256.

Events are written inside the same transaction as the change they describe, so a change that
rolls back leaves no event. The chain is serialised by locking the newest event (PostgreSQL) or
by SQLite's single writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .actors import user_or_none
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def compute_hash(
    *,
    previous_hash: str,
    sequence: int,
    at: dt.datetime,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    before: Any,
    after: Any,
) -> str:
    body = _canonical(
        {
            "previous": previous_hash,
            "sequence": sequence,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_label": object_label,
            "before": before,
            "after": after,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _jsonable(snapshot: Mapping[str, Any] | None) -> Any:
    if snapshot is None:
        return None
    return json.loads(_canonical(snapshot))


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction that makes the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    actor_obj = user_or_none(actor)
    actor_label = str(
        getattr(actor, "email", "") or (actor if isinstance(actor, str) else "system")
    )
    with transaction.atomic():
        head = _locked_head()
        sequence = head.sequence + 1
        previous_hash = head.hash
        # Microseconds dropped: what is hashed must survive every database's datetime type.
        at = timezone.now().replace(microsecond=0)
        before_json, after_json = _jsonable(before), _jsonable(after)
        digest = compute_hash(
            previous_hash=previous_hash,
            sequence=sequence,
            at=at,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_label=object_label,
            before=before_json,
            after=after_json,
        )
        head.sequence, head.hash = sequence, digest
        head.save(update_fields=["sequence", "hash"])
        return AuditEvent.objects.create(
            sequence=sequence,
            at=at,
            actor=actor_obj,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_label=object_label,
            before=before_json,
            after=after_json,
            previous_hash=previous_hash,
            hash=digest,
        )


def state_version(object_types: Sequence[str]) -> str:
    """A token that changes whenever a change to any of these kinds of object commits.

    Every change goes through a service that records an event in the same transaction, so the
    newest event about a kind of object names the state those objects are in: caches of
    figures derived from them key on it. The hash as well as the sequence, because a
    rolled-back transaction can reuse a sequence. One index probe a kind, newest first.
    """
    if not object_types:
        raise ValueError("name the kinds of object the figures depend on")
    # Plain SQL: it runs on every list page, and the ORM costs more to build it than to run it.
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    sequence, hash_, kind = quote("sequence"), quote("hash"), quote("object_type")
    newest = (
        f"SELECT * FROM (SELECT {sequence}, {hash_} FROM {table} "  # noqa: S608
        f"WHERE {kind} = %s ORDER BY {sequence} DESC LIMIT 1) newest_{{n}}"
    )
    sql = " UNION ALL ".join(newest.format(n=n) for n in range(len(object_types)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(object_types))
        rows = cursor.fetchall()
    return ";".join(f"{sequence}:{hash_}" for sequence, hash_ in sorted(rows)) or "0"


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"sequence": 0, "hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"event #{self.sequence}: {self.reason}"


def verify(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every break in the chain: an edited event, a missing one, or a re-linked one."""
    expected_previous = GENESIS
    expected_sequence = 1
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
        if event.sequence != expected_sequence:
            missing = (
                f"#{expected_sequence}"
                if event.sequence == expected_sequence + 1
                else f"#{expected_sequence} to #{event.sequence - 1}"
            )
            yield ChainProblem(expected_sequence, f"missing: event {missing} was deleted")
        if event.previous_hash != expected_previous:
            yield ChainProblem(
                event.sequence, "does not link to the event before it (an event was removed)"
            )
        recomputed = compute_hash(
            previous_hash=event.previous_hash,
            sequence=event.sequence,
            at=event.at,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            object_label=event.object_label,
            before=event.before,
            after=event.after,
        )
        if recomputed != event.hash:
            yield ChainProblem(event.sequence, "changed after it was written (hash mismatch)")
        expected_previous = event.hash
        expected_sequence = event.sequence + 1
    head = AuditHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None:
        if last_sequence:
            yield ChainProblem(last_sequence, "the record of where the chain ends is missing")
    elif head.sequence > last_sequence:
        missing = (
            f"#{head.sequence}"
            if head.sequence == last_sequence + 1
            else f"#{last_sequence + 1} to #{head.sequence}"
        )
        yield ChainProblem(last_sequence + 1, f"missing: event {missing} was deleted (the newest)")
    elif head.sequence < last_sequence or head.hash != expected_previous:
        yield ChainProblem(last_sequence, "does not match the record of where the chain ends")


# A record's history -------------------------------------------------------------------------


def history(obj: models.Model, limit: int | None = 20) -> list[AuditEvent]:
    """The record's events, newest first: what its page shows to those who may edit it."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(events[:limit] if limit else events)


def snapshot_at_version(obj: models.Model, version: int) -> dict[str, Any] | None:
    """The record as its event recorded it at this version (what a person had opened), if the
    log holds it."""
    events = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).only("after")
    for event in events:
        if isinstance(event.after, dict) and event.after.get("version") == version:
            return event.after
    return None


def last_change(obj: models.Model) -> tuple[str, dt.datetime | None]:
    """Who last changed the record, and when: what an edit conflict names."""
    latest = (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .only("actor_label", "at")
        .first()
    )
    return (latest.actor_label, latest.at) if latest else ("someone else", None)
