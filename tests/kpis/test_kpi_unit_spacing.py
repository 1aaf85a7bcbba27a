"""A figure and its unit stay together on a phone: "5,239 s" with a no-break space, on the
collaboration page's KPI panel and the KPI pages, never a space a line may break at."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from tests.kpis.kpi_pages_helpers import make_kpi

from accord.kpis import presentation

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_a_figure_and_its_unit_are_joined_by_a_no_break_space() -> None:
    assert presentation.figure(5239, "seconds") == f"5,239{NBSP}s"
    assert presentation.figure(12.5, "minutes") == f"12.5{NBSP}min"
    # No space at all: nothing to break.
    assert presentation.figure(85.2, "percent") == "85.2%"
    assert presentation.figure(12500, "pounds") == "£12,500"


def test_the_kpi_panel_and_pages_never_break_a_figure_from_its_unit(
    collaboration: Any, colleague: Any
) -> None:
    make_kpi(
        collaboration,
        [5239.0, 5101.0, 5240.0],
        indicator_title="Category 2 mean response",
        indicator_unit="seconds",
        target_value=1800.0,
    )
    client = Client()
    client.force_login(colleague)
    for path in (
        f"/collaborations/{collaboration.reference}/",
        f"/kpis/c/{collaboration.reference}/",
    ):
        page = client.get(path).content.decode()
        assert f"5,240{NBSP}s" in page, path
        # No figure followed by an ordinary space and then its unit.
        assert not re.search(r"\d (s|min)\b(?![a-z])", re.sub(r"<[^>]+>", " ", page)), path
