"""The KPI pages' forms: adopt an indicator, add a milestone, enter or change a measurement,
import a file of them, filter the portfolio, and add indicators to the library.

Messages are GOV.UK's (core.forms.PlainTextForm); a period is a month and year
(`MonthYearField`), a date the GOV.UK date input; organisations are chosen with the shared
picker (core.widgets), the whole collaboration offered beside them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from accord.core import widgets
from accord.core.filter_widgets import Select, TextInput
from accord.core.forms import PlainTextForm, required_message
from accord.core.sectors import INVOLVED_LABELS, SERVICES
from accord.orgs.models import Organisation

from .choices import Aggregation, Direction, Frequency, MilestoneKind, Unit
from .models import Indicator
from .queries import indicator_choices

#: The picker's choice for an adoption of the collaboration as a whole.
WHOLE = "whole"
WHOLE_LABEL = "The collaboration as a whole"


# A month and year ------------------------------------------------------------------------------


class GovukDateInput(widgets.GovukDateInput):
    """The GOV.UK date input with only its month and year boxes: a period is a month.

    Its class keeps the name of the shared widget because the shared field template and the
    error summary tell widgets apart by their class's name (``govukdate``): the fieldset, the
    legend and the link to the first wrong box all come with it."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["parts"] = [
            part for part in context["widget"]["parts"] if part["part"] != "day"
        ]
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        month, year = data.get(f"{name}-month"), data.get(f"{name}-year")
        if month is not None or year is not None:
            day = "1" if (month or year) else ""
            return {"day": day, "month": month or "", "year": year or ""}
        return data.get(name)


class MonthYearField(widgets.GovukDateField):
    """A month and year, cleaned to the month's first day: "Period must include a year",
    "Period must be a real date", "Enter a period"."""

    widget = GovukDateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 8 2019")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        found = super().to_python(value)
        return found.replace(day=1) if found is not None else None

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            # Its code names the boxes to mark and link to: there is no day box.
            raise ValidationError(required_message(self, "Enter"), code="required:month year")


def _number(label: str, *, required: bool = False, **kwargs: Any) -> forms.FloatField:
    # A figure may have decimals: the shared GOV.UK messages say "Value must be a number".
    return forms.FloatField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        **kwargs,
    )


# Adopting --------------------------------------------------------------------------------------


def _partners(collaboration: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=collaboration.partners.values("organisation_id")
    ).order_by("name")


class AdoptionForm(PlainTextForm):
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(),
        to_field_name="key",
        help_text="From the indicator library",
    )
    organisation = widgets.OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label="Measured for",
        help_text="One of the partners, or the collaboration as a whole. Published figures "
        "(such as AmbSYS) are read for the organisation they describe.",
        extra_choices=[(WHOLE, WHOLE_LABEL)],
    )
    baseline_value = _number("Baseline value")
    baseline_period = MonthYearField(label="Baseline period", required=False)
    target_value = _number(
        "Target", help_text="Leave blank to use the indicator's national standard, if it has one"
    )
    target_by = MonthYearField(
        label="Target date",
        required=False,
        help_text="The month the target is to be reached by, for example, 3 2027",
    )
    tolerance = _number(
        "Tolerance",
        min_value=0,
        help_text="How far on the worse side of the target still counts as within it, in the "
        "indicator's unit",
    )

    error_names = {"organisation": "who it is measured for"}

    def __init__(self, *args: Any, collaboration: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Indicator.objects.filter(archived_at__isnull=True).order_by("title")
        field.label_from_instance = _indicator_label  # type: ignore[method-assign, assignment]
        picker = self.fields["organisation"]
        assert isinstance(picker, widgets.OrganisationChoiceField)
        picker.queryset = _partners(collaboration)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target_by") and data.get("target_value") is None:
            self.add_error("target_value", "Enter a target, or leave the target date blank")
        if data.get("baseline_period") and data.get("baseline_value") is None:
            self.add_error(
                "baseline_value", "Enter a baseline value, or leave the baseline period blank"
            )
        return data

    def to_data(self) -> Any:
        from .services import AdoptionData

        data = self.cleaned_data
        organisation = data["organisation"]
        return AdoptionData(
            indicator=data["indicator"],
            organisation=None if organisation == WHOLE else organisation,
            baseline_value=data.get("baseline_value"),
            baseline_period=data.get("baseline_period"),
            target_value=data.get("target_value"),
            target_by=data.get("target_by"),
            tolerance=data.get("tolerance"),
        )


class AdoptionEditForm(AdoptionForm):
    """An adoption's baseline, target, target date, tolerance and, while no figure is entered
    for it, its indicator and organisation (disabled once there are figures: they stay)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, adoption: Any, **kwargs: Any) -> None:
        # A disabled field takes its value from the initial, sent or not.
        kwargs["initial"] = {**self.initial_for(adoption), **(kwargs.get("initial") or {})}
        super().__init__(*args, collaboration=adoption.collaboration, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        # Its own indicator stays a choice, archived or not.
        field.queryset = Indicator.objects.filter(
            Q(archived_at__isnull=True) | Q(pk=adoption.indicator_id)
        ).order_by("title")
        # Its own organisation stays a choice, a partner still or not.
        picker = self.fields["organisation"]
        assert isinstance(picker, widgets.OrganisationChoiceField)
        picker.queryset = Organisation.objects.filter(
            Q(pk__in=adoption.collaboration.partners.values("organisation_id"))
            | Q(pk=adoption.organisation_id)
        ).order_by("name")
        if adoption.measurements.exists():
            for name in ("indicator", "organisation"):
                self.fields[name].disabled = True
                self.fields[name].help_text = (
                    "Figures are entered for this KPI, so it stays as it is: adopt another "
                    "indicator or organisation instead"
                )
            # A plain select that shows the one it is: the picker's script would offer a box
            # to type in that the page then ignores.
            shown = picker.prepare_value(self.initial.get("organisation"))
            label = adoption.organisation.name if adoption.organisation else WHOLE_LABEL
            picker.widget = forms.Select(
                choices=[(shown, label)],
                attrs={"class": "govuk-select", "disabled": True},
            )

    @staticmethod
    def initial_for(adoption: Any) -> dict[str, Any]:
        return {
            "indicator": adoption.indicator,
            "organisation": adoption.organisation or WHOLE,
            "baseline_value": adoption.baseline_value,
            "baseline_period": adoption.baseline_period,
            "target_value": adoption.target_value,
            "target_by": adoption.target_by,
            "tolerance": adoption.tolerance,
        }


def _indicator_label(indicator: Indicator) -> str:
    unit = dict(Unit.choices).get(indicator.unit, indicator.unit)
    return f"{indicator.title} ({str(unit).lower()}, {indicator.get_frequency_display().lower()})"


class MilestoneForm(PlainTextForm):
    title = forms.CharField(max_length=200, help_text="For example, Joint control room goes live")
    on = widgets.GovukDateField(label="Date")
    kind = forms.ChoiceField(
        label="Kind of milestone", choices=MilestoneKind.choices, widget=forms.RadioSelect
    )
    starts_phase = forms.BooleanField(
        label="Start a new phase of the control chart here (its mean and limits are worked out "
        "afresh from this month on)",
        required=False,
    )

    error_names = {"on": "the date", "kind": "kind of milestone"}

    def to_data(self) -> Any:
        from .services import MilestoneData

        data = self.cleaned_data
        return MilestoneData(
            on=data["on"], title=data["title"], kind=data["kind"], starts_phase=data["starts_phase"]
        )


# Measurements ----------------------------------------------------------------------------------


class MeasurementForm(PlainTextForm):
    period = MonthYearField(
        label="Period", help_text="The month the figure is for: for example, 8 2019"
    )
    value = _number("Value", required=True)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasurementEditForm(PlainTextForm):
    value = _number("Value", required=True)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class ImportForm(PlainTextForm):
    file = forms.FileField(
        label="Measurements file",
        help_text="A CSV or XLSX file with the columns indicator, organisation, period, value "
        "and note.",
    )


# The portfolio's filters -----------------------------------------------------------------------
#
# Its widgets are core.filter_widgets', which write their HTML themselves: through the form
# renderer's templates they cost the portfolio more than its rows.


STATUS_FILTERS = [
    ("", "Any"),
    ("concern", "Special cause concern"),
    ("improvement", "Special cause improvement"),
    ("failing", "Consistently failing its target"),
    ("missed", "Missed"),
    ("within_tolerance", "Within tolerance"),
    ("met", "Met"),
    ("stale", "Stale"),
    ("no_data", "No data"),
    ("no_target", "No target"),
]


class PortfolioFilterForm(PlainTextForm):
    collaboration = forms.CharField(
        required=False,
        max_length=200,
        help_text="A reference, or words of its title",
        widget=TextInput(attrs={"type": "search"}),
    )
    organisation = forms.CharField(
        required=False,
        max_length=200,
        help_text="Code or name; “whole” for the collaboration as a whole",
        widget=TextInput,
    )
    indicator = forms.ChoiceField(required=False, choices=[("", "Any indicator")], widget=Select)
    status = forms.ChoiceField(
        required=False, choices=STATUS_FILTERS, label="Status or icon", widget=Select
    )

    def __init__(
        self, *args: Any, indicators: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        listed = indicator_choices() if indicators is None else indicators
        field.choices = [("", "Any indicator"), *listed]

    def clean_organisation(self) -> Any:
        text = " ".join(str(self.cleaned_data.get("organisation") or "").split())
        if not text:
            return ""
        if text.casefold() in (WHOLE, WHOLE_LABEL.casefold()):
            return WHOLE
        found = (
            Organisation.objects.filter(code__iexact=text).first()
            or Organisation.objects.filter(name__iexact=text).first()
            or Organisation.objects.filter(short_name__iexact=text).first()
        )
        if found is None:
            raise ValidationError(f"No organisation called “{text}”: enter its code or name")
        return found


def filters_from(form: PortfolioFilterForm) -> dict[str, Any]:
    """The filters with a good value (one that is wrong is left out and said so beside it)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


# The library -----------------------------------------------------------------------------------


class IndicatorForm(PlainTextForm):
    key = forms.SlugField(
        label="Identifier",
        max_length=80,
        help_text="Lower-case letters, numbers and hyphens, as in the library file: "
        "for example, fire-primary-response",
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ChoiceField(choices=Unit.choices, widget=forms.RadioSelect)
    direction = forms.ChoiceField(
        label="Which way is better",
        choices=Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which way is better"},
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.RadioSelect)
    aggregation = forms.ChoiceField(
        label="Across organisations", choices=Aggregation.choices, widget=forms.RadioSelect
    )
    weight_column = forms.CharField(
        label="Weighted by",
        required=False,
        max_length=80,
        help_text="For a weighted mean: the column that weights it, such as A8 (incidents)",
    )
    services = forms.MultipleChoiceField(
        label="Services it suits",
        choices=[(s, INVOLVED_LABELS[s]) for s in SERVICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.CharField(
        max_length=1000, help_text="Where the figures come from: for example, AmbSYS, column A25"
    )
    source_url = forms.URLField(
        label="Source's web address", required=False, max_length=500, assume_scheme="https"
    )
    standard = _number("National standard", help_text="A number in the indicator's unit, if any")
    standard_text = forms.CharField(label="The standard in words", required=False, max_length=300)

    error_names = {"aggregation": "how it is combined"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("aggregation") == Aggregation.WEIGHTED_MEAN and not data.get("weight_column"):
            self.add_error("weight_column", "Enter the column that weights the mean")
        return data

    def to_data(self) -> Any:
        from .services import IndicatorData

        data = self.cleaned_data
        return IndicatorData(
            key=data["key"],
            title=data["title"],
            description=data["description"],
            unit=data["unit"],
            direction=data["direction"],
            frequency=data["frequency"],
            aggregation=data["aggregation"],
            weight_column=data.get("weight_column") or "",
            services=list(data.get("services") or []),
            source=data["source"],
            source_url=data.get("source_url") or "",
            standard=data.get("standard"),
            standard_text=data.get("standard_text") or "",
            published_column="",
            computed="",
        )


class LibraryUploadForm(PlainTextForm):
    file = forms.FileField(
        label="Indicator library file (YAML)",
        help_text="A .yaml file in the form of the shipped library: its indicators are added, "
        "or updated where they are not in use.",
    )
