"""Organisations are chosen, never typed into the record (issue 11): every organisation field
of the register's forms takes a code or a name in any case, as the import does, and refuses
anything else with "did you mean"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.register.helpers import form_data

from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db


def test_a_lead_and_partners_given_by_name_or_code_in_any_case_are_the_organisations(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    data = form_data(lead="lincolnshire fire and rescue", partners=["rx9"])
    assert client.post("/collaborations/new/", data).status_code == 302
    c = Collaboration.objects.get()
    assert {(p.organisation.code, p.role) for p in c.partners.all()} == {
        ("E31000025", "lead"),
        ("RX9", "partner"),
    }


def test_an_unknown_organisation_is_refused_with_a_suggestion_and_nothing_saved(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(
        "/collaborations/new/", form_data(partners=["East Midlands Ambulance Servce"])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "No organisation matches “East Midlands Ambulance Servce”" in page
    assert "Did you mean East Midlands Ambulance Service" in page
    assert not Collaboration.objects.exists()


def test_a_champions_organisation_is_found_by_code_or_name_or_refused_with_a_suggestion(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    by_name = form_data(champions="Chief Fire Officer (Lincolnshire Fire and Rescue)")
    assert client.post("/collaborations/new/", by_name).status_code == 302
    champion = Collaboration.objects.get().champions.get()
    assert champion.organisation is not None and champion.organisation.code == "E31000025"
    typo = form_data(title="Another", champions="Chief Fire Officer (Lincolnshire Fire and Resce)")
    page = client.post("/collaborations/new/", typo).content.decode()
    assert "No organisation matches “Lincolnshire Fire and Resce”" in page
    assert "Did you mean Lincolnshire Fire and Rescue (E31000025)" in page


def test_services_notified_in_a_review_are_chosen_the_same_way(
    client: Client, owner: Any, collaboration: Any
) -> None:
    client.force_login(owner)
    url = f"/collaborations/{collaboration.reference}/reviews/new/"
    data = {
        "opportunity": "Share the fleet workshop",
        "considered_on": "2026-01-05",
        "decision": "collaborate",
        "reason": "Both keep vehicles at one site.",
        "notified": ["Nottinghamshire Polce"],
    }
    page = client.post(url, data).content.decode()
    assert "No organisation matches “Nottinghamshire Polce”" in page
    assert "Did you mean" in page
    assert not collaboration.reviews.exists()
