"""Template tags for appraisals: the collaboration panel's list, and money formatting."""

from __future__ import annotations

from typing import Any

from django import template

from accord.appraisal import presentation, services
from accord.appraisal.models import Appraisal

register = template.Library()


@register.simple_tag
def appraisals_of(collaboration: Any) -> list[Appraisal]:
    """The collaboration's appraisals. Call it only where the collaboration is already visible
    to the person (the register's page checks that before it renders the panel)."""
    return list(
        Appraisal.objects.filter(collaboration=collaboration)
        .only("pk", "title", "price_year", "years", "npv", "bcr", "updated_at", "collaboration_id")
        .order_by("title", "pk")
    )


@register.simple_tag
def can_edit_appraisals(collaboration: Any, user: Any) -> bool:
    return services.can_edit(user, collaboration)


@register.filter
def money(value: Any) -> str:
    return presentation.money(value)


@register.filter
def ratio(value: Any) -> str:
    return presentation.ratio(value)
