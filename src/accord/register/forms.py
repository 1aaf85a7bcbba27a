from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accord.core import widgets
from accord.core.choices import Visibility
from accord.core.forms import PlainTextForm
from accord.core.matching import not_found_message
from accord.core.sectors import INVOLVED_LABELS, SERVICES
from accord.orgs.choices import AreaKind
from accord.orgs.models import Area, Organisation

from .choices import Nature, ResearchArea, ReviewDecision, Status
from .models import Collaboration
from .services import CollaborationData, ReviewData

DATE_HINT_PARTS = "For example, 27 10 2017"


def _date_field(label: str) -> widgets.GovukDateField:
    """The GOV.UK date input (day, month and year), refused in its words ("Started on must be
    a real date"); one typed value such as 2017-10-27 or 27/10/2017 is understood too."""
    return widgets.GovukDateField(label=label, required=False, help_text=DATE_HINT_PARTS)


def _code_of_id(queryset: Any, value: Any) -> Any:
    """An organisation's (or area's) code for a value that is its id rather than its code or
    name (what the form's selects sent before they sent codes, and what older scripts and tests
    still send)."""
    text = str(value).strip()
    if text.isdigit() and not queryset.filter(code__iexact=text).exists():
        code = queryset.filter(pk=int(text)).values_list("code", flat=True).first()
        if code is not None:
            return code
    return value


class OrganisationChoiceField(widgets.OrganisationChoiceField):
    """One organisation, chosen (never typed into the record): by code or name, in any case,
    anything else refused with "did you mean" (core.widgets, the import's matching)."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset if queryset is not None else _active(), **kwargs)

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not hasattr(value, "code"):
            value = _code_of_id(self.queryset, value)
        return super().to_python(value)


def _ids_to_codes(queryset: Any, value: Any) -> Any:
    """A many-choice field's values with any ids read as `_code_of_id` reads them."""
    if isinstance(value, list | tuple):
        return [v if hasattr(v, "code") else _code_of_id(queryset, v) for v in value]
    if isinstance(value, str):
        return _code_of_id(queryset, value)
    return value


class OrganisationMultipleField(widgets.OrganisationsChoiceField):
    """Any number of organisations, chosen as `OrganisationChoiceField` is one."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset if queryset is not None else _active(), **kwargs)

    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        return super().clean(_ids_to_codes(self.queryset, value))


class AreaMultipleField(widgets.AreasChoiceField):
    """Any number of the areas a collaboration covers: force, fire and rescue authority,
    ambulance and resilience forum areas (districts are found through them), chosen as the
    organisations are and matched as the register's place filter matches (core.widgets)."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        areas = Area.objects.exclude(kind=AreaKind.DISTRICT)
        super().__init__(queryset if queryset is not None else areas, **kwargs)

    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        return super().clean(_ids_to_codes(self.queryset, value))


def _active() -> Any:
    return Organisation.objects.filter(active=True)


#: A written collaboration agreement: yes, no or not known, never assumed.
AGREEMENT_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
AGREEMENT_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "not_known": None}
AGREEMENT_ANSWERS = {value: key for key, value in AGREEMENT_VALUES.items()}


class CollaborationForm(PlainTextForm):
    title = forms.CharField(max_length=200)
    reference = forms.RegexField(
        regex=r"^[A-Za-z0-9-]+$",
        max_length=32,
        required=False,
        help_text="A short unique code, such as JACP. Leave blank to make one from the title.",
        error_messages={"invalid": "Use only letters, digits and hyphens"},
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    research_area = forms.ChoiceField(
        label="Area of research", choices=ResearchArea.choices, widget=forms.RadioSelect
    )
    nature = forms.ChoiceField(label="Nature of the collaboration", choices=Nature.choices)
    status = forms.ChoiceField(choices=Status.choices)
    proposed_on = _date_field("Proposed on")
    started_on = _date_field("Started on")
    ended_on = _date_field("Ended on")
    lead = OrganisationChoiceField(label="Lead organisation")
    partners = OrganisationMultipleField(label="Other partners", required=False)
    supporters = OrganisationMultipleField(
        label="Supporters",
        required=False,
        help_text="Organisations that support it without being full partners.",
    )
    services = forms.MultipleChoiceField(
        label="Services involved",
        choices=[(s, INVOLVED_LABELS[s]) for s in SERVICES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to take them from the partners' sectors.",
    )
    areas = AreaMultipleField(
        label="Areas",
        required=False,
        help_text="Force, fire authority, ambulance or resilience forum areas it covers.",
    )
    funding_source = forms.CharField(max_length=200, required=False)
    funding_amount = forms.DecimalField(
        label="Funding amount (£)", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    funding_ends_on = _date_field("Funding ends on")
    board = forms.CharField(
        label="Governing board",
        max_length=200,
        required=False,
        help_text="The board or group that oversees it.",
    )
    has_written_agreement = forms.ChoiceField(
        label="Is there a written collaboration agreement?",
        choices=AGREEMENT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Under the Policing and Crime Act 2017, s.1. Choose not known if nobody has "
        "found out yet: it is flagged as not recorded, not as no agreement.",
        error_messages={
            "required": "Select yes, no or not known for a written collaboration agreement"
        },
    )
    agreement_signed_on = _date_field("Agreement signed on")
    champions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: a person or a post, with an organisation code in brackets if "
        "you like. For example, Chief Fire Officer (E31000025). One champion only is flagged "
        "as a sustainability risk.",
    )
    outcomes = forms.CharField(
        label="Outcomes and published figures",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Give each figure's source in brackets.",
    )
    public_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.CharField(
        label="Evidence links",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: a title, then | and the web address if there is one.",
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=Visibility.choices,
        initial=Visibility.PARTNERS,
        widget=forms.RadioSelect,
    )
    named_organisations = OrganisationMultipleField(
        label="Named organisations",
        required=False,
        help_text="Only with 'Named organisations only'.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_champions(self) -> list[tuple[str, Organisation | None]]:
        result: list[tuple[str, Organisation | None]] = []
        index = None
        for line in self.cleaned_data["champions"].splitlines():
            line = line.strip()
            if not line:
                continue
            org = None
            if line.endswith(")") and "(" in line:
                name, _, code = line[:-1].rpartition("(")
                # The organisation in brackets by code or name, as every organisation field.
                index = index or widgets.organisation_index(Organisation.objects.all())
                org = index.find(code)
                if org is None:
                    raise ValidationError(
                        not_found_message("organisation", code, index.did_you_mean(code))
                    )
                line = name.strip()
            result.append((line, org))
        return result

    def clean_evidence(self) -> list[tuple[str, str]]:
        result = []
        validate = URLValidator(schemes=["http", "https"])
        for line in self.cleaned_data["evidence"].splitlines():
            if not line.strip():
                continue
            title, _, url = line.partition("|")
            url = url.strip()
            if url:
                try:
                    validate(url)
                except ValidationError as exc:
                    raise ValidationError(f"{url!r} is not a web address") from exc
            result.append((title.strip() or url, url))
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead")
        chosen = [lead, *data.get("partners", []), *data.get("supporters", [])]
        codes = [org.code for org in chosen if org is not None]
        if len(codes) != len(set(codes)):
            self.add_error("partners", "An organisation is listed in more than one role")
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end date must be on or after the start date")
        if data.get("visibility") == Visibility.NAMED and not data.get("named_organisations"):
            self.add_error("named_organisations", "Choose the organisations that may see it")
        return data

    def to_data(self) -> CollaborationData:
        d = self.cleaned_data
        partners = [(d["lead"], "lead")]
        partners += [(org, "partner") for org in d.get("partners", [])]
        partners += [(org, "supporter") for org in d.get("supporters", [])]
        return CollaborationData(
            reference=(d.get("reference") or "").upper(),
            title=d["title"],
            summary=d["summary"],
            research_area=d["research_area"],
            nature=d["nature"],
            status=d["status"],
            partners=partners,
            proposed_on=d.get("proposed_on"),
            started_on=d.get("started_on"),
            ended_on=d.get("ended_on"),
            services=list(d.get("services", [])),
            funding_source=d.get("funding_source", ""),
            funding_amount=d.get("funding_amount"),
            funding_ends_on=d.get("funding_ends_on"),
            board=d.get("board", ""),
            has_written_agreement=AGREEMENT_VALUES.get(d.get("has_written_agreement") or ""),
            agreement_signed_on=d.get("agreement_signed_on"),
            champions=d.get("champions", []),
            evidence=d.get("evidence", []),
            outcomes=d.get("outcomes", ""),
            public_summary=d.get("public_summary", ""),
            notes=d.get("notes", ""),
            visibility=d["visibility"],
            named_organisations=list(d.get("named_organisations", [])),
            areas=list(d.get("areas", [])),
        )

    @staticmethod
    def initial_for(c: Collaboration) -> dict[str, Any]:
        partners = list(c.partners.select_related("organisation"))
        lead = next((p.organisation for p in partners if p.role == "lead"), None)
        return {
            "title": c.title,
            "reference": c.reference,
            "summary": c.summary,
            "research_area": c.research_area,
            "nature": c.nature,
            "status": c.status,
            "proposed_on": c.proposed_on,
            "started_on": c.started_on,
            "ended_on": c.ended_on,
            "lead": lead,
            "partners": [p.organisation for p in partners if p.role == "partner"],
            "supporters": [p.organisation for p in partners if p.role == "supporter"],
            "services": c.services,
            "areas": list(c.areas.all()),
            "funding_source": c.funding_source,
            "funding_amount": c.funding_amount,
            "funding_ends_on": c.funding_ends_on,
            "board": c.board,
            "has_written_agreement": AGREEMENT_ANSWERS[c.has_written_agreement],
            "agreement_signed_on": c.agreement_signed_on,
            "champions": "\n".join(
                f"{ch.name} ({ch.organisation.code})" if ch.organisation else ch.name
                for ch in c.champions.select_related("organisation")
            ),
            "outcomes": c.outcomes,
            "public_summary": c.public_summary,
            "evidence": "\n".join(
                f"{e.title} | {e.url}" if e.url else e.title for e in c.evidence.all()
            ),
            "visibility": c.visibility,
            "named_organisations": list(c.named_organisations.all()),
            "notes": c.notes,
            "version": c.version,
        }


class ImportForm(PlainTextForm):
    file = forms.FileField(help_text="A CSV or XLSX file with the columns of the template.")


class ReviewForm(PlainTextForm):
    opportunity = forms.CharField(
        label="Opportunity considered", widget=forms.Textarea(attrs={"rows": 3})
    )
    considered_on = widgets.GovukDateField(
        label="Considered on",
        help_text=DATE_HINT_PARTS,
        error_messages={"required": "Enter the date it was considered"},
    )
    notified = OrganisationMultipleField(label="Services notified", required=False)
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A service need not collaborate where it would harm public safety, "
        "efficiency or effectiveness: say why.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return data

    def to_data(self) -> ReviewData:
        d = self.cleaned_data
        return ReviewData(
            opportunity=d["opportunity"],
            considered_on=d["considered_on"],
            decision=d["decision"],
            reason=d["reason"],
            notified=list(d.get("notified", [])),
        )
