"""Who pays and who benefits is chosen, never typed (issue 11): an organisation by code or
name, as the import matches them, anything else refused with "did you mean"; a party that is
not an organisation ("local residents") is its own, explicit choice, kept and shown as such."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.appraisal.test_appraisal_helpers import FORM_YAML, form_post, make_appraisal

from accord.appraisal import services
from accord.appraisal.models import Appraisal

pytestmark = pytest.mark.django_db

RESIDENTS = "not-an-organisation"


def _new(client: Client, collaboration: Any, **overrides: Any) -> Any:
    return client.post(f"/appraisals/for/{collaboration.reference}/new/", form_post(**overrides))


def test_who_pays_given_by_name_is_saved_as_the_organisations_code(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    response = _new(client, collaboration, **{"costs-0-org": "Lincolnshire Fire and Rescue"})
    assert response.status_code == 302
    stored = services.stored_appraisal(Appraisal.objects.get())
    assert stored.costs[0].payer == "E31000025"


def test_an_unknown_payer_is_refused_with_a_suggestion_and_nothing_saved(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    response = _new(client, collaboration, **{"benefits-0-org": "East Midlands Ambulance Servce"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No organisation matches “East Midlands Ambulance Servce”" in page
    assert "Did you mean East Midlands Ambulance Service" in page
    assert not Appraisal.objects.exists()


def test_a_party_that_is_not_an_organisation_is_an_explicit_choice_kept_apart(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    page = client.get(f"/appraisals/for/{collaboration.reference}/new/").content.decode()
    assert "Not an organisation (name who below)" in page
    response = _new(
        client,
        collaboration,
        **{"benefits-0-org": RESIDENTS, "benefits-0-party": "Local residents"},
    )
    assert response.status_code == 302
    record = Appraisal.objects.get()
    stored = services.stored_appraisal(record)
    assert stored.benefits[0].beneficiary == "not an organisation: Local residents"
    # The results call them by their name; the form shows them as chosen.
    names = services.organisation_names(list(services.report_for(record)["by_organisation"]))
    assert names["not an organisation: Local residents"] == "Local residents"
    assert "Local residents" in client.get(f"/appraisals/{record.pk}/").content.decode()
    line = client.get(f"/appraisals/{record.pk}/edit/").context["benefits"].forms[0]
    assert (line["org"].value(), line["party"].value()) == (RESIDENTS, "Local residents")


def test_a_party_must_be_named_and_a_name_needs_the_choice(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    unnamed = _new(client, collaboration, **{"benefits-0-org": RESIDENTS}).content.decode()
    assert "Enter who benefits, or choose an organisation" in unnamed
    typed = _new(client, collaboration, **{"benefits-0-party": "Local residents"}).content.decode()
    assert "Choose “Not an organisation” above to name someone" in typed
    assert not Appraisal.objects.exists()


def test_an_uploaded_file_names_organisations_by_code_or_name_or_says_not_an_organisation(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    url = f"/appraisals/for/{collaboration.reference}/upload/"
    typo = FORM_YAML.replace("beneficiary: RX9", "beneficiary: East Midlands Ambulance Servce")
    page = client.post(url, {"text": typo}).content.decode()
    assert "benefits[0].beneficiary: no organisation matches" in page
    assert "Did you mean East Midlands Ambulance Service" in page
    assert "not an organisation: East Midlands Ambulance Servce" in page  # how to say so
    assert not Appraisal.objects.exists()

    named = FORM_YAML.replace("beneficiary: RX9", "beneficiary: emas")
    named = named.replace("payer: E31000025", "payer: 'Not an organisation:  local  residents'", 1)
    assert client.post(url, {"text": named}).status_code == 302
    stored = services.stored_appraisal(Appraisal.objects.get())
    assert stored.benefits[0].beneficiary == "RX9"
    assert stored.costs[0].payer == "not an organisation: local residents"


@pytest.mark.unaudited_writes("an appraisal stored before payers were checked, as a fixture")
def test_a_payer_stored_before_choosing_is_kept_as_a_named_party_not_lost(
    client: Client, owner: Any, collaboration: Any
) -> None:
    record = make_appraisal(collaboration)
    Appraisal.objects.filter(pk=record.pk).update(
        yaml_text=record.yaml_text.replace("payer: E31000025", "payer: the council", 1)
    )
    client.force_login(owner)
    line = client.get(f"/appraisals/{record.pk}/edit/").context["costs"].forms[0]
    assert (line["org"].value(), line["party"].value()) == (RESIDENTS, "the council")
