"""The register's filters as the MOJ filter component: each filter chosen shown as a tag that
removes it, "Clear filters" that keeps the order, the panel beside the results (folded behind
"Show filter" on a phone: tests/browser/test_register_list_browser.py), and counts in words."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from accord.register.listing import count_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilots(make_collaboration: Any) -> None:
    make_collaboration("Co-responding pilot", visibility="public", status="operational")
    make_collaboration(
        "Estates pilot", visibility="public", nature="shared_estates", status="implementing"
    )


def _tags(response: Any) -> dict[str, list[tuple[str, dict[str, list[str]]]]]:
    """Each category of selected filters: its tags' words and what each tag's link keeps."""
    panel = response.context["panel"]
    return {
        category.heading: [
            (item.label, parse_qs(urlsplit(item.remove_url).query)) for item in category.items
        ]
        for category in panel.categories
    }


def test_the_list_is_laid_out_as_the_moj_filter(client: Client, pilots: None) -> None:
    page = client.get("/collaborations/").content.decode()
    assert '<div class="moj-filter-layout">' in page
    assert 'data-module="moj-filter"' in page
    # The action bar the "Show filter" button goes in on a phone.
    assert '<div class="moj-action-bar__filter"></div>' in page
    assert "Selected filters" not in page  # nothing chosen, no tags


def test_each_chosen_filter_is_a_tag_whose_link_removes_only_it(
    client: Client, pilots: None
) -> None:
    response = client.get(
        "/collaborations/",
        {"status": "operational", "q": "pilot", "at_risk": "on", "sort": "-updated", "page": "1"},
    )
    page = response.content.decode()
    assert "Selected filters" in page
    assert 'class="moj-filter__tag"' in page
    tags = _tags(response)
    assert [label for label, _ in tags["Status"]] == ["Operational"]  # the label, not the code
    assert [label for label, _ in tags["Search"]] == ["pilot"]
    assert [label for label, _ in tags["At risk only"]] == ["At risk only"]
    _, without_status = tags["Status"][0]
    assert without_status == {"q": ["pilot"], "at_risk": ["on"], "sort": ["-updated"]}
    # Removing a tag goes back to the first page and keeps the order.
    assert "page" not in without_status


def test_clear_filters_keeps_the_order(client: Client, pilots: None) -> None:
    response = client.get("/collaborations/", {"status": "operational", "sort": "-updated"})
    assert response.context["panel"].clear_url == "/collaborations/?sort=-updated"
    assert "sort" not in _tags(response)  # the order is not a filter


def test_the_choices_show_how_many_each_would_match(client: Client, pilots: None) -> None:
    page = client.get("/collaborations/").content.decode()
    assert '<option value="shared_estates">Shared estates (1)</option>' in page
    assert '<select class="govuk-select govuk-!-width-full" id="id_status" name="status">' in page


def test_the_filter_panel_labels_each_field_and_links_its_hint(
    client: Client, pilots: None
) -> None:
    page = client.get("/collaborations/").content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_place">Place</label>' in page
    assert 'aria-describedby="id_place-hint" id="id_place" type="text" name="place"' in page
    assert (
        '<input class="govuk-checkboxes__input" id="id_at_risk" type="checkbox" name="at_risk">'
        in page
    )


def test_a_filter_value_is_escaped_on_the_page(client: Client, pilots: None) -> None:
    page = client.get("/collaborations/", {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in page


@pytest.mark.parametrize(
    ("total", "filtered", "words"),
    [
        (0, False, "No collaborations"),
        (0, True, "No collaborations match your filters"),
        (1, False, "1 collaboration"),
        (1, True, "1 collaboration matches your filters"),
        (2, True, "2 collaborations match your filters"),
        (2301, False, "2,301 collaborations"),
    ],
)
def test_counts_are_said_with_the_right_plural(total: int, filtered: bool, words: str) -> None:
    assert count_words(total, filtered) == words


def test_the_page_says_how_many_match_in_words(client: Client, pilots: None) -> None:
    one = client.get("/collaborations/", {"status": "operational"}).content.decode()
    assert "<strong>1 collaboration matches your filters</strong>" in one
    two = client.get("/collaborations/", {"q": "pilot"}).content.decode()
    assert "<strong>2 collaborations match your filters</strong>" in two
    every = client.get("/collaborations/", {"sort": "-updated"}).content.decode()
    assert "<strong>2 collaborations</strong>" in every  # an order is not a filter


@pytest.mark.parametrize("sort", ["title", "-title", "-updated", "updated", "-started", "started"])
def test_every_order_a_heading_links_to_is_accepted(
    client: Client, pilots: None, sort: str
) -> None:
    response = client.get("/collaborations/", {"sort": sort})
    assert response.status_code == 200 and not response.context["form"].errors
    titles = [c.title for c in response.context["page"].object_list]
    if sort in ("title", "-title"):
        assert titles == sorted(titles, reverse=sort.startswith("-"))
