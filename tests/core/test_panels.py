"""A page gathers the panels other apps register, in their order, skipping those with nothing
to show."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from accord.core import panels


@pytest.fixture
def slot(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(panels, "_REGISTRY", {})
    return "test-slot"


def test_panels_render_in_order_and_one_with_nothing_to_show_is_left_out(
    slot: str, tmp_path: Any, settings: Any
) -> None:
    (tmp_path / "second.html").write_text("<p>Second: {{ n }}</p>")
    (tmp_path / "first.html").write_text("<p>First</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    panels.register(slot, "b", template="second.html", context=lambda r, o: {"n": o}, order=20)
    panels.register(slot, "a", template="first.html", context=lambda r, o: {}, order=10)
    panels.register(slot, "none", template="first.html", context=lambda r, o: None, order=5)
    html = panels.render_panels(slot, RequestFactory().get("/"), 42)
    assert html == ["<p>First</p>", "<p>Second: 42</p>"]


def test_the_collaboration_page_has_the_assessment_and_appraisal_panels() -> None:
    names = [p.name for p in panels.panels("collaboration")]
    assert {"assessments", "appraisal"} <= set(names), names
