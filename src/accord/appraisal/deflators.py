"""GDP deflators: uplift money from one year's prices to another's.

Pure: imports neither Django nor the database. A table maps a year to an index (HM Treasury's
GDP deflators at market prices, financial years; year 2016 stands for 2016-17). Uplifting a
value from year A's prices to year B's multiplies it by index(B) / index(A)::

    uplift(100, 2016, 2023, table)  ==  100 * table[2023] / table[2016]

The shipped table is ``data/gdp_deflators.csv`` (its source and release are in its header
lines, which start with ``#``); :func:`load_table` reads it or any file of the same layout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from accord.core.problems import Problem, Problems

DEFAULT_TABLE_FILE: Final = Path(__file__).resolve().parent / "data" / "gdp_deflators.csv"


class DeflatorError(Problems):
    """A year missing from the table, or a table that cannot be read: the kernel's
    :class:`Problems`, each naming its row where it has one."""


def _refused(reason: str, row: int | None = None) -> DeflatorError:
    return DeflatorError([Problem(reason, row=row)])


@dataclass(frozen=True)
class DeflatorTable:
    """Index by year, with the words that say where the numbers come from."""

    index: Mapping[int, float]
    source: str = ""
    forecast_years: frozenset[int] = frozenset()

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


def parse_table(text: str) -> DeflatorTable:
    """Read ``year,index[,status]`` rows; lines starting ``#`` are the source notes.

    ``year`` is the first calendar year of the financial year (2016 for 2016-17) or a label
    such as ``2016-17``; ``status`` is ``outturn`` or ``forecast``.
    """
    notes: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            notes.append(line[1:].strip())
        elif line.strip():
            body.append(line)
    index: dict[int, float] = {}
    forecast: set[int] = set()
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
        if (row.get("status") or "").strip().lower() == "forecast":
            forecast.add(year)
    if not index:
        raise _refused("the table has no rows")
    return DeflatorTable(index=index, source=" ".join(notes), forecast_years=frozenset(forecast))


def load_table(path: str | Path = DEFAULT_TABLE_FILE) -> DeflatorTable:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _refused(f"cannot read {path}: {exc}") from exc
    return parse_table(text)
