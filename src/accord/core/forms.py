"""What every web form in Accord shares: text holds tabs and new lines but no other control
character. One such as \\x01 is invisible on the page, cannot be written to a workbook, and
has no business in a record; the files' readers refuse the same characters."""

from __future__ import annotations

from django import forms

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
    the check runs after every other, so no subclass can forget it."""

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and hasattr(self, "cleaned_data"):
            refuse_control_characters(self)
