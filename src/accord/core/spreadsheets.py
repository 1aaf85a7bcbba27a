"""Reading and writing tabular files (CSV, XLSX, JSON) safely.

Exports neutralise formula injection: a cell that a spreadsheet would evaluate (starting with
=, +, -, @, or a tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .problems import Problems

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class Row(dict[str, str]):
    """One row of a file, its values by column name, and the line it stands on in the file
    (the header is line 1), so that messages name the line a person sees, blank lines and all."""

    def __init__(self, values: dict[str, str], line: int) -> None:
        super().__init__(values)
        self.line = line


class UnreadableFile(Problems):
    """The upload is not a CSV or XLSX file we can read: one problem, the file's."""

    def __init__(self, reason: str) -> None:
        super().__init__([reason])


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[Row]]:
    """Return (header, rows) from a CSV or XLSX file; every value a stripped string."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data)
    raise UnreadableFile(f"{filename}: not a CSV or XLSX file (the name must end .csv or .xlsx)")


def _read_csv(data: bytes) -> tuple[list[str], list[Row]]:
    if b"\x00" in data[:4096]:
        raise UnreadableFile("the file is not a text CSV file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("the file is not UTF-8 or Windows-1252 text") from exc
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader]
    return _to_dicts(rows)


def _read_xlsx(data: bytes) -> tuple[list[str], list[Row]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends from a corrupt upload
        raise UnreadableFile("the file is not a readable XLSX workbook") from exc
    sheet = workbook.worksheets[0]
    rows: list[list[str]] = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
    workbook.close()
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
        for row in batch:
            writer.writerow(["" if v is None else neutralise(v) for v in row])
        yield buffer.getvalue().encode("utf-8")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(stream_csv(header, rows))


def xlsx_to(
    target: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, marking: str
) -> None:
    """Write the workbook to a file or file-like `target`, row by row (openpyxl's write-only
    mode keeps no rows in memory).

    One data sheet (header then rows, so that it imports again) and an About sheet. The
    protective marking goes in the printed header and footer and on the About sheet, not in
    the data, so that the file can be edited and imported back.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for band in (sheet.oddHeader, sheet.oddFooter):
        band.center.text = marking
    sheet.append(list(header))
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    about = workbook.create_sheet("About")
    about.append(["Protective marking", marking])
    about.append(["Exported from", "Accord"])
    workbook.save(target)


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, marking: str
) -> bytes:
    buffer = io.BytesIO()
    xlsx_to(buffer, header, rows, title=title, marking=marking)
    return buffer.getvalue()


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


def write_json(records: list[dict[str, Any]], *, marking: str) -> bytes:
    return json.dumps(
        {"protective_marking": marking, "count": len(records), "records": records},
        indent=2,
        ensure_ascii=False,
        default=str,
    ).encode("utf-8")


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
