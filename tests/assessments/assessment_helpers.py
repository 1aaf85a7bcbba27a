"""Rounds, links and responses for the assessment tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.core.actors import SystemActor

ACTOR = SystemActor("test")


def framework_version(key: str = "collaboration-factors") -> Any:
    from accord.assessments.models import FrameworkVersion
    from accord.assessments.services import load_shipped_frameworks

    load_shipped_frameworks(ACTOR)
    return FrameworkVersion.objects.filter(key=key).order_by("-version").first()


def make_round(
    collaboration: Any,
    *,
    anonymous: bool = True,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    title: str = "Spring survey",
    key: str = "collaboration-factors",
) -> Any:
    from django.utils import timezone

    from accord.assessments import services

    today = timezone.localdate()
    return services.create_round(
        ACTOR,
        collaboration,
        services.RoundData(
            title=title,
            framework=framework_version(key),
            opens_on=opens_on or today - dt.timedelta(days=1),
            closes_on=closes_on or today + dt.timedelta(days=10),
            anonymous=anonymous,
        ),
        # Rounds that ran already, as the tests of change over time need.
        past_allowed=True,
    )


def invite(found: Any, people: list[tuple[str, str, str]]) -> list[str]:
    """Invite (email, organisation code, level) people; return their plain tokens."""
    from accord.assessments import services
    from accord.orgs.models import Organisation

    links = services.invite(
        ACTOR,
        found,
        [
            services.Invitee(email=e, organisation=Organisation.objects.get(code=c), level=lv)
            for e, c, lv in people
        ],
    )
    return [link.token for link in links]


def all_answers(found: Any, value: int | None = 4) -> dict[str, Any]:
    return {item: value for item in found.framework.framework.item_ids}


def add_responses(
    found: Any, counts: dict[tuple[str, str], int], value: int = 4, comment: str = ""
) -> None:
    """Submitted responses straight into the round: {(organisation code, level): count}."""
    from accord.assessments import services
    from accord.orgs.models import Organisation

    rows = []
    for (code, level), count in counts.items():
        org = Organisation.objects.get(code=code)
        for i in range(count):
            answers = all_answers(found, value if i % 2 == 0 else max(1, value - 1))
            rows.append(
                services.ImportedResponse(
                    line=0, organisation=org, level=level, answers=answers, comment=comment
                )
            )
    services.add_responses(ACTOR, found, rows)


@pytest.fixture
def open_round(collaboration: Any) -> Any:
    return make_round(collaboration)
