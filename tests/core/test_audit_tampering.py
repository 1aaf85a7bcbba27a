"""The audit chain against someone who can write the database but cannot read the audit key.

Each test is one way of rewriting the log behind the application's back, after a clean
`accord audit verify` has written its checkpoint; each must make verify exit 1 and say what was
done. docs/audit.md lists the tries and what verify says of each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import ProtectedError
from django.test import override_settings

from accord.cli import main as accord
from accord.core import audit
from accord.core.actors import SystemActor
from accord.core.models import AuditEvent, AuditHead

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.unaudited_writes("tampering with the audit log is what these tests do"),
]

Row = dict[str, Any]


@pytest.fixture(autouse=True)
def checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit_checkpoint.json"
    monkeypatch.setenv(audit.CHECKPOINT_VARIABLE, str(path))
    return path


@pytest.fixture
def log(owner: Any, capsys: pytest.CaptureFixture[str]) -> list[AuditEvent]:
    """The whole chain, ending in five events (the second by a person), checked once so that a
    checkpoint exists. The reference organisations' events come before them."""
    for n in range(5):
        audit.record(
            actor=owner if n == 1 else SystemActor("test"),
            action="thing.update",
            object_type="test.thing",
            object_id=str(n),
            object_label=f"Thing {n}",
            before={"title": f"old {n}", "amount": n},
            after={"title": f"new {n}", "amount": n + 1},
        )
    assert accord(["audit", "verify"]) == 0
    capsys.readouterr()
    return list(AuditEvent.objects.order_by("sequence"))


def end(log: list[AuditEvent]) -> int:
    return log[-1].sequence


def broken(capsys: pytest.CaptureFixture[str]) -> str:
    """verify's output, which must be a failure."""
    assert accord(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "The audit log is not intact" in out
    return out


def rewrite(hash_of: Callable[[Row], str], *, up_to: int | None = None) -> None:
    """Recompute every event's link and hash as a forger would, and move the head to match."""
    previous = audit.GENESIS
    rows = AuditEvent.objects.order_by("sequence").values("pk", *audit.SIGNED_COLUMNS)
    last = 0
    for row in rows:
        if up_to is not None and row["sequence"] > up_to:
            break
        row["previous_hash"] = previous
        previous = hash_of(row)
        AuditEvent.objects.filter(pk=row["pk"]).update(
            previous_hash=row["previous_hash"], hash=previous
        )
        last = row["sequence"]
    AuditHead.objects.filter(pk=1).update(sequence=last, hash=previous)


def plain_sha256(row: Row) -> str:
    # The forger has read core/audit.py and hashes exactly what it signs, but has no key.
    return hashlib.sha256(audit._signed_body(row)).hexdigest()


# 1-7: an event's fields edited -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("before", {"title": "what it never was", "amount": 1}),
        ("after", {"title": "new 2", "amount": 1000}),
        ("action", "thing.delete"),
        ("object_type", "test.other"),
        ("object_id", "99"),
        ("object_label", "Another thing"),
        ("actor_label", "somebody.else@example.org"),
    ],
)
def test_an_edited_field_is_named_as_a_changed_event(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str], column: str, value: Any
) -> None:
    target = log[-3]
    AuditEvent.objects.filter(pk=target.pk).update(**{column: value})
    out = broken(capsys)
    assert f"BROKEN event #{target.sequence}: changed after it was written" in out
    # Only that event: the ones after it still link to its stored hash.
    assert out.count("BROKEN") == 1


def test_a_moved_time_is_named(log: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    target = log[-2]
    AuditEvent.objects.filter(pk=target.pk).update(at=target.at - dt.timedelta(seconds=1))
    assert f"BROKEN event #{target.sequence}: changed after it was written" in broken(capsys)


def test_a_changed_actor_id_is_named(
    log: list[AuditEvent], colleague: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not in the hash before the key: the old build verified a log blaming someone else."""
    target = log[-4]
    assert target.actor_id is not None
    AuditEvent.objects.filter(pk=target.pk).update(actor_id=colleague.pk)
    assert f"BROKEN event #{target.sequence}: changed after it was written" in broken(capsys)


# 8-11: events deleted, reordered, forged ---------------------------------------------------------


def test_a_deleted_middle_event_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    middle = log[-3]
    AuditEvent.objects.filter(pk=middle.pk).delete()
    out = broken(capsys)
    assert f"BROKEN event #{middle.sequence}: missing: event #{middle.sequence} was deleted" in out
    assert f"event #{middle.sequence + 1}: does not link to the event before it" in out


def test_a_deleted_newest_event_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    newest = log[-1]
    AuditEvent.objects.filter(pk=newest.pk).delete()
    out = broken(capsys)
    assert (
        f"event #{newest.sequence}: missing: event #{newest.sequence} was deleted (the newest)"
        in out
    )
    assert f"cut back to end at #{newest.sequence - 1}" in out


def test_swapped_sequences_are_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    second, third = log[-4], log[-3]
    AuditEvent.objects.filter(pk=second.pk).update(sequence=10**9)
    AuditEvent.objects.filter(pk=third.pk).update(sequence=second.sequence)
    AuditEvent.objects.filter(pk=second.pk).update(sequence=third.sequence)
    out = broken(capsys)
    assert f"event #{second.sequence}: does not link to the event before it" in out
    for moved in (second, third):
        assert f"event #{moved.sequence}: changed after it was written" in out


def test_a_forged_event_is_named(log: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    """Appended at the end with the head moved to it: it links, but it is not signed."""
    newest = log[-1]
    row: Row = {
        "sequence": newest.sequence + 1,
        "at": newest.at,
        "actor_id": None,
        "actor_label": "system (command line)",
        "action": "collaboration.delete",
        "object_type": "register.collaboration",
        "object_id": "1",
        "object_label": "A pilot that was never deleted",
        "before": None,
        "after": None,
        "previous_hash": newest.hash,
    }
    forged = AuditEvent.objects.create(**row, hash=plain_sha256(row))
    AuditHead.objects.filter(pk=1).update(sequence=forged.sequence, hash=forged.hash)
    assert (
        f"BROKEN event #{forged.sequence}: signed with plain SHA-256, not the audit key"
        in broken(capsys)
    )


# 12-16: the whole chain or its end rewritten ----------------------------------------------------


def test_recomputing_the_whole_chain_without_the_key_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    """The old build's first miss: edit an event, recompute every hash, move the head."""
    AuditEvent.objects.filter(pk=log[-3].pk).update(after={"title": "rewritten", "amount": 0})
    rewrite(plain_sha256)
    out = broken(capsys)
    assert f"BROKEN events #1 to #{end(log)}: signed with plain SHA-256, not the audit key" in out
    assert f"event #{end(log)}: not the event the checkpoint written" in out


def test_recomputing_the_chain_by_the_old_rule_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    """Passing a rewritten log off as one from before the key: the checkpoint shows it was
    signed with the key, so it is tampering, and `accord audit rekey` refuses to sign it."""
    rewrite(audit.old_rule_hash)
    out = broken(capsys)
    assert (
        f"events #1 to #{end(log)}: signed by the rule before the audit key, after events signed"
        in out
    )
    assert accord(["audit", "rekey"]) == 1
    assert "REFUSED" in capsys.readouterr().err


def test_recomputing_with_another_key_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    guessed = b"a guess at the key, long enough to be taken for it"
    rewrite(lambda row: audit.sign(guessed, row))
    out = broken(capsys)
    assert f"BROKEN events #1 to #{end(log)}: changed after it was written" in out
    assert "check that ACCORD_AUDIT_KEY" in out
    assert f"event #{end(log)}: not the event the checkpoint written" in out


def test_moving_the_head_back_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    """The old build's second miss: the newest events deleted and the head moved back to the
    event before them, so that what remains is a chain that agrees with itself."""
    kept = log[-3]
    AuditEvent.objects.filter(sequence__gt=kept.sequence).delete()
    AuditHead.objects.filter(pk=1).update(sequence=kept.sequence, hash=kept.hash)
    out = broken(capsys)
    assert (
        f"BROKEN events #{kept.sequence + 1} to #{end(log)}: deleted, and the chain cut back to "
        f"end at #{kept.sequence}"
    ) in out
    assert f"recorded events up to #{end(log)}" in out


def test_moving_the_head_back_over_events_still_there_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    kept = log[-3]
    AuditHead.objects.filter(pk=1).update(sequence=kept.sequence, hash=kept.hash)
    out = broken(capsys)
    assert (
        f"event #{end(log)}: the record of where the chain ends was moved back to #{kept.sequence}"
    ) in out


def test_wiping_every_row_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    """The old build's third miss: no events and no head is a log that agrees with itself."""
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    out = broken(capsys)
    assert f"BROKEN events #1 to #{end(log)}: deleted, every one: the log is empty" in out


def test_a_changed_head_hash_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    AuditHead.objects.filter(pk=1).update(hash="f" * 64)
    out = broken(capsys)
    assert f"event #{end(log)}: does not match the record of where the chain ends" in out


def test_truncating_and_recomputing_is_named(
    log: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    kept = log[-3].sequence
    AuditEvent.objects.filter(sequence__gt=kept).delete()
    rewrite(plain_sha256)
    out = broken(capsys)
    assert f"events #1 to #{kept}: signed with plain SHA-256, not the audit key" in out
    assert (
        f"events #{kept + 1} to #{end(log)}: deleted, and the chain cut back to end at #{kept}"
        in out
    )


# The checkpoint and the key ------------------------------------------------------------------


def test_a_clean_check_writes_a_private_checkpoint_of_the_head(
    log: list[AuditEvent], checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = json.loads(checkpoint.read_text())
    assert saved["sequence"] == end(log)
    expected = hmac.new(
        audit.audit_key(),
        f"accord audit checkpoint:{end(log)}:{log[-1].hash}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert saved["head_hmac"] == expected
    assert stat.S_IMODE(checkpoint.stat().st_mode) == 0o600
    # A later event moves it on at the next check.
    audit.record(actor=SystemActor("test"), action="thing.create", object_type="test.thing")
    assert accord(["audit", "verify"]) == 0
    assert "against the checkpoint written" in capsys.readouterr().out
    assert json.loads(checkpoint.read_text())["sequence"] == end(log) + 1


def test_a_failed_check_leaves_the_checkpoint_alone(
    log: list[AuditEvent], checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = checkpoint.read_text()
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    broken(capsys)
    broken(capsys)
    assert checkpoint.read_text() == before


def test_a_checkpoint_that_is_not_one_verify_wrote_is_named(
    log: list[AuditEvent], checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint.write_text("{not json")
    assert f"BROKEN checkpoint: the checkpoint {checkpoint} is not one" in broken(capsys)


def test_every_column_of_an_event_is_signed() -> None:
    """A column added to AuditEvent later must be added to what is signed."""
    columns = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}
    assert columns == set(audit.SIGNED_COLUMNS)


def test_without_a_setting_a_key_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(audit.KEY_VARIABLE, raising=False)
    with override_settings(AUDIT_KEY="", DATA_DIR=tmp_path):
        key = audit.audit_key()
        assert audit.audit_key() == key
        key_file = tmp_path / "audit_key"
        assert key_file.read_text().encode() == key
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert len(key) >= audit.MINIMUM_KEY_LENGTH


def test_the_key_from_the_environment_signs_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit.KEY_VARIABLE, "k" * 40)
    with override_settings(AUDIT_KEY=""):
        event = audit.record(actor=SystemActor("test"), action="thing.create", object_type="t")
        row = AuditEvent.objects.values(*audit.SIGNED_COLUMNS).get(pk=event.pk)
        assert event.hash == audit.sign(b"k" * 40, row)
        assert [p.reason for p in audit.verify()] == [audit.CHANGED]  # the earlier events
    # The setting, when there is one, is what signs: the same event fails under another key.
    with override_settings(AUDIT_KEY="another key of at least thirty-two characters"):
        assert event.hash != audit.sign(audit.audit_key(), row)


def test_a_short_key_is_refused() -> None:
    with override_settings(AUDIT_KEY="short"), pytest.raises(ImproperlyConfigured, match="32"):
        audit.record(actor=SystemActor("test"), action="thing.create", object_type="t")


def test_a_person_who_acted_cannot_be_deleted(owner: Any) -> None:
    """Deleting them would blank the signed actor id and lose who did what."""
    audit.record(actor=owner, action="thing.create", object_type="test.thing")
    with pytest.raises(ProtectedError):
        owner.delete()


# After the upgrade: a log signed by the old rule ----------------------------------------------


def _log_from_before_the_key(make_collaboration: Any) -> None:
    make_collaboration("First")
    make_collaboration("Second")
    rewrite(audit.old_rule_hash)


def test_a_log_from_before_the_key_is_re_signed_once_by_rekey(
    make_collaboration: Any, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _log_from_before_the_key(make_collaboration)
    old_rule = AuditEvent.objects.count()
    # An event written after the upgrade but before rekey chains on to the old ones.
    audit.record(actor=SystemActor("test"), action="thing.create", object_type="test.thing")
    out = broken(capsys)
    assert f"events #1 to #{old_rule}: signed by the rule before the audit key" in out
    assert "run `accord audit rekey` once after upgrading" in out
    assert not checkpoint.exists()

    assert accord(["audit", "rekey"]) == 0
    assert f"Re-signed {old_rule + 1} events" in capsys.readouterr().out
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None and event.action == "audit.rekey"
    assert event.before["rule"] == "sha256" and event.before["old_rule_events"] == old_rule
    assert event.after["rule"] == "hmac-sha256"
    assert json.loads(checkpoint.read_text())["sequence"] == event.sequence
    assert accord(["audit", "verify"]) == 0
    # Once only: a second run finds nothing to sign and writes no event.
    assert accord(["audit", "rekey"]) == 1
    assert "checkpoint" in capsys.readouterr().err
    assert AuditEvent.objects.count() == event.sequence


def test_rekey_refuses_a_log_from_before_the_key_that_was_changed(
    make_collaboration: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _log_from_before_the_key(make_collaboration)
    target = AuditEvent.objects.order_by("sequence")[1]
    AuditEvent.objects.filter(pk=target.pk).update(actor_label="somebody else")
    hashes = list(AuditEvent.objects.values_list("hash", flat=True))
    assert accord(["audit", "rekey"]) == 1
    err = capsys.readouterr().err
    assert f"REFUSED event #{target.sequence}: changed after it was written" in err
    assert list(AuditEvent.objects.values_list("hash", flat=True)) == hashes
