"""Reading and writing tabular files (CSV, XLSX, JSON) safely.

Exports neutralise formula injection: a cell that a spreadsheet would evaluate (starting with
=, +, -, @, or a tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .problems import Problem, Problems
from .text import import_max_bytes, megabytes, too_large

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralised_row(
    row: Sequence[Any], startswith: Any = str.startswith, prefixes: Any = FORMULA_PREFIXES
) -> Sequence[Any]:
    """The row as a CSV file may hold it, formula injection neutralised. A row of text none of
    whose cells starts like a formula (nearly every row) is checked by one pass in C and
    written as it is: a Python step a cell was a third of a whole-register export's writing."""
    try:
        if not any(map(startswith, row, repeat(prefixes))):
            return row
    except TypeError:  # a cell that is not text (a number, a date, None): each cell checked
        pass
    return ["" if v is None else neutralise(v) for v in row]


def _xlsx_cell(value: Any) -> Any:
    """A value as a workbook may hold it: control characters that XML cannot carry (such as
    \x01 in a title stored before forms refused them) are dropped, so that one bad character
    does not stop the whole export."""
    value = neutralise(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class Row(dict[str, str]):
    """One row of a file, its values by column name, and the line it stands on in the file
    (the header is line 1), so that messages name the line a person sees, blank lines and all."""

    def __init__(self, values: dict[str, str], line: int) -> None:
        super().__init__(values)
        self.line = line


class UnreadableFile(Problems):
    """The upload is not a CSV or XLSX file we can read: one problem, the file's, which refuses
    it outright (exit status 1 on the command line)."""

    def __init__(self, reason: str) -> None:
        super().__init__([Problem(str(reason), refused=True)])


#: Rows one file may hold: the register has a few thousand records; a sheet that claims a
#: million rows is refused before they are read.
MAX_ROWS = 100_000
#: Columns one sheet may hold (the import has 25).
MAX_COLUMNS = 200
#: Characters in one field. Python's csv module stops at 131,072 with an error of its own.
MAX_FIELD = 100_000
#: How much larger than the file an XLSX workbook's unpacked parts may be, all together and
#: member by member: real workbooks unpack to a few times their size, a deflate bomb to a
#: thousand times.
MAX_UNPACKED_RATIO = 20
MAX_MEMBER_RATIO = 200
#: Members this small are never a bomb, whatever their ratio.
SMALL_MEMBER = 1024 * 1024


def read_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """A file's bytes from disk, refused unread when it is larger than the import limit: the
    command line's way in, with the pages' limits (``OSError`` passes through)."""
    file = Path(path)
    limit = import_max_bytes() if max_bytes is None else max_bytes
    size = file.stat().st_size
    if size > limit:
        raise UnreadableFile(f"{file}: {too_large(size, limit)}")
    return file.read_bytes()


def read_text_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> str:
    """A CSV file's text from disk, as :func:`read_file` reads it and :func:`decode_text`
    decodes it."""
    data = read_file(path, max_bytes=max_bytes)
    try:
        return decode_text(data)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{Path(path).name}: {exc.problems[0]}") from exc


def read_rows(
    data: bytes, filename: str, *, max_bytes: int | None = None
) -> tuple[list[str], list[Row]]:
    """Return (header, rows) from a CSV or XLSX file; every value a stripped string.

    `max_bytes` is the import limit (``settings.IMPORT_MAX_MB`` in bytes where Django is set
    up; without it, the same limit read from ``ACCORD_IMPORT_MAX_MB``). A file too large, too
    long, too wide, with a field too long, a NUL byte, or in an encoding other than UTF-8 or
    Windows-1252 is refused with one message saying which.
    """
    limit = import_max_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise UnreadableFile(f"{filename}: {too_large(len(data), limit)}")
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            return _read_xlsx(data, limit)
        if name.endswith(".csv") or name.endswith(".txt"):
            return _read_csv(data)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{filename}: {exc.problems[0]}") from exc
    except Problems as exc:  # bad cells, each with its row and column: name the file too
        raise Problems([p.placed(source=filename) for p in exc.problems]) from exc
    raise UnreadableFile(f"{filename}: not a CSV or XLSX file (the name must end .csv or .xlsx)")


def decode_text(data: bytes) -> str:
    """A text file's bytes as text: UTF-8 (with or without its mark) or Windows-1252; any
    other encoding is refused naming the one found and the one wanted."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableFile("the file is UTF-32 text: save it as CSV UTF-8 (comma delimited)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        raise UnreadableFile("the file is UTF-16 text: save it as CSV UTF-8 (comma delimited)")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # Decoding the rest as Windows-1252 would keep the mark as three letters in the
            # first column's name: say what the file is instead.
            raise UnreadableFile(
                "the file starts with a UTF-8 byte-order mark but its text is not UTF-8 "
                f"(byte {exc.start + 1} is not; it looks like Windows-1252): save it as "
                "CSV UTF-8 (comma delimited)"
            ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"the file is not UTF-8 or Windows-1252 text (byte {exc.start + 1} is neither): "
                "save it as CSV UTF-8 (comma delimited)"
            ) from exc


def _looks_utf16(data: bytes) -> bool:
    # UTF-16 without a mark: ASCII text has a NUL in every other byte.
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > len(even) * 0.4 or odd.count(0) > len(odd) * 0.4


def _read_csv(data: bytes) -> tuple[list[str], list[Row]]:
    text = decode_text(data)
    if text[:4096].count("\x00") > 40:
        # A NUL or two is a bad field, named with its row below; many are a binary file.
        raise UnreadableFile("the file is not a text CSV file (it contains binary data)")
    reader = csv.reader(io.StringIO(text))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise UnreadableFile(_too_many_rows())
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(_field_too_long(reader.line_num)) from exc
        raise UnreadableFile(f"line {reader.line_num} is not CSV: {exc}") from exc
    return _to_dicts(rows)


def _too_many_rows() -> str:
    return f"the file has more than {MAX_ROWS:,} rows; import it in parts"


def _field_too_long(line: int) -> str:
    return f"line {line} has a field longer than {MAX_FIELD:,} characters"


def _check_zip(data: bytes, limit: int) -> None:
    """Refuse a workbook whose parts unpack far beyond its size, before openpyxl unpacks any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    unpacked = sum(m.file_size for m in members)
    allowed = max(len(data), SMALL_MEMBER) * MAX_UNPACKED_RATIO
    if unpacked > min(allowed, limit * MAX_UNPACKED_RATIO):
        raise UnreadableFile(
            f"the workbook unpacks to {megabytes(unpacked)} from {megabytes(len(data))} "
            "(a compression bomb?); it is refused unread"
        )
    for member in members:
        if (
            member.file_size > SMALL_MEMBER
            and member.file_size > max(member.compress_size, 1) * MAX_MEMBER_RATIO
        ):
            raise UnreadableFile(
                f"the workbook's part {member.filename} unpacks to {megabytes(member.file_size)} "
                f"from {megabytes(member.compress_size)} (a compression bomb?); it is refused "
                "unread"
            )


def _read_xlsx(data: bytes, limit: int) -> tuple[list[str], list[Row]]:
    _check_zip(data, limit)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends from a corrupt upload
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        # The sheet's stated size, read from its first lines: a sheet whose rows jump to
        # row 1,048,576 is refused here, before a million empty rows are made.
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise UnreadableFile(
                f"the sheet reaches row {sheet.max_row:,}; a file may have at most "
                f"{MAX_ROWS:,} rows (delete the empty rows below the table, or import in parts)"
            )
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise UnreadableFile(
                f"the sheet reaches column {sheet.max_column:,}; a file may have at most "
                f"{MAX_COLUMNS} columns (delete the empty columns beside the table)"
            )
        rows: list[list[str]] = []
        # The stated size may be missing or false: count as the rows come, too.
        for values in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_ROWS:
                raise UnreadableFile(_too_many_rows())
            if len(values) > MAX_COLUMNS:
                raise UnreadableFile(f"the sheet has more than {MAX_COLUMNS} columns")
            rows.append(["" if v is None else _cell_text(v) for v in values])
    except UnreadableFile:
        raise
    except ValueError as exc:  # a cell openpyxl cannot convert, such as a 5,000-digit number
        raise UnreadableFile(
            f"the workbook has a cell that cannot be read ({' '.join(str(exc).split())[:120]})"
        ) from exc
    except Exception as exc:  # a corrupt part found only as the rows are read
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    finally:
        workbook.close()
    for line, row in enumerate(rows, start=1):
        if any(len(cell) > MAX_FIELD for cell in row):
            raise UnreadableFile(f"row {line} has a cell longer than {MAX_FIELD:,} characters")
    return _to_dicts(rows)


def _cell_text(value: Any) -> str:
    if hasattr(value, "date") and hasattr(value, "hour"):
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_dicts(rows: list[list[str]]) -> tuple[list[str], list[Row]]:
    # Blank lines are skipped, but each row keeps the line number it has in the file.
    numbered = [
        (line, row) for line, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not numbered:
        return [], []
    header = [cell.strip().lower() for cell in numbered[0][1]]
    while header and not header[-1]:
        header.pop()
    problems: list[Problem] = []
    for line, row in numbered:
        for column, cell in enumerate(row):
            if len(cell) > MAX_FIELD:
                raise UnreadableFile(_field_too_long(line))
            if "\x00" in cell:
                name = header[column] if column < len(header) and line != numbered[0][0] else ""
                problems.append(
                    Problem(
                        "contains a NUL byte (U+0000), which text may not hold",
                        row=line,
                        field=name or f"{column + 1}",
                        refused=True,
                    )
                )
    if problems:
        raise Problems(problems)
    result = []
    for line, row in numbered[1:]:
        padded = list(row) + [""] * (len(header) - len(row))
        result.append(Row({name: padded[i].strip() for i, name in enumerate(header)}, line))
    return header, result


#: Rows written between two pieces of a streamed file: memory holds at most this many.
BATCH_ROWS = 200


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file as it is written: the header, then the rows in batches, so that memory does
    not grow with the rows. Formula injection is neutralised cell by cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for batch in _batches(rows, BATCH_ROWS):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(_neutralised_row, batch))
        yield buffer.getvalue().encode("utf-8")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(stream_csv(header, rows))


def xlsx_to(
    target: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    marking: str,
    guides: Mapping[str, ColumnGuide] | None = None,
    sheets: Sequence[ReferenceSheet] = (),
    about: Sequence[tuple[str, str]] = (),
    widths: Mapping[str, float] | None = None,
) -> None:
    """Write the workbook to a file or file-like `target`, row by row (openpyxl's write-only
    mode keeps no rows in memory).

    One data sheet (header then rows, so that it imports again) and an About sheet. The
    protective marking goes in the printed header and footer and on the About sheet, not in
    the data, so that the file can be edited and imported back.

    A workbook that people fill in (an import template) may also have, by column name,
    `guides` (a message shown when a cell is chosen and, for a coded column, a drop-down
    list: see :func:`add_guides`), `sheets` of reference after the data sheet (every sheet
    but the first is ignored by the import), more `about` rows and column `widths`.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for band in (sheet.oddHeader, sheet.oddFooter):
        band.center.text = marking
    for name, width in (widths or {}).items():
        if name in header:
            sheet.column_dimensions[get_column_letter(header.index(name) + 1)].width = width
    lists = add_guides(sheet, header, guides or {})
    sheet.append([_xlsx_cell(v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    for extra in sheets:
        _reference_sheet(workbook, extra, marking)
    about_sheet = workbook.create_sheet("About")
    for band in (about_sheet.oddHeader, about_sheet.oddFooter):
        band.center.text = marking
    about_sheet.column_dimensions["A"].width = 24
    about_sheet.column_dimensions["B"].width = 100
    about_sheet.append(["Protective marking", marking])
    about_sheet.append(["Exported from", "Accord"])
    for label, text in about:
        about_sheet.append([_xlsx_cell(label), _xlsx_cell(text)])
    if lists:
        write_lists_sheet(workbook, lists)
    workbook.save(target)


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    marking: str,
    guides: Mapping[str, ColumnGuide] | None = None,
    sheets: Sequence[ReferenceSheet] = (),
    about: Sequence[tuple[str, str]] = (),
    widths: Mapping[str, float] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    xlsx_to(
        buffer,
        header,
        rows,
        title=title,
        marking=marking,
        guides=guides,
        sheets=sheets,
        about=about,
        widths=widths,
    )
    return buffer.getvalue()


# Workbooks that people fill in: messages and drop-down lists -------------------------------

#: Excel's own limits: longer text makes it call the file corrupt and "repair" it away.
PROMPT_TITLE_MAX = 32
PROMPT_MAX = 255
ERROR_MAX = 225
#: An inline list ("a,b,c") holds at most this many characters, its quotes and commas counted;
#: a longer one is kept on the hidden Lists sheet and referred to by its range.
INLINE_LIST_MAX = 255
LISTS_SHEET = "Lists"
#: Rows a guide covers below the header: as many as an import may hold.
GUIDED_ROWS = MAX_ROWS


@dataclass(frozen=True)
class ColumnGuide:
    """Help for one column of a workbook people fill in: the message Excel shows when one of
    its cells is chosen, and, for a coded column, the values its drop-down list offers."""

    title: str
    message: str
    choices: tuple[str, ...] = ()
    #: A value not in the list is refused as it is typed (a column that takes one code), or,
    #: when False, only questioned (a column whose cells may combine codes, "fire; ambulance").
    strict: bool = True

    def __post_init__(self) -> None:
        if len(self.title) > PROMPT_TITLE_MAX:
            raise ValueError(f"guide title {self.title!r} is over {PROMPT_TITLE_MAX} characters")
        if len(self.message) > PROMPT_MAX:
            raise ValueError(
                f"guide {self.title!r}: message is {len(self.message)} characters; Excel shows "
                f"at most {PROMPT_MAX}"
            )

    def error(self) -> str:
        """What Excel says of a value not in the list: the list itself when it fits."""
        listed = f"Choose one from the list: {', '.join(self.choices)}."
        if len(listed) <= ERROR_MAX:
            return listed
        return "Choose a value from the cell's drop-down list."


@dataclass(frozen=True)
class ReferenceSheet:
    """A sheet of reference after the data (the codes a column takes, with their names)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()


def inline_list(choices: Sequence[str]) -> str | None:
    """The drop-down's values as Excel's inline list (`"a,b,c"`), or None when it cannot be
    one: longer than Excel allows, or a value holding a comma or a double quote."""
    formula = '"' + ",".join(choices) + '"'
    if len(formula) > INLINE_LIST_MAX or any("," in c or '"' in c for c in choices):
        return None
    return formula


def add_guides(
    sheet: Any, header: Sequence[str], guides: Mapping[str, ColumnGuide]
) -> list[tuple[str, ...]]:
    """Add each guided column's message and drop-down to `sheet` (from row 2 down), and
    return the lists too long to go inline, in the order of the Lists sheet's columns
    (:func:`write_lists_sheet` writes them; each guide refers to its column there)."""
    unknown = [name for name in guides if name not in header]
    if unknown:
        raise ValueError(f"guides for columns the sheet does not have: {', '.join(unknown)}")
    long_lists: list[tuple[str, ...]] = []
    for name, guide in guides.items():
        letter = get_column_letter(header.index(name) + 1)
        cells = f"{letter}2:{letter}{GUIDED_ROWS + 1}"
        if guide.choices:
            formula = inline_list(guide.choices)
            if formula is None:
                long_lists.append(guide.choices)
                column = get_column_letter(len(long_lists))
                formula = (
                    f"{quote_sheetname(LISTS_SHEET)}!${column}$1:${column}${len(guide.choices)}"
                )
            validation = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if guide.strict else "warning",
                errorTitle=guide.title,
                error=guide.error(),
            )
        else:  # a message only: any value may be typed
            validation = DataValidation(allow_blank=True)
        validation.promptTitle = guide.title
        validation.prompt = guide.message
        validation.showInputMessage = True
        validation.add(cells)
        sheet.data_validations.append(validation)
    return long_lists


def write_lists_sheet(workbook: Any, lists: Sequence[Sequence[str]]) -> None:
    """The hidden sheet that holds the drop-downs too long to go inline, a list a column, in
    the order :func:`add_guides` gave them."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    depth = max(len(values) for values in lists)
    for index in range(depth):
        sheet.append(
            [_xlsx_cell(values[index]) if index < len(values) else None for values in lists]
        )


def _reference_sheet(workbook: Any, extra: ReferenceSheet, marking: str) -> None:
    sheet = workbook.create_sheet(extra.title[:31])
    sheet.freeze_panes = "A2"
    for band in (sheet.oddHeader, sheet.oddFooter):
        band.center.text = marking
    for index, width in enumerate(extra.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_xlsx_cell(v) for v in extra.header])
    for row in extra.rows:
        sheet.append([_xlsx_cell(v) for v in row])


def stream_json(records: Iterable[dict[str, Any]], *, count: int, marking: str) -> Iterator[bytes]:
    """The JSON export as it is written: the marking and count, then each record. Values are
    kept as entered: JSON is not a spreadsheet, so nothing is neutralised."""
    head = json.dumps({"protective_marking": marking, "count": count}, ensure_ascii=False)
    yield (head[:-1] + ', "records": [').encode("utf-8")
    separator = "\n  "
    for batch in _batches(records, BATCH_ROWS):
        parts = []
        for record in batch:
            parts.append(separator + json.dumps(record, ensure_ascii=False, default=str))
            separator = ",\n  "
        yield "".join(parts).encode("utf-8")
    yield b"\n]}\n"


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
