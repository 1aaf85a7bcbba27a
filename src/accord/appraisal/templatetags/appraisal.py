"""Template filters for appraisals: money and ratios as the results pages write them."""

from __future__ import annotations

from typing import Any

from django import template

from accord.appraisal import presentation

register = template.Library()


@register.filter
def money(value: Any) -> str:
    return presentation.money(value)


@register.filter
def ratio(value: Any) -> str:
    return presentation.ratio(value)
