"""The unit cost library Accord ships: every figure cited, in a price year uplift can use, and
covering what the three services' business cases count (fires, road collisions, ambulance and
hospital care, crime, wellbeing); the pages label price years as financial years (2015-16)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.test import Client
from tests.support.factories import UnitCostFactory

from accord.appraisal import services
from accord.appraisal.deflators import financial_year_label, load_table
from accord.appraisal.forms import UnitCostForm
from accord.appraisal.models import UnitCost

SHIPPED: list[dict[str, Any]] = yaml.safe_load(services.UNIT_COSTS_FILE.read_text("utf-8"))
NAMES = [item["name"] for item in SHIPPED]

#: Entries whose only page the search found is served over http, kept as found rather than
#: given an address nobody checked. Each must say so in its own comment.
HTTP_AS_FOUND = {"Ambulance: call-out seen at the scene (see and treat, or see and convey)"}


@pytest.mark.parametrize("item", SHIPPED, ids=NAMES)
def test_every_shipped_figure_names_its_source_page_price_year_and_grade(
    item: dict[str, Any],
) -> None:
    table = load_table()
    assert " ".join(str(item["source"]).split()), "a source"
    url = item["source_url"]
    if item["name"] in HTTP_AS_FOUND:
        assert url.startswith("http://")
    else:
        assert url.startswith("https://"), url
    assert table.years[0] <= item["price_year"] <= table.years[-1]
    assert item["price_year"] in table
    assert item["confidence"] in range(1, 7)
    assert Decimal(str(item["value"])) > 0
    assert item["unit"]
    # What the search found, kept beside the figure.
    assert " ".join(str(item.get("checked") or "").split())


def test_each_entry_is_preceded_by_the_quote_that_gives_its_figure() -> None:
    lines = services.UNIT_COSTS_FILE.read_text("utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("- name:")]
    assert len(starts) == len(SHIPPED)
    for i in starts:
        assert lines[i - 1].startswith("#"), lines[i]
    text = "\n".join(lines)
    for name in HTTP_AS_FOUND:
        block = text.split(f'- name: "{name}"')[1].split("\n- name:")[0]
        assert "served over http" in block


def test_no_figure_is_written_from_memory() -> None:
    text = services.UNIT_COSTS_FILE.read_text("utf-8").lower()
    assert "not to hand" not in text and "from memory" not in text
    assert len(set(NAMES)) == len(NAMES)


def test_the_library_covers_fire_ambulance_health_road_crime_and_wellbeing() -> None:
    categories = {item["category"] for item in SHIPPED}
    assert {"Fire", "Road", "Crime", "Wellbeing"} <= categories
    assert categories & {"Ambulance", "Health"}
    lowered = [name.lower() for name in NAMES]

    def has(*words: str) -> bool:
        return any(all(w in name for w in words) for name in lowered)

    assert has("dwelling fire")
    assert has("road", "collision")
    assert has("ambulance", "convey")
    assert has("a&e attendance")
    assert has("bed day")
    assert has("homicide") and has("wellby")


@pytest.mark.django_db
def test_loading_the_library_stores_every_entry_once_with_its_source_and_link() -> None:
    assert services.load_unit_cost_library("test") == len(SHIPPED)
    assert services.load_unit_cost_library("test") == 0
    table = services.deflator_table()
    latest = table.years[-1]
    for item in SHIPPED:
        stored = UnitCost.objects.get(name=item["name"])
        assert stored.source_url == item["source_url"]
        assert stored.price_year == item["price_year"]
        assert "  " not in stored.source and "\n" not in stored.source
        assert services.uplifted(stored.value, stored.price_year, latest, table) is not None


@pytest.mark.django_db
def test_the_list_page_labels_price_years_as_financial_years(
    client: Client, colleague: Any
) -> None:
    services.load_unit_cost_library("test")
    client.force_login(colleague)
    page = client.get("/appraisals/unit-costs/?q=robbery").content.decode()
    latest = financial_year_label(services.deflator_table().years[-1])
    assert "Crime: robbery" in page
    assert "2015-16 prices</span>" in page
    assert f"In {latest} prices" in page and f"values shown in {latest} prices" in page
    everything = client.get("/appraisals/unit-costs/").content.decode()
    labels = re.findall(r'govuk-!-margin-0">([^<]*) prices</span>', everything)
    assert labels and all(re.fullmatch(r"\d{4}-\d{2}", label) for label in labels), labels
    assert "2009-10 prices</span>" in everything  # the road figures, June 2009 prices


@pytest.mark.django_db
def test_the_list_page_says_no_deflator_for_a_year_in_its_financial_year_label(
    client: Client, colleague: Any
) -> None:
    UnitCostFactory(name="Old figure", price_year=1950)
    client.force_login(colleague)
    page = client.get("/appraisals/unit-costs/").content.decode()
    assert "No deflator for 1950-51" in page


def test_the_unit_cost_form_explains_price_years_as_financial_years() -> None:
    form = UnitCostForm()
    assert "2015-16 prices" in str(form.fields["price_year"].help_text)
    assert form.fields["source_url"].help_text
