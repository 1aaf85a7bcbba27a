"""The site's template tags and filters: GOV.UK form markup, the shared patterns (a sortable
column heading, a scrolling table, money that never breaks) and small lookups.

docs/architecture.md, "Shared UI patterns", shows each in use.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.forms import BoundField
from django.http import HttpRequest
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accord.core.widgets import date_error_parts

register = template.Library()


def _describers(field: BoundField) -> list[str]:
    described = []
    if field.help_text or field.widget_type == "govukdate":
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    return described


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
    if classes:
        attrs["class"] = " ".join(classes)
    described = _describers(field)
    if field.widget_type in ("govukdate", "organisationcheckboxes"):
        # The fieldset carries the description; the date's boxes show which part is wrong.
        described = []
        if field.errors and field.widget_type == "govukdate":
            attrs["data-error-parts"] = " ".join(date_error_parts(field.errors))
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def described_by(field: BoundField) -> SafeString:
    """` aria-describedby="..."` for a fieldset: its hint and its error, or nothing."""
    described = _describers(field)
    if not described:
        return SafeString("")
    return format_html(' aria-describedby="{}"', " ".join(described))


@register.simple_tag
def error_anchor(field: BoundField) -> str:
    """The id the error summary links to: the field's own input, the first radio or checkbox,
    the first wrong box of a date, the organisation picker."""
    widget_type = field.widget_type
    if widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    if widget_type == "govukdate":
        parts = date_error_parts(field.errors) or ["day"]
        return f"{field.auto_id}-{parts[0]}"
    return str(field.auto_id)


@register.simple_tag
def summary_message(field: BoundField, error: str) -> str:
    """An error as the summary lists it: as written when it names its field ("Enter a
    title"), else after the field's label ("Partners: An organisation is listed twice")."""
    name = str(getattr(field.field, "error_name", "") or field.label or "").casefold()
    label = str(field.label or "").casefold()
    text = str(error)
    if (name and name in text.casefold()) or (label and label in text.casefold()):
        return text
    return f"{field.label}: {text}" if field.label else text


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


# Money ---------------------------------------------------------------------------------------


@register.filter
def money(value: Any, places: int = 0) -> SafeString:
    """£1,234 (−£1,234 below zero, "–" for none) that never breaks across lines:
    ``{{ amount|money }}``, ``{{ amount|money:2 }}`` for pence."""
    if value is None or value == "":
        return format_html('<span class="accord-nowrap">{}</span>', "–")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return format_html('<span class="accord-nowrap">{}</span>', str(value))
    if not number.is_finite() or not math.isfinite(float(number)):
        return format_html('<span class="accord-nowrap">{}</span>', "–")
    places = int(places)
    rounded = round(number, places)
    text = f"£{abs(rounded):,.{places}f}"
    if rounded < 0:
        text = "−" + text
    return format_html('<span class="accord-nowrap">{}</span>', text)


# Sortable column headings ----------------------------------------------------------------------


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(
    context: Context, label: str, key: str, param: str = "sort", numeric: bool = False
) -> dict[str, Any]:
    """A column heading that sorts the list by `key` on the server (so it works without
    JavaScript and across pages): ``{% sort_header "Title" "title" %}``. The list is sorted by
    `key` ascending and `-key` descending; the heading says which with aria-sort."""
    request: HttpRequest | None = context.get("request")
    current = request.GET.get(param, "") if request is not None else ""
    if current == key:
        state, target = "ascending", f"-{key}"
    elif current == f"-{key}":
        state, target = "descending", key
    else:
        state, target = "none", key
    href = "?" + param + "=" + target
    if request is not None:
        query = request.GET.copy()
        query[param] = target
        query.pop("page", None)
        href = "?" + query.urlencode()
    return {"label": label, "state": state, "href": href, "numeric": numeric}


# Scrolling tables ------------------------------------------------------------------------------


class ScrollingTableNode(template.Node):
    def __init__(self, label: template.base.FilterExpression, nodelist: template.NodeList):
        self.label = label
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        return format_html(
            '<div class="accord-table-scroll" role="region" aria-label="{}" tabindex="0">{}</div>',
            self.label.resolve(context),
            SafeString(self.nodelist.render(context)),
        )


@register.tag
def scrolling_table(parser: Parser, token: Token) -> ScrollingTableNode:
    """A wide table that scrolls sideways on a phone, as a region a keyboard can reach and a
    screen reader can name: ``{% scrolling_table "Collaborations" %}<table ...>...</table>
    {% endscrolling_table %}``."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scrolling_table takes one argument: its label")
    nodelist = parser.parse(("endscrolling_table",))
    parser.delete_first_token()
    return ScrollingTableNode(parser.compile_filter(bits[1]), nodelist)
