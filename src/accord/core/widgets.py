"""The form fields and widgets every app shares (docs/architecture.md, "Shared UI patterns").

- `OrganisationChoiceField` and `OrganisationsChoiceField`: one organisation, or many, chosen
  from a queryset of organisations (anything with `code`, `name`, `sector` and perhaps
  `short_name`: `core` imports no app, so the caller passes `accord.orgs`' queryset). Submitted
  values are codes; a name or short name is understood too, in any case, and anything else is
  refused with "did you mean" suggestions, exactly as the import matches (`core.matching`).
  Without JavaScript one renders a select grouped by sector and many render checkboxes grouped
  by sector; with it, GOV.UK's accessible autocomplete takes over (static/accord/organisations.js)
  and many become "add another organisation" with a list of those chosen, each removable.
- `AreaChoiceField` and `AreasChoiceField`: the same for areas (anything with `code`, `name`
  and a `kind` with choices), grouped by kind, labelled "Lincolnshire (police force area,
  E23000020)" and matched as the register's place filter matches (`core.places`).
  Both pairs are `CatalogueChoiceField` and `CatalogueMultipleChoiceField` with a `Catalogue`.
- `GovukDateField` with `GovukDateInput`: the GOV.UK date input (day, month and year boxes) and
  the Design System's error wording.

They render through templates/widgets/ and the shared templates/includes/field.html.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.widgets import ChoiceWidget

from . import places
from .choices import Sector
from .forms import field_error_name, required_message
from .matching import NameIndex, not_found_message

# Pickers: organisations and areas ----------------------------------------------------------
#
# One field class and one widget pair for anything chosen from a list by its code: what
# differs between organisations and areas (how each is labelled, grouped and found) is a
# `Catalogue`. The widgets keep the names they had when only organisations used them,
# `OrganisationSelect` and `OrganisationCheckboxes`: includes/field.html and the accord
# template tags tell widgets apart by their class's name (BoundField.widget_type).

#: The group heading of choices that are not organisations ("Local residents").
OTHERS_GROUP = "Not an organisation"


class Finder(Protocol):
    """What a catalogue's index answers: everything a typed text names (one organisation, or
    the several areas that share a name), and the "did you mean" sentence for a miss."""

    def find(self, text: str) -> list[Any]: ...

    def did_you_mean(self, text: str) -> str: ...


@dataclass(frozen=True)
class Catalogue:
    """What a picker chooses from: `noun` and `plural` for its words ("No area matches",
    "Add another area"), each thing's `label`, its `group` on the page (a rank to order the
    groups by, and a heading), `keywords` the autocomplete also matches it by, and `index`,
    which makes a `Finder` of a queryset's things."""

    noun: str
    plural: str
    label: Callable[[Any], str]
    group: Callable[[Any], tuple[int, str]]
    keywords: Callable[[Any], str]
    index: Callable[[Iterable[Any]], Finder]

    @property
    def indefinite(self) -> str:
        """ "an organisation", "an area"."""
        return f"{'an' if self.noun[:1].lower() in 'aeiou' else 'a'} {self.noun}"


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


class _OneEach:
    """A NameIndex as a Finder: a code or name is at most one organisation."""

    def __init__(self, index: NameIndex[Any]) -> None:
        self._index = index

    def find(self, text: str) -> list[Any]:
        found = self._index.find(text)
        return [] if found is None else [found]

    def did_you_mean(self, text: str) -> str:
        return self._index.did_you_mean(text)


def _sector_label(sector: str) -> str:
    try:
        return str(Sector(sector).label)
    except ValueError:
        return str(sector).capitalize() or str(Sector.OTHER.label)


def _sector_group(org: Any) -> tuple[int, str]:
    """Police, fire, ambulance, other, then any sector Accord does not list."""
    sector = getattr(org, "sector", Sector.OTHER)
    rank = Sector.values.index(sector) if sector in Sector.values else len(Sector.values)
    return rank, _sector_label(sector)


ORGANISATIONS = Catalogue(
    noun="organisation",
    plural="organisations",
    label=organisation_label,
    group=_sector_group,
    keywords=lambda org: getattr(org, "short_name", "") or "",
    index=lambda organisations: _OneEach(organisation_index(organisations)),
)


def _kind_label(area: Any) -> str:
    display = getattr(area, "get_kind_display", None)
    return str(display() if display is not None else area.kind)


def area_label(area: Any) -> str:
    """How the forms name an area, its kind said because a name may be two areas:
    "Lincolnshire (police force area, E23000020)"."""
    kind = _kind_label(area)
    return f"{area.name} ({kind[:1].lower()}{kind[1:]}, {area.code})"


def area_index(areas: Iterable[Any]) -> places.PlaceIndex[Any]:
    """Areas found by code or name as the register's place filter finds them (core.places):
    in any case, "&" and "and" alike, a name shared by two areas finding both."""
    return places.PlaceIndex(
        areas, code=lambda area: area.code, name=lambda area: area.name, label=area_label
    )


def _kind_group(area: Any) -> tuple[int, str]:
    """Areas grouped by kind, in the order the model lists its kinds: "Police force areas"."""
    try:
        kinds = [value for value, _ in area._meta.get_field("kind").choices]
    except (AttributeError, LookupError):
        kinds = []
    rank = kinds.index(area.kind) if area.kind in kinds else len(kinds)
    # Every kind's label is a singular noun that takes an s ("Local resilience forum").
    return rank, f"{_kind_label(area)}s"


AREAS = Catalogue(
    noun="area",
    plural="areas",
    label=area_label,
    group=_kind_group,
    keywords=lambda area: "",
    index=area_index,
)


def _index_of(field: Any) -> Finder:
    """The things of `field`'s queryset, indexed once per form (fields are copied for each
    form) and again only if the queryset is replaced: one query however many values."""
    cached = getattr(field, "_index", None)
    if cached is None or cached[0] is not field.queryset:
        cached = (field.queryset, field.catalogue.index(field.queryset))
        field._index = cached
    return cached[1]


def share_index(field: Any, index: NameIndex[Any] | Finder) -> None:
    """Let `field` find what is sent (and what it shows) in `index`, an index of its queryset
    made once for many forms: an appraisal's lines share one index of the organisations
    rather than each building its own. Replacing the queryset later drops it."""
    finder: Finder = _OneEach(index) if isinstance(index, NameIndex) else index
    field._index = (field.queryset, finder)


def _matches(field: Any, value: str) -> list[Any]:
    """What `value` names: an extra choice's key, or the things of the field's queryset with
    that code or name; ValidationError with suggestions for nothing."""
    text = str(value).strip()
    for key, label in field.extra_choices:
        if text.casefold() in (key.casefold(), label.casefold()):
            return [key]
    index = _index_of(field)
    found = index.find(text)
    if found:
        return found
    raise ValidationError(
        not_found_message(field.catalogue.noun, text, index.did_you_mean(text)),
        code="invalid_choice",
        params={"value": text},
    )


def _codes_for(field: Any, value: Any) -> list[Any]:
    """A value as the page shows it chosen: a thing's code, a name turned into the codes of
    what it names, anything else as it is."""
    if hasattr(value, "code"):
        return [value.code]
    if isinstance(value, str) and value.strip() and field.queryset is not None:
        found = _index_of(field).find(value)
        if found:
            return [thing.code for thing in found]
    return [value]


class CatalogueChoiceField(forms.ModelChoiceField):
    """One thing of a catalogue, chosen by its code (a name is understood too): cleaned to the
    model instance, or an extra choice's key (a str). A name that several things share is
    refused with the choice between them."""

    catalogue: Catalogue = ORGANISATIONS

    def __init__(
        self,
        queryset: QuerySet[Any] | None,
        *,
        extra_choices: Sequence[tuple[str, str]] = (),
        empty_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", OrganisationSelect)
        empty = empty_label or f"Choose {self.catalogue.indefinite}"
        super().__init__(queryset, empty_label=empty, to_field_name="code", **kwargs)
        self.extra_choices = [(str(key), str(label)) for key, label in extra_choices]
        self.widget.extra_choices = self.extra_choices
        self.widget.catalogue = self.catalogue

    def label_from_instance(self, obj: Model) -> str:
        return self.catalogue.label(obj)

    def prepare_value(self, value: Any) -> Any:
        prepared = _codes_for(self, value)
        if len(prepared) == 1 and prepared[0] is not value:
            return prepared[0]
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if hasattr(value, "code"):
            return value
        found = _matches(self, str(value))
        if len(found) > 1:
            labels = [self.catalogue.label(thing) for thing in found]
            raise ValidationError(
                f"“{str(value).strip()}” is more than one {self.catalogue.noun}: choose "
                + (", ".join(labels[:-1]) + " or " + labels[-1]),
                code="invalid_choice",
                params={"value": value},
            )
        return found[0]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(self.prepare_value(data) or "")


class CatalogueMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Any number of things of a catalogue: cleaned to a list of model instances (and extra
    choices' keys), in the order sent, each once. A name that several things share chooses
    them all, as the register's place filter finds them all."""

    catalogue: Catalogue = ORGANISATIONS

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
        self.widget.catalogue = self.catalogue

    def label_from_instance(self, obj: Model) -> str:
        return self.catalogue.label(obj)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | QuerySet):
            return [code for v in value for code in _codes_for(self, v)]
        codes = _codes_for(self, value)
        return codes[0] if len(codes) == 1 else codes

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
                found = [item] if hasattr(item, "code") else _matches(self, str(item))
            except ValidationError as exc:
                errors.append(exc)
                continue
            for thing in found:
                if all(thing is not seen and thing != seen for seen in chosen):
                    chosen.append(thing)
        if errors:
            raise ValidationError(errors)
        self.run_validators(chosen)
        return chosen

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = {str(v) for v in (self.prepare_value(initial) or [])}
        after = {str(v) for v in (self.prepare_value(data) or [])}
        return before != after


class OrganisationChoiceField(CatalogueChoiceField):
    """One organisation: cleaned to the Organisation (or an extra choice's key, a str).

    ``OrganisationChoiceField(label="Lead organisation", queryset=Organisation.objects.filter(
    active=True))``; ``extra_choices=[("residents", "Local residents")]`` adds choices that are
    not organisations, shown apart and cleaned to their key.
    """

    catalogue = ORGANISATIONS


class OrganisationsChoiceField(CatalogueMultipleChoiceField):
    """Any number of organisations: cleaned to a list of Organisations (and extra choices'
    keys), in the order sent, each once.

    ``OrganisationsChoiceField(label="Other partners", queryset=..., required=False)``.
    """

    catalogue = ORGANISATIONS


class AreaChoiceField(CatalogueChoiceField):
    """One area (anything with `code`, `name` and a `kind` with choices): cleaned to the Area.
    A name two areas share ("Lincolnshire") is refused with the choice between them."""

    catalogue = AREAS


class AreasChoiceField(CatalogueMultipleChoiceField):
    """Any number of areas, grouped by kind on the page and labelled with it ("Lincolnshire
    (police force area, E23000020)"), matched as the register's place filter matches.

    ``AreasChoiceField(label="Areas", queryset=Area.objects.exclude(kind="district"),
    required=False)``.
    """

    catalogue = AREAS


Groups = list[tuple[str | None, list[dict[str, Any]], int | None]]


def _grouped_options(
    widget: ChoiceWidget, name: str, value: list[str], attrs: dict[str, Any] | None
) -> Groups:
    """The widget's choices as (heading, options, index) in the catalogue's group order (an
    organisation's sector, an area's kind), then the choices that are not organisations; each
    option knows its keywords (an organisation's short name, for the autocomplete)."""
    catalogue: Catalogue = getattr(widget, "catalogue", ORGANISATIONS)
    groups: dict[tuple[int, str], list[tuple[Any, str, str]]] = {}
    for option_value, label in widget.choices:
        if option_value in ("", None):
            continue
        instance = getattr(option_value, "instance", None)
        group = catalogue.group(instance) if instance is not None else (1_000, "")
        keywords = catalogue.keywords(instance) if instance is not None else ""
        groups.setdefault(group, []).append((option_value, str(label), keywords))
    ordered = [(heading, options) for (_, heading), options in sorted(groups.items())]
    extra = getattr(widget, "extra_choices", [])
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


def _picker_words(widget: Any) -> dict[str, str]:
    catalogue: Catalogue = getattr(widget, "catalogue", ORGANISATIONS)
    return {"noun": catalogue.noun, "plural": catalogue.plural}


class OrganisationSelect(forms.Select):
    """One organisation or area (the field's catalogue): a select grouped as the catalogue
    groups, which organisations.js turns into GOV.UK's accessible autocomplete."""

    template_name = "widgets/organisation_select.html"
    extra_choices: list[tuple[str, str]] = []
    catalogue: Catalogue = ORGANISATIONS

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Groups:
        return _grouped_options(self, name, value, attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        empty = next((str(label) for v, label in self.choices if v in ("", None)), "")
        context["widget"]["empty_label"] = empty or f"Choose {self.catalogue.indefinite}"
        context["widget"].update(_picker_words(self))
        return context


class OrganisationCheckboxes(forms.CheckboxSelectMultiple):
    """Many organisations or areas (the field's catalogue): checkboxes grouped as the
    catalogue groups (each group a GOV.UK details, open when it holds a chosen one), which
    organisations.js turns into "add another organisation" (or area) with the accessible
    autocomplete and a list of those chosen."""

    template_name = "widgets/organisation_checkboxes.html"
    extra_choices: list[tuple[str, str]] = []
    catalogue: Catalogue = ORGANISATIONS

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
        context["widget"].update(_picker_words(self))
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
