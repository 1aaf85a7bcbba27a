"""What every edit page shares: the record only for those who may change it, and an edit that
crossed someone else's merged rather than lost.

A crossing edit, as a person meets it:

1. The edit page carries, besides the record's version, a signed record of the values the
   form showed (`start`): the version the person opened, in the form's own terms.
2. Their save is refused when someone else saved first (the service raises `EditConflict`).
   `merge_edit` compares what they sent with what they opened and with the record now
   (`core.merge`, pure): the form is refilled with the current record plus only the fields
   this person changed; a field both changed shows both values and a choice, keep yours or
   keep theirs, that must be made (`offer_choices`) before it saves; a line one side removed
   and the other changed asks to be kept or removed.
3. Saving again applies the choices (`resolved`) and saves over the version they have now
   seen. A field they did not touch is never sent back over anyone's change.

Why a signed hidden field rather than the audit log's copy of the opened version: the page
itself says exactly what it showed, in the form's terms, so one comparison serves every edit
form (the collaboration's, an appraisal's fields and lines, a unit cost's) without a second
mapping from each model's audit snapshot back to its form that would have to be kept in step
with the form; and it works for any record, whether or not the log holds an ``after`` for that
version. Signing (Django's, salted per record) stops a page from inventing what it opened.
Without the record (a page from before this), every field the person sent that differs from
the record now is a choice to make: nothing is put back or lost unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import QueryDict

from . import merge
from .problems import EditConflict, PermissionRefused

T = TypeVar("T")

#: The hidden field that carries the signed record of the opened version.
OPENED = "opened"
#: The hidden field of the record's version, and of a line's place in the version opened.
VERSION = "version"
ORIGIN = "origin"
#: Choice fields' names: ``keep__title`` (mine or theirs), ``keep__line`` (keep or remove).
CHOICE = "keep__"
LINE = "keep__line"
KEEP, REMOVE = "keep", "remove"
#: Fields that say nothing a person changes.
NOT_COMPARED = frozenset({VERSION, OPENED, ORIGIN, "DELETE", "ORDER"})
#: How much of a long value a choice's label quotes.
QUOTE_LENGTH = 300


def for_editing(obj: T, allowed: bool, action: str = "edit this record") -> T:
    """The record, when this person may change it; otherwise the refusal page (403). Finding
    the record first, with the visibility rule, has already made a hidden one a 404."""
    if not allowed:
        raise PermissionRefused(f"You may not {action}.")
    return obj


def resubmission(post: QueryDict, conflict: EditConflict, field: str = "version") -> QueryDict:
    """The person's input with the current version, so that saving again, having seen the
    other changes, is a deliberate choice. (The appraisal file's upload page, where the record
    is one document, still works this way.)"""
    data = post.copy()
    data[field] = str(conflict.current_version)
    return data


# Values of a form, comparable and as the form shows them -------------------------------------


def _unordered(form_field: forms.Field) -> bool:
    return isinstance(form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def _text(value: str) -> str:
    # Browsers send a textarea's new lines as \r\n; trailing spaces on a line are not a change.
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def plain(value: Any, *, unordered: bool = False) -> Any:
    """A cleaned value as plain data that compares as a person would: an organisation by its
    code, a record by its key, a date as ISO text, 100.00 the same as 100, text without the
    browser's carriage returns; a set of choices in any order."""
    if isinstance(value, Model):
        return str(getattr(value, "code", None) or value.pk)
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        if unordered or isinstance(value, QuerySet | set | frozenset):
            items.sort(key=repr)
        return items
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _jsonable(value: Any) -> Any:
    """A value as a form shows it (what `BoundField.value()` gives), fit to sign and to give
    back to a form as initial data."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def compared(form: forms.BaseForm) -> list[str]:
    """The fields a person changes: not the version, the hidden records, the choices of a merge
    or a field they may not change."""
    return [
        name
        for name, form_field in form.fields.items()
        if name not in NOT_COMPARED and not name.startswith(CHOICE) and not form_field.disabled
    ]


def _cleaned(form_field: forms.Field, raw: Any) -> Any:
    try:
        return form_field.clean(raw)
    except ValidationError:
        return raw


def comparable(form: forms.BaseForm) -> dict[str, Any]:
    """Each field's value as the form holds it (sent, or the initial it shows), cleaned by its
    field and made plain, so that the same value written two ways compares equal."""
    return {
        name: plain(_cleaned(form.fields[name], form[name].value()), unordered=_unordered(field))
        for name, field in ((n, form.fields[n]) for n in compared(form))
    }


def shown(form: forms.BaseForm) -> dict[str, Any]:
    """Each field's value as the form shows it: what refills a form."""
    return {name: _jsonable(form[name].value()) for name in compared(form)}


def display(form_field: forms.Field, raw: Any) -> str:
    """A value in words, for a choice's label: an organisation's name, a choice's label, a
    date as 27 October 2017."""
    value = _cleaned(form_field, raw)
    choices = dict(getattr(form_field, "extra_choices", []) or [])
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    label_of = getattr(form_field, "label_from_instance", None)
    if isinstance(value, Model) and label_of is not None:
        return str(label_of(value))
    if isinstance(value, QuerySet | list | tuple) and label_of is not None:
        return "; ".join(str(label_of(v)) if isinstance(v, Model) else str(v) for v in value)
    if isinstance(form_field, forms.ChoiceField) and not isinstance(raw, list | tuple):
        labels = _choice_labels(form_field)
        if str(raw) in labels and raw not in (None, ""):
            return labels[str(raw)]
    if isinstance(value, list | tuple) and isinstance(form_field, forms.MultipleChoiceField):
        labels = _choice_labels(form_field)
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "(blank)"
    if value in (None, "", [], ()):
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, Decimal):
        places = getattr(form_field, "decimal_places", None)
        if isinstance(places, int) and value.is_finite():
            value = value.quantize(Decimal(1).scaleb(-places))
        return f"{value:,}"
    text = " ".join(str(raw if isinstance(value, dict | list) else value).split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _choice_labels(form_field: forms.ChoiceField) -> dict[str, str]:
    choices: Iterable[Any] = form_field.choices  # type: ignore[assignment]
    return {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}


def _label(form_field: forms.Field, name: str) -> str:
    return str(form_field.label or name.replace("_", " ").capitalize())


# The versions of an edit page ---------------------------------------------------------------


@dataclass
class Version:
    """One version of an edit page's forms: its main form and its rows, each formset's rows
    as (the row's place in the version opened, or None for a new one, form)."""

    form: forms.BaseForm
    rows: dict[str, list[tuple[int | None, forms.BaseForm]]] = field(default_factory=dict)

    @classmethod
    def shown(
        cls, form: forms.BaseForm, formsets: Mapping[str, forms.BaseFormSet[Any]] | None = None
    ) -> Version:
        """The version a page shows, from unbound forms filled from a record: every row of a
        formset that came from the record, in order."""
        rows: dict[str, list[tuple[int | None, forms.BaseForm]]] = {
            prefix: [(i, f) for i, f in enumerate(formset.initial_forms)]
            for prefix, formset in (formsets or {}).items()
        }
        return cls(form, rows)


def _sign(payload: Mapping[str, Any], salt: str) -> str:
    return signing.dumps(dict(payload), salt=f"accord.editing:{salt}", compress=True)


def read_opened(data: Mapping[str, Any], salt: str) -> dict[str, Any] | None:
    """The signed record of the opened version that the page sent, or None if it sent none
    or one that was not this record's (or not this version's)."""
    text = data.get(OPENED) or ""
    if not text:
        return None
    try:
        payload = signing.loads(str(text), salt=f"accord.editing:{salt}")
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or str(payload.get("v")) != str(data.get(VERSION) or ""):
        return None
    return payload


def _hidden(form: forms.BaseForm, text: str | None) -> None:
    form.fields[OPENED] = forms.CharField(widget=forms.HiddenInput, required=False, initial=text)


def start(
    form: forms.BaseForm,
    formsets: Mapping[str, forms.BaseFormSet[Any]] | None = None,
    *,
    salt: str,
    version: int,
) -> None:
    """Give an edit page, filled from the record at `version`, the signed record of what it
    shows."""
    opened = Version.shown(form, formsets)
    payload = {
        "v": version,
        "fields": comparable(opened.form),
        "rows": {p: [comparable(f) for _, f in rows] for p, rows in opened.rows.items()},
        "choices": {},
    }
    _hidden(form, _sign(payload, salt))


def _html_name(prefix: str, name: str) -> str:
    return f"{prefix}-{name}" if prefix else name


def put(data: QueryDict, name: str, raw: Any) -> None:
    """Write a value into form data under a field's name, as a browser would send it (a date
    input's parts, a list's values, a ticked box), replacing what was there."""
    for key in [k for k in data if k == name or k.startswith(f"{name}-")]:
        del data[key]
    if isinstance(raw, dict):
        for part, value in raw.items():
            data[f"{name}-{part}"] = "" if value is None else str(value)
    elif isinstance(raw, list):
        data.setlist(name, ["" if v is None else str(v) for v in raw])
    elif raw is True:
        data[name] = "on"
    elif raw is None:
        data[name] = ""
    elif raw is not False:  # an unticked box is sent as nothing
        data[name] = str(raw)


def resolved(post: QueryDict, opened: Mapping[str, Any] | None) -> QueryDict:
    """What the person sent with the choices of a merged page applied: a field whose choice is
    "keep theirs" takes their value, a line whose choice is "remove" is removed. A choice not
    made is left for the form to refuse."""
    data = post.copy()
    for prefix, fields in ((opened or {}).get("choices") or {}).items():
        for name, choice in fields.items():
            if name == LINE:
                answer = post.get(_html_name(prefix, LINE))
                if answer == REMOVE:
                    data[_html_name(prefix, "DELETE")] = "on"
                elif answer == KEEP and _html_name(prefix, "DELETE") in data:
                    del data[_html_name(prefix, "DELETE")]
                continue
            if post.get(_html_name(prefix, CHOICE + name)) == merge.THEIRS:
                put(data, _html_name(prefix, name), choice.get("value"))
    return data


def _insert_after(form: forms.BaseForm, after: str | None, name: str, new: forms.Field) -> None:
    if after is None or after not in form.fields:
        form.fields = {name: new, **form.fields}
        return
    fields = list(form.fields.items())
    at = [n for n, _ in fields].index(after) + 1
    form.fields = dict([*fields[:at], (name, new), *fields[at:]])


def _choice(label: str, choice: Mapping[str, Any], by: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"{label}: you and {by} both changed it. Which should be kept?",
        choices=[
            (merge.MINE, f"Yours: {choice.get('mine', '')}"),
            (merge.THEIRS, f"Theirs: {choice.get('theirs', '')}"),
        ],
        widget=forms.RadioSelect,
        help_text="The form shows yours. To keep something else, change it there and keep yours.",
        error_messages={"required": f"Choose whether to keep your {label.lower()} or theirs"},
    )


def _line_choice(label: str, removed_by: str, by: str) -> forms.ChoiceField:
    if removed_by == merge.MINE:
        question = f"{label}: you removed this line and {by} changed it. Keep it?"
    else:
        question = f"{label}: {by} removed this line and you changed it. Keep it?"
    return forms.ChoiceField(
        label=question,
        choices=[(KEEP, "Keep this line"), (REMOVE, "Remove it")],
        widget=forms.RadioSelect,
        error_messages={"required": f"Choose whether to keep {label.lower()} or remove it"},
    )


def offer_choices(
    form: forms.BaseForm,
    opened: Mapping[str, Any] | None,
    formsets: Mapping[str, forms.BaseFormSet[Any]] | None = None,
    *,
    token: str | None = None,
) -> None:
    """Give a merged page's forms the choices still to make, each after the field it is about
    (and listed on each form as ``merge_choices``), and the signed record of the version now
    shown: `token` on a refilled page; on a page sent back with mistakes, the one it sent."""
    _hidden(form, token)
    by = str((opened or {}).get("by") or "someone else")
    choices: Mapping[str, Any] = (opened or {}).get("choices") or {}
    targets: list[forms.BaseForm] = [form]
    for formset in (formsets or {}).values():
        targets += list(formset.forms)
    for target in targets:
        target.merge_choices = []  # type: ignore[attr-defined]
        wanted = choices.get(target.prefix or "") or {}
        for name, choice in wanted.items():
            if name == LINE:
                new = _line_choice(choice.get("label", "This line"), choice["removed_by"], by)
                _insert_after(target, None, LINE, new)
                target.merge_choices.append(target[LINE])  # type: ignore[attr-defined]
                continue
            if name not in target.fields:
                continue
            label = choice.get("label") or _label(target.fields[name], name)
            _insert_after(target, name, CHOICE + name, _choice(label, choice, by))
            target.merge_choices.append(target[CHOICE + name])  # type: ignore[attr-defined]


# Merging -------------------------------------------------------------------------------------


@dataclass
class Merged:
    """A refused save merged with the record now: what refills the page and what it says."""

    by: str
    at: dt.datetime | None
    #: The main form's values, and each formset's rows (each with its `origin`), to refill it.
    initial: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    #: The signed record of the version now shown, with the choices still to make.
    token: str
    payload: dict[str, Any]
    #: What the page says: their changes brought in, the person's kept, the choices to make.
    taken: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    to_choose: list[str] = field(default_factory=list)


def merge_edit(
    sent: Version,
    current: Version,
    opened: Mapping[str, Any] | None,
    conflict: EditConflict,
    *,
    salt: str,
    row_labels: Mapping[str, str] | None = None,
) -> Merged:
    """Merge what the person sent (`sent`, bound and valid) with the record now (`current`,
    unbound forms filled from it), given the version they opened (`opened`, from
    `read_opened`, or None where not known)."""
    labels = row_labels or {}
    by = conflict.by
    choices: dict[str, dict[str, Any]] = {}
    taken: list[str] = []
    kept: list[str] = []
    to_choose: list[str] = []

    theirs = comparable(current.form)
    mine = comparable(sent.form)
    mine_raw, theirs_raw = shown(sent.form), shown(current.form)
    fields = merge.merge_fields(
        None if opened is None else opened.get("fields") or {},
        mine,
        theirs,
        names=compared(current.form),
    )
    initial: dict[str, Any] = {}
    for name, merged in fields.items():
        source = mine_raw if merged.take == merge.MINE else theirs_raw
        initial[name] = source.get(name)
        label = _label(current.form.fields[name], name)
        if merged.conflict:
            to_choose.append(label)
            choices.setdefault("", {})[name] = _conflict_choice(
                current.form.fields[name], label, mine_raw.get(name), theirs_raw.get(name)
            )
        elif merged.mine_changed:
            kept.append(label)
        elif merged.theirs_changed:
            taken.append(label)
    initial[VERSION] = conflict.current_version

    rows: dict[str, list[dict[str, Any]]] = {}
    rows_now: dict[str, list[dict[str, Any]]] = {}
    for prefix, current_rows in current.rows.items():
        what = labels.get(prefix, prefix.capitalize())
        sent_rows = sent.rows.get(prefix, [])
        theirs_rows = [comparable(f) for _, f in current_rows]
        rows_now[prefix] = theirs_rows
        opened_rows = None if opened is None else (opened.get("rows") or {}).get(prefix) or []
        merged_rows = merge.merge_rows(
            opened_rows, [(origin, comparable(f)) for origin, f in sent_rows], theirs_rows
        )
        out: list[dict[str, Any]] = []
        for n, row in enumerate(merged_rows):
            place = f"{what} line {n + 1}"
            mine_form = sent_rows[row.mine][1] if row.mine is not None else None
            theirs_form = current_rows[row.theirs][1] if row.theirs is not None else None
            mine_row = shown(mine_form) if mine_form is not None else {}
            theirs_row = shown(theirs_form) if theirs_form is not None else {}
            values: dict[str, Any] = {}
            for name, merged in row.fields.items():
                use_mine = merged.take == merge.MINE or theirs_form is None
                values[name] = (mine_row if use_mine else theirs_row).get(name)
                reference = (theirs_form or mine_form).fields.get(name)  # type: ignore[union-attr]
                label = f"{place}, {_label(reference, name).lower()}" if reference else place
                if merged.conflict and reference is not None:
                    to_choose.append(label)
                    choices.setdefault(f"{prefix}-{n}", {})[name] = _conflict_choice(
                        reference, label, mine_row.get(name), theirs_row.get(name)
                    )
                elif row.added_by is None and row.removed_by is None:
                    if merged.mine_changed:
                        kept.append(label)
                    elif merged.theirs_changed:
                        taken.append(label)
            if row.removed_by is not None:
                to_choose.append(place)
                choices.setdefault(f"{prefix}-{n}", {})[LINE] = {
                    "label": place,
                    "removed_by": row.removed_by,
                }
            elif row.added_by == merge.THEIRS:
                taken.append(f"{place} (added)")
            elif row.added_by == merge.MINE:
                kept.append(f"{place} (added)")
            values[ORIGIN] = row.theirs
            out.append(values)
        rows[prefix] = out

    payload = {
        "v": conflict.current_version,
        "by": by,
        "fields": theirs,
        "rows": rows_now,
        "choices": choices,
    }
    return Merged(
        by=by,
        at=conflict.at,
        initial=initial,
        rows=rows,
        token=_sign(payload, salt),
        payload=payload,
        taken=taken,
        kept=kept,
        to_choose=to_choose,
    )


def _conflict_choice(
    form_field: forms.Field, label: str, mine_raw: Any, theirs_raw: Any
) -> dict[str, Any]:
    return {
        "label": label,
        "mine": display(form_field, mine_raw),
        "theirs": display(form_field, theirs_raw),
        "value": theirs_raw,
    }


def rows_sent(
    formset: forms.BaseFormSet[Any], kept: Iterable[tuple[int, forms.BaseForm]]
) -> list[tuple[int | None, forms.BaseForm]]:
    """A bound formset's rows as the merge takes them: each kept row with the place in the
    opened version that its hidden `origin` names (None for a line the person added)."""
    out: list[tuple[int | None, forms.BaseForm]] = []
    for _, form in kept:
        origin = form.cleaned_data.get(ORIGIN) if hasattr(form, "cleaned_data") else None
        out.append((origin if isinstance(origin, int) else None, form))
    return out


def summary(merged: Merged | None) -> dict[str, Sequence[str]] | None:
    """What the conflict panel lists."""
    if merged is None:
        return None
    return {"taken": merged.taken, "kept": merged.kept, "to_choose": merged.to_choose}
