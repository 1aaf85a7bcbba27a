"""Number fields on every form (core/forms.py): GOV.UK's messages for what is not a number,
decimal figures never asked for as "a whole number"; thousands separators ("1,250,000",
"£1,250,000") understood, typed in a text box that takes them, and amounts of money shown with
them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from tests.register.helpers import form_data

from accord.appraisal.models import UnitCost
from accord.core.forms import PlainTextForm
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db


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


def test_the_collaboration_form_asks_for_a_funding_amount_as_a_number(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    page = client.post("/collaborations/new/", form_data(funding_amount="about a million"))
    text = page.content.decode()
    assert page.status_code == 200 and "Funding amount must be a number" in text
    assert "whole number" not in text


# Thousands separators ------------------------------------------------------------------------


def test_a_number_is_asked_for_in_a_text_box_that_takes_separators() -> None:
    # <input type="number"> would refuse "1,250,000": the browser would send nothing at all.
    form = FiguresForm(initial={"staff": 1200, "amount": Decimal("1250000.00"), "rate": 0.5})
    amount = str(form["amount"])
    assert 'type="text"' in amount and 'inputmode="decimal"' in amount
    assert 'step="' not in amount
    # An amount of money is shown with its separators; a count or a rate as it is.
    assert 'value="1,250,000"' in amount
    staff = str(form["staff"])
    assert 'inputmode="numeric"' in staff and 'value="1200"' in staff
    assert 'value="1,250.50"' in str(FiguresForm(initial={"amount": Decimal("1250.5")})["amount"])
    # What was typed is shown again as typed.
    assert 'value="£1,250,000"' in str(FiguresForm({"amount": "£1,250,000"})["amount"])


@pytest.mark.parametrize("sent", ["1,250,000", "£1,250,000", "1250000"])
def test_a_funding_amount_with_separators_is_saved_and_shown_with_them(
    owner: Any, sent: str
) -> None:
    client = Client()
    client.force_login(owner)
    made = client.post("/collaborations/new/", form_data(funding_amount=sent))
    assert made.status_code == 302, made.content.decode()[:3000]
    collaboration = Collaboration.objects.get(title="Co-responding pilot")
    assert collaboration.funding_amount == Decimal("1250000")
    edit = client.get(f"/collaborations/{collaboration.reference}/edit/").content.decode()
    field = edit.split('name="funding_amount"', 1)[1].split(">", 1)[0]
    assert 'value="1,250,000"' in field


def test_a_unit_cost_with_separators_is_saved_and_shown_with_them(platform_admin: Any) -> None:
    client = Client()
    client.force_login(platform_admin)
    made = client.post(
        "/appraisals/unit-costs/new/",
        {
            "name": "Fire: attendance at a dwelling fire",
            "category": "Fire",
            "value": "£1,250,000",
            "unit": "per incident",
            "price_year": "2016",
            "confidence": "4",
            "source": "A test source, table 1",
            "version": "",
        },
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    item = UnitCost.objects.get()
    assert item.value == Decimal("1250000")
    edit = client.get(f"/appraisals/unit-costs/{item.pk}/edit/").content.decode()
    assert 'value="1,250,000"' in edit.split('name="value"', 1)[1].split(">", 1)[0]
    # A year is not money: no separator in it.
    assert 'value="2016"' in edit.split('name="price_year"', 1)[1].split(">", 1)[0]
