from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def govuk_widget(field: BoundField, css_class: str) -> SafeString:
    """Render a field's widget with GOV.UK classes, its hint and error wired for screen readers."""
    attrs: dict[str, Any] = {}
    error_class = {
        "govuk-input": "govuk-input--error",
        "govuk-textarea": "govuk-textarea--error",
        "govuk-select": "govuk-select--error",
        "govuk-file-upload": "govuk-file-upload--error",
    }
    classes = css_class.split()
    if field.errors:
        classes += [error_class[c] for c in classes if c in error_class]
    attrs["class"] = " ".join(classes)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def label_of(value: str, choices: Any) -> str:
    """The human label of a stored choice value."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.simple_tag
def facet(facets: dict[str, dict[str, int]], name: str, value: str) -> int:
    return facets.get(name, {}).get(value, 0)
