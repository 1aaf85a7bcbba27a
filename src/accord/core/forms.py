"""What every web form in Accord shares.

- Text holds tabs and new lines but no other control character. One such as \\x01 is
  invisible on the page, cannot be written to a workbook, and has no business in a record; the
  files' readers refuse the same characters.
- Error messages in the GOV.UK Design System's words, not Django's ("Enter a title", "Select a
  status"), no preselected answer to a required choice, and numbers read with their thousands
  separators, asked for in a text box with `inputmode` (not ``type="number"``, which refuses
  them), an amount of money shown with them (`apply_govuk_messages`, `NumberInput`).
- The MOJ filter's panel of selected filters for a list page (`filter_panel`).

docs/architecture.md, "Shared UI patterns", shows each in use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.utils import pretty_name
from django.http import HttpRequest, QueryDict

from .text import control_character_message, first_control_character


def refuse_control_characters(form: forms.BaseForm) -> None:
    """Add an error to each text field whose submitted value holds a control character."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        values = value if isinstance(value, list | tuple) else [value]
        for text in values:
            character = first_control_character(text) if isinstance(text, str) else None
            if character is not None:
                if name in form.errors:
                    break
                form.add_error(name, "This " + control_character_message(character) + ".")
                break


class PlainTextForm(forms.Form):
    """A form whose text fields refuse control characters, whatever its own ``clean`` does:
    the check runs after every other, so no subclass can forget it. Its messages are GOV.UK's
    (`apply_govuk_messages`); `error_names` says what a field is called in them where its
    label will not do: ``error_names = {"started_on": "start date"}``."""

    error_names: dict[str, str] = {}
    # GOV.UK forms leave checking to the server: a browser's own "Please fill in this field"
    # bubble would come before, and instead of, the error summary and the field's message.
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_govuk_messages(self)

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and hasattr(self, "cleaned_data"):
            refuse_control_characters(self)


# GOV.UK error messages ---------------------------------------------------------------------
#
# Django's own messages ("This field is required.", "Enter a whole number.") replaced by the
# GOV.UK Design System's, naming the field: "Enter a title", "Select a status", "Funding amount
# must be a number". A message a form's author wrote (error_messages=...) is kept. What a field
# is called in messages is its `error_name`, from the form's `error_names` {field: "start date"},
# else its label in lower case without a trailing bracket ("Funding amount (£)" is "funding
# amount").

_VOWEL_SOUND_EXCEPTIONS = ("uni", "use", "usu", "eu", "one", "once")
_NO_ARTICLE = ("a ", "an ", "the ", "your ", "their ", "any ", "each ", "who ", "what ", "when ")
_TRAILING_BRACKET = re.compile(r"\s*\([^()]*\)\s*$")


def _default_messages(field: forms.Field) -> dict[str, str]:
    """The messages Django gives this field's class (and its validators) unless told others."""
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(
            {code: str(text) for code, text in getattr(cls, "default_error_messages", {}).items()}
        )
    return messages


def field_error_name(field: forms.Field, name: str = "") -> str:
    """What messages call a field: its `error_name`, else its label (or its name) in lower case,
    an acronym ("NPV", "API token") kept as written."""
    explicit = getattr(field, "error_name", None)
    if explicit:
        return str(explicit)
    label = str(field.label) if field.label else pretty_name(name) if name else "this"
    label = _TRAILING_BRACKET.sub("", label).strip().rstrip(":?") or label
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def with_article(name: str) -> str:
    """ "a title", "an end date", "outcomes" (a plural needs none), "the lead" as it is."""
    lowered = name.lower()
    if lowered.startswith(_NO_ARTICLE):
        return name
    last = lowered.split()[-1] if lowered.split() else lowered
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return name
    first = name.split()[0] if name.split() else name
    if first.isupper() and len(first) > 1:
        article = "an" if first[0] in "AEFHILMNORSX" else "a"
    elif lowered.startswith(_VOWEL_SOUND_EXCEPTIONS):
        article = "a"
    else:
        article = "an" if lowered[:1] in "aeiou" else "a"
    return f"{article} {name}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def required_message(field: forms.Field, verb: str, name: str = "") -> str:
    return f"{verb} {with_article(field_error_name(field, name))}"


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The GOV.UK messages for this kind of field, by Django's error code."""
    called = field_error_name(field, name)
    subject = _capital(called)
    messages: dict[str, str] = {}
    choice = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
    many = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    # (Ruff's S608 reads "Select ... from" as SQL: these are sentences.)
    if many:
        messages["required"] = f"Select {called}"
        messages["invalid_choice"] = f"Select {called} from the list"  # noqa: S608
        messages["invalid_pk_value"] = f"Select {called} from the list"  # noqa: S608
        messages["invalid_list"] = f"Select {called} from the list"  # noqa: S608
    elif choice:
        messages["required"] = f"Select {with_article(called)}"
        messages["invalid_choice"] = f"Select {with_article(called)} from the list"  # noqa: S608
    elif isinstance(field, forms.BooleanField):
        messages["required"] = f"Select “{_TRAILING_BRACKET.sub('', str(field.label or subject))}”"
    elif isinstance(field, forms.FileField):
        messages["required"] = f"Select {with_article(called)}"
        messages["missing"] = f"Select {with_article(called)}"
        messages["invalid"] = f"Select {with_article(called)}"
        messages["empty"] = "The selected file is empty"
    else:
        messages["required"] = f"Enter {with_article(called)}"
    # Django's DecimalField and FloatField are kinds of IntegerField: asked first, so that a
    # figure that may have decimals is not called for as "a whole number".
    if isinstance(field, forms.DecimalField | forms.FloatField):
        messages["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{subject} must be a real date"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = (
            "Enter a web address in the correct format, like https://www.example.com"
        )
    if isinstance(field, forms.CharField):
        messages["max_length"] = f"{subject} must be %(limit_value)d characters or less"
        messages["min_length"] = f"{subject} must be %(limit_value)d characters or more"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        messages["max_value"] = f"{subject} must be %(limit_value)s or less"
        messages["min_value"] = f"{subject} must be %(limit_value)s or more"
        messages["step_size"] = f"{subject} must be a multiple of %(limit_value)s"
    if isinstance(field, forms.DecimalField):
        messages["max_digits"] = f"{subject} must be %(max)s digits or fewer"
        messages["max_decimal_places"] = (
            f"{subject} must have no more than %(max)s numbers after the decimal point"
        )
        messages["max_whole_digits"] = (
            f"{subject} must have no more than %(max)s numbers before the decimal point"
        )
    return messages


def apply_govuk_messages(form: forms.BaseForm) -> None:
    """Give each field of `form` the GOV.UK messages in place of Django's defaults (a message
    the form's author wrote is kept), take no preselected answer for a required choice, and
    let number fields read "1,250,000" and "£1,250" as a person writes them."""
    names: dict[str, str] = getattr(form, "error_names", {}) or {}
    for name, field in form.fields.items():
        if name in names:
            field.error_name = names[name]  # type: ignore[attr-defined]
        elif not getattr(field, "error_name", None):
            field.error_name = field_error_name(field, name)  # type: ignore[attr-defined]
        defaults = _default_messages(field)
        for code, message in govuk_messages(field, name).items():
            current = field.error_messages.get(code)
            if current is None or str(current) == defaults.get(code, None):
                field.error_messages[code] = message
        _no_preselected_choice(field, name)
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
            _accept_separators(field)
            _as_text_input(field)


def _no_preselected_choice(field: forms.Field, name: str) -> None:
    """GOV.UK: a required question's radios start with none chosen, and a required select
    starts on an empty "Choose ..." rather than quietly on its first option. (A form's own
    `initial`, such as a saved record's answer, still fills it in.)"""
    if not field.required or not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return
    if isinstance(field.widget, forms.RadioSelect):
        field.initial = None
        return
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return
    prompt = f"Choose {with_article(field_error_name(field, name))}"
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label in (None, "---------"):
            field.empty_label = prompt
    elif isinstance(field.widget, forms.Select):
        choices = list(cast(Iterable[Any], field.choices))
        if not any(value in ("", None) for value, _ in choices):
            field.choices = [("", prompt), *choices]


_SEPARATED_NUMBER = re.compile(r"^[−-]?£?\s*\d{1,3}(,\d{3})+(\.\d+)?$|^[−-]?£\s*[\d.]+$")


def _accept_separators(field: forms.Field) -> None:
    """A number typed with thousands separators or a pound sign ("1,250,000", "£1,250.50")
    is read as the number; anything else is left to the field, which refuses it."""
    parse = field.to_python

    def to_python(value: Any) -> Any:
        if isinstance(value, str) and _SEPARATED_NUMBER.match(value.strip()):
            value = value.strip().replace(",", "").replace("£", "").replace(" ", "")
            value = value.replace("−", "-")
        return parse(value)

    field.to_python = to_python  # type: ignore[method-assign]


def is_amount_of_money(field: forms.Field) -> bool:
    """A field for pounds and pence: a decimal field with two places (a funding amount, a unit
    cost's value, a benefit realised), shown with its thousands separators."""
    return isinstance(field, forms.DecimalField) and field.decimal_places == 2


def with_separators(value: int | float | Decimal, places: int | None = None) -> str:
    """ "1,250,000" for 1250000.00, "1,250.50" for 1250.5 with 2 places, "0.035" for 0.035."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    if places is not None:
        return f"{number:,.{places}f}"
    return f"{number.normalize():,f}"


class NumberInput(forms.TextInput):
    """How GOV.UK asks for a number: a text box with `inputmode` ("numeric" for a whole number,
    "decimal" for one that may have decimals, for a phone's keypad), not ``<input
    type="number">``, which refuses "1,250,000" (the browser sends nothing), rounds and changes
    with the scroll wheel. With `separators` a figure the form shows (a saved record's) has
    its thousands separators, "1,250,000"; a figure sent is shown again as it was typed.
    (Its class name makes its `widget_type` "number", which includes/field.html sizes.)"""

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        separators: bool = False,
        places: int | None = None,
    ) -> None:
        super().__init__(attrs)
        self.separators = separators
        self.places = places

    def format_value(self, value: Any) -> str | None:
        if (
            self.separators
            and isinstance(value, int | float | Decimal)
            and not isinstance(value, bool)
        ):
            return with_separators(value, self.places)
        return super().format_value(value)


def _as_text_input(field: forms.Field) -> None:
    """A number field's ``<input type="number">`` (Django's default) made GOV.UK's text box
    with `inputmode`; its min, max and step stay the field's checks, not the browser's. An
    amount of money shows its thousands separators. A widget the form's author chose stays."""
    widget = field.widget
    if not isinstance(widget, forms.NumberInput):
        return
    whole = not isinstance(field, forms.DecimalField | forms.FloatField)
    attrs = {key: value for key, value in widget.attrs.items() if key not in ("min", "max", "step")}
    attrs.setdefault("inputmode", "numeric" if whole else "decimal")
    attrs.setdefault("spellcheck", "false")
    text = NumberInput(
        attrs,
        separators=is_amount_of_money(field),
        places=getattr(field, "decimal_places", None),
    )
    text.is_required = widget.is_required
    text.is_localized = widget.is_localized
    field.widget = text


# The filter panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectedFilter:
    """One chosen filter, as a removable tag: its words and the page without it."""

    label: str
    remove_url: str


@dataclass(frozen=True)
class FilterCategory:
    heading: str
    items: list[SelectedFilter]


@dataclass(frozen=True)
class FilterPanel:
    """What includes/filter.html shows: the filter form, the filters chosen (by field), and
    the page with none of them."""

    form: forms.BaseForm
    categories: list[FilterCategory]
    clear_url: str

    @property
    def selected(self) -> bool:
        return bool(self.categories)


def filter_panel(
    form: forms.BaseForm,
    request: HttpRequest,
    *,
    keep: Iterable[str] = ("sort",),
    drop: Iterable[str] = ("page",),
) -> FilterPanel:
    """The MOJ filter's "Selected filters" for a bound filter form: each field given a value
    in the query string becomes a category whose tags each remove one value (and go back to
    the first page). `keep` are parameters that are not filters and survive "Clear filters"
    (the sort order); `drop` are reset by any change (the page number)."""
    query = request.GET
    kept = set(keep)
    dropped = set(drop)
    categories: list[FilterCategory] = []
    for bound in form:
        key = bound.html_name
        if bound.name in kept or key in kept or key in dropped or bound.is_hidden:
            continue
        values = [v for v in query.getlist(key) if v.strip()]
        if not values:
            continue
        labels = _choice_labels(bound.field)
        items = []
        for value in values:
            if isinstance(bound.field, forms.BooleanField):
                label = str(bound.label)
            else:
                label = labels.get(value) or labels.get(value.casefold()) or value
            remaining = query.copy()
            remaining.setlist(key, [v for v in values if v != value])
            for name in dropped:
                remaining.pop(name, None)
            items.append(SelectedFilter(label=str(label), remove_url=_url(request, remaining)))
        categories.append(FilterCategory(heading=str(bound.label), items=items))
    cleared = query.copy()
    for name in list(cleared.keys()):
        if name not in kept:
            cleared.pop(name)
    return FilterPanel(form=form, categories=categories, clear_url=_url(request, cleared))


def _choice_labels(field: forms.Field) -> dict[str, str]:
    choices = getattr(field, "choices", None)
    if choices is None:
        return {}
    labels: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            for inner_value, inner_label in label:
                labels[str(inner_value)] = str(inner_label)
        elif value not in ("", None):
            labels[str(value)] = str(label)
    labels.update({key.casefold(): text for key, text in list(labels.items())})
    return labels


def _url(request: HttpRequest, query: QueryDict) -> str:
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
