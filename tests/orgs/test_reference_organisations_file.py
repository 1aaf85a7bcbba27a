"""The shipped reference list of organisations (src/accord/orgs/data/organisations.csv).

Pure tests: no Django, no database. The checks against official lookups read the ONS/NHS
files in ../shared/data/ (not part of the product) and skip where that folder is missing.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ORGANISATIONS_CSV = REPO_ROOT / "src" / "accord" / "orgs" / "data" / "organisations.csv"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

COLUMNS = ["code", "name", "short_name", "sector", "kind", "nation", "website"]
SECTORS = {"police", "fire", "ambulance", "other"}
KINDS = {
    "police_force",
    "fire_authority",
    "ambulance_trust",
    "nhs_trust",
    "police_crime_commissioner",
    "local_authority",
    "government",
    "national_body",
    "charity",
    "other",
}
NATIONS = {"england", "wales", "england_and_wales"}
RETIRED_FIRE_CODES = {"E31000012", "E31000017", "E31000021", "E31000038"}
ENGLISH_AMBULANCE_TRUSTS = {"RRU", "RX6", "RX7", "RX8", "RX9", "RYA", "RYC", "RYD", "RYE", "RYF"}
WELSH_AMBULANCE_TRUST = "RT4"
ISLE_OF_WIGHT_TRUST = "R1F"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(ORGANISATIONS_CSV)


@pytest.fixture(scope="module")
def by_code(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in rows}


def _shared(name: str) -> list[dict[str, str]]:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"shared reference data not available: {path}")
    return _read(path)


# --- the file itself ---------------------------------------------------------------------


def test_header_is_exact() -> None:
    with ORGANISATIONS_CSV.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == COLUMNS


def test_every_row_has_every_column(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert None not in r, f"extra fields in row {r}"
        assert all(r[c] is not None for c in COLUMNS), f"missing fields in row {r}"


def test_codes_are_unique(rows: list[dict[str, str]]) -> None:
    counts = Counter(r["code"] for r in rows)
    duplicates = {c: n for c, n in counts.items() if n > 1}
    assert not duplicates


def test_codes_have_a_known_shape(rows: list[dict[str, str]]) -> None:
    shape = re.compile(r"^(E\d{8}|W\d{8}|R[A-Z0-9]{2}|X-[A-Z0-9-]+)$")
    for r in rows:
        assert shape.match(r["code"]), r["code"]


def test_names_and_short_names_are_non_empty(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["name"].strip() and r["name"] == r["name"].strip(), r
        assert r["short_name"].strip() and r["short_name"] == r["short_name"].strip(), r


def test_sectors_kinds_and_nations_are_allowed(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["sector"] in SECTORS, r
        assert r["kind"] in KINDS, r
        assert r["nation"] in NATIONS, r


def test_websites_are_blank_or_https(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["website"] == "" or r["website"].startswith("https://"), r


def test_kinds_match_sectors(rows: list[dict[str, str]]) -> None:
    expected = {
        "police_force": "police",
        "fire_authority": "fire",
        "ambulance_trust": "ambulance",
        "nhs_trust": "other",
    }
    for r in rows:
        if r["kind"] in expected:
            assert r["sector"] == expected[r["kind"]], r


def test_exactly_43_police_forces(rows: list[dict[str, str]]) -> None:
    forces = [r for r in rows if r["kind"] == "police_force"]
    assert len(forces) == 43
    assert sum(r["nation"] == "wales" for r in forces) == 4
    for r in forces:
        assert re.match(r"^(E23\d{6}|W15\d{6})$", r["code"]), r
        assert r["nation"] == ("wales" if r["code"].startswith("W") else "england"), r


def test_exactly_47_fire_authorities(rows: list[dict[str, str]]) -> None:
    authorities = [r for r in rows if r["kind"] == "fire_authority"]
    assert len(authorities) == 47
    assert sum(r["nation"] == "england" for r in authorities) == 44
    assert sum(r["nation"] == "wales" for r in authorities) == 3
    for r in authorities:
        assert re.match(r"^(E31\d{6}|W25\d{6})$", r["code"]), r
        assert r["nation"] == ("wales" if r["code"].startswith("W") else "england"), r


def test_no_retired_fire_codes(by_code: dict[str, dict[str, str]]) -> None:
    assert not RETIRED_FIRE_CODES & set(by_code)


def test_the_ambulance_sector_is_exactly_the_11_ambulance_services(
    rows: list[dict[str, str]], by_code: dict[str, dict[str, str]]
) -> None:
    """The README's "11 NHS ambulance trusts of England and Wales": the 10 English trusts
    (the ODS codes of the ambulance lookup and AmbSYS, less the Isle of Wight) and the Welsh
    one (shared/seed/facts.md)."""
    sector = [r for r in rows if r["sector"] == "ambulance"]
    assert len(sector) == 11
    assert {r["code"] for r in sector} == ENGLISH_AMBULANCE_TRUSTS | {WELSH_AMBULANCE_TRUST}
    for r in sector:
        assert r["kind"] == "ambulance_trust", r
        assert r["nation"] == ("wales" if r["code"] == WELSH_AMBULANCE_TRUST else "england"), r
        assert "Ambulance Service" in r["name"], r
    assert {r["code"] for r in rows if r["kind"] == "ambulance_trust"} == {
        r["code"] for r in sector
    }


def test_the_welsh_ambulance_trust_has_its_name_since_april_2024(
    by_code: dict[str, dict[str, str]],
) -> None:
    # shared/seed/facts.md; South Wales Argus, 2024 (see src/accord/orgs/data/README.md).
    welsh = by_code[WELSH_AMBULANCE_TRUST]
    assert welsh["name"] == "Welsh Ambulance Services University NHS Trust"
    assert (welsh["sector"], welsh["kind"], welsh["nation"]) == (
        "ambulance",
        "ambulance_trust",
        "wales",
    )


def test_the_isle_of_wight_trust_is_an_nhs_trust_not_an_ambulance_trust(
    by_code: dict[str, dict[str, str]],
) -> None:
    island = by_code[ISLE_OF_WIGHT_TRUST]
    assert island["name"] == "Isle of Wight NHS Trust"
    assert (island["sector"], island["kind"], island["nation"]) == (
        "other",
        "nhs_trust",
        "england",
    )


def test_well_known_names(by_code: dict[str, dict[str, str]]) -> None:
    assert by_code["E23000001"]["name"] == "Metropolitan Police Service"
    assert by_code["E23000030"]["name"] == "Hampshire and Isle of Wight Constabulary"
    assert by_code["E31000046"]["name"] == "London Fire Brigade"
    assert by_code["E31000039"]["name"] == "Isles of Scilly Fire and Rescue Service"
    assert by_code["W25000002"]["name"] == "Mid and West Wales Fire and Rescue Service"
    assert by_code["RX9"]["name"] == "East Midlands Ambulance Service NHS Trust"


# --- against the official lookups ---------------------------------------------------------


def test_every_force_area_is_listed_once_as_police(by_code: dict[str, dict[str, str]]) -> None:
    lookup = _shared("lad24_pfa_fra.csv")
    codes = {r["pfa24_code"] for r in lookup}
    assert len(codes) == 43
    for code in codes:
        assert code in by_code, code
        assert by_code[code]["sector"] == "police", code
        assert by_code[code]["kind"] == "police_force", code


def test_police_forces_are_exactly_the_force_areas(rows: list[dict[str, str]]) -> None:
    lookup = _shared("lad24_pfa_fra.csv")
    assert {r["code"] for r in rows if r["kind"] == "police_force"} == {
        r["pfa24_code"] for r in lookup
    }


def test_every_fire_authority_is_listed_once_as_fire(by_code: dict[str, dict[str, str]]) -> None:
    lookup = _shared("lad24_pfa_fra.csv")
    codes = {r["fra24_code"] for r in lookup}
    assert len(codes) == 47
    assert not codes & RETIRED_FIRE_CODES
    for code in codes:
        assert code in by_code, code
        assert by_code[code]["sector"] == "fire", code
        assert by_code[code]["kind"] == "fire_authority", code


def test_fire_authorities_are_exactly_the_lookup_codes(rows: list[dict[str, str]]) -> None:
    lookup = _shared("lad24_pfa_fra.csv")
    assert {r["code"] for r in rows if r["kind"] == "fire_authority"} == {
        r["fra24_code"] for r in lookup
    }


def test_every_ambulance_code_in_the_lookup_is_listed(by_code: dict[str, dict[str, str]]) -> None:
    lookup = _shared("lad20_ambulance_service.csv")
    codes = {r["ambulance_code"] for r in lookup}
    assert codes == ENGLISH_AMBULANCE_TRUSTS | {ISLE_OF_WIGHT_TRUST}
    for code in codes:
        assert code in by_code, code
    # The island's provider is in the lookup, but it is an integrated NHS trust.
    for code in ENGLISH_AMBULANCE_TRUSTS:
        assert by_code[code]["sector"] == "ambulance", code
    assert by_code[ISLE_OF_WIGHT_TRUST]["sector"] == "other"


def test_the_english_trusts_and_the_island_carry_their_ambsys_names(
    by_code: dict[str, dict[str, str]],
) -> None:
    ambsys = {r["Org Code"]: r["Org Name"] for r in _shared("ambsys_2017-08_to_2019-12.csv")}
    for code in ENGLISH_AMBULANCE_TRUSTS | {ISLE_OF_WIGHT_TRUST}:
        assert by_code[code]["name"].upper() == ambsys[code], code
