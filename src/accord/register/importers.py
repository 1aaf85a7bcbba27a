"""Reading collaborations from CSV or XLSX, and the columns they share with exports.

Every problem is collected with its row, column and reason; the service writes nothing unless
the whole file is good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accord.core.choices import Visibility
from accord.core.matching import NameIndex
from accord.core.problems import Problem, Problems
from accord.core.sectors import SERVICES
from accord.core.spreadsheets import UnreadableFile, read_rows
from accord.core.uploads import import_max_bytes
from accord.core.widgets import organisation_index
from accord.orgs.models import Area, Organisation

from .choices import Nature, PartnerRole, ResearchArea, Status
from .models import Collaboration
from .services import CollaborationData


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str


#: The template's example row says it is one, and matches no demo record (the demo has JACP,
#: H3...): a file that still holds it is refused, so the example never joins the register.
EXAMPLE_REFERENCE = "EXAMPLE-DELETE-ME"
EXAMPLE_TITLE = "Example collaboration: delete this row"

COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        False,
        "Short unique code (letters, digits, hyphens). Blank: made from the title.",
        EXAMPLE_REFERENCE,
    ),
    Column("title", True, "Name of the collaboration.", EXAMPLE_TITLE),
    Column(
        "summary",
        True,
        "What it does, in a few sentences.",
        "An example of how each column is filled in: replace this row with your own.",
    ),
    Column("research_area", True, "One of: " + ", ".join(ResearchArea.values) + ".", "effective"),
    Column("nature", True, "One of: " + ", ".join(Nature.values) + ".", "co_responding"),
    Column("status", True, "One of: " + ", ".join(Status.values) + ".", "operational"),
    Column("proposed_on", False, "Date, YYYY-MM-DD or DD/MM/YYYY.", ""),
    Column("started_on", False, "Date, YYYY-MM-DD or DD/MM/YYYY.", "2024-04-01"),
    Column("ended_on", False, "Date, YYYY-MM-DD or DD/MM/YYYY.", ""),
    Column(
        "services",
        False,
        "Services involved, separated by ';': police, fire, ambulance, "
        "other. Blank: taken from the partners.",
        "fire; ambulance",
    ),
    Column(
        "partners",
        True,
        "Organisations by code or name, each with an optional role "
        "(lead, partner, supporter) after ':', separated by ';'.",
        "E31000025:lead; RX9:partner",
    ),
    Column(
        "funding_source",
        False,
        "Where the money comes from.",
        "Example fund",
    ),
    Column("funding_amount", False, "Pounds, digits only (commas and £ allowed).", "100000"),
    Column("funding_ends_on", False, "Date the funding ends.", ""),
    Column("board", False, "The board that governs it.", ""),
    Column(
        "written_agreement",
        False,
        "yes, no or not known: a written collaboration agreement (Policing and Crime Act 2017 "
        "s.1). Blank: not known.",
        "not known",
    ),
    Column("agreement_signed_on", False, "Date the agreement was signed.", ""),
    Column(
        "champions",
        False,
        "Named champions (a person or a post), each with an optional "
        "organisation code in brackets, separated by ';'.",
        "Chief Fire Officer (E31000025)",
    ),
    Column("outcomes", False, "Outcomes and published figures, with their sources.", ""),
    Column("public_summary", False, "A short summary the public may read.", ""),
    Column(
        "evidence",
        False,
        "Evidence links: title | URL, separated by ';'.",
        "Example evaluation report | https://example.org/report",
    ),
    Column(
        "visibility",
        False,
        "Who may see it: " + ", ".join(Visibility.values) + ". Blank: partners.",
        "partners",
    ),
    Column(
        "named_organisations",
        False,
        "With visibility 'named': organisation codes, separated by ';'.",
        "",
    ),
    Column(
        "areas", False, "Area codes (force, fire authority, district...), separated by ';'.", ""
    ),
    Column("notes", False, "Anything else.", ""),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
#: Columns an export writes that an import passes over (labels beside codes, what Accord works
#: out or keeps for itself): an exported file imports again as it is.
EXPORT_ONLY_COLUMNS = (
    "research_area_label",
    "nature_label",
    "status_label",
    "partner_names",
    "visibility_label",
    "named_organisation_names",
    "area_names",
    "service_mix",
    "service_mix_label",
    "archived",
    "updated_at",
    "protective_marking",
)
MAX_AMOUNT_DIGITS = 14
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}
#: A written agreement nobody has recorded: blank is not "no".
UNKNOWN_WORDS = {"", "not known", "unknown", "not recorded"}
AGREEMENT_ANSWERS: dict[str, bool | None] = {
    **{word: True for word in TRUE_WORDS},
    **{word: False for word in FALSE_WORDS},
    **{word: None for word in UNKNOWN_WORDS},
}


#: What an import raises when any row is wrong (nothing is written).
ImportFailed = Problems


@dataclass
class ParsedRow:
    line: int
    data: CollaborationData


class _OrganisationIndex:
    """Every organisation by code, name or short name, in any case, with "did you mean": the
    shared matching (core/matching.py) that the forms' organisation fields use too."""

    def __init__(self) -> None:
        self.index: NameIndex[Organisation] = organisation_index(Organisation.objects.all())

    def find(self, text: str) -> Organisation | None:
        return self.index.find(text)

    def suggestion(self, text: str) -> str:
        """The sentence " Did you mean Lincolnshire Fire and Rescue (E31000025)?", or "" if
        nothing is close: the closest organisation only, as a row's message has room for one."""
        return self.index.did_you_mean(text, limit=1)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def _choice(value: str, choices: Any, default: str | None = None) -> str:
    value = value.strip()
    if not value and default is not None:
        return default
    for choice_value, label in choices.choices:
        if value.casefold() in (choice_value.casefold(), str(label).casefold()):
            return str(choice_value)
    raise ValueError(f"{value!r} is not one of {', '.join(choices.values)}")


def parse_file(data: bytes, filename: str) -> list[ParsedRow]:
    """Every row of the file as CollaborationData, or ImportFailed with all the problems."""
    if not data.strip():
        raise ImportFailed([f"{filename}: the file is empty"])
    try:
        header, rows = read_rows(data, filename, max_bytes=import_max_bytes())
    except UnreadableFile as exc:
        raise ImportFailed(exc.problems) from exc
    problems: list[Problem | str] = []
    unknown = [
        name
        for name in header
        if name and name not in COLUMN_NAMES and name not in EXPORT_ONLY_COLUMNS
    ]
    if unknown:
        problems.append(
            f"Header: unknown column(s) {', '.join(unknown)}. The columns are: "
            + ", ".join(COLUMN_NAMES)
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        # Without the required columns no row can be read: say so and stop.
        problems.append(f"Header: missing required column(s) {', '.join(missing)}")
        raise ImportFailed(problems)
    if not rows:
        raise ImportFailed([*problems, f"{filename}: the file has a header but no rows"])
    index = _OrganisationIndex()
    areas = {a.code.casefold(): a for a in Area.objects.all()}
    parsed: list[ParsedRow] = []
    seen_references: dict[str, int] = {}
    seen_rows: dict[tuple[str, str], int] = {}
    for row in rows:
        line = row.line
        # Duplicates are judged on the text as written, so they are reported even in rows
        # that have other problems too.
        reference = row.get("reference", "").strip().casefold()
        if reference:
            if reference in seen_references:
                problems.append(
                    Problem(
                        f"{row['reference'].strip()!r} repeats row "
                        f"{seen_references[reference]} (duplicate row)",
                        row=line,
                        field="reference",
                    )
                )
            seen_references.setdefault(reference, line)
        same = (
            " ".join(row.get("title", "").split()).casefold(),
            ";".join(sorted(p.strip().casefold() for p in row.get("partners", "").split(";"))),
        )
        if same[0] and same in seen_rows:
            problems.append(
                Problem(
                    f"the same title and partners as row {seen_rows[same]} (duplicate row)",
                    row=line,
                    field="title",
                )
            )
        seen_rows.setdefault(same, line)
        result = _parse_row(line, row, index, areas, problems)
        if result is not None:
            parsed.append(ParsedRow(line=line, data=result))
    if problems:
        raise ImportFailed(problems)
    return parsed


def _parse_row(
    line: int,
    row: dict[str, str],
    index: _OrganisationIndex,
    areas: dict[str, Area],
    problems: list[Problem | str],
) -> CollaborationData | None:
    start = len(problems)

    def problem(column: str, reason: str, *, refused: bool = False) -> None:
        problems.append(Problem(reason, row=line, field=column, refused=refused))

    for name in REQUIRED:
        if not row.get(name, "").strip():
            problem(name, "is required")

    def choice(column: str, choices: Any, default: str | None = None) -> str:
        try:
            return _choice(row.get(column, ""), choices, default)
        except ValueError as exc:
            if row.get(column, "").strip():
                problem(column, str(exc))
            return ""

    def date(column: str) -> dt.date | None:
        try:
            return parse_date(row.get(column, ""))
        except ValueError as exc:
            problem(column, str(exc))
            return None

    reference = row.get("reference", "").strip().upper()
    same_title = " ".join(row.get("title", "").split()).casefold() == EXAMPLE_TITLE.casefold()
    if reference == EXAMPLE_REFERENCE or same_title:
        problem(
            "reference" if reference == EXAMPLE_REFERENCE else "title",
            "is the template's example row: delete the row, or replace it with a collaboration "
            "of your own (and a reference of its own, or none)",
        )
    if reference and not all(c.isalnum() or c == "-" for c in reference):
        problem("reference", f"{reference!r} may hold only letters, digits and hyphens")
    if len(reference) > 32:
        problem("reference", "is longer than 32 characters")
    if reference and Collaboration.objects.filter(reference__iexact=reference).exists():
        problem("reference", f"{reference!r} is already in the register")
    title = row.get("title", "").strip()
    if len(title) > 200:
        problem("title", "is longer than 200 characters")
    research_area = choice("research_area", ResearchArea)
    nature = choice("nature", Nature)
    status = choice("status", Status)
    visibility = choice("visibility", Visibility, default=Visibility.PARTNERS)

    partners: list[tuple[Organisation, str]] = []
    for entry in _split(row.get("partners", "")):
        name, _, role_text = entry.rpartition(":") if ":" in entry else (entry, "", "")
        org = index.find(name)
        if org is None:
            problem(
                "partners", f"no organisation matches {name.strip()!r}.{index.suggestion(name)}"
            )
            continue
        try:
            role = _choice(role_text, PartnerRole, default=PartnerRole.PARTNER)
        except ValueError as exc:
            problem("partners", f"role for {org.code}: {exc}")
            continue
        if any(existing.pk == org.pk for existing, _ in partners):
            problem("partners", f"{org.code} is listed twice")
            continue
        partners.append((org, role))

    services = []
    for service in _split(row.get("services", "")):
        if service.casefold() not in SERVICES:
            problem("services", f"{service!r} is not one of {', '.join(SERVICES)}")
        else:
            services.append(service.casefold())

    amount: Decimal | None = None
    amount_text = row.get("funding_amount", "").replace(",", "").replace("£", "").strip()
    if amount_text:
        try:
            # Twelve digits of pounds is what the register stores (and more than any
            # collaboration's funding); a number thousands of digits long is not an amount.
            if sum(ch.isdigit() for ch in amount_text) > MAX_AMOUNT_DIGITS:
                raise InvalidOperation
            amount = Decimal(amount_text)
            if amount < 0 or not amount.is_finite() or amount >= 10**12:
                raise InvalidOperation
        except InvalidOperation:
            shown = row["funding_amount"]
            if len(shown) > 40:
                shown = f"{shown[:20]}... ({len(shown):,} characters)"
                problem(
                    "funding_amount",
                    f"{shown} is not an amount in pounds (at most 12 digits)",
                    refused=True,
                )
            else:
                problem("funding_amount", f"{shown!r} is not an amount in pounds")
            amount = None

    agreement_text = " ".join(row.get("written_agreement", "").split()).casefold()
    if agreement_text not in TRUE_WORDS | FALSE_WORDS | UNKNOWN_WORDS:
        problem(
            "written_agreement",
            f"{row['written_agreement']!r} is not yes, no or not known (blank is not known)",
        )

    champions: list[tuple[str, Organisation | None]] = []
    for entry in _split(row.get("champions", "")):
        name, org = entry, None
        if entry.endswith(")") and "(" in entry:
            name, _, code = entry[:-1].rpartition("(")
            org = index.find(code)
            if org is None:
                problem("champions", f"no organisation matches {code!r}.{index.suggestion(code)}")
        champions.append((name.strip(), org))

    evidence: list[tuple[str, str]] = []
    validate_url = URLValidator(schemes=["http", "https"])
    for entry in _split(row.get("evidence", "")):
        title_part, _, url = entry.partition("|")
        url = url.strip()
        if url:
            try:
                validate_url(url)
            except ValidationError:
                problem("evidence", f"{url!r} is not a web address (http or https)")
        evidence.append((title_part.strip() or url, url))

    named: list[Organisation] = []
    for code in _split(row.get("named_organisations", "")):
        org = index.find(code)
        if org is None:
            problem(
                "named_organisations",
                f"no organisation matches {code!r}.{index.suggestion(code)}",
            )
        else:
            named.append(org)
    if visibility == Visibility.NAMED and not named:
        problem(
            "named_organisations",
            "is required when visibility is named: list the organisations that may see it",
        )
    row_areas: list[Area] = []
    for code in _split(row.get("areas", "")):
        area = areas.get(code.casefold())
        if area is None:
            problem("areas", f"no area has the code {code!r} (import areas first)")
        else:
            row_areas.append(area)

    dates = {
        name: date(name)
        for name in (
            "proposed_on",
            "started_on",
            "ended_on",
            "funding_ends_on",
            "agreement_signed_on",
        )
    }
    if dates["started_on"] and dates["ended_on"] and dates["ended_on"] < dates["started_on"]:
        problem("ended_on", "is before started_on")

    if len(problems) > start:
        return None
    return CollaborationData(
        reference=reference,
        title=title,
        summary=row.get("summary", "").strip(),
        research_area=research_area,
        nature=nature,
        status=status,
        partners=partners,
        proposed_on=dates["proposed_on"],
        started_on=dates["started_on"],
        ended_on=dates["ended_on"],
        services=services,
        funding_source=row.get("funding_source", "").strip(),
        funding_amount=amount,
        funding_ends_on=dates["funding_ends_on"],
        board=row.get("board", "").strip(),
        has_written_agreement=AGREEMENT_ANSWERS.get(agreement_text),
        agreement_signed_on=dates["agreement_signed_on"],
        champions=champions,
        evidence=evidence,
        outcomes=row.get("outcomes", "").strip(),
        public_summary=row.get("public_summary", "").strip(),
        notes=row.get("notes", "").strip(),
        visibility=visibility,
        named_organisations=named,
        areas=row_areas,
    )
