"""Reading a population file: ONS mid-year estimates, one row a year, one column an area.

Pure (no Django). The shape is ONS's ``ons_population_police_force_areas_2009_2019.csv``: a
``year`` column, then a column per police force area named as ONS names it ("Metropolitan
Police", "Devon and Cornwall"), each cell a whole number of people. Every problem is found and
reported at once (file, line, column, reason), so that the service writes all or nothing.

Force names are matched to Accord's areas by :func:`name_keys`, which reads a force's name the
way people write it: case and spacing aside, "&" as "and", "London, City of" as "City of
London", and without the words that name the body rather than the place ("Police",
"Constabulary", "Service", "District"), so that "Metropolitan Police", "Metropolitan Police
District" (the area) and "Metropolitan Police Service" (the force) are one key.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from accord.core.matching import normalise
from accord.core.problems import Problem, Problems

YEAR_COLUMN = "year"
_BODY_WORDS = ("police", "constabulary", "service", "district", "force", "area")
_INVERTED = re.compile(r"^(?P<place>.+?),\s*(?P<prefix>city of|the)$")


@dataclass(frozen=True)
class PopulationRow:
    #: The column's name as the file spells it.
    name: str
    year: int
    population: int
    line: int


def problem_at(filename: str, reason: str, *, line: int | None = None, column: str = "") -> Problem:
    return Problem(reason, row=line, field=column or None, source=filename, row_word="line")


def name_keys(name: str) -> set[str]:
    """The keys a force's or area's name is matched by (see the module's note)."""
    text = normalise(name.replace("&", " and "))
    text = " ".join(text.split())
    inverted = _INVERTED.match(text)
    if inverted:
        text = f"{inverted['prefix']} {inverted['place']}"
    keys = {text}
    words = text.split()
    while len(words) > 1 and words[-1] in _BODY_WORDS:
        words = words[:-1]
        keys.add(" ".join(words))
    return keys


def read_population(data: bytes, filename: str = "population.csv") -> list[PopulationRow]:
    """Every (area column, year, population) in the file, or Problems naming each fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problems([problem_at(filename, "not a UTF-8 CSV file")]) from exc
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if not header or header[0].lower() != YEAR_COLUMN:
        raise Problems(
            [problem_at(filename, "the first column must be 'year'", line=1, column=YEAR_COLUMN)]
        )
    problems: list[Problem] = []
    columns = header[1:]
    if not columns:
        problems.append(problem_at(filename, "no area columns after 'year'", line=1))
    seen: dict[str, int] = {}
    for index, name in enumerate(columns, start=2):
        if not name:
            problems.append(problem_at(filename, f"column {index} has no name", line=1))
        elif name.casefold() in seen:
            problems.append(
                problem_at(
                    filename,
                    f"repeats column {seen[name.casefold()]}",
                    line=1,
                    column=name,
                )
            )
        seen.setdefault(name.casefold(), index)
    rows: list[PopulationRow] = []
    years: dict[int, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                problem_at(
                    filename,
                    f"has {len(record)} fields; the header has {len(header)}",
                    line=line,
                )
            )
            continue
        year_text = record[0].strip()
        if not re.fullmatch(r"\d{4}", year_text):
            problems.append(
                problem_at(filename, f"{year_text!r} is not a year", line=line, column="year")
            )
            continue
        year = int(year_text)
        if year in years:
            problems.append(
                problem_at(filename, f"{year} repeats line {years[year]}", line=line, column="year")
            )
            continue
        years[year] = line
        for name, cell in zip(columns, record[1:], strict=True):
            value = cell.strip().replace(",", "")
            if not value.isdigit() or int(value) == 0:
                problems.append(
                    problem_at(
                        filename,
                        f"{cell.strip()!r} is not a population (a whole number above 0)",
                        line=line,
                        column=name,
                    )
                )
                continue
            rows.append(PopulationRow(name=name, year=year, population=int(value), line=line))
    if problems:
        raise Problems(problems)
    if not rows:
        raise Problems([problem_at(filename, "the file has no rows")])
    return rows
