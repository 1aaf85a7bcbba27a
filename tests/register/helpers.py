"""Form data for posting a collaboration, as a browser would."""

import datetime as dt
from typing import Any

from django import forms


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Co-responding pilot",
        "summary": "Firefighters attend cardiac arrests alongside ambulance crews.",
        "research_area": "effective",
        "nature": "co_responding",
        "status": "implementing",
        # Organisations are sent by code, as the page's pickers send them.
        "lead": "E31000025",
        "partners": ["RX9"],
        "visibility": "partners",
        "champions": "Chief Fire Officer (E31000025)\nDirector of Operations (RX9)",
        "evidence": "Evaluation | https://example.org/evaluation",
        "has_written_agreement": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(collaboration: Any, **overrides: Any) -> dict[str, Any]:
    """The edit form as a script would fill it from the record, without the page's record of
    what it showed (see `page_data` for that)."""
    from accord.register.forms import CollaborationForm

    data: dict[str, Any] = {}
    for key, value in CollaborationForm.initial_for(collaboration).items():
        if value is None or value == [] or value == "":
            continue
        if key == "lead":
            data[key] = value.code
        elif key in {"partners", "supporters", "named_organisations"}:
            data[key] = [v.code for v in value]
        elif key == "areas":
            data[key] = [v.pk for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        else:
            data[key] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_data(form: forms.BaseForm, **overrides: Any) -> dict[str, Any]:
    """What the browser sends back for a form as the page shows it (hidden fields included,
    choices not yet made left out), with `overrides` as the person's typing."""
    data: dict[str, Any] = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if value is None or value == "" or value is False or value == []:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, dt.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
