from __future__ import annotations

from typing import Any

from django import template

from accord.assessments import presentation

register = template.Library()


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


@register.filter
def withheld(value: Any, k: int) -> str:
    """Why a figure or a breakdown's column is not shown, in the pages' words."""
    return str(value.withheld(k))


@register.filter
def note(row: Any, k: int) -> str:
    """Why a count is not shown."""
    return str(row.note(k))


@register.filter
def any_shown(columns: Any) -> bool:
    return presentation.any_shown(list(columns))
