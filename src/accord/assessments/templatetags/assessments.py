from __future__ import annotations

from typing import Any

from django import template

from accord.assessments import results, services

register = template.Library()


@register.inclusion_tag("assessments/panel_body.html", takes_context=True)
def assessment_panel(context: Any, collaboration: Any) -> dict[str, Any]:
    """The latest round's three Cs on a collaboration's page, and links to its rounds."""
    user = context.get("user")
    return {
        "c": collaboration,
        "panel": results.panel(collaboration),
        "can_manage": user is not None and services.can_manage(user, collaboration),
    }


@register.filter
def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


@register.filter
def index_of(values: Any, index: int) -> Any:
    return values[index]
