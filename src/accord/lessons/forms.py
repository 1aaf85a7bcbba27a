"""The lessons' forms: write or edit a lesson, review it (redactions accepted, rejected or
added), actions, action notes, and the list's filters (core.filter_widgets, with counts)."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.core import widgets
from accord.core.choices import Sector
from accord.core.filter_widgets import Select, TextInput
from accord.core.forms import PlainTextForm
from accord.orgs.models import Organisation
from accord.register.choices import ServiceMix

from . import themes
from .choices import ActionStatus, Audience, Evidence, Kind, Source, State
from .redaction import Span

DATE_HINT = "For example, 27 10 2017"


def _active() -> Any:
    return Organisation.objects.filter(active=True)


class LessonForm(PlainTextForm):
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.RadioSelect, label="Kind")
    title = forms.CharField(max_length=300)
    source = forms.ChoiceField(choices=[("", "Choose a source"), *Source.choices])
    occurred_on = widgets.GovukDateField(label="When it happened", help_text=DATE_HINT)
    organisations = widgets.OrganisationsChoiceField(
        None, label="Organisations involved", required=False
    )
    collaboration = forms.CharField(
        required=False,
        max_length=32,
        label="Collaboration",
        help_text="Its reference, such as JACP, if the lesson belongs to one",
    )
    principles = forms.MultipleChoiceField(
        required=False,
        label="JESIP principles it touches",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    factors = forms.MultipleChoiceField(
        required=False,
        label="Research factors it touches",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    what_happened = forms.CharField(widget=forms.Textarea, label="What happened", max_length=20000)
    why = forms.CharField(widget=forms.Textarea, required=False, label="Why", max_length=20000)
    recommendation = forms.CharField(
        widget=forms.Textarea, required=False, label="Recommendation", max_length=20000
    )
    evidence = forms.ChoiceField(
        choices=Evidence.choices, widget=forms.RadioSelect, label="Evidence strength"
    )
    audience = forms.ChoiceField(
        choices=Audience.choices,
        widget=forms.RadioSelect,
        label="Who may see it once published",
        help_text="A public lesson is approved by a platform moderator too",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    error_names = {"occurred_on": "the date it happened"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = self.fields["organisations"]
        assert isinstance(organisations, forms.ModelMultipleChoiceField)
        organisations.queryset = _active()
        principles = self.fields["principles"]
        factors = self.fields["factors"]
        assert isinstance(principles, forms.ChoiceField)
        assert isinstance(factors, forms.ChoiceField)
        principles.choices = list(themes.principles())
        factors.choices = list(themes.factors())


class ReviewForm(PlainTextForm):
    decision = forms.ChoiceField(
        choices=[("publish", "Publish, with the chosen spans redacted"), ("return", "Return")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Reason for returning it",
        help_text="The submitter reads this",
    )
    spans = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Redact these",
        help_text="Accordʼs suggestions are ticked: untick one to reject it",
        choices=(),
    )
    extra = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Also redact",
        help_text="Text to redact wherever it appears, one a line (a name, for example)",
    )

    attachments = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Publish these attachments with it",
        help_text="Tick only a file you have checked holds no personal data",
        choices=(),
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]],
        files: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        spans = self.fields["spans"]
        assert isinstance(spans, forms.ChoiceField)
        spans.choices = choices
        attached = self.fields["attachments"]
        assert isinstance(attached, forms.ChoiceField)
        attached.choices = files or []


def span_key(span: Span) -> str:
    return f"{span.field}:{span.start}:{span.end}:{span.kind}"


def span_from_key(key: str) -> Span | None:
    parts = key.split(":")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return Span(parts[0], int(parts[1]), int(parts[2]), parts[3])


class ActionForm(PlainTextForm):
    title = forms.CharField(max_length=300, label="What is to be done")
    owner = forms.EmailField(label="Owner's email address")
    due = widgets.GovukDateField(label="Due by", help_text=DATE_HINT)


class ActionUpdateForm(PlainTextForm):
    status = forms.ChoiceField(choices=ActionStatus.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(
        widget=forms.Textarea,
        required=False,
        label="Evidence of completion",
        help_text="What was done; needed to mark it done, unless a link is given",
    )
    evidence_url = forms.URLField(
        required=False, label="Link to the evidence", max_length=500, assume_scheme="https"
    )


class AttachmentForm(PlainTextForm):
    file = forms.FileField(label="The file")


class ImportForm(PlainTextForm):
    file = forms.FileField(
        label="A CSV or Excel file",
        help_text="The export's columns: kind, title, source, occurred_on, what_happened, and "
        "optionally organisations, collaboration, principles, factors, why, recommendation, "
        "evidence, audience",
    )


class WithdrawForm(PlainTextForm):
    reason = forms.CharField(widget=forms.Textarea, required=False, label="Why (optional)")


class NoteForm(PlainTextForm):
    text = forms.CharField(widget=forms.Textarea, label="The action note")
    report_by = widgets.GovukDateField(label="Report back by", help_text=DATE_HINT)


class ReplyForm(PlainTextForm):
    text = forms.CharField(widget=forms.Textarea, label="Your organisation's reply")


# The list's filters ------------------------------------------------------------------------------


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *[(str(k), str(v)) for k, v in choices]]


class LessonFilterForm(PlainTextForm):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Words",
        widget=TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(required=False, choices=_any("Any kind", Kind.choices), widget=Select)
    source = forms.ChoiceField(
        required=False, choices=_any("Any source", Source.choices), widget=Select
    )
    principle = forms.ChoiceField(
        required=False, choices=(), widget=Select, label="JESIP principle"
    )
    factor = forms.ChoiceField(required=False, choices=(), widget=Select, label="Research factor")
    organisation = forms.CharField(
        required=False, max_length=200, help_text="A code, such as RX9", widget=TextInput
    )
    sector = forms.ChoiceField(
        required=False, choices=_any("Any sector", Sector.choices), widget=Select
    )
    service_mix = forms.ChoiceField(
        required=False, choices=(), widget=Select, label="Collaboration's service mix"
    )
    evidence = forms.ChoiceField(
        required=False, choices=_any("Any evidence", Evidence.choices), widget=Select
    )
    state = forms.ChoiceField(
        required=False, choices=_any("Any state", State.choices), widget=Select
    )
    after = forms.DateField(
        required=False,
        label="Happened on or after",
        help_text="YYYY-MM-DD",
        widget=TextInput,
    )
    before = forms.DateField(
        required=False,
        label="Happened on or before",
        help_text="YYYY-MM-DD",
        widget=TextInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        principle = self.fields["principle"]
        factor = self.fields["factor"]
        mix = self.fields["service_mix"]
        assert isinstance(principle, forms.ChoiceField)
        assert isinstance(factor, forms.ChoiceField)
        assert isinstance(mix, forms.ChoiceField)
        principle.choices = _any("Any principle", themes.principles())
        factor.choices = _any("Any factor", themes.factors())
        mix.choices = _any("Any service mix", ServiceMix.choices)

    def set_counts(self, counts: dict[str, dict[str, int]]) -> None:
        for name, by_value in counts.items():
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(widget, Select):
                widget.counts = by_value
