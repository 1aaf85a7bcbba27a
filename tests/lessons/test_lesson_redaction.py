"""Redaction's suggestions and its replacement, on hand-written text (lessons/redaction.py)."""

from __future__ import annotations

import pytest

from accord.core.problems import Problems
from accord.lessons import redaction
from accord.lessons.redaction import Span


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in redaction.suggest({"why": text})]


def test_each_kind_of_personal_data_is_suggested() -> None:
    text = (
        "Call PC 1234 on 01522 553000 or +44 7911 123456, email jo.bloggs@lincs.police.uk, "
        "at LN1 3BL, NHS 943 476 5919, car AB12 CDE; staff number 40213."
    )
    assert kinds(text) == [
        ("staff_number", "PC 1234"),
        ("phone", "01522 553000"),
        ("phone", "+44 7911 123456"),
        ("email", "jo.bloggs@lincs.police.uk"),
        ("postcode", "LN1 3BL"),
        ("nhs_number", "943 476 5919"),
        ("vehicle", "AB12 CDE"),
        ("staff_number", "staff number 40213"),
    ]


def test_offsets_are_characters_into_the_field() -> None:
    text = "Café: é-mail jo@example.org"
    (span,) = redaction.suggest({"what_happened": text})
    assert text[span.start : span.end] == "jo@example.org"
    assert span.as_dict() == {
        "field": "what_happened",
        "start": span.start,
        "end": span.end,
        "kind": "email",
        "text": "jo@example.org",
    }


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("9434765919", True), ("9434765918", False), ("4010232137", True), ("1234567890", False)],
)
def test_nhs_number_check_digit(digits: str, valid: bool) -> None:
    assert redaction.nhs_number_valid(digits) is valid


def test_an_nhs_number_with_a_wrong_check_digit_is_not_suggested_as_one() -> None:
    assert ("nhs_number", "943 476 5918") not in kinds("NHS 943 476 5918")


def test_figures_and_years_are_not_personal_data() -> None:
    assert kinds("In 2019 the 1,234 calls took 12 minutes 30 seconds on average.") == []


def test_apply_replaces_each_span_and_merges_overlaps() -> None:
    text = "Ask Jo Bloggs at jo@example.org today"
    spans = [Span("f", 4, 13), Span("f", 17, 31), Span("f", 10, 15)]
    assert redaction.apply(text, spans) == "Ask [redacted]t [redacted] today"
    assert redaction.apply(text, []) == text


def test_wrong_spans_are_problems_naming_them() -> None:
    with pytest.raises(Problems) as raised:
        redaction.check_spans(
            [Span("nope", 0, 1), Span("why", 5, 2), Span("why", 0, 99)], {"why": "short"}
        )
    assert [p.field for p in raised.value.problems] == [
        "redactions[0].field",
        "redactions[1].start",
        "redactions[2].start",
    ]
