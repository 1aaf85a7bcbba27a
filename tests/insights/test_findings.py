"""findings.py: each finding against a hand-worked example on a small register."""

from __future__ import annotations

import pytest

from accord.insights import findings
from accord.insights.findings import Facts, Scored


def fact(pk: int, status: str = "operational", mix: str = "police_fire", **kw: object) -> Facts:
    return Facts(id=pk, reference=f"R{pk}", status=status, service_mix=mix, **kw)  # type: ignore[arg-type]


#: Six collaborations, worked by hand below.
#: 1 operational, police–fire, one champion, partners police + fire, public with a summary
#: 2 operational, intra-service, two champions, partner police only, public, no summary
#: 3 operational, tri-service, one champion, partners include a council (other), partners only
#: 4 stopped, police–fire, one champion, partner fire, public with a summary
#: 5 stopped, wider public service, no champion, partners fire + other, signed-in with summary
#: 6 idea, intra-service, one champion, partner ambulance, public with a summary
REGISTER = [
    fact(
        1,
        champions=1,
        partner_sectors=frozenset({"police", "fire"}),
        has_public_summary=True,
        is_public=True,
    ),
    fact(
        2, mix="intra_service", champions=2, partner_sectors=frozenset({"police"}), is_public=True
    ),
    fact(3, mix="tri_service", champions=1, partner_sectors=frozenset({"police", "other"})),
    fact(
        4,
        status="stopped",
        champions=1,
        partner_sectors=frozenset({"fire"}),
        has_public_summary=True,
        is_public=True,
    ),
    fact(
        5,
        status="stopped",
        mix="wider_public_service",
        partner_sectors=frozenset({"fire", "other"}),
        has_public_summary=True,
    ),
    fact(
        6,
        status="idea",
        mix="intra_service",
        champions=1,
        partner_sectors=frozenset({"ambulance"}),
        has_public_summary=True,
        is_public=True,
    ),
]


def test_inconsistency_is_the_gini_of_the_rates() -> None:
    # Rates 1, 2, 3: Σ|xi − xj| over ordered pairs = 2 × (1 + 2 + 1) = 8; 2 n² μ = 2 × 9 × 2
    # = 36; Gini = 8 / 36 = 0.2222.
    found = findings.inconsistency([3.0, 1.0, 2.0])
    assert found.figure == pytest.approx(8 / 36)
    assert found.n == 3
    assert "uneven" in found.sentence
    assert "indication" in found.sentence  # 3 areas is a small n


def test_inconsistency_without_rates_says_what_would_answer() -> None:
    found = findings.inconsistency([])
    assert found.figure is None and not found.answered
    assert "Populations" in found.needs


def test_key_individuals_by_hand() -> None:
    found = findings.key_individuals(REGISTER)
    # Exactly one champion: 1, 3, 4, 6 → 4 of 6.
    assert found.figure == pytest.approx(4 / 6)
    assert found.n == 6
    _overall, stopped, operational = found.parts
    # Stopped: 4 (one), 5 (none) → 1 of 2. Operational: 1, 3 (one), 2 (two) → 2 of 3.
    assert (stopped.count, stopped.of) == (1, 2)
    assert (operational.count, operational.of) == (2, 3)
    assert stopped.filters == (("status", "stopped"),)
    assert "50%" in found.sentence and "67%" in found.sentence
    assert "less often" in found.sentence
    assert "not proof" in found.sentence
    assert "indication" in found.sentence


def test_key_individuals_with_no_stopped_collaborations_does_not_compare() -> None:
    found = findings.key_individuals([fact(1, champions=1)])
    assert found.figure == 1.0
    assert "not both stopped and operational" in found.sentence


def test_service_mix_by_hand() -> None:
    found = findings.service_mix(REGISTER)
    shares = {p.filters: (p.count, p.of) for p in found.parts}
    assert shares[(("mix", "intra_service"),)] == (2, 6)
    assert shares[(("mix", "police_fire"),)] == (2, 6)
    assert shares[(("mix", "tri_service"),)] == (1, 6)
    assert shares[(("mix", "wider_public_service"),)] == (1, 6)
    assert shares[(("mix", "fire_ambulance"),)] == (0, 6)
    assert sum(p.count for p in found.parts) == 6
    assert found.figure == pytest.approx(2 / 6)
    assert "2 of 6" in found.sentence


def test_wider_public_service_by_hand() -> None:
    found = findings.wider_public_service(REGISTER)
    # A partner whose sector is not police, fire or ambulance: 3 and 5 → 2 of 6.
    assert found.figure == pytest.approx(2 / 6)
    assert "2 of 6" in found.sentence
    assert "not proof" in found.sentence


def test_public_awareness_by_hand() -> None:
    found = findings.public_awareness(REGISTER)
    # Public and with a summary: 1, 4, 6 → 3 of 6 (2 has no summary, 5 is not public).
    assert found.figure == pytest.approx(3 / 6)
    assert "not what the public knows" in found.sentence


def test_no_records_says_so() -> None:
    for finding in findings.findings([], []):
        assert not finding.answered
        if finding.key in {"key_individuals", "service_mix", "wider_public_service", "kpis"}:
            assert "no records" in finding.sentence


def test_a_large_register_is_not_called_small() -> None:
    many = [fact(i, champions=1) for i in range(40)] + [
        fact(100 + i, status="stopped") for i in range(40)
    ]
    found = findings.key_individuals(many)
    assert "indication" not in found.sentence
    assert found.figure == pytest.approx(0.5)


def test_kpis_by_hand() -> None:
    # Adopted on 1 and 4 (99 is not among the records seen): 2 of 6.
    found = findings.kpis(REGISTER, {1, 4, 99})
    assert found.figure == pytest.approx(2 / 6)
    assert [(p.count, p.of) for p in found.parts[:2]] == [(2, 6), (4, 6)]
    assert "Too few collaborations" in found.sentence
    assert "assessment rounds" in found.needs


#: Rounds, oldest first, as group_scores gives them (None: withheld by disclosure control).
SCORED = [
    # 1 (KPIs, operational): overall 3.0 then (4 + 3 + 2) / 3 = 3.0 → change 0; clear vision 4.
    Scored(
        1,
        "operational",
        (
            {"clear-vision": 3.0, "culture": 3.0},
            {"clear-vision": 4.0, "consistency": 3.0, "culture": 2.0},
        ),
    ),
    # 4 (KPIs, stopped): 2.0 then 3.0 → +1.0; clear vision 2 (the latest round's is withheld,
    # so the earlier one's is its latest).
    Scored(4, "stopped", ({"clear-vision": 2.0}, {"clear-vision": None, "culture": 3.0})),
    # 2 (no KPIs, operational): 2.5 then 2.0 → −0.5; clear vision 3.
    Scored(2, "operational", ({"clear-vision": 2.5}, {"clear-vision": 3.0, "culture": 1.0})),
    # 3 (no KPIs, operational): one round: no change; clear vision 5.
    Scored(3, "operational", ({"clear-vision": 5.0},)),
]


def test_the_three_c_helpers_by_hand() -> None:
    assert findings.overall({"a": 4.0, "b": None, "c": 2.0}) == 3.0
    assert findings.overall({"a": None}) is None
    assert findings.latest(SCORED[1].rounds, "clear-vision") == 2.0
    assert findings.change(SCORED[0].rounds) == 0.0
    assert findings.change(SCORED[1].rounds) == 1.0
    assert findings.change(SCORED[3].rounds) is None


def test_kpis_change_between_rounds_by_hand() -> None:
    found = findings.kpis(REGISTER, {1, 4}, SCORED)
    with_kpis, without = found.parts[2], found.parts[3]
    # With: 0 and +1.0 → mean 0.5 (n 2). Without: −0.5 (n 1; 3 has one round only).
    assert (with_kpis.count, with_kpis.mean) == (2, pytest.approx(0.5))
    assert (without.count, without.mean) == (1, pytest.approx(-0.5))
    assert "+0.50" in found.sentence and "-0.50" in found.sentence
    assert "not proof that KPIs cause it" in found.sentence
    assert "indication" in found.sentence
    assert not found.needs


def test_clear_vision_by_hand() -> None:
    # Latest clear vision: 1 → 4, 4 → 2, 2 → 3, 3 → 5; mean 14 / 4 = 3.5.
    found = findings.clear_vision(SCORED, realised={1, 3})
    assert found.figure == pytest.approx(3.5)
    assert found.n == 4
    operational, stopped, with_benefit, without = found.parts
    # Operational: 4, 3, 5 → 4.0; stopped: 2.0; realised (1, 3): 4.5; not (4, 2): 2.5.
    assert (operational.count, operational.mean) == (3, pytest.approx(4.0))
    assert (stopped.count, stopped.mean) == (1, pytest.approx(2.0))
    assert with_benefit.mean == pytest.approx(4.5)
    assert without.mean == pytest.approx(2.5)
    assert "not a cause" in found.sentence
    assert "indication" in found.sentence


def test_clear_vision_without_scores_says_what_would() -> None:
    found = findings.clear_vision([Scored(1, "operational", ({"clear-vision": None},))], set())
    assert not found.answered
    assert "disclosure control" in found.needs


def test_financial_outcomes_by_hand() -> None:
    # First realised benefits in appraisal years 1, 2 and 0 → 12, 24 and 0 months: median 12.
    found = findings.financial_outcomes([1, 2, 0], appraisals=5)
    assert found.figure == 12
    assert found.n == 3
    assert [(p.count, p.of) for p in found.parts] == [(3, 5)]
    assert "median time to the first is 12 months" in found.sentence
    assert "likely longer" in found.sentence
    # Two values: the median is their mean (12 and 36 → 24).
    assert findings.financial_outcomes([1, 3], appraisals=2).figure == 24


def test_financial_outcomes_without_realised_benefits_says_what_would() -> None:
    found = findings.financial_outcomes([], appraisals=2)
    assert not found.answered
    assert "None of the 2 appraisals" in found.sentence
    assert "Realised benefits" in found.needs
    assert "no appraisals" in findings.financial_outcomes([], appraisals=0).sentence


def test_what_the_data_cannot_answer_yet_is_listed_with_what_would() -> None:
    found = {f.key: f for f in findings.findings(REGISTER, [1.0, 2.0])}
    for key in ("political_buy_in", "clear_vision", "financial_outcomes"):
        assert not found[key].answered
        assert found[key].needs
    assert found["kpis"].answered and found["kpis"].needs
    keys = [f.key for f in findings.findings(REGISTER, [], scored=SCORED)]
    assert keys[5:7] == ["political_buy_in", "clear_vision"]


#: The political buy-in factor's score in each round, oldest first (None: withheld).
#: 1 operational: 3.0 then 4.0 → latest 4.0. 4 stopped: 2.0, then withheld → 2.0.
#: 2 operational: 3.0. 5 idea: 5.0. 3 operational: a framework without the factor → none.
POLITICAL = [
    Scored(1, "operational", factors=({"political-buy-in": 3.0}, {"political-buy-in": 4.0})),
    Scored(4, "stopped", factors=({"political-buy-in": 2.0}, {"political-buy-in": None})),
    Scored(2, "operational", factors=({"political-buy-in": 3.0, "trust": 1.0},)),
    Scored(5, "idea", factors=({"political-buy-in": 5.0},)),
    Scored(3, "operational", factors=({"trust": 4.0},)),
]


def test_political_buy_in_by_hand() -> None:
    found = findings.political_buy_in(POLITICAL)
    # Latest scores 4, 2, 3 and 5: mean 14 / 4 = 3.5 over n = 4 (3 has none).
    assert found.figure == pytest.approx(3.5)
    assert found.n == 4
    by_status = {p.label: p for p in found.parts}
    # Operational: 4 and 3 → 3.5 (n 2); stopped: 2.0 (n 1); idea 5.0 (n 1); the rest none.
    assert (by_status["Operational"].count, by_status["Operational"].mean) == (2, 3.5)
    assert (by_status["Stopped"].count, by_status["Stopped"].mean) == (1, 2.0)
    assert (by_status["Idea"].count, by_status["Idea"].mean) == (1, 5.0)
    # Statuses with no score are left out, but for operational and stopped, always shown.
    assert list(by_status) == ["Idea", "Operational", "Stopped"]
    only_idea = findings.political_buy_in(POLITICAL[3:4])
    assert [(p.label, p.count) for p in only_idea.parts] == [
        ("Idea", 1),
        ("Operational", 0),
        ("Stopped", 0),
    ]
    assert all(p.of == 4 for p in found.parts)
    assert by_status["Stopped"].filters == (("status", "stopped"),)
    assert "averages 3.5 across 4 collaborations" in found.sentence
    assert "idea 5.0 (n = 1); operational 3.5 (n = 2); stopped 2.0 (n = 1)" in found.sentence
    assert "not proof that politics helped or hindered" in found.sentence
    # The smallest group compared has one record: said to be an indication only.
    assert "Only 1 record" in found.sentence
    assert not found.needs
    assert found.kind == "score"


def test_political_buy_in_with_one_status_or_none() -> None:
    alike = findings.political_buy_in(POLITICAL[:1] + POLITICAL[2:3])
    assert alike.figure == pytest.approx(3.5)
    assert "nothing to compare" in alike.sentence
    assert "not proof" not in alike.sentence
    withheld = findings.political_buy_in([POLITICAL[4], Scored(9, "idea", factors=({},))])
    assert not withheld.answered
    assert withheld.n == 0
    assert "disclosure control" in withheld.needs
