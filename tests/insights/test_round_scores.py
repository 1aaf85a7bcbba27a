"""assessments.services.group_scores_of: every round's group and factor scores at once, as the
findings read them (a political buy-in score worked by hand), under disclosure control."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.support.factories import (
    CollaborationFactory,
    InvitationFactory,
    ResponseFactory,
    RoundFactory,
)

from accord.assessments import services

pytestmark = pytest.mark.django_db


def answered(survey: Any, *values: int) -> None:
    """One submitted response a value, every statement answered with it."""
    for value in values:
        ResponseFactory(link=InvitationFactory(round=survey), value=value)


def test_a_factor_score_by_hand(settings: Any) -> None:
    # Political buy-in (collaboration-factors v2): pb1, pb2, pb3, and pb4 worded against it
    # (reversed: 6 − answer). Answering 4 everywhere: (4 + 4 + 4 + 2) / 4 = 3.5; answering 2:
    # (2 + 2 + 2 + 4) / 4 = 2.5. The round's score is the respondents' mean: 3.0.
    settings.DISCLOSURE_THRESHOLD = 2
    survey = RoundFactory()
    answered(survey, 4, 2)
    (scores,) = services.group_scores_of([survey.collaboration_id])[survey.collaboration_id]
    assert scores.factors["political-buy-in"] == pytest.approx(3.0)
    # One collaboration's rounds through group_scores: the same figures.
    assert scores.means == services.group_scores(survey.collaboration)[0].means
    assert scores.factors == services.group_scores(survey.collaboration)[0].factors


def test_fewer_responses_than_the_threshold_withhold_every_figure(settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    survey = RoundFactory()
    answered(survey, 4, 2)
    (scores,) = services.group_scores(survey.collaboration)
    assert set(scores.factors.values()) == {None}
    assert set(scores.means.values()) == {None}
    answered(survey, 3)
    (scores,) = services.group_scores(survey.collaboration)
    # Three respondents: 3.5, 2.5 and (3 + 3 + 3 + 3) / 4 = 3.0 → 3.0.
    assert scores.factors["political-buy-in"] == pytest.approx(3.0)


def test_many_collaborations_in_a_few_queries_each_its_own(settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 1
    first, second = CollaborationFactory(), CollaborationFactory()
    answered(RoundFactory(collaboration=first), 5)
    answered(RoundFactory(collaboration=second), 1)
    later = RoundFactory(
        collaboration=second,
        opens_on=dt.date.today() + dt.timedelta(days=5),
        closes_on=dt.date.today() + dt.timedelta(days=9),
    )
    with CaptureQueriesContext(connection) as ctx:
        found = services.group_scores_of(None)
    # Rounds, their frameworks, responses and invitations.
    assert len(ctx.captured_queries) == 4
    # Answering 5: (5 + 5 + 5 + 1) / 4 = 4.0; answering 1: (1 + 1 + 1 + 5) / 4 = 2.0. A round
    # not yet open is left out.
    assert [s.factors["political-buy-in"] for s in found[first.pk]] == [4.0]
    assert [s.factors["political-buy-in"] for s in found[second.pk]] == [2.0]
    assert later.pk not in {s.round_id for rounds in found.values() for s in rounds}
    assert set(services.group_scores_of([first.pk])) == {first.pk}


def test_kept_scores_score_again_only_the_rounds_that_changed(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.insights import queries

    settings.DISCLOSURE_THRESHOLD = 1
    first, second = RoundFactory(), RoundFactory()
    answered(first, 5)
    answered(second, 1)
    link = InvitationFactory(round=second)
    today = dt.date.today()
    scored: list[Any] = []
    real = services.group_scores_of

    def counting(*args: Any, **kwargs: Any) -> Any:
        scored.append(kwargs.get("rounds"))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "group_scores_of", counting)
    found = queries.round_scores(today)
    assert scored == [None]  # every round, the first time
    assert found[first.collaboration_id][0].factors["political-buy-in"] == 4.0
    # Nothing changed: nothing scored.
    assert queries.round_scores(today) == found
    assert scored == [None]
    # A change to the register: nothing scored.
    CollaborationFactory()
    queries.round_scores(today)
    assert scored == [None]
    # An anonymous response to the second round (not audited): that round alone, and its
    # score moves from (1 + 1 + 1 + 5) / 4 = 2.0 to the mean of 2.0 and 4.0 = 3.0.
    ResponseFactory(link=link, value=5)
    found = queries.round_scores(today)
    assert scored == [None, [second.pk]]
    assert found[second.collaboration_id][0].factors["political-buy-in"] == pytest.approx(3.0)
    assert found[first.collaboration_id][0].factors["political-buy-in"] == 4.0
    # A round opening in five days: on that day it alone is scored (withheld: no responses).
    later = RoundFactory(
        collaboration=first.collaboration,
        opens_on=today + dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=9),
    )
    assert len(queries.round_scores(today)[first.collaboration_id]) == 1
    found = queries.round_scores(today + dt.timedelta(days=5))
    assert scored == [None, [second.pk], [later.pk]]
    assert [s.round_id for s in found[first.collaboration_id]] == [first.pk, later.pk]
    assert set(found[first.collaboration_id][1].factors.values()) == {None}
