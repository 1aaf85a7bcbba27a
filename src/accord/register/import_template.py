"""The import's template: every column, one example row, and in Excel help for each column.

The Excel template offers a drop-down list for each coded column (the values the import
accepts), shows a message saying what a column holds when one of its cells is chosen, and has
a Guide sheet (each column, whether it is required, and what each code means) and sheets of the
organisations' and areas' codes. The import reads the first sheet only, so the others can stay.

The example row is marked as one (EXAMPLE-DELETE-ME) and does not match any demo record; a file
that still holds it is refused with a message saying to delete it (importers.EXAMPLE_REFERENCE).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from accord.core.choices import Visibility
from accord.core.marking import marking_for
from accord.core.sectors import INVOLVED_LABELS, SERVICES
from accord.core.spreadsheets import (
    PROMPT_MAX,
    ColumnGuide,
    ReferenceSheet,
    write_csv,
    write_xlsx,
)
from accord.orgs.models import Area, Organisation

from .choices import Nature, ResearchArea, Status
from .importers import AGREEMENT_ANSWERS, COLUMNS, Column

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TITLE = "Collaborations"
GUIDE_SHEET = "Guide"


@dataclass(frozen=True)
class Coded:
    """A coded column's values, each with what it means, as the drop-down offers them."""

    lead: str
    values: tuple[tuple[str, str], ...]
    #: False where a cell may combine the values (services: "fire; ambulance").
    strict: bool = True
    #: What the codes mean, where that is not each value's own meaning (services: the four
    #: services, not their fifteen combinations).
    meanings: str = ""


def _choices(choices: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in choices.choices)


def _service_combinations() -> tuple[tuple[str, str], ...]:
    """Every combination of the services, in the register's order and as its export writes
    them ("fire; ambulance")."""
    combinations = []
    for size in range(1, len(SERVICES) + 1):
        for chosen in itertools.combinations(SERVICES, size):
            combinations.append(
                ("; ".join(chosen), ", ".join(INVOLVED_LABELS[name] for name in chosen))
            )
    return tuple(combinations)


#: The agreement's three answers as the export writes them (the import takes other spellings
#: too: y, true, unknown...).
AGREEMENT_CHOICES = ("yes", "no", "not known")
if any(answer not in AGREEMENT_ANSWERS for answer in AGREEMENT_CHOICES):  # pragma: no cover
    raise ImportError("import_template.AGREEMENT_CHOICES must be answers the import reads")

#: Every coded column of the import, by name: the values its drop-down offers.
CODED: dict[str, Coded] = {
    "research_area": Coded("The research's area of the collaboration.", _choices(ResearchArea)),
    "nature": Coded("The nature of the collaboration.", _choices(Nature)),
    "status": Coded("Where the collaboration is now.", _choices(Status)),
    "services": Coded(
        "The services involved: choose a combination, or type the services separated by ';'. "
        "Blank: taken from the partners.",
        _service_combinations(),
        strict=False,
        meanings="; ".join(f"{name}: {INVOLVED_LABELS[name]}" for name in SERVICES),
    ),
    "written_agreement": Coded(
        "Is there a written collaboration agreement (Policing and Crime Act 2017 s.1)? "
        "Blank: not known.",
        tuple((answer, answer) for answer in AGREEMENT_CHOICES),
    ),
    "visibility": Coded("Who may see it. Blank: partners.", _choices(Visibility)),
}

#: What each of the other columns' messages adds to the column's help.
MORE_HELP = {
    "partners": "Codes are on the Organisations sheet. No role: partner.",
    "champions": "Organisation codes are on the Organisations sheet.",
    "named_organisations": "Codes are on the Organisations sheet.",
    "areas": "Codes are on the Areas sheet.",
}

WIDTHS = {
    "reference": 22,
    "title": 40,
    "summary": 50,
    "research_area": 16,
    "nature": 26,
    "status": 16,
    "services": 22,
    "partners": 36,
    "written_agreement": 18,
    "champions": 32,
    "evidence": 40,
    "visibility": 14,
}


def _meaning(code: str, label: str) -> str:
    """ "code: what it means", or the code alone where its label only repeats it ("idea")."""
    said = code.replace("_", " ").casefold()
    if label.casefold() == said:
        return code
    if label.casefold().startswith(said + ": "):  # "Public: anyone, signed in or not"
        label = label[len(said) + 2 :]
    return f"{code}: {label}"


def _meanings(coded: Coded) -> str:
    return coded.meanings or "; ".join(_meaning(code, label) for code, label in coded.values)


def _message(column: Column) -> str:
    """The message shown when a cell of `column` is chosen: within Excel's 255 characters,
    with each code's meaning when they fit (the Guide sheet has them all)."""
    coded = CODED.get(column.name)
    if coded is None:
        text = " ".join(filter(None, (column.help, MORE_HELP.get(column.name))))
        return text if len(text) <= PROMPT_MAX else column.help
    text = f"{coded.lead} {_meanings(coded)}."
    if len(text) <= PROMPT_MAX:
        return text
    return f"{coded.lead} Choose from the list: the Guide sheet says what each means."


def _title(column: Column) -> str:
    return f"{column.name} (required)" if column.required else column.name


def guides() -> dict[str, ColumnGuide]:
    """Each column's message and, for a coded column, its drop-down list."""
    result = {}
    for column in COLUMNS:
        coded = CODED.get(column.name)
        result[column.name] = ColumnGuide(
            title=_title(column),
            message=_message(column),
            choices=tuple(code for code, _ in coded.values) if coded else (),
            strict=coded.strict if coded else True,
        )
    return result


def _guide_sheet() -> ReferenceSheet:
    rows = []
    for column in COLUMNS:
        coded = CODED.get(column.name)
        rows.append(
            [
                column.name,
                "yes" if column.required else "no",
                coded.lead if coded else column.help,
                _meanings(coded) if coded else "",
                column.example,
            ]
        )
    return ReferenceSheet(
        GUIDE_SHEET,
        ["column", "required", "what it holds", "codes and what they mean", "example"],
        rows,
        widths=(22, 10, 70, 90, 40),
    )


def _organisations_sheet() -> ReferenceSheet:
    organisations = (
        Organisation.objects.filter(active=True)
        .order_by("sector", "name")
        .values_list("code", "name", "short_name", "sector")
    )
    return ReferenceSheet(
        "Organisations",
        ["code", "name", "short name", "sector"],
        organisations.iterator(),
        widths=(14, 60, 30, 12),
    )


def _areas_sheet() -> ReferenceSheet:
    areas = Area.objects.order_by("kind", "name").values_list("code", "name", "kind")
    return ReferenceSheet("Areas", ["code", "name", "kind"], areas.iterator(), widths=(14, 50, 24))


def example_row() -> list[str]:
    return [column.example for column in COLUMNS]


def template(fmt: str) -> bytes:
    """An empty import file with every column and the example row; in Excel, with help."""
    header = [column.name for column in COLUMNS]
    if fmt == "csv":
        return write_csv(header, [example_row()])
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}: use csv or xlsx")
    example_visibility = dict(zip(header, example_row(), strict=True))["visibility"]
    return write_xlsx(
        header,
        [example_row()],
        title=TITLE,
        # Marked as its example is, a partners-only record: what the file is filled with.
        marking=marking_for([example_visibility or Visibility.PARTNERS]),
        guides=guides(),
        sheets=[_guide_sheet(), _organisations_sheet(), _areas_sheet()],
        about=[
            (
                "How to use it",
                "Fill in one collaboration a row on the Collaborations sheet, then upload the "
                "file on the register's Import page. Choose a cell to see what its column "
                "holds; coded columns have a drop-down list.",
            ),
            (
                "The example row",
                "Row 2 is an example (reference EXAMPLE-DELETE-ME): delete it before you "
                "import. A file that still holds it is refused.",
            ),
            ("Other sheets", "Only the first sheet is imported: the others are for reference."),
        ],
        widths=WIDTHS,
    )
