from __future__ import annotations

from typing import Any

import pytest

from accord.cli import main as accord
from accord.core import audit
from accord.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_checkpoint(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's verify keeps its checkpoint apart: every test starts a new, empty log."""
    monkeypatch.setenv(audit.CHECKPOINT_VARIABLE, str(tmp_path / "audit_checkpoint.json"))


def test_every_change_to_a_collaboration_is_an_event_with_before_and_after(
    collaboration: Any, owner: Any
) -> None:
    from accord.register import services
    from accord.register.forms import CollaborationForm

    form = CollaborationForm(data=_post_data(collaboration, title="Renamed pilot"))
    assert form.is_valid(), form.errors
    services.update_collaboration(
        owner, collaboration, form.to_data(), expected_version=collaboration.version
    )
    event = AuditEvent.objects.filter(action="collaboration.update").get()
    assert event.actor == owner
    assert event.before["title"] == "Joint response pilot"
    assert event.after["title"] == "Renamed pilot"


def test_an_intact_chain_verifies(collaboration: Any, capsys: Any) -> None:
    assert list(audit.verify()) == []
    assert accord(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_an_edited_event_is_named_and_verify_fails(make_collaboration: Any, capsys: Any) -> None:
    make_collaboration("First")
    make_collaboration("Second")
    target = AuditEvent.objects.get(
        action="collaboration.create", object_label__startswith="Second"
    )
    # Tampering behind the application's back, as someone with database access might.
    AuditEvent.objects.filter(pk=target.pk).update(actor_label="somebody else")
    problems = list(audit.verify())
    assert [p.sequence for p in problems] == [target.sequence]
    assert accord(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"event #{target.sequence}" in out
    assert "changed" in out


def test_a_deleted_event_is_named(make_collaboration: Any) -> None:
    make_collaboration("First")
    make_collaboration("Second")
    make_collaboration("Third")
    middle = AuditEvent.objects.order_by("sequence")[1]
    AuditEvent.objects.filter(pk=middle.pk).delete()
    reasons = [str(p) for p in audit.verify()]
    assert any(f"#{middle.sequence}" in r and "deleted" in r for r in reasons), reasons


def test_a_failed_change_leaves_no_event(owner: Any) -> None:
    from accord.register import services

    before = AuditEvent.objects.count()
    with pytest.raises(services.PermissionRefused):
        services.create_collaboration(
            owner,
            services.CollaborationData(
                title="Not mine",
                summary="s",
                research_area="effective",
                nature="other",
                status="idea",
                partners=[],
            ),
        )
    assert AuditEvent.objects.count() == before


def _post_data(collaboration: Any, **changes: Any) -> dict[str, Any]:
    from accord.register.forms import CollaborationForm

    initial = CollaborationForm.initial_for(collaboration)
    data: dict[str, Any] = {}
    for key, value in initial.items():
        if value is None:
            continue
        if key in {"lead"}:
            data[key] = value.pk
        elif key in {"partners", "supporters", "named_organisations", "areas"}:
            data[key] = [v.pk for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = value
    data.update(changes)
    return data


@pytest.mark.unaudited_writes("deleting the event is the tampering under test")
def test_deleting_the_newest_events_is_found(make_collaboration: Any, capsys: Any) -> None:
    make_collaboration("First")
    make_collaboration("Second")
    newest = AuditEvent.objects.order_by("-sequence").first()
    assert newest is not None
    AuditEvent.objects.filter(pk=newest.pk).delete()
    problems = [str(p) for p in audit.verify()]
    assert problems == [
        f"event #{newest.sequence}: missing: event #{newest.sequence} was deleted (the newest)"
    ]
    assert accord(["audit", "verify"]) == 1
