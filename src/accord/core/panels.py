"""Panels: the parts of a page that belong to other apps.

A collaboration's page shows its assessments, its appraisals and, later, its KPIs and lessons.
The register knows none of them: each app registers a panel in its `AppConfig.ready()`, and the
page asks the registry for the panels of its slot, in order. A panel renders its own app's
template with its own context, so no template includes another app's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

#: Given the request and the page's object, a panel's context, or None to show nothing.
PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    template: str
    context: PanelContext
    order: int = 100


_REGISTRY: dict[str, dict[str, Panel]] = {}


def register(
    slot: str, name: str, *, template: str, context: PanelContext, order: int = 100
) -> None:
    """Add (or, under the same name, replace) a panel in a slot such as "collaboration"."""
    _REGISTRY.setdefault(slot, {})[name] = Panel(slot, name, template, context, order)


def panels(slot: str) -> list[Panel]:
    return sorted(_REGISTRY.get(slot, {}).values(), key=lambda p: (p.order, p.name))


def render_panels(slot: str, request: HttpRequest, obj: Any) -> list[SafeString]:
    """Each panel of the slot rendered for this object, skipping those with nothing to say."""
    rendered = []
    for panel in panels(slot):
        context = panel.context(request, obj)
        if context is None:
            continue
        html = render_to_string(panel.template, context, request=request)
        rendered.append(mark_safe(html))
    return rendered
