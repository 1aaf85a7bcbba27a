"""The register's list page: its filter form, its rows and the words around them.

The filters are the MOJ filter component (templates/includes/filter.html): each one chosen is
a tag that removes it, and the panel folds away on a phone. The list sorts by its column
headings or the "Sort by" choice, both on the server; the counts beside each choice come from
queries.visible_facet_counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accord.core.filter_widgets import Select, TextInput, attributes
from accord.core.forms import PlainTextForm
from accord.core.matching import did_you_mean
from accord.core.sectors import INVOLVED_LABELS, SERVICES

from . import queries, risks
from .choices import Nature, ResearchArea, ServiceMix, Status
from .models import Collaboration

# What a row shows: the long text fields would cost more to load than to render. The risk
# flags read the status, the funding's end and the agreement besides.
LIST_COLUMNS = (
    "reference",
    "title",
    "nature",
    "status",
    "service_mix",
    "archived_at",
    "funding_ends_on",
    "has_written_agreement",
)
NATURE_LABELS = dict(Nature.choices)
STATUS_LABELS = dict(Status.choices)
MIX_LABELS = dict(ServiceMix.choices)
# A reference cannot hold "/", so the rest of RFC 3986's safe characters are as `reverse`'s.
REFERENCE_SAFE = "!$&'()*+,;=~:@"

# Every order the column headings link to, so that the choice always shows the list's own.
SORT_CHOICES = [
    ("title", "Title"),
    ("-title", "Title, Z to A"),
    ("-risks", "Most at risk"),
    ("risks", "Fewest risks"),
    ("-updated", "Recently updated"),
    ("updated", "Least recently updated"),
    ("-started", "Newest start"),
    ("started", "Oldest start"),
    ("status", "Status, ideas first"),
    ("-status", "Status, ended first"),
]

# Each sustainability flag in a word or two for the list's column; the record's page gives the
# whole sentence. A flag not named here is shown by its sentence.
RISK_WORDS = {
    "no_champion": "No champion",
    "single_champion": "One champion",
    "funding_ending": "Funding ending",
    risks.NO_AGREEMENT: "No written agreement",
    risks.AGREEMENT_NOT_RECORDED: "Agreement not recorded",
    "no_review": "No recent review",
}


# The list's widgets: core.filter_widgets (Select with counts, TextInput), and two of its own.


class SearchInput(TextInput):
    input_type = "search"


class CheckboxInput(forms.CheckboxInput):
    """A tick box."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "type": "checkbox"})
        final["name"] = name
        if self.check_test(value):
            final["checked"] = True
        return mark_safe(f"<input{attributes(final)}>")  # every value escaped


def place_not_found(text: str, suggestions: list[str]) -> str:
    """'No place called “Lincs”. Did you mean Lincolnshire?'"""
    return f"No place called “{text.strip()}”.{did_you_mean(suggestions)}"


class ListFilterForm(PlainTextForm):
    """The list's filters, read from the query string; every field optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        help_text="Words in the title, summary, outcomes or a partner's name",
        widget=SearchInput,
    )
    place = forms.CharField(
        label="Place",
        required=False,
        help_text="A police force area or fire authority area, by name or code: "
        "Lincolnshire or E23000020",
        widget=TextInput,
    )
    organisation = forms.CharField(
        label="Organisation",
        required=False,
        help_text="A partner's code or name",
        widget=TextInput,
    )
    nature = forms.ChoiceField(
        choices=[("", "Any nature"), *Nature.choices], required=False, widget=Select
    )
    research_area = forms.ChoiceField(
        label="Area of research",
        choices=[("", "Any area"), *ResearchArea.choices],
        required=False,
        widget=Select,
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Status.choices], required=False, widget=Select
    )
    mix = forms.ChoiceField(
        label="Service mix",
        choices=[("", "Any mix"), *ServiceMix.choices],
        required=False,
        widget=Select,
    )
    sector = forms.ChoiceField(
        label="Service involved",
        choices=[("", "Any service"), *((s, INVOLVED_LABELS[s]) for s in SERVICES)],
        required=False,
        widget=Select,
    )
    at_risk = forms.BooleanField(label="At risk only", required=False, widget=CheckboxInput)
    archived = forms.BooleanField(label="Include archived", required=False, widget=CheckboxInput)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False, widget=Select)

    #: The places closest to a place nobody knows, once looked for.
    place_suggestions: list[str] = []

    def clean_place(self) -> str:
        text = " ".join(str(self.cleaned_data.get("place") or "").split())
        if text and not queries.place_is_known(text):
            self.place_suggestions = queries.place_suggestions(text)
            raise ValidationError(place_not_found(text, self.place_suggestions))
        return text

    def show_counts(self, facets: Mapping[str, Mapping[str, int]]) -> None:
        """Put the counts of matches beside each choice of the selects."""
        for name in ("nature", "research_area", "status", "mix", "sector"):
            widget = self.fields[name].widget
            if isinstance(widget, Select):
                widget.counts = facets.get(name, {})


def filters_from(form: ListFilterForm) -> dict[str, Any]:
    """The filters to apply: every field given a good value (a place nobody knows is left out,
    and said so beside it, rather than dropping every filter)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v}


def place_not_found_html(form: ListFilterForm, query: QueryDict) -> SafeString:
    """For a place nobody knows, above the results: the same words as the field's message,
    each suggested name a link to the list filtered by it instead; "" for a known place."""
    if "place" not in form.errors:
        return SafeString("")
    text = " ".join(str(form.data.get("place", "")).split())
    links = []
    for name in form.place_suggestions:
        changed = query.copy()
        changed["place"] = name
        changed.pop("page", None)
        links.append(
            format_html('<a class="govuk-link" href="?{}">{}</a>', changed.urlencode(), name)
        )
    if not links:
        return format_html("No place called “{}”.", text)
    choices = (
        links[0] if len(links) == 1 else SafeString(", ".join(links[:-1]) + " or " + links[-1])
    )
    return format_html("No place called “{}”. Did you mean {}?", text, choices)


def count_words(total: int, filtered: bool) -> str:
    """How many: "1 collaboration matches your filters", "2,301 collaborations"."""
    if total == 0:
        return "No collaborations match your filters" if filtered else "No collaborations"
    noun = "collaboration" if total == 1 else "collaborations"
    if filtered:
        return f"{total:,} {noun} {'matches' if total == 1 else 'match'} your filters"
    return f"{total:,} {noun}"


def risk_words(flags: Iterable[Any]) -> list[str]:
    """Each flag in a word or two: "No champion", "Funding ended"."""
    words = []
    for risk in flags:
        word = RISK_WORDS.get(risk.code, risk.message)
        if risk.code == "funding_ending" and risk.message.startswith("Funding ended"):
            word = "Funding ended"
        words.append(word)
    return words


def list_rows(collaborations: Iterable[Collaboration], today: dt.date) -> list[Collaboration]:
    """The page's rows, each with what its line shows worked out here rather than by template
    tags a row: its link, its labels, its risk flags and its partners' short names (one
    query)."""
    rows = list(collaborations)
    names = queries.partner_names([c.pk for c in rows])
    placeholder = "reference-placeholder"
    detail_url = reverse("register:detail", args=[placeholder])
    for c in rows:
        c.partner_names = names[c.pk]  # type: ignore[attr-defined]
        c.url = detail_url.replace(placeholder, quote(c.reference, safe=REFERENCE_SAFE))  # type: ignore[attr-defined]
        c.nature_label = NATURE_LABELS.get(c.nature, c.nature)  # type: ignore[attr-defined]
        c.status_label = STATUS_LABELS.get(c.status, c.status)  # type: ignore[attr-defined]
        c.mix_label = MIX_LABELS.get(c.service_mix, c.service_mix)  # type: ignore[attr-defined]
        flags = queries.risks_of(c, today)
        c.risks = flags  # type: ignore[attr-defined]
        c.risk_cell = risk_cell(risk_words(flags))  # type: ignore[attr-defined]
    return rows


def risk_cell(words: list[str]) -> SafeString:
    """The list's risk column for one row: how many flags as a tag ("2 risks") above each
    flag in a word or two, or "None". Written here, each word escaped, as the selects are: a
    row's few flags cost more through the template language."""
    if not words:
        return mark_safe('<span class="govuk-body-s">None</span>')
    count = f"{len(words)} risk{'' if len(words) == 1 else 's'}"
    items = "".join(f"<li>{escape(word)}</li>" for word in words)
    return mark_safe(
        f'<strong class="govuk-tag govuk-tag--orange">{count}</strong>'
        f'<ul class="govuk-list govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0">'
        f"{items}</ul>"
    )
