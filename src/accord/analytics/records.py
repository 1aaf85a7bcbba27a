"""Incident records read from CSV or Parquet files and checked, ready for the overlap engine.

Each file is read once, by Arrow's readers (multi-threaded C++), as text, and then checked
column by column with Arrow's compute functions, so that a million rows are read and checked
in about a second. A file with any problem is refused with every problem named (file, line,
column, why), up to `MAX_PROBLEMS_PER_FILE` a file, and nothing from any file is returned: the
caller stores nothing.

- ``service``: the text, trimmed and lower-cased (police, fire, ambulance or any other body);
  a record without one is a problem.
- ``received_at``: ISO 8601 local time without zone, ``YYYY-MM-DD HH:MM[:SS[.ffffff]]`` with a
  space or ``T``; a time with a zone (``Z``, ``+01:00``), a date alone, or anything that is not
  a real date and time is a problem. Parquet timestamps are taken as they are, and a zoned
  Parquet timestamp as the wall-clock time in its zone.
- ``latitude``, ``longitude``: decimal degrees; blank (or null, or NaN in Parquet) is
  missing, and a record without both is *unlocated*: kept and counted, never linked. A
  latitude outside -90 to 90 or a longitude outside -180 to 180, or text that is not a
  number, is a problem.
- ``incident_id``, ``category``: text, trimmed; may be blank.

Line numbers are the lines a person sees in the file (the header is line 1, blank lines
count); records blank in every required column are skipped. In Parquet files, problems name
the row (the first is row 1).

Pure: no Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from accord.analytics.layouts import FIELDS, Layout, layout_named
from accord.core.problems import Problem, Problems

#: Problems listed for one file; past that, one line says how many more there are.
MAX_PROBLEMS_PER_FILE = 50

_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$"
_ZONED = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_TIME_EXAMPLE = "2024-03-01 14:05:00"

#: The columns of the table `read_incidents` returns.
SCHEMA = pa.schema(
    [
        ("file", pa.int32()),
        ("incident_id", pa.string()),
        ("service", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("category", pa.string()),
    ]
)


@dataclass(frozen=True)
class Incidents:
    """Every record of every file, checked: `table` has the columns of `SCHEMA` (``file`` is
    the index of the record's file in `files`); unlocated records have null coordinates."""

    table: pa.Table
    files: tuple[str, ...]

    @property
    def records(self) -> int:
        return self.table.num_rows


def read_incidents(
    paths: Sequence[str | Path], layout: Layout | str = "accord", *, details: bool = True
) -> Incidents:
    """Every record of the files, in order, checked; raises `Problems` naming every problem of
    every file (each file's name as given), and then returns nothing. Without `details`, the
    incident ids and categories are not read (they are null): the linkage needs neither."""
    chosen = layout_named(layout) if isinstance(layout, str) else layout
    tables: list[pa.Table] = []
    problems: list[Problem] = []
    names = tuple(str(path) for path in paths)
    for index, name in enumerate(names):
        try:
            table = _read_file(Path(name), name, chosen, chosen.needed(details=details))
        except Problems as exc:
            problems.extend(exc.problems)
            continue
        file_column = pa.array(np.full(table.num_rows, index, dtype=np.int32))
        tables.append(table.add_column(0, "file", file_column))
    if problems:
        raise Problems(problems)
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    return Incidents(table.cast(SCHEMA), names)


# --------------------------------------------------------------------------------------------
# Files


def _read_file(path: Path, name: str, layout: Layout, needed: tuple[str, ...]) -> pa.Table:
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise Problems([Problem(f"cannot be read: {exc.strerror or exc}", source=name)]) from exc
    if magic == b"PAR1":
        return _read_parquet(path, name, layout, needed)
    return _read_csv(path, name, layout, needed)


@dataclass
class _Raw:
    """A file's columns as read, before checking: each needed column by its name in the
    layout, and where each record stands in the file."""

    columns: dict[str, pa.Array]
    #: The line (CSV) or row (Parquet) of each record, or a function that finds them (CSV
    #: read fast, whose lines are counted only when a problem needs them).
    lines: npt.NDArray[np.int64] | Callable[[], npt.NDArray[np.int64]]
    row_word: str

    def where(self) -> npt.NDArray[np.int64]:
        if callable(self.lines):
            self.lines = self.lines()
        return self.lines


def _read_csv(path: Path, name: str, layout: Layout, needed: tuple[str, ...]) -> pa.Table:
    header_line = 0
    if layout.columns is None:
        header_line, header = _header(path, name)
        if header is None:
            if layout.required:
                shown = ", ".join(layout.required)
                raise Problems(
                    [Problem(f"the file is empty: expected a header with {shown}", source=name)]
                )
            return _empty()
    else:
        header = list(layout.columns)
    wanted = _positions(header, header_line, name, layout, needed, row_word="line")
    width = len(header)
    required = [index for column, index in wanted.items() if column in layout.required]
    raw = _fast_csv(path, header_line, width, wanted, required)
    if raw is None:
        raw = _slow_csv(path, name, header_line, width, wanted, required, layout)
    return _check(raw, name, layout)


def _header(path: Path, name: str) -> tuple[int, list[str] | None]:
    """The first row that is not blank, and its line; (0, None) for a file of blank lines."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    return reader.line_num, cells
    except UnicodeDecodeError as exc:
        raise Problems([_not_utf8(path, name, exc)]) from exc
    except csv.Error as exc:
        raise Problems([Problem(f"the header is not CSV: {exc}", source=name)]) from exc
    return 0, None


def _positions(
    header: Sequence[str],
    header_line: int,
    name: str,
    layout: Layout,
    needed: tuple[str, ...],
    *,
    row_word: str,
) -> dict[str, int]:
    """Each needed column's index in the header, matched in any case; every missing required
    column and every needed column named twice is a problem."""
    at: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        at.setdefault(cell.strip().lstrip("\ufeff").lower(), []).append(index)
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    row = header_line if header_line else None
    for column in needed:
        found = at.get(column.lower(), [])
        if len(found) > 1:
            problems.append(
                Problem(
                    f"two columns are named {column!r}",
                    row=row,
                    field=column,
                    source=name,
                    row_word=row_word,
                )
            )
        elif found:
            positions[column] = found[0]
        elif column in layout.required:
            shown = ", ".join(repr(cell.strip()) for cell in header if cell.strip()) or "none"
            problems.append(
                Problem(
                    f"the required column {column!r} is missing (the columns are {shown})",
                    row=row,
                    field=column,
                    source=name,
                    row_word=row_word,
                )
            )
    if problems:
        raise Problems(problems)
    return positions


def _fast_csv(
    path: Path, header_line: int, width: int, wanted: dict[str, int], required: list[int]
) -> _Raw | None:
    """The needed columns as Arrow reads them, or None when Arrow cannot (rows of the wrong
    width, text that is not UTF-8, a header after blank lines): the slow path then reads the
    file with Python's csv module and names the lines."""
    if header_line > 1:
        return None
    names = [f"c{index}" for index in range(width)]
    table = None
    # Without newlines in values Arrow reads blocks in parallel; a quoted value with a line
    # break across two blocks puts its chunker out of step, which it reports, and the file is
    # read again allowing them.
    for newlines_in_values in (False, True):
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=header_line, block_size=16 << 20
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=newlines_in_values),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    include_columns=[names[index] for index in wanted.values()],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            break
        except (pa.ArrowInvalid, UnicodeDecodeError):
            continue
    if table is None:
        return None
    columns = {
        column: _trim(table.column(f"c{index}").combine_chunks())
        for column, index in wanted.items()
    }
    blank = _all_blank([columns[c] for c, i in wanted.items() if i in required], table.num_rows)
    if blank is not None:
        columns = {column: values.filter(pc.invert(blank)) for column, values in columns.items()}

    def lines() -> npt.NDArray[np.int64]:
        return np.array(
            [line for line, _ in _csv_rows(path, header_line, required)], dtype=np.int64
        )

    return _Raw(columns, lines, "line")


def _csv_rows(path: Path, header_line: int, required: list[int]) -> Iterator[tuple[int, list[str]]]:
    """Each record after the header that is not blank in every required column: the line it
    starts on, and its cells."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        ended = 0
        for cells in reader:
            start, ended = ended + 1, reader.line_num
            if start <= header_line:
                continue
            if not any(cells[index].strip() for index in required if index < len(cells)):
                continue
            yield start, cells


def _slow_csv(
    path: Path,
    name: str,
    header_line: int,
    width: int,
    wanted: dict[str, int],
    required: list[int],
    layout: Layout,
) -> _Raw:
    values: dict[str, list[str]] = {column: [] for column in wanted}
    lines: list[int] = []
    problems: list[Problem] = []
    ragged = 0
    expected = (
        f"the header has {width}"
        if layout.columns is None
        else f"the {layout.name} layout has {width}"
    )
    try:
        for line, cells in _csv_rows(path, header_line, required):
            if len(cells) != width:
                ragged += 1
                if ragged <= MAX_PROBLEMS_PER_FILE:
                    problems.append(
                        Problem(
                            f"the row has {len(cells)} fields; {expected}",
                            row=line,
                            source=name,
                            row_word="line",
                        )
                    )
                continue
            lines.append(line)
            for column, index in wanted.items():
                values[column].append(cells[index].strip())
    except UnicodeDecodeError as exc:
        raise Problems([_not_utf8(path, name, exc)]) from exc
    except csv.Error as exc:
        raise Problems([Problem(f"is not CSV: {exc}", source=name)]) from exc
    if ragged > MAX_PROBLEMS_PER_FILE:
        more = ragged - MAX_PROBLEMS_PER_FILE
        problems.append(Problem(f"and {more:,} more rows of the wrong width", source=name))
    if problems:
        raise Problems(problems)
    columns = {column: pa.array(cells, pa.string()) for column, cells in values.items()}
    return _Raw(columns, np.array(lines, dtype=np.int64), "line")


def _not_utf8(path: Path, name: str, exc: UnicodeDecodeError) -> Problem:
    data = path.read_bytes()
    offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    line = data.count(b"\n", 0, offset) + 1
    return Problem(
        "is not UTF-8 text: save the file as CSV UTF-8", row=line, source=name, row_word="line"
    )


def _read_parquet(path: Path, name: str, layout: Layout, needed: tuple[str, ...]) -> pa.Table:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise Problems(
            [Problem(f"is not a Parquet file that can be read: {exc}", source=name)]
        ) from exc
    header = list(schema.names)
    positions = _positions(header, 0, name, layout, needed, row_word="row")
    try:
        table = pq.read_table(path, columns=[header[index] for index in positions.values()])
    except (pa.ArrowException, OSError) as exc:
        raise Problems(
            [Problem(f"is not a Parquet file that can be read: {exc}", source=name)]
        ) from exc
    columns: dict[str, pa.Array] = {}
    problems: list[Problem] = []
    typed = {layout.column_for("latitude"), layout.column_for("longitude")}
    for column, index in positions.items():
        values = table.column(header[index]).combine_chunks()
        kind = values.type
        keep = (column in typed and (pa.types.is_integer(kind) or pa.types.is_floating(kind))) or (
            column == layout.column_for("received_at") and pa.types.is_timestamp(kind)
        )
        if not keep:
            try:
                values = _trim(values.cast(pa.string()))
            except pa.ArrowException:
                problems.append(
                    Problem(f"the column holds {kind}, not text", field=column, source=name)
                )
        columns[column] = values
    if problems:
        raise Problems(problems)
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    blank = _all_blank([v for c, v in columns.items() if c in layout.required], table.num_rows)
    if blank is not None:
        keep = pc.invert(blank)
        columns = {column: values.filter(keep) for column, values in columns.items()}
        rows = rows[np.asarray(keep, dtype=bool)]
    return _check(_Raw(columns, rows, "row"), name, layout)


def _trim(values: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(values)


def _all_blank(columns: list[pa.Array], rows: int) -> pa.Array | None:
    """Which rows are blank (or null) in every one of these columns (the required ones), or
    None when none is."""
    if not columns or rows == 0:
        return None
    blank: pa.Array | None = None
    for values in columns:
        if pa.types.is_string(values.type):
            empty = pc.fill_null(pc.equal(values, ""), True)
        else:
            empty = pc.is_null(values, nan_is_null=True)
        blank = empty if blank is None else pc.and_(blank, empty)
    assert blank is not None
    return blank if pc.any(blank).as_py() else None


def _empty() -> pa.Table:
    return pa.schema([f for f in SCHEMA if f.name != "file"]).empty_table()


# --------------------------------------------------------------------------------------------
# Checking


@dataclass
class _Found:
    """The problems of one file: by record index, column and reason."""

    indices: list[npt.NDArray[np.int64]]
    columns: list[str]
    reasons: list[Callable[[int], str]]

    def add(self, mask: npt.NDArray[np.bool_], column: str, reason: Callable[[int], str]) -> None:
        where = np.flatnonzero(mask)
        if where.size:
            self.indices.append(where)
            self.columns.append(column)
            self.reasons.append(reason)


def _check(raw: _Raw, name: str, layout: Layout) -> pa.Table:
    rows = _length(raw.columns)
    found = _Found([], [], [])
    service, category = _service_and_category(raw.columns, rows, layout, found)
    received = _received_at(raw.columns, rows, layout, found)
    latitude = _coordinate(raw.columns, rows, layout, "latitude", 90.0, found)
    longitude = _coordinate(raw.columns, rows, layout, "longitude", 180.0, found)
    if found.indices:
        raise Problems(_problems(found, raw, name, layout))
    unlocated = np.isnan(latitude) | np.isnan(longitude)
    latitude[unlocated] = np.nan
    longitude[unlocated] = np.nan
    incident_id = _text(raw.columns, rows, layout, "incident_id")
    return pa.table(
        {
            "incident_id": incident_id,
            "service": service,
            "received_at": received,
            "latitude": pa.array(latitude, pa.float64(), from_pandas=True),
            "longitude": pa.array(longitude, pa.float64(), from_pandas=True),
            "category": category,
        }
    )


def _length(columns: dict[str, pa.Array]) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def _text(columns: dict[str, pa.Array], rows: int, layout: Layout, field_name: str) -> pa.Array:
    column = layout.column_for(field_name)
    if column is None or column not in columns:
        return pa.nulls(rows, pa.string())
    values = columns[column]
    if not pa.types.is_string(values.type):
        values = _trim(values.cast(pa.string()))
    return values


def _cell(values: pa.Array, index: int) -> str:
    value = values[index].as_py()
    return "" if value is None else str(value)


def _service_and_category(
    columns: dict[str, pa.Array], rows: int, layout: Layout, found: _Found
) -> tuple[pa.Array, pa.Array]:
    if layout.title is not None:
        title_column = layout.title
        titles = pc.fill_null(columns[title_column], "")
        parts = pc.extract_regex(titles, r"^(?P<prefix>[^:]*):(?P<rest>.*)$")
        prefix = pc.utf8_lower(pc.utf8_trim_whitespace(pc.struct_field(parts, "prefix")))
        category = pc.fill_null(pc.utf8_trim_whitespace(pc.struct_field(parts, "rest")), "")
        prefixes = list(layout.services)
        known = pa.array([key.lower() for key in prefixes], pa.string())
        mapped = pc.index_in(prefix, value_set=known)
        services = pa.array([layout.services[key] for key in prefixes], pa.string())
        service = pc.take(services, mapped)
        bad = pc.is_null(mapped).to_numpy(zero_copy_only=False)
        words = ", ".join(f"{key}:" for key in prefixes)
        found.add(
            bad,
            title_column,
            lambda i: (
                f"the title {_cell(titles, i)!r} does not start with a service ({words})"
                if _cell(titles, i)
                else "no title (it starts with the service: " + words + ")"
            ),
        )
        return service, category
    column = layout.column_for("service")
    assert column is not None
    service = pc.utf8_lower(pc.fill_null(columns[column], ""))
    blank = pc.equal(service, "").to_numpy(zero_copy_only=False)
    found.add(blank, column, lambda i: "no service (police, fire, ambulance or another body)")
    return service, _text(columns, rows, layout, "category")


def _received_at(
    columns: dict[str, pa.Array], rows: int, layout: Layout, found: _Found
) -> pa.Array:
    column = layout.column_for("received_at")
    assert column is not None
    values = columns[column]
    if pa.types.is_timestamp(values.type):
        if values.type.tz is not None:
            values = pc.local_timestamp(values)
        values = values.cast(pa.timestamp("us"))
        found.add(
            pc.is_null(values).to_numpy(zero_copy_only=False),
            column,
            lambda i: "no time the call was received",
        )
        return pc.fill_null(values, pa.scalar(0, pa.timestamp("us")))
    text = pc.fill_null(values, "")
    quick = _quick_times(text)
    if quick is not None:
        return quick
    good = pc.match_substring_regex(text, _TIME).to_numpy(zero_copy_only=False)
    placeholder = pa.scalar("1970-01-01 00:00", pa.string())
    candidate = pc.if_else(pa.array(good), text, placeholder)
    try:
        parsed = pc.cast(candidate, pa.timestamp("us"))
    except pa.ArrowInvalid:
        # Written like a time but no such day or hour (2024-02-30, 25:00): find which.
        strings = candidate.to_pylist()
        impossible = np.zeros(rows, dtype=bool)
        for index in np.flatnonzero(good):
            try:
                dt.datetime.fromisoformat(strings[index])
            except ValueError:
                impossible[index] = True
        good &= ~impossible
        parsed = pc.cast(pc.if_else(pa.array(good), text, placeholder), pa.timestamp("us"))
    bad = ~good
    if bad.any():
        zoned = pc.match_substring_regex(text, _ZONED).to_numpy(zero_copy_only=False)
        dated = pc.match_substring_regex(text, _DATE).to_numpy(zero_copy_only=False)

        def reason(index: int) -> str:
            written = _cell(text, index)
            if not written:
                return "no time the call was received"
            if zoned[index]:
                return (
                    f"the time {written!r} has a time zone: write local time without one, "
                    f"such as {_TIME_EXAMPLE}"
                )
            if dated[index]:
                return (
                    f"the time {written!r} is a date without a time of day, such as {_TIME_EXAMPLE}"
                )
            return (
                f"the time {written!r} is not a date and time: write ISO 8601 local time, "
                f"such as {_TIME_EXAMPLE}"
            )

        found.add(bad, column, reason)
    return parsed


def _quick_times(text: pa.Array) -> pa.Array | None:
    """Every time parsed at once, when every one is good: Arrow parses it, and it has the
    shape ``YYYY-MM-DD?HH:MM`` and at most ``:SS.ffffff`` more (the regular expression's
    forms, tested without it); None when any is not, and the slow checks then name which."""
    try:
        parsed = pc.cast(text, pa.timestamp("us"))
    except pa.ArrowInvalid:
        return None
    length = pc.utf8_length(text)
    shaped = pc.and_(
        pc.and_(pc.greater_equal(length, 16), pc.less_equal(length, 26)),
        pc.and_(
            pc.is_in(pc.utf8_slice_codeunits(text, 10, 11), value_set=pa.array([" ", "T"])),
            pc.equal(pc.utf8_slice_codeunits(text, 13, 14), ":"),
        ),
    )
    return parsed if pc.all(shaped).as_py() is not False else None


def _quick_numbers(text: pa.Array, blank: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64] | None:
    """Every coordinate parsed at once, when every one written is a finite number; None when
    any is not, and the slow checks then name which."""
    try:
        numbers = pc.cast(
            pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), text), pa.float64()
        )
    except pa.ArrowInvalid:
        return None
    parsed = pc.fill_null(numbers, math.nan).to_numpy(zero_copy_only=False).copy()
    if not np.isfinite(parsed[~blank]).all():
        return None
    return parsed


def _coordinate(
    columns: dict[str, pa.Array],
    rows: int,
    layout: Layout,
    field_name: str,
    limit: float,
    found: _Found,
) -> npt.NDArray[np.float64]:
    column = layout.column_for(field_name)
    assert column is not None
    values = columns[column]
    text: pa.Array | None = None
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        numbers = pc.fill_null(values.cast(pa.float64()), math.nan).to_numpy(zero_copy_only=False)
        numbers = numbers.copy()
        blank = np.isnan(numbers)
    else:
        text = pc.fill_null(values, "")
        blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
        quick = _quick_numbers(text, blank)
        if quick is not None:
            outside = np.abs(quick) > limit
            if not outside.any():
                return quick
        numeric = pc.match_substring_regex(text, _NUMBER).to_numpy(zero_copy_only=False)
        not_number = ~numeric & ~blank
        shown = text
        found.add(
            not_number,
            column,
            lambda i: f"the {field_name} {_cell(shown, i)!r} is not a number (decimal degrees)",
        )
        candidate = pc.if_else(pa.array(numeric), text, pa.scalar(None, pa.string()))
        numbers = pc.fill_null(pc.cast(candidate, pa.float64()), math.nan)
        numbers = numbers.to_numpy(zero_copy_only=False).copy()
    with np.errstate(invalid="ignore"):
        outside = np.abs(numbers) > limit
    written = text
    read = numbers.copy()

    def outside_reason(index: int) -> str:
        value = _cell(written, index) if written is not None else repr(float(read[index]))
        return f"the {field_name} {value} is outside -{limit:g} to {limit:g}"

    found.add(outside, column, outside_reason)
    numbers[blank | outside] = np.nan
    return np.ascontiguousarray(numbers, dtype=np.float64)


def _problems(found: _Found, raw: _Raw, name: str, layout: Layout) -> list[Problem]:
    order = {column: position for position, column in enumerate(layout.needed())}
    entries: list[tuple[int, int, int]] = []  # record index, column's order, which check
    for check, indices in enumerate(found.indices):
        rank = order.get(found.columns[check], len(order))
        entries.extend((int(index), rank, check) for index in indices)
    entries.sort()
    lines = raw.where()
    problems = [
        Problem(
            found.reasons[check](index),
            row=int(lines[index]),
            field=found.columns[check],
            source=name,
            row_word=raw.row_word,
        )
        for index, _, check in entries[:MAX_PROBLEMS_PER_FILE]
    ]
    if len(entries) > MAX_PROBLEMS_PER_FILE:
        more = len(entries) - MAX_PROBLEMS_PER_FILE
        problems.append(Problem(f"and {more:,} more problems in this file", source=name))
    return problems


__all__ = ["FIELDS", "MAX_PROBLEMS_PER_FILE", "SCHEMA", "Incidents", "read_incidents"]
