"""Filter widgets that write their HTML themselves, every value escaped.

Lists' filter panels (the register's, the KPI portfolio's) render dozens of options on every
request; through the form renderer's templates, one variable at a time, that cost a list page
more than the rest of its panel. Each widget keeps its Django class's name, because
includes/field.html tells widgets apart by it (BoundField.widget_type).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


class Select(forms.Select):
    """A select whose options, given `counts`, each show how many records they would match:
    "Co-responding (12)". Written as HTML here, every value escaped: some sixty options went
    through the template language one variable at a time, a fifth of a list page's rendering."""

    counts: Mapping[str, int] | None = None

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = "" if value is None else str(value)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        # As wide as the panel, never as its longest option: on a phone the folded-out panel
        # is as wide as its widest content, and a long option made it wider than the screen.
        final["class"] = " ".join([*str(final.get("class", "")).split(), "govuk-!-width-full"])
        parts = [f"<select{attributes(final)}>"]
        for option, label in self.choices:
            text = str(label)
            if option and self.counts is not None:
                text = f"{label} ({self.counts.get(str(option), 0):,})"
            selected = " selected" if str(option) == chosen else ""
            parts.append(f'<option value="{escape(str(option))}"{selected}>{escape(text)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value escaped above


def _quoted(value: Any) -> str:
    return f'"{escape(str(value))}"'


def attributes(attrs: Mapping[str, Any]) -> str:
    """HTML attributes, each value escaped; True as the bare name, False and None left out."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value not in (False, None, ""):
            parts.append(f" {key}={_quoted(value)}")
    return "".join(parts)


class TextInput(forms.TextInput):
    """A text box."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "type": self.input_type})
        final["name"] = name
        shown = self.format_value(value)
        if shown is not None:
            final["value"] = shown
        return mark_safe(f"<input{attributes(final)}>")  # every value escaped
