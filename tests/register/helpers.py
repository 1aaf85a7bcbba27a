"""Form data for posting a collaboration, as a browser would."""

from typing import Any

from accord.orgs.models import Organisation


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Co-responding pilot",
        "summary": "Firefighters attend cardiac arrests alongside ambulance crews.",
        "research_area": "effective",
        "nature": "co_responding",
        "status": "implementing",
        "lead": Organisation.objects.get(code="E31000025").pk,
        "partners": [Organisation.objects.get(code="RX9").pk],
        "visibility": "partners",
        "champions": "Chief Fire Officer (E31000025)\nDirector of Operations (RX9)",
        "evidence": "Evaluation | https://example.org/evaluation",
        "has_written_agreement": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(collaboration: Any, **overrides: Any) -> dict[str, Any]:
    from accord.register.forms import CollaborationForm

    data: dict[str, Any] = {}
    for key, value in CollaborationForm.initial_for(collaboration).items():
        if value is None or value == [] or value == "":
            continue
        if key == "lead":
            data[key] = value.pk
        elif key in {"partners", "supporters", "named_organisations", "areas"}:
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
