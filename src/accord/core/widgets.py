"""The form fields and widgets every app shares (docs/architecture.md, "Shared UI patterns").

- `OrganisationChoiceField` and `OrganisationsChoiceField`: one organisation, or many, chosen
  from a queryset of organisations (anything with `code`, `name`, `sector` and perhaps
  `short_name`: `core` imports no app, so the caller passes `accord.orgs`' queryset). Submitted
  values are codes; a name or short name is understood too, in any case, and anything else is
  refused with "did you mean" suggestions, exactly as the import matches (`core.matching`).
  Without JavaScript one renders a select grouped by sector and many render checkboxes grouped
  by sector; with it, GOV.UK's accessible autocomplete takes over (static/accord/organisations.js)
  and many become "add another organisation" with a list of those chosen, each removable.
- `GovukDateField` with `GovukDateInput`: the GOV.UK date input (day, month and year boxes) and
  the Design System's error wording.

They render through templates/widgets/ and the shared templates/includes/field.html.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.widgets import ChoiceWidget

from .choices import Sector
from .forms import field_error_name, required_message
from .matching import NameIndex, not_found_message

# Organisations ---------------------------------------------------------------------------

#: The group heading of choices that are not organisations ("Local residents").
OTHERS_GROUP = "Not an organisation"


def organisation_label(org: Any) -> str:
    """How every page and message names an organisation: "Lincolnshire Fire and Rescue
    (E31000025)"."""
    return f"{org.name} ({org.code})"


def organisation_index(organisations: Iterable[Any]) -> NameIndex[Any]:
    """Organisations found by code, name or short name, as the import finds them."""
    return NameIndex(
        organisations,
        keys=lambda org: (org.code, org.name, getattr(org, "short_name", "") or ""),
        label=organisation_label,
    )


def _sector_label(sector: str) -> str:
    try:
        return str(Sector(sector).label)
    except ValueError:
        return str(sector).capitalize() or str(Sector.OTHER.label)


def _index_of(field: Any) -> NameIndex[Any]:
    """The organisations of `field`'s queryset, indexed once per form (fields are copied for
    each form) and again only if the queryset is replaced: one query however many values."""
    cached = getattr(field, "_index", None)
    if cached is None or cached[0] is not field.queryset:
        cached = (field.queryset, organisation_index(field.queryset))
        field._index = cached
    return cached[1]


def _match(field: Any, value: str) -> Any:
    """The organisation (or extra choice's key) that `value` names; ValidationError with
    suggestions otherwise."""
    text = str(value).strip()
    for key, label in field.extra_choices:
        if text.casefold() in (key.casefold(), label.casefold()):
            return key
    index = _index_of(field)
    found = index.find(text)
    if found is not None:
        return found
    raise ValidationError(
        not_found_message("organisation", text, index.did_you_mean(text)),
        code="invalid_choice",
        params={"value": text},
    )


def _code_for(field: Any, value: Any) -> Any:
    """A value as the page shows it chosen: an organisation's code, a name turned into its
    organisation's code, anything else as it is."""
    if hasattr(value, "code"):
        return value.code
    if isinstance(value, str) and value.strip() and field.queryset is not None:
        found = _index_of(field).find(value)
        if found is not None:
            return found.code
    return value


class OrganisationChoiceField(forms.ModelChoiceField):
    """One organisation: cleaned to the Organisation (or an extra choice's key, a str).

    ``OrganisationChoiceField(label="Lead organisation", queryset=Organisation.objects.filter(
    active=True))``; ``extra_choices=[("residents", "Local residents")]`` adds choices that are
    not organisations, shown apart and cleaned to their key.
    """

    def __init__(
        self,
        queryset: QuerySet[Any] | None,
        *,
        extra_choices: Sequence[tuple[str, str]] = (),
        empty_label: str = "Choose an organisation",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", OrganisationSelect)
        super().__init__(queryset, empty_label=empty_label, to_field_name="code", **kwargs)
        self.extra_choices = [(str(key), str(label)) for key, label in extra_choices]
        self.widget.extra_choices = self.extra_choices

    def label_from_instance(self, obj: Model) -> str:
        return organisation_label(obj)

    def prepare_value(self, value: Any) -> Any:
        prepared = _code_for(self, value)
        return prepared if prepared is not value else super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if hasattr(value, "code"):
            return value
        return _match(self, str(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(self.prepare_value(data) or "")


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    """Any number of organisations: cleaned to a list of Organisations (and extra choices'
    keys), in the order sent, each once.

    ``OrganisationsChoiceField(label="Other partners", queryset=..., required=False)``.
    """

    def __init__(
        self,
        queryset: QuerySet[Any] | None,
        *,
        extra_choices: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", OrganisationCheckboxes)
        super().__init__(queryset, to_field_name="code", **kwargs)
        self.extra_choices = [(str(key), str(label)) for key, label in extra_choices]
        self.widget.extra_choices = self.extra_choices

    def label_from_instance(self, obj: Model) -> str:
        return organisation_label(obj)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | QuerySet):
            return [self.prepare_value(v) for v in value]
        return _code_for(self, value)

    # A list, not a queryset: it keeps the order sent and may hold extra choices' keys.
    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        if isinstance(value, str):
            value = [value]
        if value is not None and not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        values = [v for v in (value or []) if v not in self.empty_values]
        if not values:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        chosen: list[Any] = []
        errors: list[ValidationError] = []
        for item in values:
            try:
                found = item if hasattr(item, "code") else _match(self, str(item))
            except ValidationError as exc:
                errors.append(exc)
                continue
            if all(found is not seen and found != seen for seen in chosen):
                chosen.append(found)
        if errors:
            raise ValidationError(errors)
        self.run_validators(chosen)
        return chosen

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = {str(v) for v in (self.prepare_value(initial) or [])}
        after = {str(v) for v in (self.prepare_value(data) or [])}
        return before != after


Groups = list[tuple[str | None, list[dict[str, Any]], int | None]]


def _grouped_options(
    widget: ChoiceWidget, name: str, value: list[str], attrs: dict[str, Any] | None
) -> Groups:
    """The widget's choices as (sector heading, options, index): police, fire, ambulance,
    other, then the choices that are not organisations; each option knows its organisation's
    short name (for the autocomplete to match on)."""
    groups: dict[str, list[tuple[Any, str, str]]] = {}
    for option_value, label in widget.choices:
        if option_value in ("", None):
            continue
        instance = getattr(option_value, "instance", None)
        sector = getattr(instance, "sector", Sector.OTHER)
        keywords = getattr(instance, "short_name", "") or ""
        groups.setdefault(sector, []).append((option_value, str(label), keywords))
    extra = getattr(widget, "extra_choices", [])
    ordered: list[tuple[str, list[tuple[Any, str, str]]]] = [
        (_sector_label(sector), groups[sector]) for sector in Sector.values if sector in groups
    ]
    ordered += [(_sector_label(s), opts) for s, opts in groups.items() if s not in Sector.values]
    if extra:
        ordered.append((OTHERS_GROUP, [(key, label, "") for key, label in extra]))
    chosen = {str(v) for v in value}
    result: Groups = []
    index = 0
    for heading, options in ordered:
        built = []
        for option_value, label, keywords in options:
            text = str(option_value)
            option = widget.create_option(name, text, label, text in chosen, index, attrs=attrs)
            option["keywords"] = keywords
            option["group"] = heading
            built.append(option)
            index += 1
        result.append((heading, built, len(result)))
    return result


class OrganisationSelect(forms.Select):
    """One organisation: a select grouped by sector, which organisations.js turns into GOV.UK's
    accessible autocomplete."""

    template_name = "widgets/organisation_select.html"
    extra_choices: list[tuple[str, str]] = []

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Groups:
        return _grouped_options(self, name, value, attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        empty = next((str(label) for v, label in self.choices if v in ("", None)), "")
        context["widget"]["empty_label"] = empty
        return context


class OrganisationCheckboxes(forms.CheckboxSelectMultiple):
    """Many organisations: checkboxes grouped by sector (each group a GOV.UK details, open
    when it holds a chosen one), which organisations.js turns into "add another organisation"
    with the accessible autocomplete and a list of those chosen."""

    template_name = "widgets/organisation_checkboxes.html"
    extra_choices: list[tuple[str, str]] = []

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Groups:
        return _grouped_options(self, name, value, attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        groups = context["widget"]["optgroups"]
        context["widget"]["chosen"] = [
            option["label"] for _, options, _ in groups for option in options if option["selected"]
        ]
        context["widget"]["open_groups"] = [
            heading for heading, options, _ in groups if any(o["selected"] for o in options)
        ]
        return context

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The fieldset's legend labels the group; the error summary links to the first
        # group's heading (or, with JavaScript, the autocomplete), which carry this id.
        return id_


# Dates -----------------------------------------------------------------------------------

PARTS = ("day", "month", "year")
MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
MONTHS["sept"] = 9
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")


class GovukDateInput(forms.Widget):
    """The GOV.UK date input: day, month and year boxes named `<name>-day`, `<name>-month` and
    `<name>-year` (ids the same, so the error summary can link to each). A single `<name>`
    value, as an ISO date (an API client or an older test), is read too."""

    template_name = "widgets/date_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        error_parts = set((attrs.pop("data-error-parts", "") or "").split())
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        described = context["widget"]["attrs"].get("aria-describedby", "")
        parts = self.parts(value)
        context["widget"]["group_id"] = base_id
        context["widget"]["describedby"] = described
        context["widget"]["parts"] = [
            {
                "part": part,
                "label": part.capitalize(),
                "name": f"{name}-{part}",
                "id": f"{base_id}-{part}",
                "value": parts[i],
                "width": 4 if part == "year" else 2,
                "error": part in error_parts,
            }
            for i, part in enumerate(PARTS)
        ]
        return context

    @staticmethod
    def parts(value: Any) -> tuple[str, str, str]:
        if isinstance(value, dt.date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, dict):
            return (value.get("day", ""), value.get("month", ""), value.get("year", ""))
        if isinstance(value, list | tuple) and len(value) == 3:
            return (str(value[0] or ""), str(value[1] or ""), str(value[2] or ""))
        if isinstance(value, str) and value:
            try:
                iso = dt.date.fromisoformat(value)
            except ValueError:
                return ("", "", "")
            return (str(iso.day), str(iso.month), str(iso.year))
        return ("", "", "")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        sent = [data.get(f"{name}-{part}") for part in PARTS]
        if any(value is not None for value in sent):
            return {part: (value or "") for part, value in zip(PARTS, sent, strict=True)}
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else id_


class GovukDateField(forms.Field):
    """A date typed as day, month and year, refused in the GOV.UK Design System's words:

    - nothing entered: "Enter a start date";
    - a part missing: "Start date must include a month" (or "a day and month", ...);
    - a part that cannot be right (day 32, month 13, 31 June, a word): "Start date must be a
      real date";
    - a year of fewer than 4 numbers: "Year must include 4 numbers".

    The error's code names the parts at fault (`incomplete:month`, `invalid:day`), which the
    widget highlights. `error_name` is what messages call the date ("start date"); by default
    the label in lower case. Month names ("jan", "January") and ordinal days ("1st") are
    understood.
    """

    widget = GovukDateInput

    def __init__(self, *, error_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error_name = error_name

    def _name(self) -> str:
        return field_error_name(self) if self.label or self.error_name else "date"

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            # One value, not three boxes: an ISO date or the register's 27/10/2017.
            return self._from_text(value)
        parts = [str(value.get(part, "") or "").strip() for part in PARTS]
        if not any(parts):
            return None
        name = self._name()
        missing = [part for part, text in zip(PARTS, parts, strict=True) if not text]
        if missing:
            raise ValidationError(
                f"{_capital(name)} must include a {' and '.join(missing)}",
                code="incomplete:" + " ".join(missing),
            )
        day_text, month_text, year_text = parts
        day = _day(day_text)
        month = _month(month_text)
        year = int(year_text) if year_text.isdigit() else None
        wrong = [
            part
            for part, ok in (
                ("day", day is not None and 1 <= day <= 31),
                ("month", month is not None),
                ("year", year is not None and (year >= 1 or len(year_text) < 4)),
            )
            if not ok
        ]
        if wrong:
            raise ValidationError(
                f"{_capital(name)} must be a real date", code="invalid:" + " ".join(wrong)
            )
        assert day is not None and month is not None and year is not None
        if len(year_text) < 4:
            raise ValidationError("Year must include 4 numbers", code="invalid:year")
        try:
            return dt.date(year, month, day)
        except ValueError:
            # 31 June, 29 February in a common year: the day is what cannot be.
            raise ValidationError(
                f"{_capital(name)} must be a real date", code="invalid:day"
            ) from None

    def _from_text(self, value: str) -> dt.date:
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValidationError(
            f"{_capital(self._name())} must be a real date", code="invalid:day month year"
        )

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            message = str(self.error_messages["required"])
            if message == str(forms.Field.default_error_messages["required"]):
                message = required_message(self, "Enter")
            raise ValidationError(message, code="required")

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            data_value = self.to_python(data)
        except ValidationError:
            return True
        initial_value = initial
        if isinstance(initial, str) and initial:
            try:
                initial_value = dt.date.fromisoformat(initial)
            except ValueError:
                initial_value = None
        return initial_value != data_value


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(text: str) -> int | None:
    text = text.strip().lower()
    ordinal = _ORDINAL.match(text)
    if ordinal:
        text = ordinal.group(1)
    return int(text) if text.isdigit() and len(text) <= 2 else None


def _month(text: str) -> int | None:
    text = text.strip().lower().rstrip(".")
    if text.isdigit() and len(text) <= 2:
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


def date_error_parts(errors: Any) -> list[str]:
    """The parts of a date input to highlight for a field's errors (`field.errors`): those a
    GovukDateField error's code names, or all three for any other error (nothing entered, a
    form's own check such as "must be after the start date")."""
    as_data = getattr(errors, "as_data", None)
    if not errors or as_data is None:
        return []
    parts: list[str] = []
    for error in as_data():
        code = getattr(error, "code", "") or ""
        _, _, named = code.partition(":")
        for part in named.split() if named else PARTS:
            if part in PARTS and part not in parts:
                parts.append(part)
    return [part for part in PARTS if part in parts]
