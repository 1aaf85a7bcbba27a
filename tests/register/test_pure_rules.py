import datetime as dt

import pytest

from accord.register.mix import service_mix
from accord.register.risks import sustainability_risks


@pytest.mark.parametrize(
    ("services", "mix"),
    [
        ({"fire"}, "intra_service"),
        ({"police", "fire"}, "police_fire"),
        ({"fire", "ambulance"}, "fire_ambulance"),
        ({"police", "ambulance"}, "police_ambulance"),
        ({"police", "fire", "ambulance"}, "tri_service"),
        ({"police", "fire", "ambulance", "other"}, "tri_service"),
        ({"police", "fire", "other"}, "police_fire"),
        ({"fire", "other"}, "wider_public_service"),
        ({"other"}, "wider_public_service"),
        (set(), "wider_public_service"),
    ],
)
def test_service_mix_follows_the_services_involved(services: set[str], mix: str) -> None:
    assert service_mix(services) == mix


TODAY = dt.date(2026, 11, 25)


_ARGS: dict[str, object] = {
    "status": "operational",
    "champions": 2,
    "funding_ends_on": None,
    "has_written_agreement": True,
    "last_review_on": dt.date(2026, 6, 1),
    "today": TODAY,
}


def _codes(**overrides: object) -> list[str]:
    args = {**_ARGS, **overrides}
    return [r.code for r in sustainability_risks(**args)]  # type: ignore[arg-type]


def test_a_healthy_collaboration_has_no_risks() -> None:
    assert _codes() == []


def test_each_risk_the_research_names_is_flagged() -> None:
    assert _codes(champions=1) == ["single_champion"]
    assert _codes(champions=0) == ["no_champion"]
    assert _codes(funding_ends_on=dt.date(2027, 11, 25)) == ["funding_ending"]
    assert _codes(funding_ends_on=dt.date(2027, 11, 26)) == []
    assert _codes(has_written_agreement=False) == ["no_agreement"]
    assert _codes(has_written_agreement=None) == ["agreement_not_recorded"]
    assert _codes(last_review_on=None) == ["no_review"]
    assert _codes(last_review_on=dt.date(2025, 11, 24)) == ["no_review"]
    assert _codes(last_review_on=dt.date(2025, 11, 25)) == []


def test_unknown_is_not_no_for_a_written_agreement() -> None:
    (no,) = sustainability_risks(**{**_ARGS, "has_written_agreement": False})  # type: ignore[arg-type]
    (unknown,) = sustainability_risks(**{**_ARGS, "has_written_agreement": None})  # type: ignore[arg-type]
    assert no.message == "No written collaboration agreement"
    assert unknown.message.startswith("Agreement not recorded")
    assert "no written" not in unknown.message.lower()


def test_ended_collaborations_carry_no_risks() -> None:
    assert _codes(status="closed", champions=0, has_written_agreement=False) == []
