"""The shared form fields, widgets and messages (core/widgets.py, core/forms.py) and the
template patterns built on them: what a person sees on the page and what the form makes of
what they send."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from accord.core.forms import PlainTextForm, filter_panel
from accord.core.matching import NameIndex
from accord.core.widgets import (
    GovukDateField,
    OrganisationChoiceField,
    OrganisationsChoiceField,
)

pytestmark = pytest.mark.django_db

LINCS_FIRE = "E31000025"
EMAS = "RX9"


def organisations() -> Any:
    from accord.orgs.models import Organisation

    return Organisation.objects.filter(active=True)


class PartnersForm(PlainTextForm):
    lead = OrganisationChoiceField(label="Lead organisation", queryset=None)
    partners = OrganisationsChoiceField(label="Other partners", queryset=None, required=False)
    payer = OrganisationChoiceField(
        label="Who pays",
        queryset=None,
        required=False,
        extra_choices=[("residents", "Local residents")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead", "partners", "payer"):
            self.fields[name].queryset = organisations()  # type: ignore[attr-defined]


def field_html(form: forms.BaseForm, name: str) -> str:
    return render_to_string("includes/field.html", {"field": form[name]})


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Matching, as the import matches -------------------------------------------------------------


def test_a_name_index_finds_by_any_key_ignoring_case_and_spaces() -> None:
    index = NameIndex(
        [("E31000025", "Lincolnshire Fire and Rescue", "Lincs Fire")],
        keys=lambda row: row,
        label=lambda row: f"{row[1]} ({row[0]})",
    )
    assert index.find("e31000025") == index.find("  lincolnshire   FIRE and rescue ")
    assert index.find("LINCS FIRE") is not None
    assert index.find("Lincs") is None
    assert (
        index.did_you_mean("Lincs fyre")
        == " Did you mean Lincolnshire Fire and Rescue (E31000025)?"
    )
    assert index.did_you_mean("Metropolitan") == ""


# One organisation ----------------------------------------------------------------------------


def test_one_organisation_is_a_select_grouped_by_sector_with_nothing_chosen() -> None:
    html = field_html(PartnersForm(), "lead")
    assert (
        '<label class="govuk-label govuk-label--s" for="id_lead">Lead organisation</label>' in html
    )
    # The hook organisations.js enhances with the accessible autocomplete.
    assert 'data-accord-organisation="one"' in html
    assert [g for g in re.findall(r'<optgroup label="([^"]+)"', html)] == [
        "Police",
        "Fire and rescue",
        "Ambulance",
        "Other public body",
    ]
    assert re.search(r'<option value="">Choose an organisation</option>', html)
    assert " selected" not in html
    assert f'<option value="{LINCS_FIRE}"' in html
    assert "Lincolnshire Fire and Rescue (E31000025)" in html


def test_one_organisation_is_cleaned_from_its_code_or_its_name_in_any_case() -> None:
    for sent in (LINCS_FIRE, "lincolnshire fire and rescue", "  LINCOLNSHIRE FIRE AND RESCUE "):
        form = PartnersForm({"lead": sent})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["lead"].code == LINCS_FIRE


def test_an_unknown_organisation_is_refused_with_did_you_mean() -> None:
    form = PartnersForm({"lead": "Lincs fyre"})
    assert not form.is_valid()
    (message,) = form.errors["lead"]
    assert message.startswith("No organisation matches “Lincs fyre”. Did you mean ")
    assert "Lincolnshire Fire and Rescue (E31000025)" in message
    # The summary says which field it is about, and links to it.
    page = render_to_string("includes/error_summary.html", {"form": form})
    assert f'<a href="#id_lead">Lead organisation: {message}</a>' in page


def test_choosing_no_organisation_when_one_is_needed_says_select() -> None:
    form = PartnersForm({"lead": ""})
    assert form.errors["lead"] == ["Select a lead organisation"]


def test_a_party_that_is_not_an_organisation_is_a_separate_explicit_choice() -> None:
    html = field_html(PartnersForm(), "payer")
    assert '<optgroup label="Not an organisation">' in html
    assert '<option value="residents">Local residents</option>' in html
    form = PartnersForm({"lead": LINCS_FIRE, "payer": "Local residents"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["payer"] == "residents"


def test_a_saved_organisation_shows_chosen() -> None:
    from accord.orgs.models import Organisation

    form = PartnersForm(initial={"lead": Organisation.objects.get(code=EMAS)})
    html = field_html(form, "lead")
    assert re.search(rf'<option value="{EMAS}"[^>]* selected>', html)


# Many organisations --------------------------------------------------------------------------


def test_many_organisations_without_javascript_are_checkboxes_grouped_by_sector() -> None:
    from accord.orgs.models import Organisation

    form = PartnersForm(initial={"partners": [Organisation.objects.get(code=EMAS)]})
    html = field_html(form, "partners")
    assert "Hold Ctrl" not in html and "<select" not in html
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        "Other partners (optional)</legend>" in html
    )
    # Each sector a details; the one holding a chosen organisation is open.
    groups = re.findall(r"<details[^>]*>\s*<summary[^>]*>\s*<span[^>]*>([^<]+)</span>", html)
    assert [g.split(" (")[0] for g in groups] == [
        "Police",
        "Fire and rescue",
        "Ambulance",
        "Other public body",
    ]
    assert re.search(r"<details[^>]* open>\s*<summary[^>]*>\s*<span[^>]*>Ambulance", html)
    assert re.search(rf'type="checkbox" name="partners" value="{EMAS}"[^>]* checked', html)
    assert "Chosen: East Midlands Ambulance Service NHS Trust (RX9)" in text(html)
    # The hook organisations.js turns into "add another organisation" with the autocomplete.
    assert 'data-accord-organisations="many" data-accord-id="id_partners"' in html
    # The error summary's link lands on the first group, and later on the autocomplete.
    assert '<summary class="govuk-details__summary" id="id_partners">' in html


def test_many_organisations_are_cleaned_from_codes_and_names_in_order_each_once() -> None:
    form = PartnersForm({"lead": LINCS_FIRE, "partners": [EMAS, "Lincolnshire Police", "rx9"]})
    assert form.is_valid(), form.errors
    assert [org.code for org in form.cleaned_data["partners"]] == [EMAS, "E23000020"]


def test_each_unknown_organisation_among_many_is_named_with_its_suggestion() -> None:
    form = PartnersForm(
        {"lead": LINCS_FIRE, "partners": [EMAS, "East Midlands Ambulence", "Nowhere at all"]}
    )
    assert not form.is_valid()
    misspelt, unknown = form.errors["partners"]
    # The closest first.
    assert misspelt.startswith(
        "No organisation matches “East Midlands Ambulence”. Did you mean East Midlands "
        "Ambulance Service NHS Trust (RX9), "
    )
    assert unknown == "No organisation matches “Nowhere at all”."
    # The page keeps what was chosen by name, as its organisation.
    html = field_html(form, "partners")
    assert re.search(rf'value="{EMAS}"[^>]* checked', html)


def test_many_organisations_when_some_are_needed_says_select() -> None:
    class Needed(PlainTextForm):
        notified = OrganisationsChoiceField(label="Services notified", queryset=None)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["notified"].queryset = organisations()  # type: ignore[attr-defined]

    assert Needed({}).errors["notified"] == ["Select services notified"]


# Dates -----------------------------------------------------------------------------------------


class DatesForm(PlainTextForm):
    start = GovukDateField(label="Start date")
    ended_on = GovukDateField(label="Ended on", required=False)
    error_names = {"ended_on": "end date"}


def dates(**parts: str) -> dict[str, str]:
    return {f"start-{part}": value for part, value in parts.items()}


def test_the_date_input_is_three_boxes_with_a_hint_in_a_fieldset() -> None:
    html = field_html(DatesForm(initial={"start": dt.date(2017, 10, 27)}), "start")
    assert '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_start-hint">' in html
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Start date</legend>'
        in html
    )
    assert "For example, 27 10 2017" in html
    for part, value, width in (("day", "27", 2), ("month", "10", 2), ("year", "2017", 4)):
        assert re.search(
            rf'class="govuk-input govuk-date-input__input govuk-input--width-{width}" '
            rf'id="id_start-{part}" name="start-{part}" type="text" inputmode="numeric"[^>]* '
            rf'value="{value}"',
            html,
        ), part


def test_a_date_is_read_from_its_boxes_with_month_names_and_ordinals() -> None:
    for day, month, year in (
        ("27", "10", "2017"),
        ("27th", "Oct", "2017"),
        ("1", "january", "2024"),
    ):
        form = DatesForm(dates(day=day, month=month, year=year))
        assert form.is_valid(), form.errors
    assert DatesForm(dates(day="27", month="10", year="2017")).is_valid()
    # One ISO value, as an API client or an older test sends it, is read too.
    form = DatesForm({"start": "2017-10-27"})
    assert form.is_valid() and form.cleaned_data["start"] == dt.date(2017, 10, 27)


@pytest.mark.parametrize(
    ("parts", "message", "highlighted"),
    [
        ({}, "Enter a start date", ["day", "month", "year"]),
        ({"day": "", "month": "", "year": ""}, "Enter a start date", ["day", "month", "year"]),
        ({"day": "27", "year": "2017"}, "Start date must include a month", ["month"]),
        ({"year": "2017"}, "Start date must include a day and month", ["day", "month"]),
        ({"day": "27"}, "Start date must include a month and year", ["month", "year"]),
        ({"day": "31", "month": "6", "year": "2017"}, "Start date must be a real date", ["day"]),
        ({"day": "29", "month": "2", "year": "2023"}, "Start date must be a real date", ["day"]),
        ({"day": "27", "month": "13", "year": "2017"}, "Start date must be a real date", ["month"]),
        ({"day": "32", "month": "1", "year": "2017"}, "Start date must be a real date", ["day"]),
        (
            {"day": "x", "month": "y", "year": "2017"},
            "Start date must be a real date",
            ["day", "month"],
        ),
        ({"day": "27", "month": "10", "year": "17"}, "Year must include 4 numbers", ["year"]),
    ],
)
def test_a_wrong_date_is_refused_in_govuk_words_highlighting_the_wrong_part(
    parts: dict[str, str], message: str, highlighted: list[str]
) -> None:
    form = DatesForm(dates(**parts))
    assert not form.is_valid()
    assert form.errors["start"] == [message]
    html = field_html(form, "start")
    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert (
        '<p id="id_start-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html
    )
    assert 'aria-describedby="id_start-hint id_start-error"' in html
    marked = re.findall(r'govuk-input--error" id="id_start-(\w+)"', html)
    assert marked == highlighted
    summary = render_to_string("includes/error_summary.html", {"form": form})
    # Linked to the first wrong box; "Start date: Year must include 4 numbers" in the summary.
    assert re.search(rf'<a href="#id_start-{highlighted[0]}">(Start date: )?{message}</a>', summary)


def test_an_optional_date_left_blank_is_none_and_its_error_name_is_the_forms() -> None:
    form = DatesForm({**dates(day="1", month="2", year="2020"), "ended_on-year": "2020"})
    assert not form.is_valid()
    assert form.errors["ended_on"] == ["End date must include a day and month"]
    form = DatesForm(dates(day="1", month="2", year="2020"))
    assert form.is_valid() and form.cleaned_data["ended_on"] is None


# GOV.UK messages for Django's defaults ------------------------------------------------------


class RecordForm(PlainTextForm):
    title = forms.CharField(max_length=20)
    summary = forms.CharField(widget=forms.Textarea)
    status = forms.ChoiceField(choices=[("open", "Open"), ("closed", "Closed")])
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=[("public", "Public"), ("partners", "Partners")],
        initial="partners",
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(label="Funding amount (£)", required=False, min_value=0)
    staff = forms.IntegerField(label="Staff", required=False)
    email = forms.EmailField(label="Email address", required=False)
    reference = forms.CharField(
        required=False, max_length=5, error_messages={"max_length": "Use 5 letters or fewer"}
    )
    upload = forms.FileField(label="CSV file", required=False)


def test_required_fields_say_enter_or_select_naming_the_field() -> None:
    form = RecordForm({})
    assert form.errors["title"] == ["Enter a title"]
    assert form.errors["summary"] == ["Enter a summary"]
    assert form.errors["status"] == ["Select a status"]
    assert form.errors["visibility"] == ["Select who can see it"]


def test_django_default_wording_is_replaced_and_an_authors_message_kept() -> None:
    form = RecordForm(
        {
            "title": "x" * 21,
            "summary": "s",
            "status": "lost",
            "visibility": "public",
            "amount": "-1",
            "staff": "many",
            "email": "nobody",
            "reference": "TOOLONG",
        }
    )
    assert form.errors == {
        "title": ["Title must be 20 characters or less"],
        "status": ["Select a status from the list"],
        "amount": ["Funding amount must be 0 or more"],
        "staff": ["Staff must be a whole number"],
        "email": ["Enter an email address in the correct format, like name@example.com"],
        "reference": ["Use 5 letters or fewer"],
    }


def test_a_required_radio_has_no_preselected_answer_and_a_required_select_starts_empty() -> None:
    html = field_html(RecordForm(), "visibility")
    assert "checked" not in html
    html = field_html(RecordForm(), "status")
    assert re.search(r'<option value="" selected>Choose a status</option>', html)
    # A saved record's answer still fills it in.
    html = field_html(RecordForm(initial={"visibility": "public"}), "visibility")
    assert re.search(r'value="public" checked', html)


def test_browsers_leave_checking_to_the_server() -> None:
    assert "required" not in field_html(RecordForm(), "title")


def test_numbers_are_read_with_thousands_separators_and_pounds() -> None:
    base = {"title": "t", "summary": "s", "status": "open", "visibility": "public"}
    for sent, expected in (("1,250,000", Decimal("1250000")), ("£1,250.50", Decimal("1250.50"))):
        form = RecordForm({**base, "amount": sent})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == expected
    assert not RecordForm({**base, "amount": "1,25"}).is_valid()


def test_the_summary_prefixes_only_a_message_that_does_not_name_its_field() -> None:
    form = RecordForm({"title": "t", "summary": "s", "status": "open", "visibility": "public"})
    form.is_valid()
    form.add_error("summary", "An organisation is listed twice")
    form.add_error("title", "Title is already used")
    page = text(render_to_string("includes/error_summary.html", {"form": form}))
    assert "Summary: An organisation is listed twice" in page
    assert "Title is already used" in page and "Title: Title" not in page


# The filter panel ------------------------------------------------------------------------------


class FilterForm(PlainTextForm):
    q = forms.CharField(label="Search", required=False)
    status = forms.MultipleChoiceField(
        choices=[("open", "Open"), ("closed", "Closed")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    archived = forms.BooleanField(label="Include archived", required=False)
    sort = forms.ChoiceField(choices=[("title", "Title")], required=False)


def test_the_filter_panel_lists_each_chosen_filter_with_a_link_that_removes_it() -> None:
    request = RequestFactory().get(
        "/collaborations/",
        {"q": "fire", "status": ["open", "closed"], "archived": "on", "sort": "title", "page": "3"},
    )
    panel = filter_panel(FilterForm(request.GET), request)
    shown = {c.heading: [(i.label, i.remove_url) for i in c.items] for c in panel.categories}
    assert shown == {
        "Search": [("fire", "/collaborations/?status=open&status=closed&archived=on&sort=title")],
        "Status": [
            ("Open", "/collaborations/?q=fire&status=closed&archived=on&sort=title"),
            ("Closed", "/collaborations/?q=fire&status=open&archived=on&sort=title"),
        ],
        "Include archived": [
            ("Include archived", "/collaborations/?q=fire&status=open&status=closed&sort=title")
        ],
    }
    assert panel.clear_url == "/collaborations/?sort=title"
    html = render_to_string("includes/filter.html", {"panel": panel})
    assert 'data-module="moj-filter"' in html and "moj-action-bar__filter" in html
    assert "Selected filters" in html and "Clear filters" in html
    assert '<span class="govuk-visually-hidden">Remove this filter:</span> Closed</a>' in html


def test_no_filter_chosen_shows_no_selected_filters() -> None:
    request = RequestFactory().get("/collaborations/")
    panel = filter_panel(FilterForm(request.GET), request)
    assert not panel.selected
    assert "Selected filters" not in render_to_string("includes/filter.html", {"panel": panel})


# Tables and money ------------------------------------------------------------------------------


def render(source: str, **context: Any) -> str:
    return Template("{% load accord %}" + source).render(Context(context))


def test_money_never_breaks_across_lines() -> None:
    assert (
        render("{{ v|money }}", v=Decimal("-249992.4"))
        == '<span class="accord-nowrap">−£249,992</span>'
    )
    assert render("{{ v|money:2 }}", v=1234.5) == '<span class="accord-nowrap">£1,234.50</span>'
    assert render("{{ v|money }}", v=None) == '<span class="accord-nowrap">–</span>'


def test_a_sortable_heading_links_to_the_other_order_and_says_which_it_is() -> None:
    request = RequestFactory().get("/collaborations/", {"q": "fire", "sort": "title", "page": "2"})
    html = render(
        '{% sort_header "Title" "title" %}{% sort_header "Status" "status" %}', request=request
    )
    assert (
        'aria-sort="ascending"><a class="govuk-link govuk-link--no-visited-state accord-sort-link '
        'accord-sort-link--ascending" href="?q=fire&amp;sort=-title">' in html
    )
    assert (
        'aria-sort="none"><a class="govuk-link govuk-link--no-visited-state accord-sort-link '
        'accord-sort-link--none" href="?q=fire&amp;sort=status">' in html
    )


def test_a_scrolling_table_is_a_labelled_region_a_keyboard_can_reach() -> None:
    html = render('{% scrolling_table "Collaborations" %}<table></table>{% endscrolling_table %}')
    assert html == (
        '<div class="accord-table-scroll" role="region" aria-label="Collaborations" '
        'tabindex="0"><table></table></div>'
    )
