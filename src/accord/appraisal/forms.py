"""Forms: an appraisal built field by field (with its lines in formsets), an uploaded YAML file,
realised benefits, and the unit cost library.

The appraisal form builds the same mapping a YAML file holds, and ``appraisal_file`` checks it,
so that a form and a file are judged by one set of rules. Any number may be written as a
distribution, such as ``triangular(38, 42, 50)``: ``values`` reads the text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from accord.core import safe_yaml
from accord.core.forms import PlainTextForm
from accord.core.matching import NameIndex
from accord.core.problems import Problem, Problems
from accord.core.uploads import read_upload
from accord.core.widgets import OrganisationChoiceField, share_index
from accord.orgs.models import Organisation

from . import engine
from .deflators import DeflatorTable, financial_year_label
from .engine import BENEFIT_CLASSES
from .models import CONFIDENCE_CHOICES, UnitCost
from .services import (
    RealisedData,
    UnitCostData,
    deflator_release,
    organisation_index,
    party_key,
    party_name,
    uplifted,
)
from .values import DISTRIBUTION_HINT, list_text, parse_list_text, parse_value_text, value_text

CLASS_LABELS: Final = {
    "fiscal_cashable": "Fiscal, cashable (cash saved from a public budget)",
    "fiscal_non_cashable": "Fiscal, non-cashable (public resource freed, such as staff hours)",
    "economic": "Economic (wider economic gain)",
    "social": "Social (wellbeing, safety, health)",
}

#: The choice, beside the organisations, of someone who is not one.
NOT_AN_ORGANISATION: Final = "not-an-organisation"


def _party_initial(text: str | None, organisations: NameIndex[Any] | None) -> tuple[str, str]:
    """(the org field's value, the party field's) for a line's payer or beneficiary: an
    organisation's code; or "not an organisation" and the party's name, which is also how a
    name from before organisations were chosen is shown, kept rather than lost."""
    if not text:
        return "", ""
    name = party_name(text)
    if name is not None:
        return NOT_AN_ORGANISATION, name
    found = (organisations or organisation_index()).find(text)
    if found is not None:
        return str(found.code), ""
    return NOT_AN_ORGANISATION, text


# Figures typed as text -----------------------------------------------------------------------


class ValueField(forms.CharField):
    """A number or a distribution, written as text; cleans to the file's form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return parse_value_text(text) if text else None
        except Problems as exc:
            raise ValidationError([str(p) for p in exc.problems]) from exc


class ValueListField(forms.CharField):
    """Per-year values separated by commas; cleans to a list in the file's form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20_000)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return parse_list_text(text) if text else None
        except Problems as exc:
            raise ValidationError([str(p) for p in exc.problems]) from exc


# The appraisal ------------------------------------------------------------------------------


class AppraisalForm(PlainTextForm):
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    price_year = forms.IntegerField(
        label="Price year",
        min_value=1950,
        max_value=2100,
        help_text="The financial year whose prices every figure is in (real terms), by its first "
        f"calendar year: 2016 for {financial_year_label(2016)} prices.",
    )
    years = forms.IntegerField(
        label="Years covered",
        min_value=1,
        max_value=200,
        initial=5,
        help_text="Year 0 is the first year (usually the set-up year); every per-year list "
        "has this many values.",
    )
    discount = forms.ChoiceField(
        choices=[
            (
                engine.GREEN_BOOK,
                "Green Book: 3.5% a year to year 30, then 3.0%, falling to 1.0% after year 300 "
                "(HM Treasury)",
            ),
            (
                engine.GREEN_BOOK_HEALTH,
                "Green Book for health effects: 1.5% a year to year 30, then 1.29%, falling to "
                "0.43% after year 300",
            ),
            ("rate", "A fixed real rate"),
        ],
        initial="green_book",
        widget=forms.RadioSelect,
    )
    discount_rate = ValueField(
        label="Fixed real discount rate",
        help_text="Only with a fixed rate: such as 0.035 or 3.5%. " + DISTRIBUTION_HINT,
    )
    iterations = forms.IntegerField(
        label="Monte Carlo iterations",
        min_value=1,
        max_value=10_000_000,
        initial=engine.DEFAULT_ITERATIONS,
        help_text="Used only where some figure is a range. A page runs at most 100,000.",
    )
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        initial=engine.DEFAULT_SEED,
        help_text="The same seed gives the same figures.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    #: One field a confidence grade, after the discount rate, filled in with the engine's table.
    OB_FIELDS: Final = tuple(f"ob_{grade}" for grade in engine.CONFIDENCE_GRADES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price_year"].initial = timezone.localdate().year
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("discount_rate") + 1
        grades = [
            (
                f"ob_{grade}",
                forms.DecimalField(label=f"Grade {grade}", min_value=0, initial=bias),
            )
            for grade, bias in engine.DEFAULT_OPTIMISM_BIAS_BY_GRADE.items()
        ]
        self.fields = dict([*fields[:at], *grades, *fields[at:]])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("discount") == "rate" and data.get("discount_rate") is None:
            self.add_error("discount_rate", "Give the rate, or choose a Green Book schedule")
        return data

    def to_mapping(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"title": d["title"]}
        if d.get("description"):
            out["description"] = d["description"]
        out["price_year"] = d["price_year"]
        out["years"] = d["years"]
        schedule = d["discount"] in engine.DISCOUNT_SCHEDULES
        out["discount"] = d["discount"] if schedule else d["discount_rate"]
        out["optimism_bias_by_grade"] = {
            grade: float(d[f"ob_{grade}"])
            for grade in engine.CONFIDENCE_GRADES
            if d.get(f"ob_{grade}") is not None
        }
        out["monte_carlo"] = {"iterations": d["iterations"], "seed": d["seed"]}
        return out

    @staticmethod
    def initial_for(appraisal: engine.Appraisal, version: int | None = None) -> dict[str, Any]:
        table = appraisal.optimism_bias_by_grade
        discount = appraisal.discount
        mc = appraisal.monte_carlo or engine.MonteCarloSettings()
        initial: dict[str, Any] = {
            "title": appraisal.title,
            "description": appraisal.description or "",
            "price_year": appraisal.price_year,
            "years": appraisal.years,
            "discount": discount if isinstance(discount, str) else "rate",
            "discount_rate": "" if isinstance(discount, str) else value_text(discount),
            "iterations": mc.iterations,
            "seed": mc.seed,
            "version": version,
        }
        for grade, default in engine.DEFAULT_OPTIMISM_BIAS_BY_GRADE.items():
            # An uploaded file may leave a grade out; the form shows the model's default.
            initial[f"ob_{grade}"] = table.get(grade, default)
        return initial


class UnitCostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        prices = financial_year_label(obj.price_year)
        return f"{obj.name}: £{obj.value:,.2f} {obj.unit} ({prices} prices)"


class LineForm(PlainTextForm):
    """What costs and benefits share. A row left blank is ignored."""

    ORG_KEY = "payer"
    name = forms.CharField(max_length=300, required=False)
    amounts = ValueListField(
        label="Amount in each year (£)",
        help_text="One figure a year, separated by commas, with no thousands separators: "
        "such as 180000, 0, 0. Or give a unit cost and volumes instead.",
    )
    library_cost = UnitCostChoiceField(
        label="Unit cost from the library",
        queryset=UnitCost.objects.none(),
        required=False,
        help_text="Uplifted to the appraisal's price year by the GDP deflator. Or type a unit "
        "cost below.",
    )
    unit_cost = ValueField(label="Unit cost (£)", help_text=DISTRIBUTION_HINT)
    volumes = ValueListField(
        label="Volumes in each year",
        help_text="How many units in each year, separated by commas: such as 0, 3000, 3000.",
    )
    org = OrganisationChoiceField(
        label="Who pays",
        queryset=Organisation.objects.all(),
        required=False,
        extra_choices=[(NOT_AN_ORGANISATION, "Not an organisation (name who below)")],
        help_text="Choose the organisation by its name or code, such as Lincolnshire Fire and "
        "Rescue (E31000025). For people or a body that is not an organisation, choose “Not an "
        "organisation” and name them below.",
    )
    party = forms.CharField(
        label="Who pays, if not an organisation",
        max_length=200,
        required=False,
        help_text="Such as local residents. Only with “Not an organisation” chosen above.",
    )
    #: The line's place in the version of the appraisal the page showed (for merging).
    origin = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confidence = forms.TypedChoiceField(
        label="Confidence grade",
        choices=[("", "Not graded"), *CONFIDENCE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="How good the evidence is; sets the optimism bias from the table above.",
    )
    optimism_bias = ValueField(
        label="Optimism bias (overrides the grade)",
        help_text="Costs are raised by it, benefits cut by it: 0.1 is 10%.",
    )
    source = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the figure comes from. Write 'assumption:' before anything assumed.",
    )
    notes = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        unit_costs: Any = None,
        organisations: NameIndex[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library_cost"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = unit_costs if unit_costs is not None else UnitCost.objects.all()
        if organisations is not None:
            # One index of the organisations for every line of the page, not one a line:
            # the field finds what is sent (and what it shows) in it (core.widgets).
            share_index(self.fields["org"], organisations)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("name") and not any(
            data.get(k) not in (None, "", [])
            for k in ("amounts", "unit_cost", "volumes", "library_cost")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank() and not data.get("name"):
            self.add_error("name", "Give the line a name")
        org, party = data.get("org"), (data.get("party") or "").strip()
        if org == NOT_AN_ORGANISATION and not party:
            self.add_error("party", f"Enter {self.PARTY_WORDS}, or choose an organisation")
        elif party and org != NOT_AN_ORGANISATION:
            self.add_error(
                "party",
                "Choose “Not an organisation” above to name someone who is not an "
                "organisation, or clear this box",
            )
        return data

    PARTY_WORDS = "who pays"

    def to_mapping(self, price_year: int | None, table: DeflatorTable) -> dict[str, Any]:
        """The line in the file's layout; a unit cost from the library is uplifted to the
        appraisal's price year with ``table``, the GDP deflators in use."""
        d = self.cleaned_data
        out: dict[str, Any] = {"name": d["name"]}
        org = d.get("org")
        if org == NOT_AN_ORGANISATION:
            out[self.ORG_KEY] = party_key(d.get("party") or "")
        elif org is not None:
            out[self.ORG_KEY] = org.code
        for key in ("amounts", "volumes"):
            if d.get(key) is not None:
                out[key] = d[key]
        unit_cost = d.get("unit_cost")
        library: UnitCost | None = d.get("library_cost")
        source = d.get("source") or ""
        if unit_cost is None and library is not None:
            value = (
                uplifted(library.value, library.price_year, price_year, table)
                if price_year is not None
                else None
            )
            if value is None or price_year is None:
                value = float(library.value)
                note = (
                    f"{financial_year_label(library.price_year)} prices: no GDP deflator to "
                    "uplift it"
                )
            else:
                # Not rounded: the file keeps the uplift at full precision; pages round.
                note = (
                    f"uplifted from {financial_year_label(library.price_year)} to "
                    f"{financial_year_label(price_year)} prices by the GDP "
                    f"deflator, {deflator_release(table)}"
                )
            unit_cost = value
            source = source or f"Unit cost library: {library.name} ({note}); {library.source}"
        if unit_cost is not None:
            out["unit_cost"] = unit_cost
        if d.get("confidence") is not None:
            out["confidence"] = d["confidence"]
        if d.get("optimism_bias") is not None:
            out["optimism_bias"] = d["optimism_bias"]
        if source:
            out["source"] = source
        if d.get("notes"):
            out["notes"] = d["notes"]
        return out

    @classmethod
    def initial_for(
        cls,
        line: engine.CostLine | engine.BenefitLine,
        organisations: NameIndex[Any] | None = None,
        origin: int | None = None,
    ) -> dict[str, Any]:
        """The line as the form shows it; `organisations` (one index for all the lines) finds
        who pays or benefits, and `origin` is the line's place in the appraisal."""
        org, party = _party_initial(getattr(line, cls.ORG_KEY), organisations)
        return {
            "name": line.name,
            "amounts": list_text(line.amounts),
            "unit_cost": value_text(line.unit_cost),
            "volumes": list_text(line.volumes),
            "org": org,
            "party": party,
            "origin": origin,
            "confidence": line.confidence,
            "optimism_bias": value_text(line.optimism_bias),
            "source": line.source or "",
            "notes": line.notes or "",
        }


class CostLineForm(LineForm):
    pass


class BenefitLineForm(LineForm):
    ORG_KEY = "beneficiary"
    benefit_class = forms.ChoiceField(
        label="Kind of benefit",
        choices=[(k, CLASS_LABELS[k]) for k in BENEFIT_CLASSES],
        initial="social",
    )
    deadweight = ValueField(
        help_text="The share that would have happened anyway, without the collaboration: "
        "0.2 means a fifth of it would have happened regardless.",
    )
    attribution = ValueField(
        help_text="The share owed to others (other services, charities, national schemes) "
        "rather than to this collaboration.",
    )
    displacement = ValueField(
        help_text="The share that has only moved from elsewhere (another area, another "
        "service) rather than being new.",
    )
    drop_off = ValueField(
        label="Drop-off",
        help_text="How much the benefit fades each year after its first year: 0.1 means it "
        "is 10% smaller each year.",
    )
    exclude_from_sroi = forms.BooleanField(
        label="Leave out of the SROI ratio (it still counts in NPV and BCR)", required=False
    )

    PARTY_WORDS = "who benefits"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = "Who benefits"
        self.fields["org"].help_text = (
            "Choose the organisation by its name or code, such as East Midlands Ambulance "
            "Service (RX9). For people or a body that is not an organisation, such as local "
            "residents, choose “Not an organisation” and name them below."
        )
        self.fields["party"].label = "Who benefits, if not an organisation"

    def is_blank(self) -> bool:
        if not super().is_blank():
            return False
        data = getattr(self, "cleaned_data", {}) or {}
        return all(
            data.get(k) is None for k in ("deadweight", "attribution", "displacement", "drop_off")
        )

    def to_mapping(self, price_year: int | None, table: DeflatorTable) -> dict[str, Any]:
        out = super().to_mapping(price_year, table)
        d = self.cleaned_data
        ordered: dict[str, Any] = {"name": out.pop("name"), "class": d["benefit_class"]}
        ordered.update(out)
        for key in ("deadweight", "attribution", "displacement", "drop_off"):
            if d.get(key) is not None:
                ordered[key] = d[key]
        if d.get("exclude_from_sroi"):
            ordered["in_sroi"] = False
        return ordered

    @classmethod
    def initial_for(
        cls,
        line: engine.CostLine | engine.BenefitLine,
        organisations: NameIndex[Any] | None = None,
        origin: int | None = None,
    ) -> dict[str, Any]:
        initial = super().initial_for(line, organisations, origin)
        assert isinstance(line, engine.BenefitLine)
        initial["benefit_class"] = line.benefit_class
        for key in ("deadweight", "attribution", "displacement", "drop_off"):
            value = getattr(line, key)
            initial[key] = "" if value == 0 else value_text(value)
        initial["exclude_from_sroi"] = not line.in_sroi
        return initial


class BaseLineFormSet(BaseFormSet[Any]):
    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this line"

    def kept_forms(self) -> list[tuple[int, LineForm]]:
        """(row index, form) of every row that is neither blank nor marked for removal."""
        kept = []
        for i, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if form.errors or form.is_blank():
                continue
            kept.append((i, form))
        return kept


CostFormSet = formset_factory(
    CostLineForm, formset=BaseLineFormSet, extra=2, can_delete=True, max_num=500
)
BenefitFormSet = formset_factory(
    BenefitLineForm, formset=BaseLineFormSet, extra=2, can_delete=True, max_num=500
)

#: How a path in the file names a field of the forms.
LINE_FIELDS: Final = {
    "name": "name",
    "amounts": "amounts",
    "unit_cost": "unit_cost",
    "volumes": "volumes",
    "payer": "org",
    "beneficiary": "org",
    "confidence": "confidence",
    "optimism_bias": "optimism_bias",
    "class": "benefit_class",
    "deadweight": "deadweight",
    "attribution": "attribution",
    "displacement": "displacement",
    "drop_off": "drop_off",
    "source": "source",
    "notes": "notes",
}
TOP_FIELDS: Final = {
    "title": "title",
    "description": "description",
    "price_year": "price_year",
    "years": "years",
    "discount": "discount_rate",
    "monte_carlo.iterations": "iterations",
    "monte_carlo.seed": "seed",
}
_LINE_PATH = re.compile(r"^(costs|benefits)\[(\d+)\](?:\.([a-z_]+))?")
_GRADE_PATH = re.compile(r"^optimism_bias_by_grade\[(\d)\]")


def attach_problems(
    problems: list[Problem],
    form: AppraisalForm,
    rows: dict[str, list[int]],
    formsets: dict[str, BaseLineFormSet],
) -> None:
    """Show each problem of the built file beside the field it names (or above the form).

    ``rows[kind][i]`` is the formset row that became ``kind[i]`` in the file.
    """
    for problem in problems:
        path, reason = problem.field or "", problem.reason
        line = _LINE_PATH.match(path)
        if line:
            kind, index, key = line.group(1), int(line.group(2)), line.group(3)
            if index < len(rows[kind]):
                target = formsets[kind].forms[rows[kind][index]]
                field = LINE_FIELDS.get(key or "")
                if field and field in target.fields:
                    target.add_error(field, reason)
                else:
                    target.add_error(None, reason)
                continue
        grade = _GRADE_PATH.match(path)
        if grade and f"ob_{grade.group(1)}" in form.fields:
            form.add_error(f"ob_{grade.group(1)}", reason)
            continue
        if path in TOP_FIELDS:
            form.add_error(TOP_FIELDS[path], reason)
            continue
        form.add_error(None, problem)


# Upload --------------------------------------------------------------------------------------


class UploadForm(PlainTextForm):
    file = forms.FileField(
        label="Appraisal file (YAML)",
        required=False,
        help_text="A .yaml file as written by accord appraise --template or downloaded here.",
    )
    text = forms.CharField(
        label="Or paste the YAML",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        required=False,
        max_length=2_000_000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None and not (data.get("text") or "").strip():
            raise ValidationError("Choose a file or paste the YAML")
        if upload is not None:
            try:
                data["yaml_text"] = safe_yaml.decode(read_upload(upload))
            except Problems as exc:
                self.add_error(
                    "file", exc.problems[0].reason[:1].upper() + exc.problems[0].reason[1:]
                )
                return data
            except safe_yaml.YamlRefused as exc:
                self.add_error("file", f"{upload.name}: {exc}")
                return data
            data["source"] = upload.name
        else:
            data["yaml_text"] = data["text"]
            data["source"] = "pasted YAML"
        return data


# Benefits realisation -----------------------------------------------------------------------


class RealisedForm(PlainTextForm):
    year = forms.TypedChoiceField(coerce=int, choices=())
    amount = forms.DecimalField(
        label="Benefit realised (£)",
        max_digits=16,
        decimal_places=2,
        help_text="In the appraisal's price-year prices, after the same adjustments as the "
        "forecast. Recording a year again replaces its figure (the audit log keeps both).",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.CharField(
        max_length=500,
        required=False,
        help_text="A report, dashboard or web address that shows the figure.",
    )

    def __init__(self, *args: Any, years: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (y, f"Year {y}" + (" (first year)" if y == 0 else "")) for y in range(years)
        ]

    def to_data(self) -> RealisedData:
        d = self.cleaned_data
        return RealisedData(
            year=d["year"],
            amount=d["amount"],
            note=d.get("note", ""),
            evidence=d.get("evidence", ""),
        )


# Lists ---------------------------------------------------------------------------------------


class AppraisalFilterForm(PlainTextForm):
    q = forms.CharField(
        label="Collaboration", required=False, help_text="Its reference or words of its title"
    )


class UnitCostFilterForm(PlainTextForm):
    q = forms.CharField(label="Search", required=False)
    price_year = forms.TypedChoiceField(
        label="Show values in the prices of", coerce=int, required=False, choices=()
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["price_year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, financial_year_label(y)) for y in reversed(years)]


class UnitCostForm(PlainTextForm):
    name = forms.CharField(max_length=200)
    category = forms.CharField(max_length=80, required=False, help_text="Such as Crime or Fire")
    value = forms.DecimalField(
        label="Value (£)", min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    unit = forms.CharField(max_length=120, help_text="What one unit is, such as 'per incident'")
    price_year = forms.IntegerField(
        min_value=1950,
        max_value=2100,
        help_text=(
            "The financial year whose prices the value is in, by its first calendar year: "
            f"2015 for {financial_year_label(2015)} prices. A figure in a calendar year's "
            "prices (such as 2019) goes under the financial year that starts in it."
        ),
    )
    confidence = forms.TypedChoiceField(
        label="Confidence grade", choices=CONFIDENCE_CHOICES, coerce=int
    )
    source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The publication: its title, publisher, date and the table giving the figure.",
    )
    source_url = forms.URLField(
        label="Source web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The page where the figure can be read, such as https://www.gov.uk/…",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: UnitCost | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = UnitCost.objects.filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("The library already has a unit cost with this name")
        return name

    def to_data(self) -> UnitCostData:
        d = self.cleaned_data
        return UnitCostData(
            name=d["name"],
            category=d.get("category", ""),
            value=d["value"],
            unit=d["unit"],
            price_year=d["price_year"],
            source=d["source"],
            source_url=d.get("source_url", ""),
            confidence=d["confidence"],
            notes=d.get("notes", ""),
        )

    @staticmethod
    def initial_for(item: UnitCost) -> dict[str, Any]:
        return {
            "name": item.name,
            "category": item.category,
            "value": item.value,
            "unit": item.unit,
            "price_year": item.price_year,
            "confidence": item.confidence,
            "source": item.source,
            "source_url": item.source_url,
            "notes": item.notes,
            "version": item.version,
        }
