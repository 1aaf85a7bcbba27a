from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from accord.core.forms import PlainTextForm
from accord.core.widgets import GovukDateField, OrganisationChoiceField
from accord.orgs.models import Organisation

from .framework import Factor, Framework
from .models import FrameworkVersion, Level
from .services import RoundData

NOT_APPLICABLE = "na"


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.key}, version {obj.version})"


class RoundForm(PlainTextForm):
    title = forms.CharField(
        max_length=200,
        help_text="For example, Spring 2026 partnership survey",
        error_messages={
            "required": "Enter a title",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    framework = FrameworkChoiceField(
        queryset=FrameworkVersion.objects.order_by("key", "-version"),
        empty_label=None,
        help_text="The statements people will rate.",
        error_messages={"required": "Select a framework"},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to people when they open their link.",
    )
    opens_on = GovukDateField(
        label="Opening date",
        help_text="For example, 1 3 2027. People can answer from this day.",
        error_messages={"required": "Enter an opening date"},
    )
    closes_on = GovukDateField(
        label="Closing date",
        help_text="Today or later. People can answer and change their answers until the end "
        "of this day.",
        error_messages={"required": "Enter a closing date"},
    )
    anonymous = forms.ChoiceField(
        label="Are responses anonymous?",
        choices=[
            ("yes", "Yes: nothing links a response to the person who gave it"),
            ("no", "No: named, each response is linked to its invitation"),
        ],
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether responses are anonymous"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        today = timezone.localdate()
        if closes and closes < today:
            self.add_error("closes_on", "Closing date must be today or in the future")
        elif opens and closes and closes < opens:
            self.add_error(
                "closes_on", "Closing date must be the same as or after the opening date"
            )
        return data

    def warning(self) -> str:
        """What to say of dates that are allowed but may not be what was meant."""
        opens = self.cleaned_data.get("opens_on")
        today = timezone.localdate()
        if opens and opens < today:
            return f"Its opening date, {opens:%-d %B %Y}, has passed: people can answer from today."
        return ""

    def to_data(self) -> RoundData:
        data = self.cleaned_data
        return RoundData(
            title=data["title"],
            framework=data["framework"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            anonymous=data["anonymous"] == "yes",
            description=data["description"],
        )

    @staticmethod
    def initial_values() -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=28),
            "framework": FrameworkVersion.objects.filter(key="collaboration-factors")
            .order_by("-version")
            .first(),
        }


SEND_CHOICES = [
    ("email", "Email each person their link from Accord"),
    ("myself", "I will send the links myself (copy them or download them as a file)"),
]


def _send_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="How will people get their links?",
        choices=SEND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how people will get their links"},
    )


class InviteListForm(PlainTextForm):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line, or separated by commas. Everyone in this list is at the same "
        "organisation and level.",
        error_messages={"required": "Enter at least one email address"},
    )
    # Chosen from the collaboration's partners by code or name (GOV.UK's accessible
    # autocomplete; a select grouped by sector without JavaScript), anything else refused with
    # "did you mean", as the register's lead organisation is.
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        help_text="One of the collaboration's partners.",
        error_messages={"required": "Select the organisation"},
    )
    level = forms.ChoiceField(
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level"},
    )
    send = _send_field()

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners if partners is not None else Organisation.objects.none()


class InviteFileForm(PlainTextForm):
    file = forms.FileField(
        label="Upload a list",
        help_text="CSV or Excel (XLSX) with the columns email, organisation (code or name) and "
        "level (strategic, tactical or operational).",
        error_messages={"required": "Select a file"},
    )
    send = _send_field()


class FrameworkUploadForm(PlainTextForm):
    file = forms.FileField(label="Framework file (YAML)", help_text="A .yaml or .yml file.")


class ResponseImportForm(PlainTextForm):
    """A survey export and which of its columns hold what."""

    file = forms.FileField(
        label="Survey export",
        help_text="CSV or Excel (XLSX), one row per respondent, for example from Microsoft "
        "Forms or SmartSurvey.",
    )
    organisation_column = forms.CharField(
        label="Column with the organisation",
        initial="organisation",
        help_text="The header of the column holding each respondent's organisation (code or name).",
    )
    level_column = forms.CharField(
        label="Column with the level",
        initial="level",
        help_text="The header of the column holding strategic, tactical or operational.",
    )
    comment_column = forms.CharField(
        label="Column with comments", required=False, help_text="Leave blank if there is none."
    )
    mapping_file = forms.FileField(
        label="Mapping file",
        required=False,
        help_text="Optional: a CSV with the columns item and column, instead of the boxes below.",
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        for item in framework.items:
            self.fields[f"item_{item.id}"] = forms.CharField(
                label=f"{item.id}: {item.text}",
                required=False,
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("item_")]

    def item_mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("item_"): (value or "").strip()
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


def answer_choices(framework: Framework) -> list[tuple[str, str]]:
    scale = framework.scale
    return [
        *((str(scale.min + i), label) for i, label in enumerate(scale.labels)),
        (NOT_APPLICABLE, "Not applicable"),
    ]


class SurveyPageForm(PlainTextForm):
    """One radio group per statement of the factors on this page; the comment on the last."""

    def __init__(
        self,
        *args: Any,
        framework: Framework,
        factors: list[Factor],
        with_comment: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.factors = factors
        choices = answer_choices(framework)
        for factor in factors:
            for item in factor.items:
                self.fields[f"item_{item.id}"] = forms.ChoiceField(
                    label=item.text,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
        if with_comment:
            self.fields["comment"] = forms.CharField(
                label="Anything else you would like to say?",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text="Do not include anything that identifies you or anyone else.",
            )

    def groups(self) -> list[tuple[Factor, list[forms.BoundField]]]:
        return [
            (factor, [self[f"item_{item.id}"] for item in factor.items]) for factor in self.factors
        ]

    def answers(self) -> dict[str, Any]:
        """Answers given on this page: item id -> int, or None for not applicable."""
        given: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("item_") or value in ("", None):
                continue
            given[name.removeprefix("item_")] = None if value == NOT_APPLICABLE else int(value)
        return given

    @staticmethod
    def initial_from(answers: dict[str, Any], comment: str) -> dict[str, Any]:
        initial: dict[str, Any] = {"comment": comment}
        for item, value in (answers or {}).items():
            initial[f"item_{item}"] = NOT_APPLICABLE if value is None else str(value)
        return initial
