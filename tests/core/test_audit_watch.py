"""The watch that fails any test whose writes leave no audit event (tests/support/audit_watch.py)
must itself catch a write behind the services' back, and pass one made through them."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.audit_watch import AuditWatch
from tests.support.factories import CollaborationFactory


@pytest.mark.unaudited_writes("the direct write is what the watch must catch")
@pytest.mark.django_db
def test_a_record_saved_outside_its_service_is_caught() -> None:
    collaboration = CollaborationFactory()
    watch = AuditWatch()
    watch.connect()
    try:
        collaboration.title = "Renamed behind the log's back"
        collaboration.save()
    finally:
        watch.disconnect()
    assert [(w.label, w.pk) for w in watch.unaudited()] == [
        ("register.collaboration", str(collaboration.pk))
    ]


@pytest.mark.django_db
def test_a_change_through_the_service_is_spoken_for(owner: Any) -> None:
    from accord.register import services

    collaboration = CollaborationFactory()
    watch = AuditWatch()
    watch.connect()
    try:
        services.archive_collaboration(owner, collaboration)
    finally:
        watch.disconnect()
    assert watch.writes  # it did see the write
    assert watch.unaudited() == []
