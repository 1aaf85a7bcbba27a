"""Every factory in tests/support makes a valid record through its service, audited."""

from __future__ import annotations

import pytest
from tests.support import factories

from accord.core.models import AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "CollaborationFactory",
        "DutyReviewFactory",
        "AreaFactory",
        "RoundFactory",
        "InvitationFactory",
        "AppraisalFactory",
        "RealisedBenefitFactory",
        "UnitCostFactory",
    ],
)
def test_each_factory_makes_an_audited_record(name: str) -> None:
    before = AuditEvent.objects.count()
    made = getattr(factories, name)()
    assert made is not None
    assert AuditEvent.objects.count() > before


@pytest.mark.django_db
def test_a_response_is_saved_through_its_link_and_scored() -> None:
    response = factories.ResponseFactory(value=5)
    assert response.submitted
    assert set(response.answers.values()) == {5}
