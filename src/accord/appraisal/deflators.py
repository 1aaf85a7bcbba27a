"""GDP deflators: uplift money from one year's prices to another's.

Pure: imports neither Django nor the database. A table maps a financial year (2016 stands for
2016-17, April to March) to an index. Uplifting a value from year A's prices to year B's
multiplies it by index(B) / index(A)::

    uplift(100, 2016, 2023, table)  ==  100 * table[2023] / table[2016]

The index is the Office for National Statistics' GDP implied deflator at market prices, series
YBGB, as ONS publishes it (:func:`parse_ons_series` reads its CSV: metadata rows, then annual
rows ``"2024","111.2"`` and quarterly rows ``"2024 Q1","109.3"``). A financial year's index is
the mean of its four quarters (2022-23 = 2022 Q2, Q3, Q4 and 2023 Q1), computed exactly.

The shipped table ``data/gdp_deflators.csv`` is written from that series by this module::

    python -m accord.appraisal.deflators ons_gdp_deflator_ybgb.csv > data/gdp_deflators.csv

and :func:`load_table` reads it (its notes and release date are its ``#`` lines).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from accord.core.problems import Problem, Problems

DEFAULT_TABLE_FILE: Final = Path(__file__).resolve().parent / "data" / "gdp_deflators.csv"
#: The series Accord reads: GDP at market prices, implied deflator, seasonally adjusted.
SERIES: Final = "YBGB"

_PERIOD = re.compile(r"^(\d{4})(?: Q([1-4]))?$")
_RELEASE_NOTE = "release_date:"
#: The metadata rows ONS writes above the figures (first cell), as its CSV downloads have them.
_METADATA: Final = (
    "Title",
    "CDID",
    "Source dataset ID",
    "PreUnit",
    "Unit",
    "Release date",
    "Next release",
    "Important notes",
)


class DeflatorError(Problems):
    """A year missing from the table, or a file that cannot be read: the kernel's
    :class:`Problems`, each naming its line (or row) where it has one."""


def _refused(reason: str, row: int | None = None, word: str = "Row") -> DeflatorError:
    return DeflatorError([Problem(reason, row=row, row_word=word)])


@dataclass(frozen=True)
class DeflatorTable:
    """Index by financial year, with where the numbers come from and which release they are."""

    index: Mapping[int, float]
    source: str = ""
    release_date: dt.date | None = None
    #: "shipped" (the file in the package) or "imported" (loaded by `accord import deflators`).
    origin: str = "shipped"

    @property
    def years(self) -> list[int]:
        return sorted(self.index)

    def __contains__(self, year: object) -> bool:
        return year in self.index

    def __getitem__(self, year: int) -> float:
        return self.index[year]


def financial_year_label(year: int) -> str:
    """``2016`` -> ``"2016-17"``."""
    return f"{year}-{(year + 1) % 100:02d}"


def factor(from_year: int, to_year: int, table: Mapping[int, float] | DeflatorTable) -> float:
    """The multiplier that takes prices of ``from_year`` to prices of ``to_year``."""
    index = table.index if isinstance(table, DeflatorTable) else table
    missing = [y for y in (from_year, to_year) if y not in index]
    if missing:
        known = sorted(index)
        span = f"{known[0]} to {known[-1]}" if known else "none"
        raise _refused(
            f"no GDP deflator for {', '.join(str(y) for y in missing)} (the table covers {span})"
        )
    return index[to_year] / index[from_year]


def uplift(
    value: float, from_year: int, to_year: int, table: Mapping[int, float] | DeflatorTable
) -> float:
    """``value`` in ``from_year`` prices, expressed in ``to_year`` prices."""
    return value * factor(from_year, to_year, table)


# The ONS series as published ----------------------------------------------------------------


@dataclass(frozen=True)
class OnsSeries:
    """One ONS time series as its CSV download gives it."""

    cdid: str
    title: str
    release_date: dt.date
    next_release: str = ""
    dataset: str = ""
    #: Calendar years, as published.
    annual: Mapping[int, Decimal] = field(default_factory=dict)
    #: Quarters, keyed (year, quarter 1-4), as published.
    quarters: Mapping[tuple[int, int], Decimal] = field(default_factory=dict)

    def financial_years(self) -> dict[int, Decimal]:
        """Each financial year whose four quarters are all published: the mean of April-June,
        July-September, October-December and the next January-March (exact, in decimals)."""
        out: dict[int, Decimal] = {}
        for year in sorted({y for y, _ in self.quarters}):
            parts = [(year, 2), (year, 3), (year, 4), (year + 1, 1)]
            if all(p in self.quarters for p in parts):
                out[year] = sum((self.quarters[p] for p in parts), Decimal(0)) / 4
        return out

    def source_note(self) -> str:
        released = f"{self.release_date.day} {self.release_date:%B %Y}"
        return (
            f"Office for National Statistics, series {self.cdid} ({self.title}; dataset "
            f"{self.dataset or 'not named'}), release of {released}, "
            "Open Government Licence v3.0. Financial years (April to March), each the mean of "
            "its four quarters."
        )

    def table(self, origin: str = "imported") -> DeflatorTable:
        return DeflatorTable(
            index={y: float(v) for y, v in self.financial_years().items()},
            source=self.source_note(),
            release_date=self.release_date,
            origin=origin,
        )


def _release_date(text: str) -> dt.date | None:
    for layout in ("%d-%m-%Y", "%d %B %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    return None


def parse_ons_series(text: str, source: str | None = None) -> OnsSeries:
    """Read the YBGB series as ONS publishes it; every problem is named by its line, all at
    once, and nothing is returned unless the whole file is sound."""
    problems: list[Problem] = []
    metadata: dict[str, tuple[int, str]] = {}
    annual: dict[int, Decimal] = {}
    quarters: dict[tuple[int, int], Decimal] = {}
    seen: dict[str, int] = {}

    def problem(line: int | None, reason: str) -> None:
        problems.append(Problem(reason, row=line, source=source, row_word="Line"))

    reader = csv.reader(io.StringIO(text))
    line = 0
    for cells in reader:
        line = reader.line_num
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        first = cells[0]
        period = _PERIOD.match(first)
        if period is None:
            if first in _METADATA:
                metadata[first] = (line, cells[1] if len(cells) > 1 else "")
            else:
                problem(
                    line,
                    f"expected a period such as 2024 or 2024 Q1, or one of ONS's heading rows "
                    f"({', '.join(_METADATA)}), got {first!r}",
                )
            continue
        if first in seen:
            problem(line, f"{first} appears twice (first on line {seen[first]})")
            continue
        seen[first] = line
        raw = cells[1] if len(cells) > 1 else ""
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value <= 0:
            problem(line, f"the index for {first} must be a positive number, got {raw!r}")
            continue
        year = int(period.group(1))
        if period.group(2) is None:
            annual[year] = value
        else:
            quarters[(year, int(period.group(2)))] = value

    cdid_line, cdid = metadata.get("CDID", (None, ""))
    if cdid != SERIES:
        where = cdid_line if cdid_line is not None else 1
        got = f"series {cdid}" if cdid else "no CDID row"
        problem(where, f"this is {got}, not {SERIES} (GDP at market prices, implied deflator)")
    date_line, date_text = metadata.get("Release date", (None, ""))
    release = _release_date(date_text)
    if release is None:
        got = f"got {date_text!r}" if date_line is not None else "there is no Release date row"
        problem(date_line or 1, f"needs the release date, such as 30-06-2025; {got}")
    if quarters:
        ordered = sorted(quarters)
        first_q, last_q = ordered[0], ordered[-1]
        expected = (last_q[0] - first_q[0]) * 4 + last_q[1] - first_q[1] + 1
        if expected != len(ordered):
            gaps = [
                f"{y} Q{q}"
                for y in range(first_q[0], last_q[0] + 1)
                for q in range(1, 5)
                if first_q <= (y, q) <= last_q and (y, q) not in quarters
            ]
            problem(None, f"the quarters have gaps: {', '.join(gaps[:5])} missing")
    series = OnsSeries(
        cdid=cdid,
        title=metadata.get("Title", (0, ""))[1],
        release_date=release or dt.date.min,
        next_release=metadata.get("Next release", (0, ""))[1],
        dataset=metadata.get("Source dataset ID", (0, ""))[1],
        annual=annual,
        quarters=quarters,
    )
    if not problems and not series.financial_years():
        problem(None, "no financial year has all four of its quarters (April to March)")
    if problems:
        raise DeflatorError(problems)
    return series


# The shipped table --------------------------------------------------------------------------


def table_csv(series: OnsSeries) -> str:
    """The shipped table's text: notes, the release date, then year, label, index (exact)."""
    out = io.StringIO()
    out.write(
        "# GDP at market prices: implied deflator (ONS series YBGB, seasonally adjusted, "
        "calendar 2022 = 100),\n"
        "# by financial year (April to March): each year's index is the mean of its four "
        "quarters.\n"
        f"# Source: {series.source_note()}\n"
        "# Written by `python -m accord.appraisal.deflators FILE` from the series as ONS "
        "publishes it; do not edit by hand.\n"
        "# year = the first calendar year of the financial year (2016 stands for 2016-17).\n"
        f"# {_RELEASE_NOTE} {series.release_date.isoformat()}\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "label", "index"])
    for year, value in series.financial_years().items():
        writer.writerow([year, financial_year_label(year), format(value.normalize(), "f")])
    return out.getvalue()


def parse_table(text: str) -> DeflatorTable:
    """Read ``year,index`` rows (a ``label`` column is ignored); lines starting ``#`` are the
    source notes, one of them ``release_date: YYYY-MM-DD``. ``year`` is the first calendar year
    of the financial year (2016 for 2016-17) or a label such as ``2016-17``."""
    notes: list[str] = []
    body: list[str] = []
    release: dt.date | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            note = line[1:].strip()
            if note.startswith(_RELEASE_NOTE):
                release = _release_date(note[len(_RELEASE_NOTE) :])
            else:
                notes.append(note)
        elif line.strip():
            body.append(line)
    index: dict[int, float] = {}
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    for number, row in enumerate(reader, start=2):
        try:
            year = int(str(row["year"]).strip().split("-")[0])
            value = float(row["index"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _refused(f"needs a year and an index, got {row}", number) from exc
        if value <= 0:
            raise _refused(f"the index must be positive, got {value}", number)
        if year in index:
            raise _refused(f"year {year} appears twice", number)
        index[year] = value
    if not index:
        raise _refused("the table has no rows")
    return DeflatorTable(index=index, source=" ".join(notes), release_date=release)


def load_table(path: str | Path = DEFAULT_TABLE_FILE) -> DeflatorTable:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _refused(f"cannot read {path}: {exc}") from exc
    return parse_table(text)


def decode_ons(data: bytes) -> str:
    """A file as downloaded from ONS: UTF-8, with or without a byte-order mark, or
    Windows-1252 as some ONS downloads are."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_ons_file(path: str | Path) -> OnsSeries:
    return parse_ons_series(decode_ons(Path(path).read_bytes()), str(path))


def main(argv: list[str]) -> int:
    """Write the shipped table from an ONS file: ``python -m accord.appraisal.deflators FILE``."""
    if len(argv) != 1:
        print("usage: python -m accord.appraisal.deflators ONS_YBGB.csv", file=sys.stderr)
        return 2
    try:
        series = read_ons_file(argv[0])
    except Problems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    sys.stdout.write(table_csv(series))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
