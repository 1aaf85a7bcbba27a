"""The audit log: every change of state is one event, chained by HMAC-SHA256.

Events are written inside the same transaction as the change they describe, so a change that
rolls back leaves no event. The chain is serialised by locking the newest event (PostgreSQL) or
by SQLite's single writer.

Each event's hash is an HMAC of every column it holds and of the hash before it, keyed with a
secret kept outside the database (`ACCORD_AUDIT_KEY`, or a key generated once into
`ACCORD_DATA_DIR/audit_key`): someone who can write the database but not read the key cannot
recompute the chain after changing it. What the database alone cannot show (the newest events
cut off, every row wiped) is caught by the checkpoint that `accord audit verify` writes outside
the database after each clean check. docs/audit.md has the tries it was tested against.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from .actors import user_or_none
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
KEY_VARIABLE = "ACCORD_AUDIT_KEY"
CHECKPOINT_VARIABLE = "ACCORD_AUDIT_CHECKPOINT"
#: A shorter key could be guessed: 32 characters of a generated key carry about 190 bits.
MINIMUM_KEY_LENGTH = 32

#: Every column the hash covers: all of the event's but its row number and the hash itself. A
#: test holds this to the model, so that a column added later cannot be left out of it.
SIGNED_COLUMNS = (
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "previous_hash",
)

# What verify says of an event signed by the rule before the key: distinct from tampering, and
# the one problem `accord audit rekey` may put right.
CHANGED = "changed after it was written (hash mismatch, or another audit key)"
UNKEYED_OLD_RULE = (
    "signed by the rule before the audit key (plain SHA-256, actor not covered): "
    "run `accord audit rekey` once after upgrading"
)


# The key ---------------------------------------------------------------------------------------


def audit_key() -> bytes:
    """The chain's HMAC key: the AUDIT_KEY setting (from ACCORD_AUDIT_KEY) or the generated file."""
    configured = str(getattr(settings, "AUDIT_KEY", "") or os.environ.get(KEY_VARIABLE, ""))
    configured = configured.strip()
    if configured:
        if len(configured) < MINIMUM_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"{KEY_VARIABLE} must be at least {MINIMUM_KEY_LENGTH} characters"
            )
        return configured.encode("utf-8")
    return _generated_key(Path(settings.DATA_DIR) / "audit_key")


@functools.cache
def _generated_key(key_file: Path) -> bytes:
    # Kept beside the database, as the secret key is, so that one machine needs no setting;
    # deployments whose database others can read set ACCORD_AUDIT_KEY elsewhere.
    try:
        key = key_file.read_text().strip()
    except FileNotFoundError:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        draft = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            # Linked into place, never overwritten: two processes starting at once keep one key.
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        key = key_file.read_text().strip()
    if len(key) < MINIMUM_KEY_LENGTH:
        raise ImproperlyConfigured(f"{key_file} holds no usable audit key: restore it")
    return key.encode("utf-8")


# Hashing ---------------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _signed_body(row: Mapping[str, Any]) -> bytes:
    return _canonical(
        {name: _instant(row[name]) if name == "at" else row[name] for name in SIGNED_COLUMNS}
    ).encode("utf-8")


def sign(key: bytes, row: Mapping[str, Any]) -> str:
    """The event's hash: HMAC-SHA256 over every signed column, the previous hash among them."""
    return hmac.new(key, _signed_body(row), hashlib.sha256).hexdigest()


def old_rule_hash(row: Mapping[str, Any]) -> str:
    """The hash as events were signed before the key: plain SHA-256, without the actor's id."""
    body = _canonical(
        {
            "previous": row["previous_hash"],
            "sequence": row["sequence"],
            "at": _instant(row["at"]),
            "actor": row["actor_label"],
            "action": row["action"],
            "object_type": row["object_type"],
            "object_id": row["object_id"],
            "object_label": row["object_label"],
            "before": row["before"],
            "after": row["after"],
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _unkeyed_hash(row: Mapping[str, Any]) -> str:
    # Today's fields without the key: what a forger who read this file but not the key computes.
    return hashlib.sha256(_signed_body(row)).hexdigest()


def _jsonable(snapshot: Mapping[str, Any] | None) -> Any:
    if snapshot is None:
        return None
    return json.loads(_canonical(snapshot))


# Writing ---------------------------------------------------------------------------------------


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
    key = audit_key()
    with transaction.atomic():
        head = _locked_head()
        row: dict[str, Any] = {
            "sequence": head.sequence + 1,
            # Microseconds dropped: what is hashed must survive every database's datetime type.
            "at": timezone.now().replace(microsecond=0),
            "actor_id": actor_obj.pk if actor_obj is not None else None,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_label": object_label,
            "before": _jsonable(before),
            "after": _jsonable(after),
            "previous_hash": head.hash,
        }
        digest = sign(key, row)
        head.sequence, head.hash = row["sequence"], digest
        head.save(update_fields=["sequence", "hash"])
        return AuditEvent.objects.create(**row, hash=digest)


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


# The checkpoint outside the database ------------------------------------------------------------


def checkpoint_file() -> Path:
    """Where verify keeps the last head it checked: ACCORD_AUDIT_CHECKPOINT, read when used."""
    configured = os.environ.get(CHECKPOINT_VARIABLE, "").strip()
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit_checkpoint.json"


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    head_hmac: str
    written: str


class CheckpointUnreadable(ValueError):
    """The checkpoint file is there but is not one verify wrote."""


def _checkpoint_hmac(key: bytes, sequence: int, event_hash: str) -> str:
    message = f"accord audit checkpoint:{sequence}:{event_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read_checkpoint(path: Path | None = None) -> Checkpoint | None:
    path = path or checkpoint_file()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CheckpointUnreadable(f"the checkpoint {path} cannot be read: {error}") from None
    try:
        data = json.loads(text)
        sequence, head_hmac = data["sequence"], data["head_hmac"]
        written = str(data.get("written", "at an unknown time"))
        valid = isinstance(sequence, int) and sequence >= 0 and isinstance(head_hmac, str)
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise CheckpointUnreadable(f"the checkpoint {path} is not one `accord audit verify` wrote")
    return Checkpoint(sequence=sequence, head_hmac=head_hmac, written=written)


def write_checkpoint(sequence: int, event_hash: str, path: Path | None = None) -> Path:
    """Record the head just checked, replacing the file in one step so that it is never half
    written."""
    path = path or checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "sequence": sequence,
        "head_hmac": _checkpoint_hmac(audit_key(), sequence, event_hash),
        "written": timezone.now().replace(microsecond=0).isoformat(),
    }
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(body, out, indent=2)
        out.write("\n")
    os.replace(draft, path)
    return path


# Checking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    reason: str
    #: The last event of a run of events with the same problem, when there are several.
    last: int | None = None

    def __str__(self) -> str:
        if self.sequence == 0:
            return f"checkpoint: {self.reason}"
        if self.last is not None and self.last != self.sequence:
            return f"events #{self.sequence} to #{self.last}: {self.reason}"
        return f"event #{self.sequence}: {self.reason}"


@dataclass
class ChainCheck:
    """What one pass over the chain found, and where the chain it checked ends."""

    problems: list[ChainProblem] = field(default_factory=list)
    events: int = 0
    end_sequence: int = 0
    end_hash: str = GENESIS
    checkpoint: Checkpoint | None = None
    checkpoint_path: Path | None = None
    old_rule_events: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def _runs(problems: Iterable[ChainProblem]) -> Iterator[ChainProblem]:
    """Consecutive events with the same problem as one line: a rewritten chain of 100,000
    events is one problem, not 100,000."""
    pending: ChainProblem | None = None
    for problem in problems:
        if (
            pending is not None
            and problem.reason == pending.reason
            and problem.sequence == (pending.last or pending.sequence) + 1
        ):
            pending = ChainProblem(pending.sequence, pending.reason, problem.sequence)
            continue
        if pending is not None:
            yield pending
        pending = problem
    if pending is not None:
        yield pending


def check(batch_size: int = 2000, *, checkpoint_path: Path | None = None) -> ChainCheck:
    """Recompute the chain, and compare its end with the head row and with the checkpoint."""
    path = checkpoint_path or checkpoint_file()
    result = ChainCheck(checkpoint_path=path)
    try:
        result.checkpoint = read_checkpoint(path)
    except CheckpointUnreadable as unreadable:
        result.problems.append(ChainProblem(0, str(unreadable)))
    with _one_snapshot():
        result.problems.extend(_runs(_walk(result, batch_size)))
    return result


def verify(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every break in the chain: an edited event, a missing one, a re-linked one, one
    signed without the key, or a chain that ends short of the checkpoint."""
    yield from check(batch_size).problems


@contextlib.contextmanager
def _one_snapshot() -> Iterator[None]:
    """The events and the head as of one moment: an event committed while verify reads would
    otherwise look like a head that had moved past the chain."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _walk(result: ChainCheck, batch_size: int) -> Iterator[ChainProblem]:
    key = audit_key()
    checkpoint = result.checkpoint
    checkpointed_hash: str | None = None
    # A checkpoint is written only for a chain signed with the key: after it, an event signed
    # by the old rule was forged, not left from before the upgrade.
    keyed_seen = checkpoint is not None
    expected_previous, expected_sequence = GENESIS, 1
    rows = (
        AuditEvent.objects.order_by("sequence")
        .values(*SIGNED_COLUMNS, "hash")
        .iterator(chunk_size=batch_size)
    )
    for row in rows:
        sequence, digest = row["sequence"], row["hash"]
        result.events += 1
        if sequence != expected_sequence:
            missing = (
                f"#{expected_sequence}"
                if sequence == expected_sequence + 1
                else f"#{expected_sequence} to #{sequence - 1}"
            )
            yield ChainProblem(expected_sequence, f"missing: event {missing} was deleted")
        if row["previous_hash"] != expected_previous:
            yield ChainProblem(
                sequence,
                "does not link to the event before it (an event was removed or moved)",
            )
        if hmac.compare_digest(sign(key, row), digest):
            keyed_seen = True
        elif old_rule_hash(row) == digest:
            if keyed_seen:
                yield ChainProblem(
                    sequence,
                    "signed by the rule before the audit key, after events signed with it: "
                    "rewritten by someone without the key",
                )
            else:
                result.old_rule_events += 1
                yield ChainProblem(sequence, UNKEYED_OLD_RULE)
        elif _unkeyed_hash(row) == digest:
            yield ChainProblem(
                sequence,
                "signed with plain SHA-256, not the audit key: recomputed by someone without "
                "the key",
            )
        else:
            yield ChainProblem(sequence, CHANGED)
        if checkpoint is not None and sequence == checkpoint.sequence:
            checkpointed_hash = digest
        expected_previous, expected_sequence = digest, sequence + 1
    last_sequence = expected_sequence - 1
    result.end_sequence, result.end_hash = last_sequence, expected_previous
    yield from _head_problems(last_sequence, expected_previous)
    if checkpoint is None:
        return
    if last_sequence < checkpoint.sequence:
        recorded = (
            f"the checkpoint written {checkpoint.written} recorded events up to "
            f"#{checkpoint.sequence}"
        )
        if result.events == 0:
            reason = f"deleted, every one: the log is empty, but {recorded}"
        else:
            reason = f"deleted, and the chain cut back to end at #{last_sequence}: {recorded}"
        yield ChainProblem(last_sequence + 1, reason, checkpoint.sequence)
    elif checkpoint.sequence == 0:
        return
    elif checkpointed_hash is None:
        yield ChainProblem(
            checkpoint.sequence,
            f"missing, though the checkpoint written {checkpoint.written} recorded it",
        )
    elif not hmac.compare_digest(
        _checkpoint_hmac(key, checkpoint.sequence, checkpointed_hash), checkpoint.head_hmac
    ):
        yield ChainProblem(
            checkpoint.sequence,
            f"not the event the checkpoint written {checkpoint.written} recorded: the chain "
            "was rewritten up to it",
        )


def _head_problems(last_sequence: int, last_hash: str) -> Iterator[ChainProblem]:
    head = AuditHead.objects.filter(pk=1).first()
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
    elif head.sequence < last_sequence:
        yield ChainProblem(
            last_sequence,
            f"the record of where the chain ends was moved back to #{head.sequence}",
        )
    elif head.hash != last_hash:
        yield ChainProblem(
            last_sequence, "does not match the record of where the chain ends (its hash changed)"
        )


# Re-signing after the upgrade --------------------------------------------------------------------


class RekeyRefused(Exception):
    """The chain has a problem other than events signed by the old rule: re-signing it would
    hide that problem."""

    def __init__(self, problems: Sequence[ChainProblem | str]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = [str(p) for p in problems]


@dataclass(frozen=True)
class Rekeyed:
    old_rule_events: int
    re_signed: int
    event: AuditEvent | None
    checkpoint_path: Path | None


def rekey(actor: Any, *, batch_size: int = 1000, checkpoint_path: Path | None = None) -> Rekeyed:
    """Sign with the key, once after upgrading, a chain written under the old rule.

    Only a chain whose every problem is an event signed by the old rule is re-signed, and only
    while no checkpoint exists (a checkpoint is written only for a chain signed with the key, so
    after one an old-rule event is forged). The re-signing is itself an event, and the new end
    of the chain is checkpointed.
    """
    path = checkpoint_path or checkpoint_file()
    if path.exists():
        raise RekeyRefused(
            [
                f"the checkpoint {path} exists, so the log has already been signed with the key "
                "and checked: an event signed by the old rule now is tampering, not a left-over; "
                "nothing was re-signed"
            ]
        )
    key = audit_key()
    with transaction.atomic():
        head = _locked_head()
        found = check(batch_size, checkpoint_path=path)
        others = [p for p in found.problems if p.reason != UNKEYED_OLD_RULE]
        if others:
            raise RekeyRefused(others)
        if not found.old_rule_events:
            return Rekeyed(0, 0, None, None)
        old_head = head.hash
        previous, changed, re_signed = GENESIS, [], 0
        rows = (
            AuditEvent.objects.order_by("sequence")
            .values("pk", *SIGNED_COLUMNS)
            .iterator(chunk_size=batch_size)
        )
        for row in rows:
            row["previous_hash"] = previous
            previous = sign(key, row)
            changed.append(
                AuditEvent(pk=row["pk"], previous_hash=row["previous_hash"], hash=previous)
            )
            re_signed += 1
            if len(changed) >= batch_size:
                AuditEvent.objects.bulk_update(changed, ["previous_hash", "hash"])
                changed = []
        AuditEvent.objects.bulk_update(changed, ["previous_hash", "hash"])
        head.hash = previous
        head.save(update_fields=["hash"])
        event = record(
            actor=actor,
            action="audit.rekey",
            object_type="core.auditevent",
            object_label="the audit log",
            before={"rule": "sha256", "old_rule_events": found.old_rule_events, "head": old_head},
            after={"rule": "hmac-sha256", "re_signed": re_signed, "head": previous},
        )
    written = write_checkpoint(event.sequence, event.hash, path)
    return Rekeyed(found.old_rule_events, re_signed, event, written)


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
