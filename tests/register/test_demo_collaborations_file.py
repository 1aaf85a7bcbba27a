"""The demo collaborations file (src/accord/register/data/demo_collaborations.yaml).

Pure tests: no Django, no database. Checks the shape of each item, its enumerations, and that
every organisation code it uses is in the shipped reference list of organisations.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_YAML = REPO_ROOT / "src" / "accord" / "register" / "data" / "demo_collaborations.yaml"
ORGANISATIONS_CSV = REPO_ROOT / "src" / "accord" / "orgs" / "data" / "organisations.csv"

KEYS = {
    "reference",
    "title",
    "summary",
    "research_area",
    "nature",
    "status",
    "started_on",
    "ended_on",
    "services",
    "partners",
    "funding",
    "governance",
    "champions",
    "outcomes",
    "public_summary",
    "evidence",
    "notes",
}
RESEARCH_AREAS = {"efficient", "effective", "emerging"}
NATURES = {
    "sharing_back_office",
    "organisational_integration",
    "co_responding",
    "interoperability",
    "reducing_overlap",
    "prevention",
    "shared_estates",
    "joint_control_rooms",
    "information_sharing",
    "demand_management",
    "strategic_alliance",
    "other",
}
STATUSES = {
    "idea",
    "proposed",
    "business_case",
    "implementing",
    "operational",
    "closed",
    "stopped",
}
SERVICES = {"police", "fire", "ambulance", "other"}
ROLES = {"lead", "partner", "supporter"}
REFERENCE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
EXPECTED_REFERENCES = {"H3", "NORTHANTS-SS", "JACP", "JPSC", "MAIT", "PSTN-SURREY-SUSSEX", "CRIT"}


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    with DEMO_YAML.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def org_codes() -> set[str]:
    with ORGANISATIONS_CSV.open(newline="", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


def _is_date_or_none(value: object) -> bool:
    return value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime))


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def test_seven_items(items: list[dict[str, Any]]) -> None:
    assert len(items) == 7


def test_keys_are_exactly_the_schema(items: list[dict[str, Any]]) -> None:
    for item in items:
        assert isinstance(item, dict)
        assert set(item) == KEYS, item.get("reference")


def test_references_are_unique_and_well_formed(items: list[dict[str, Any]]) -> None:
    references = [item["reference"] for item in items]
    assert len(references) == len(set(references))
    for reference in references:
        assert isinstance(reference, str) and REFERENCE.match(reference), reference
    assert set(references) == EXPECTED_REFERENCES


def test_text_fields(items: list[dict[str, Any]]) -> None:
    for item in items:
        for key in ("title", "summary", "outcomes", "public_summary", "notes"):
            assert _text(item[key]), (item["reference"], key)


def test_enumerations(items: list[dict[str, Any]]) -> None:
    for item in items:
        ref = item["reference"]
        assert item["research_area"] in RESEARCH_AREAS, ref
        assert item["nature"] in NATURES, ref
        # null where the sources give no status
        assert item["status"] is None or item["status"] in STATUSES, ref
        services = item["services"]
        assert isinstance(services, list) and services, ref
        assert set(services) <= SERVICES, ref
        assert len(services) == len(set(services)), ref


def test_dates(items: list[dict[str, Any]]) -> None:
    for item in items:
        ref = item["reference"]
        assert _is_date_or_none(item["started_on"]), ref
        assert _is_date_or_none(item["ended_on"]), ref
        if item["started_on"] and item["ended_on"]:
            assert item["started_on"] <= item["ended_on"], ref


def test_partners(items: list[dict[str, Any]], org_codes: set[str]) -> None:
    for item in items:
        ref = item["reference"]
        partners = item["partners"]
        assert isinstance(partners, list) and partners, ref
        orgs = [p["org"] for p in partners]
        assert len(orgs) == len(set(orgs)), ref
        assert sum(p["role"] == "lead" for p in partners) <= 1, ref
        for p in partners:
            assert set(p) == {"org", "role"}, ref
            assert p["org"] in org_codes, (ref, p["org"])
            assert p["role"] in ROLES, (ref, p["role"])


def test_funding(items: list[dict[str, Any]]) -> None:
    for item in items:
        funding = item["funding"]
        if funding is None:
            continue
        ref = item["reference"]
        assert set(funding) == {"source", "amount", "ends_on"}, ref
        assert _text(funding["source"]), ref
        amount = funding["amount"]
        assert amount is None or (isinstance(amount, int | float) and amount > 0), ref
        assert _is_date_or_none(funding["ends_on"]), ref


def test_governance(items: list[dict[str, Any]]) -> None:
    for item in items:
        ref = item["reference"]
        governance = item["governance"]
        assert isinstance(governance, dict), ref
        assert set(governance) == {"board", "written_agreement", "agreement_signed_on"}, ref
        assert governance["board"] is None or _text(governance["board"]), ref
        assert governance["written_agreement"] in (True, False, None), ref
        assert _is_date_or_none(governance["agreement_signed_on"]), ref
        if governance["agreement_signed_on"] is not None:
            assert governance["written_agreement"] is True, ref


def test_champions(items: list[dict[str, Any]], org_codes: set[str]) -> None:
    for item in items:
        ref = item["reference"]
        assert isinstance(item["champions"], list), ref
        for champion in item["champions"]:
            assert set(champion) == {"name", "organisation"}, ref
            assert _text(champion["name"]), ref
            assert champion["organisation"] in org_codes, ref


def test_evidence(items: list[dict[str, Any]]) -> None:
    for item in items:
        ref = item["reference"]
        evidence = item["evidence"]
        assert isinstance(evidence, list) and evidence, ref
        for e in evidence:
            assert set(e) == {"title", "url"}, ref
            assert _text(e["title"]), ref
            assert e["url"] is None or str(e["url"]).startswith("https://"), ref


def test_published_figures_are_kept(items: list[dict[str, Any]]) -> None:
    by_ref = {item["reference"]: item for item in items}
    assert "£4m a year" in by_ref["H3"]["outcomes"]
    assert by_ref["H3"]["started_on"] == dt.date(2014, 2, 1)
    assert "£460k" in by_ref["NORTHANTS-SS"]["outcomes"]
    jacp = by_ref["JACP"]
    assert jacp["funding"]["amount"] == 491000
    assert "£429k" in jacp["notes"] and "£429k" in jacp["outcomes"]
    assert by_ref["JPSC"]["funding"]["amount"] == 3000000
    assert "16 seconds" in by_ref["MAIT"]["outcomes"]
    assert "£800m" in by_ref["PSTN-SURREY-SUSSEX"]["outcomes"]
    crit = by_ref["CRIT"]["outcomes"]
    assert "2,832" in crit and "1,089" in crit and "£13m" in crit
