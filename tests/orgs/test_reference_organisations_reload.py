"""Loading the reference organisations again over a database that holds an older list."""

from __future__ import annotations

import pytest

from accord.core.models import AuditEvent
from accord.orgs import services
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_reloading_corrects_names_and_kinds_and_audits_each_change() -> None:
    # As a database loaded before the corrections holds them.
    Organisation.objects.filter(code="RT4").update(name="Welsh Ambulance Services NHS Trust")
    Organisation.objects.filter(code="R1F").update(sector="ambulance", kind="ambulance_trust")
    assert services.load_reference_organisations(actor="operator@accord.test") == 2

    welsh = Organisation.objects.get(code="RT4")
    island = Organisation.objects.get(code="R1F")
    assert welsh.name == "Welsh Ambulance Services University NHS Trust"
    assert (island.sector, island.kind) == ("other", "nhs_trust")
    assert Organisation.objects.filter(sector="ambulance").count() == 11
    assert set(Organisation.objects.filter(sector="ambulance").values_list("kind", flat=True)) == {
        "ambulance_trust"
    }

    renamed = AuditEvent.objects.get(action="organisation.update", object_id=str(welsh.pk))
    assert renamed.actor_label == "operator@accord.test"
    assert renamed.before["name"] == "Welsh Ambulance Services NHS Trust"
    assert renamed.after["name"] == "Welsh Ambulance Services University NHS Trust"
    rekinded = AuditEvent.objects.get(action="organisation.update", object_id=str(island.pk))
    assert (rekinded.before["sector"], rekinded.before["kind"]) == ("ambulance", "ambulance_trust")
    assert (rekinded.after["sector"], rekinded.after["kind"]) == ("other", "nhs_trust")

    # Loading again changes nothing and records nothing.
    events = AuditEvent.objects.count()
    assert services.load_reference_organisations() == 0
    assert AuditEvent.objects.count() == events
