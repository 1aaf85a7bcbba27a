"""Every web form refuses control characters other than tab and newline in its text fields,
whatever the form's own checks: the kernel's PlainTextForm does it after them all."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms

from accord.core.forms import PlainTextForm

FORM_MODULES = [
    "accord.register.forms",
    "accord.appraisal.forms",
    "accord.assessments.forms",
    "accord.orgs.forms",
]


def _forms() -> list[type[forms.BaseForm]]:
    found: list[type[forms.BaseForm]] = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, forms.BaseForm)
                and value.__module__ == name
                and any(isinstance(f, forms.CharField) for f in value.base_fields.values())
            ):
                found.append(value)
    return found


@pytest.mark.parametrize("form_class", _forms(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_form_with_text_refuses_control_characters(form_class: type) -> None:
    # The sign-in form is Django's own and takes a password, which may hold any character.
    if form_class.__name__ == "SignInForm":
        pytest.skip("passwords are not text that Accord stores or shows")
    assert issubclass(form_class, PlainTextForm), (
        f"{form_class.__name__} does not refuse control characters: base it on PlainTextForm"
    )


@pytest.mark.django_db
def test_the_round_form_refuses_a_control_character_but_keeps_tab_and_newline() -> None:
    from accord.assessments.forms import RoundForm

    form = RoundForm(
        data={
            "title": "Spring\x01 survey",
            "description": "First line\n\tsecond line",
            "opens_on": "2026-03-01",
            "closes_on": "2026-03-31",
            "anonymous": "yes",
        }
    )
    assert not form.is_valid()
    assert "control character (U+0001)" in str(form.errors["title"])
    assert "description" not in form.errors


@pytest.mark.django_db
def test_the_unit_cost_form_refuses_an_escape_character() -> None:
    from accord.appraisal.forms import UnitCostForm

    form = UnitCostForm(
        data={
            "name": "Fire\x1b[31m attendance",
            "value": "100",
            "unit": "per incident",
            "price_year": "2020",
            "confidence": "3",
            "source": "A source",
        }
    )
    assert not form.is_valid()
    assert "control character (U+001B)" in str(form.errors["name"])
