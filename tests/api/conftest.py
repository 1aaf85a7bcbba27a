"""A small world for the API's tests: what each kind of read has to show.

- `collaboration`: partners-only (Lincolnshire Fire lead, East Midlands Ambulance partner), with
  a duty-to-collaborate review, a round of nine responses (five at Lincolnshire Fire, four at
  EMAS: with k = 5, EMAS's figures are suppressed) and an appraisal with a realised benefit;
- `public`: a public collaboration with an appraisal of its own;
- the unit cost library, loaded.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.assessments.assessment_helpers import add_responses, make_round
from tests.support.factories import DutyReviewFactory, RealisedBenefitFactory


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def world(collaboration: Any, make_collaboration: Any) -> dict[str, Any]:
    from accord.appraisal import services as appraisal_services

    DutyReviewFactory(collaboration=collaboration, notified=("RX9",))
    found = make_round(collaboration)
    add_responses(
        found,
        {("E31000025", "tactical"): 5, ("RX9", "operational"): 4},
        comment="Good joint working",
    )
    appraisal = make_appraisal(collaboration)
    RealisedBenefitFactory(appraisal=appraisal, year=1)
    public = make_collaboration("Public pilot", visibility="public", nature="prevention")
    public_appraisal = make_appraisal(public)
    appraisal_services.load_unit_cost_library("test")
    return {
        "collaboration": collaboration,
        "round": found,
        "appraisal": appraisal,
        "public": public,
        "public_appraisal": public_appraisal,
    }
