"""The analysis pages' forms: make an analysis, upload a file of incident records, choose the
unit costs of duplicated attendance, and add that cost to an appraisal."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.core.forms import PlainTextForm

from .details import DEFAULT_CELL_M
from .layouts import LAYOUTS
from .overlap import DEFAULT_DISTANCE_M, DEFAULT_WINDOW_MINUTES


def _number(label: str, initial: float, help_text: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        initial=initial,
        min_value=0,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"invalid": f"{label} must be a number"},
    )


class AnalysisForm(PlainTextForm):
    title = forms.CharField(label="Title", max_length=200)
    layout = forms.ChoiceField(
        label="The files' layout",
        choices=[(name, layout.description) for name, layout in LAYOUTS.items()],
        initial="accord",
        widget=forms.RadioSelect,
    )
    window_minutes = _number(
        "Time window (minutes)",
        DEFAULT_WINDOW_MINUTES,
        "Records of different services received at most this many minutes apart can be linked",
    )
    distance_m = _number(
        "Distance (metres)",
        DEFAULT_DISTANCE_M,
        "Records at most this far apart (great-circle distance) can be linked",
    )
    cell_m = _number(
        "Hotspot grid cell (metres)",
        DEFAULT_CELL_M,
        "The size of the map's cells; a cell with fewer joint incidents than the disclosure "
        "threshold is not shown",
    )
    data_note = forms.CharField(
        label="Note shown with the results",
        max_length=300,
        required=False,
        help_text="For example, where the records come from",
    )


class UploadForm(PlainTextForm):
    file = forms.FileField(
        label="Incident records (CSV or Parquet)",
        help_text="One service's export, or several services' in one file",
    )
    keep = forms.BooleanField(
        label="Keep the rows after the analysis has run",
        required=False,
        help_text="Otherwise only the file's name, row count and checksum are kept",
    )


class CostForm(PlainTextForm):
    """One unit cost for each service of the results (GET: the page's costing)."""

    price_year = forms.IntegerField(label="Price year", min_value=1950, max_value=2100)

    def __init__(self, *args: Any, services: list[str], library: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", "No unit cost")] + [
            (str(item.pk), f"{item.name}: £{item.value:,} {item.unit} ({item.price_year} prices)")
            for item in library
        ]
        self.services = services
        for service in services:
            self.fields[f"cost_{service}"] = forms.ChoiceField(
                label=f"Unit cost of one {service} attendance",
                choices=choices,
                required=False,
            )

    def chosen(self, library: list[Any]) -> dict[str, Any]:
        by_pk = {str(item.pk): item for item in library}
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            service: by_pk[data[f"cost_{service}"]]
            for service in self.services
            if data.get(f"cost_{service}") in by_pk
        }


class BenefitForm(CostForm):
    """The costing and the appraisal it is added to (POST)."""

    appraisal = forms.TypedChoiceField(label="Appraisal", coerce=int)
    from_year = forms.IntegerField(
        label="From year",
        min_value=0,
        initial=1,
        help_text="The first year of the appraisal the benefit counts in (year 0 is the first)",
    )

    def __init__(self, *args: Any, appraisals: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields.pop("price_year")
        field = self.fields["appraisal"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (a.pk, f"{a.title} ({a.price_year} prices, {a.years} years)") for a in appraisals
        ]
