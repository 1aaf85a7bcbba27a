"""Number fields on every form (core/forms.py): GOV.UK's messages for what is not a number,
decimal figures never asked for as "a whole number"."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client
from tests.register.helpers import form_data

from accord.core.forms import PlainTextForm


class FiguresForm(PlainTextForm):
    staff = forms.IntegerField(label="Staff", required=False)
    amount = forms.DecimalField(label="Funding amount (£)", required=False, decimal_places=2)
    rate = forms.FloatField(label="Response rate", required=False)


def test_a_figure_that_may_have_decimals_is_asked_for_as_a_number_not_a_whole_number() -> None:
    # Django's DecimalField and FloatField are kinds of IntegerField: the messages tell them
    # apart.
    form = FiguresForm({"staff": "2.5", "amount": "lots", "rate": "half"})
    assert form.errors == {
        "staff": ["Staff must be a whole number"],
        "amount": ["Funding amount must be a number"],
        "rate": ["Response rate must be a number"],
    }
    form = FiguresForm({"staff": "3", "amount": "2.50", "rate": "0.5"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_collaboration_form_asks_for_a_funding_amount_as_a_number(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    page = client.post("/collaborations/new/", form_data(funding_amount="about a million"))
    text = page.content.decode()
    assert page.status_code == 200 and "Funding amount must be a number" in text
    assert "whole number" not in text
