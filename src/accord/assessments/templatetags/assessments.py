from __future__ import annotations

from typing import Any

from django import template

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
