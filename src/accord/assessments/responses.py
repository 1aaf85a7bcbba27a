"""Assessment responses: reading a CSV file or plain records into :class:`Responses`, and
checking every answer against the framework's scale.

Responses are a float matrix, respondents by items, with NaN where the answer is "not
applicable". Every problem is reported at once, as the kernel's :class:`Problems`.

Pure module: imports no Django; from the kernel only ``accord.core.problems``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from accord.assessments.framework import Framework, Scale
from accord.core.problems import Problem, Problems
from accord.core.spreadsheets import UnreadableFile, read_text_file

__all__ = [
    "LEVELS",
    "NA_VALUES",
    "Responses",
    "ResponsesError",
    "parse_answer",
    "parse_responses_csv",
    "responses_from_records",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

LEVELS: tuple[str, ...] = ("strategic", "tactical", "operational")
"""The levels a respondent works at, as stored (lower case)."""

NA_VALUES: frozenset[str] = frozenset({"", "na", "n/a"})
"""Answers meaning "not applicable" (compared after stripping spaces and lower-casing)."""

_INT_RE = re.compile(r"^[+-]?[0-9]+$")


class ResponsesError(Problems):
    """Responses failed validation: the kernel's :class:`Problems`, every problem listed at once
    (``problems``, alias ``errors``)."""


# --------------------------------------------------------------------------------------------
# Responses


@dataclass(frozen=True, eq=False)
class Responses:
    """A set of respondents and their answers.

    ``answers`` has one row per respondent and one column per entry of ``item_ids`` (any
    order), holding the answer on the framework's scale or NaN for "not applicable". Plain
    lists are accepted for every field and normalised: strings are stripped, levels are
    validated case-insensitively and stored in lower case, answers become a read-only float64
    matrix. Answers are checked against a framework's scale when scored.
    """

    respondents: tuple[str, ...]
    organisations: tuple[str, ...]
    levels: tuple[str, ...]
    answers: FloatArray
    item_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        errors: list[str] = []
        respondents = tuple(str(value).strip() for value in self.respondents)
        organisations = tuple(str(value).strip() for value in self.organisations)
        item_ids = tuple(str(value) for value in self.item_ids)
        levels: list[str] = []
        for index, value in enumerate(self.levels):
            level = str(value).strip().lower()
            if level not in LEVELS:
                errors.append(f"respondent {index + 1}: level: {_level_reason(value)}")
            levels.append(level)
        count = len(respondents)
        if len(organisations) != count or len(levels) != count:
            errors.append(
                f"expected one organisation and one level for each of the {count} respondents, "
                f"found {len(organisations)} organisations and {len(levels)} levels"
            )
        seen: dict[str, int] = {}
        for index, respondent in enumerate(respondents):
            if not respondent:
                errors.append(f"respondent {index + 1}: respondent id is empty")
            elif respondent in seen:
                errors.append(
                    f"respondent {index + 1}: duplicate respondent id {respondent!r} "
                    f"(first as respondent {seen[respondent] + 1})"
                )
            else:
                seen[respondent] = index
        for index, organisation in enumerate(organisations):
            if not organisation:
                errors.append(f"respondent {index + 1}: organisation is empty")
        duplicates = sorted({item for item in item_ids if item_ids.count(item) > 1})
        if duplicates:
            errors.append(f"duplicate item ids: {', '.join(duplicates)}")
        try:
            answers = np.array(self.answers, dtype=np.float64, copy=True)
        except (TypeError, ValueError) as exc:
            raise ResponsesError([f"answers must be a matrix of numbers: {exc}"]) from exc
        if answers.size == 0 and count * len(item_ids) == 0:
            answers = answers.reshape(count, len(item_ids))
        if answers.shape != (count, len(item_ids)):
            errors.append(
                f"answers must be a matrix of {count} respondents by {len(item_ids)} items, "
                f"found shape {answers.shape}"
            )
        if errors:
            raise ResponsesError(errors)
        answers.setflags(write=False)
        object.__setattr__(self, "respondents", respondents)
        object.__setattr__(self, "organisations", organisations)
        object.__setattr__(self, "levels", tuple(levels))
        object.__setattr__(self, "answers", answers)
        object.__setattr__(self, "item_ids", item_ids)

    @classmethod
    def create(
        cls,
        respondents: Sequence[object],
        organisations: Sequence[object],
        levels: Sequence[object],
        answers: npt.ArrayLike,
        item_ids: Sequence[str],
    ) -> Responses:
        """Build from plain sequences (typed loosely for callers; same as the constructor)."""
        try:
            matrix = np.asarray(answers, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ResponsesError([f"answers must be a matrix of numbers: {exc}"]) from exc
        return cls(
            respondents=tuple(str(value) for value in respondents),
            organisations=tuple(str(value) for value in organisations),
            levels=tuple(str(value) for value in levels),
            answers=matrix,
            item_ids=tuple(item_ids),
        )

    def __len__(self) -> int:
        return len(self.respondents)

    def take(self, rows: Sequence[int] | IntArray) -> Responses:
        """A new set holding only these rows (in this order)."""
        index = np.asarray(rows, dtype=np.intp)
        return Responses(
            respondents=tuple(self.respondents[i] for i in index),
            organisations=tuple(self.organisations[i] for i in index),
            levels=tuple(self.levels[i] for i in index),
            answers=self.answers[index],
            item_ids=self.item_ids,
        )


def _level_reason(value: object) -> str:
    return f"{str(value).strip()!r} is not a level (expected {_or_list(LEVELS)})"


def _or_list(values: Sequence[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


def parse_answer(value: object, scale: Scale) -> tuple[float, str | None]:
    """Read one answer: ``(value, None)``, ``(nan, None)`` for not applicable, or
    ``(nan, reason)`` when it is not an answer on the scale.

    Not applicable is None, NaN, blank, ``NA`` or ``N/A`` (any case, spaces ignored).
    """
    number: float
    if value is None:
        return math.nan, None
    if isinstance(value, bool):
        return math.nan, f"{value!r} is not an answer"
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in NA_VALUES:
            return math.nan, None
        if not _INT_RE.match(text):
            return math.nan, (
                f"{value!r} is not a whole number from {scale.min} to {scale.max} "
                "or NA (not applicable)"
            )
        number = float(int(text))
    elif isinstance(value, int | np.integer):
        number = float(value)
    elif isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return math.nan, None
        if not number.is_integer():
            return math.nan, f"{value!r} is not a whole number"
    else:
        return math.nan, f"{value!r} is not an answer"
    if not scale.min <= number <= scale.max:
        return math.nan, f"{value!r} is outside the scale {scale.min} to {scale.max}"
    return number, None


def _read_text(source: str | PathLike[str]) -> tuple[str, str]:
    """(text, name for messages) from a path or from CSV text."""
    if isinstance(source, str) and ("\n" in source or "," in source):
        return source.removeprefix("\ufeff"), "responses"
    path = Path(source)
    try:
        return read_text_file(path), path.name
    except UnreadableFile as exc:
        raise ResponsesError(exc.problems) from exc
    except OSError as exc:
        raise ResponsesError([f"{path.name}: cannot read the file: {exc.strerror or exc}"]) from exc


def parse_responses_csv(
    source: str | PathLike[str], framework: Framework, *, name: str | None = None
) -> Responses:
    """Read responses from a CSV file (a path) or CSV text (a string holding a comma or a
    line break).

    Columns: ``respondent``, ``organisation``, ``level``, then one column for every item of the
    framework, in any order. Line numbers in messages count the header as line 1, so the first
    data row is line 2. Raises ``ResponsesError`` listing every problem found.
    """
    text, source_name = _read_text(source)
    source_name = name or source_name
    errors: list[str] = []

    def error(line: int, column: str | None, reason: str) -> None:
        where = f"line {line}" + (f", column {column!r}" if column is not None else "")
        errors.append(f"{source_name}: {where}: {reason}")

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ResponsesError([f"{source_name}: the file is empty (expected a header row)"])
        header_line = reader.line_num
        names = [cell.strip() for cell in header]
        columns: dict[str, int] = {}
        for index, column_name in enumerate(names):
            key = column_name.lower() if column_name.lower() in _FIXED else column_name
            if not key:
                error(header_line, None, f"column {index + 1} has no name")
            elif key in columns:
                error(header_line, None, f"duplicate column {column_name!r}")
            else:
                columns[key] = index
        for fixed in _FIXED:
            if fixed not in columns:
                error(header_line, None, f"missing required column {fixed!r}")
        known = set(framework.item_ids)
        unknown = [c for c in columns if c not in known and c not in _FIXED]
        if unknown:
            error(
                header_line,
                None,
                f"unknown column(s), not items of framework {framework.id!r}: "
                + ", ".join(unknown),
            )
        missing = [item for item in framework.item_ids if item not in columns]
        if missing:
            error(header_line, None, "missing column(s) for item(s): " + ", ".join(missing))
        if errors:
            raise ResponsesError(errors)

        width = len(header)
        scale = framework.scale
        item_columns = [columns[item] for item in framework.item_ids]
        respondent_col = columns["respondent"]
        organisation_col = columns["organisation"]
        level_col = columns["level"]
        cache: dict[str, tuple[float, str | None]] = {}
        respondents: list[str] = []
        organisations: list[str] = []
        levels: list[str] = []
        rows: list[list[float]] = []
        first_line: dict[str, int] = {}
        previous_line = reader.line_num
        for row in reader:
            line = previous_line + 1
            previous_line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                error(line, None, f"expected {width} cells (as in the header), found {len(row)}")
                continue
            respondent = row[respondent_col].strip()
            if not respondent:
                error(line, "respondent", "empty (every row needs a respondent id)")
            elif respondent in first_line:
                error(
                    line,
                    "respondent",
                    f"duplicate respondent id {respondent!r} (first on line "
                    f"{first_line[respondent]})",
                )
            else:
                first_line[respondent] = line
            organisation = row[organisation_col].strip()
            if not organisation:
                error(line, "organisation", "empty (every row needs an organisation)")
            level = row[level_col].strip().lower()
            if level not in LEVELS:
                error(line, "level", _level_reason(row[level_col]))
            values: list[float] = []
            for item, column in zip(framework.item_ids, item_columns, strict=True):
                cell = row[column]
                parsed = cache.get(cell)
                if parsed is None:
                    parsed = cache[cell] = parse_answer(cell, scale)
                if parsed[1] is not None:
                    error(line, item, parsed[1])
                values.append(parsed[0])
            respondents.append(respondent)
            organisations.append(organisation)
            levels.append(level)
            rows.append(values)
    except csv.Error as exc:
        errors.append(
            Problem(f"{source_name}: line {reader.line_num}: not valid CSV: {exc}", refused=True)
        )
    if errors:
        raise ResponsesError(errors)
    if not rows:
        raise ResponsesError([f"{source_name}: no data rows (only a header)"])
    answers = np.array(rows, dtype=np.float64).reshape(len(rows), len(framework.item_ids))
    return Responses(
        respondents=tuple(respondents),
        organisations=tuple(organisations),
        levels=tuple(levels),
        answers=answers,
        item_ids=framework.item_ids,
    )


_FIXED = ("respondent", "organisation", "level")


def responses_from_records(
    framework: Framework, records: Iterable[Mapping[str, Any]], *, source: str = "records"
) -> Responses:
    """Build responses from plain records, for example database rows.

    Each record is a mapping with ``respondent``, ``organisation``, ``level`` and ``answers``
    (a mapping of item id to an integer, None or ``"NA"``; an item left out is not
    applicable). Raises ``ResponsesError`` listing every problem, naming the record (1-based).
    """
    errors: list[str] = []
    known = set(framework.item_ids)
    position = {item: index for index, item in enumerate(framework.item_ids)}
    respondents: list[str] = []
    organisations: list[str] = []
    levels: list[str] = []
    first: dict[str, int] = {}
    records = list(records)
    answers = np.full((len(records), len(framework.item_ids)), np.nan)
    for row, record in enumerate(records):
        number = row + 1

        def error(field_name: str, reason: str, number: int = number) -> None:
            errors.append(f"{source}: record {number}, {field_name}: {reason}")

        respondent = str(record.get("respondent") or "").strip()
        if not respondent:
            error("respondent", "empty")
        elif respondent in first:
            error(
                "respondent",
                f"duplicate respondent id {respondent!r} (first in record {first[respondent]})",
            )
        else:
            first[respondent] = number
        organisation = str(record.get("organisation") or "").strip()
        if not organisation:
            error("organisation", "empty")
        level = str(record.get("level") or "").strip().lower()
        if level not in LEVELS:
            error("level", _level_reason(record.get("level") or ""))
        given = record.get("answers") or {}
        if not isinstance(given, Mapping):
            error("answers", "expected a mapping of item id to answer")
            given = {}
        for item, value in given.items():
            if item not in known:
                error(f"item {item!r}", f"not an item of framework {framework.id!r}")
                continue
            number_value, reason = parse_answer(value, framework.scale)
            if reason is not None:
                error(f"item {item!r}", reason)
            answers[row, position[item]] = number_value
        respondents.append(respondent)
        organisations.append(organisation)
        levels.append(level)
    if errors:
        raise ResponsesError(errors)
    return Responses(
        respondents=tuple(respondents),
        organisations=tuple(organisations),
        levels=tuple(levels),
        answers=answers,
        item_ids=framework.item_ids,
    )
