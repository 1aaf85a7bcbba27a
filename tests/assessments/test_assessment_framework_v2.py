"""Version 2 of the shipped frameworks: one ask a statement, statements worded the other way
(scored reversed), JESIP's models under shared situational awareness, the three Cs said to be
Accord's reading; version 1 kept as it was for the rounds that used it."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from django.test import Client
from tests.assessments.assessment_helpers import ACTOR, add_responses, make_round

from accord.assessments.framework import (
    SHIPPED_DIR,
    Framework,
    FrameworkError,
    load_framework,
    load_shipped_framework,
    parse_framework,
)
from accord.assessments.scoring import Responses, Summary, respondent_scores, summarise

# The statements of version 1 that asked two things, and what each became in version 2.
SPLIT = {
    "collaboration-factors": ["tl1", "gv2", "gv3", "od3", "tr3"],
    "jesip-interoperability": ["cm2", "co1", "co2", "jr2", "sa2"],
}


@pytest.mark.parametrize("framework_id", sorted(SPLIT))
def test_both_versions_load_and_the_latest_is_version_2(framework_id: str) -> None:
    old = load_framework(SHIPPED_DIR / f"{framework_id}.yaml")
    new = load_framework(SHIPPED_DIR / f"{framework_id}.v2.yaml")
    assert (old.id, old.version) == (framework_id, 1)
    assert (new.id, new.version) == (framework_id, 2)
    assert load_shipped_framework(framework_id) == new
    assert load_shipped_framework(framework_id, 1) == old
    assert old.factor_ids == new.factor_ids
    # Version 1 still asks what it asked: its double statements are there, unsplit.
    assert set(SPLIT[framework_id]) <= set(old.item_ids)
    assert not any(item.reverse for item in old.items)


@pytest.mark.parametrize("framework_id", sorted(SPLIT))
def test_every_double_statement_is_split_into_single_asks(framework_id: str) -> None:
    new = load_shipped_framework(framework_id, 2)
    texts = {item.id: item.text for item in new.items}
    for old_id in SPLIT[framework_id]:
        assert old_id not in texts
        for part in ("a", "b"):
            text = texts[old_id + part]
            assert " and " not in text, (old_id + part, text)
        # The two halves belong to the factor the double statement did.
        assert new.item_factor(old_id + "a") == new.item_factor(old_id + "b")


@pytest.mark.parametrize("framework_id", sorted(SPLIT))
def test_every_factor_has_a_statement_worded_the_other_way(framework_id: str) -> None:
    new = load_shipped_framework(framework_id, 2)
    assert new.scale.points >= 2  # a scale with two ends can be reversed
    for factor in new.factors:
        assert any(item.reverse for item in factor.items), factor.id
        assert any(not item.reverse for item in factor.items), factor.id


def test_jesip_models_sit_under_shared_situational_awareness() -> None:
    new = load_shipped_framework("jesip-interoperability", 2)
    for factor in new.factors:
        text = " ".join(item.text for item in factor.items)
        under_ssa = factor.id == "shared-situational-awareness"
        assert ("M/ETHANE" in text) == under_ssa, factor.id
        assert ("Joint Decision Model" in text) == under_ssa, factor.id
    co_locate = " ".join(item.text for item in new.factor("co-locate").items)
    assert "a single, safe location" in co_locate


def test_the_three_cs_are_said_to_be_accords_reading() -> None:
    new = load_shipped_framework("collaboration-factors", 2)
    assert new.grouping_note is not None
    assert new.grouping_note.startswith("Accord's reading of the briefing")
    assert load_shipped_framework("collaboration-factors", 1).grouping_note is None


# Reversal ----------------------------------------------------------------------------------


def tiny(reverse: object = True) -> dict[str, Any]:
    return {
        "id": "tiny",
        "version": 1,
        "title": "Tiny",
        "scale": {"min": 1, "max": 5, "labels": ["1", "2", "3", "4", "5"]},
        "groups": [{"id": "g", "title": "G"}],
        "factors": [
            {
                "id": "e",
                "kind": "enabler",
                "group": "g",
                "title": "An enabler",
                "items": [
                    {"id": "e1", "text": "Good things happen."},
                    {"id": "e2", "text": "Bad things happen.", "reverse": reverse},
                ],
            },
            {
                "id": "b",
                "kind": "barrier",
                "group": "g",
                "title": "A barrier",
                "items": [
                    {"id": "b1", "text": "The barrier is here."},
                    {"id": "b2", "text": "The barrier is gone.", "reverse": reverse},
                ],
            },
        ],
    }


def test_reverse_must_be_true_or_false() -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(tiny("yes"), "tiny.yaml")
    assert caught.value.errors == [
        "tiny.yaml: factors[0].items[1].reverse: must be true or false, got 'yes'",
        "tiny.yaml: factors[1].items[1].reverse: must be true or false, got 'yes'",
    ]


def test_reverse_survives_storage_and_is_left_out_when_false() -> None:
    fw = parse_framework(tiny(), "tiny.yaml")
    data = fw.to_dict()
    assert data["factors"][0]["items"] == [
        {"id": "e1", "text": "Good things happen."},
        {"id": "e2", "text": "Bad things happen.", "reverse": True},
    ]
    assert parse_framework(copy.deepcopy(data), "stored") == fw


def test_reversed_statements_score_reversed_by_hand() -> None:
    fw: Framework = parse_framework(tiny(), "tiny.yaml")
    responses = Responses.create(
        respondents=["careful", "agrees-with-everything", "partial"],
        organisations=["A", "A", "A"],
        levels=["tactical"] * 3,
        #        e1 e2 b1 b2
        answers=[
            [4, 2, 4, 2],
            [5, 5, 5, 5],
            [3, math.nan, math.nan, 1],
        ],
        item_ids=["e1", "e2", "b1", "b2"],
    )
    scores = respondent_scores(fw, responses)
    # On 1 to 5 a reversed answer x counts as 6 - x.
    # careful: e = (4 + (6-2)) / 2 = 4; b = ((6-4) + 2) / 2 = 2 (b2 is reversed twice: as is)
    # agrees with everything: e = (5 + 1) / 2 = 3; b = (1 + 5) / 2 = 3: the bias shows as the
    # middle, not as a strong enabler and a strong barrier.
    # partial: e = 3 (e1 only); b = 1 (b2 only, as answered)
    expected_factors = np.array([[4.0, 2.0], [3.0, 3.0], [3.0, 1.0]])
    np.testing.assert_allclose(scores.factors, expected_factors, atol=1e-12)
    np.testing.assert_allclose(scores.groups[:, 0], expected_factors.mean(axis=1), atol=1e-12)
    overall = summarise(fw, responses).factors["e"]
    assert isinstance(overall, Summary)
    assert overall.mean == pytest.approx((4 + 3 + 3) / 3, abs=1e-12)


def test_without_reverse_the_same_answers_score_as_before() -> None:
    fw = parse_framework(tiny(False), "tiny.yaml")
    responses = Responses.create(
        ["r"], ["A"], ["tactical"], [[4, 2, 4, 2]], ["e1", "e2", "b1", "b2"]
    )
    # e = (4 + 2) / 2 = 3; b = ((6-4) + (6-2)) / 2 = 3
    np.testing.assert_allclose(respondent_scores(fw, responses).factors, [[3.0, 3.0]])


# New rounds, the demo and the pages --------------------------------------------------------


@pytest.mark.django_db
def test_new_rounds_and_the_demo_use_the_new_versions() -> None:
    from accord.assessments.demo import load_demo
    from accord.assessments.forms import RoundForm
    from accord.register.demo import load_demo_collaborations

    assert RoundForm.initial_values()["framework"].version == 2
    load_demo_collaborations(ACTOR)
    rounds = load_demo(ACTOR)
    assert rounds
    assert {(r.framework.key, r.framework.version) for r in rounds} == {
        ("collaboration-factors", 2)
    }


@pytest.mark.django_db
def test_the_round_page_says_whose_grouping_the_three_cs_are(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration)
    assert found.framework.version == 2
    add_responses(found, {("E31000025", "tactical"): 5})
    client = Client()
    client.force_login(owner)
    page = client.get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert "Accord&#x27;s reading of the briefing" in page
    panel = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "Accord&#x27;s reading of the briefing" in panel
