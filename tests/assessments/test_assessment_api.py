"""The API gives a round's scores as the command line does, under the same disclosure rule."""

from typing import Any

import pytest
from django.test import Client
from tests.assessments.assessment_helpers import add_responses, make_round

pytestmark = pytest.mark.django_db


def test_a_rounds_scores_match_the_command_lines_shape_and_suppress_small_groups(
    client: Client, collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    add_responses(found, {("E31000025", "tactical"): 5, ("RX9", "operational"): 4})
    client.force_login(colleague)
    data = client.get(f"/api/assessments/rounds/{found.pk}/scores", {"by": "organisation"}).json()
    assert set(data) == {"framework", "version", "k", "overall", "by", "breakdown"}
    assert data["overall"]["n"] == 9
    assert data["breakdown"]["RX9"] == {"suppressed": True}
    # E31000025's 5 with the total's 9 would give RX9's 4 away: withheld whole, count and all.
    assert data["breakdown"]["E31000025"] == {"suppressed": True}
    rounds = client.get(f"/api/assessments/collaborations/{collaboration.reference}/rounds")
    assert [r["id"] for r in rounds.json()] == [found.pk]


def test_someone_who_may_not_see_the_collaboration_gets_404(
    client: Client, collaboration: Any, outsider: Any
) -> None:
    found = make_round(collaboration)
    client.force_login(outsider)
    assert client.get(f"/api/assessments/rounds/{found.pk}/scores").status_code == 404
    url = f"/api/assessments/collaborations/{collaboration.reference}/rounds"
    assert client.get(url).status_code == 404
