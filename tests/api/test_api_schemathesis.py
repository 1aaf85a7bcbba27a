"""A bounded schemathesis run against /api/openapi.json, anonymous and with a token.

Every operation of the document is tried with the cases schemathesis makes from it (its
coverage phase's boundary values, then `MAX_EXAMPLES` generated ones, valid and invalid,
derandomized so that each run tries the same), through the WSGI application in this process,
in a small world of records. Each response is checked by schemathesis's default checks: no
server error, a status the document declares, and a body, content type and headers matching
what the document declares for that status.

`pytest -s` prints the counts of the run (docs/performance.md has them).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from tests.assessments.assessment_helpers import add_responses, make_round
from tests.kpis.kpi_pages_helpers import make_kpi
from tests.support.factories import AppraisalFactory, RealisedBenefitFactory, UnitCostFactory
from tests.support.lessons_factories import make_lesson

from accord.wsgi import application

#: Generated cases an operation, in each mode: enough to find what a schema leaves open, few
#: enough that both runs take well under a minute on a two-core machine.
MAX_EXAMPLES = 20

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
    }
)

# The document is read once, when the tests are collected: it is made from the code alone.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

COUNTS: Counter[str] = Counter()


@pytest.fixture
def records(collaboration: Any, make_collaboration: Any) -> None:
    """A little of everything a list or a record shows, that real rows go through the checks."""
    found = make_round(collaboration)
    add_responses(found, {("E31000025", "tactical"): 5, ("RX9", "operational"): 5})
    RealisedBenefitFactory(appraisal=AppraisalFactory(collaboration=collaboration))
    AppraisalFactory(collaboration=make_collaboration("Public pilot", visibility="public"))
    UnitCostFactory()
    UnitCostFactory(price_year=1900)  # no deflator for its year: uplifted to null


@pytest.fixture
def token(records: None, colleague: Any, settings: Any) -> dict[str, str]:
    from accord.orgs import services

    _, plain = services.create_token(colleague, "schemathesis")
    # The run's requests are far more a minute than the rate limit allows a script.
    settings.API_RATE_PER_MINUTE = 1_000_000
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    started = time.perf_counter()
    yield
    if COUNTS["cases"]:
        operations = len({k.split(":", 2)[2] for k in COUNTS if k.startswith("operation:")})
        statuses = ", ".join(
            f"{k.split(':')[1]}: {v}" for k, v in sorted(COUNTS.items()) if k.startswith("status:")
        )
        print(
            f"\nschemathesis: {operations} operations, {COUNTS['cases']} cases "
            f"({COUNTS['cases:anonymous']} anonymous, {COUNTS['cases:token']} with a token) "
            f"in {time.perf_counter() - started:.1f} s; statuses {statuses}"
        )
        if os.environ.get("ACCORD_SCHEMATHESIS_COUNTS"):
            for key, count in sorted(COUNTS.items()):
                print(f"  {key}: {count}")


@pytest.fixture(autouse=True)
def _quiet_refusals() -> Iterator[None]:
    """Thousands of 4xx answers are the run working: not worth a log line each (a 500 still
    logs, at ERROR)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """The application is called as a server calls it, and so closes a connection it finds
    inside a transaction at each request's start and end: here that is the test's own (on
    PostgreSQL). Django's test client unhooks the same for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _try(case: Any, who: str, headers: dict[str, str] | None = None) -> None:
    COUNTS["cases"] += 1
    COUNTS[f"cases:{who}"] += 1
    COUNTS[f"operation:{who}:{case.operation.label}"] += 1
    response = case.call_and_validate(headers=headers)
    COUNTS[f"status:{response.status_code}"] += 1


#: The records are read, never changed, so one set serves every generated case.
SHARED_FIXTURES = hypothesis.settings(
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@schema.parametrize()
@SHARED_FIXTURES
def test_anonymous_callers_get_only_declared_responses_and_no_server_error(
    case: Any, records: None
) -> None:
    _try(case, "anonymous")


@pytest.mark.django_db
@schema.parametrize()
@SHARED_FIXTURES
def test_a_token_gets_only_declared_responses_and_no_server_error(
    case: Any, token: dict[str, str]
) -> None:
    _try(case, "token", token)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "colleague", "owner", "outsider"])
def test_real_records_read_by_each_person_match_the_document(
    world: dict[str, Any], who: str, request: Any
) -> None:
    """Generated ids rarely find a record: here every operation reads the world's own, as
    each person, and each answer (a record, a 403, a 404 or a 401) must match the document."""
    from accord.orgs import services

    headers: dict[str, str] = {}
    if who != "anonymous":
        _, plain = services.create_token(request.getfixturevalue(who), "conformance")
        headers = {"Authorization": f"Bearer {plain}"}
    framework = world["round"].framework
    kpi = make_kpi(world["collaboration"], [480.0, 470.0, 490.0])
    lesson = make_lesson(
        request.getfixturevalue("owner"),
        state="published",
        moderator=request.getfixturevalue("moderator"),
    )
    values = {
        "adoption_id": kpi.pk,
        "lesson_id": lesson.pk,
        "reference": world["collaboration"].reference,
        "round_id": world["round"].pk,
        "appraisal_id": world["appraisal"].pk,
        "key": framework.key,
        "version": framework.version,
    }
    queries: dict[str, list[dict[str, Any]]] = {
        "/api/assessments/rounds/{round_id}/scores": [{}, {"by": "organisation"}, {"by": "level"}],
        "/api/collaborations": [{}, {"archived": "true", "sort": "-updated"}],
    }
    statuses: Counter[int] = Counter()
    for path in schema:
        try:
            operation = schema[path]["GET"]
        except LookupError:
            continue  # a lesson's submit and review, an action's completion: writes only
        names = {p.name for p in operation.path_parameters}
        for query in queries.get(path, [{}]):
            case = operation.Case(
                path_parameters={n: values[n] for n in names}, query=query, headers=headers
            )
            response = case.call()
            case.validate_response(response)
            statuses[response.status_code] += 1
    assert statuses[200] >= (4 if who in ("anonymous", "outsider") else 15), statuses
