"""Shared fixtures: the reference organisations, and the people every permission test needs.

Like Healthchecks' base test case: an owner (a contributor at a partner), a colleague (a reader
at the same partner), an outsider (a contributor elsewhere) and a platform administrator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.people import PASSWORD, make_person

import accord.settings as configured

__all__ = ["PASSWORD"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from accord.orgs.services import load_reference_organisations

    with django_db_blocker.unblock():
        load_reference_organisations()
    yield


#: What the service stores passwords with, as configured (tests swap the live setting).
CONFIGURED_PASSWORD_HASHERS: list[str] = list(configured.PASSWORD_HASHERS)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 spends about 0.1 s of processor a password by design, and nearly every test
    makes people and signs them in: tests store passwords with MD5, which was a third of the
    suite's time. The configured hashers stay in `CONFIGURED_PASSWORD_HASHERS`, and the tests
    of how passwords are stored put them back (`configured_password_hashing`)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *CONFIGURED_PASSWORD_HASHERS,
    ]


@pytest.fixture
def configured_password_hashing(settings: Any) -> list[str]:
    """The service's own password hashers, for a test of how passwords are stored."""
    settings.PASSWORD_HASHERS = list(CONFIGURED_PASSWORD_HASHERS)
    return settings.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _reference_organisations(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """Every test with a database starts with the reference organisations. The session loads
    them once, but a transactional test (the live server's, a browser test's, wherever it
    lives) ends by emptying every table: the next test in the same process finds them gone,
    so they are put back first where they are missing (one query a test otherwise)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")  # the test database, never the configured one
    from accord.orgs.models import Organisation
    from accord.orgs.services import load_reference_organisations

    with django_db_blocker.unblock():
        if not Organisation.objects.filter(code="E31000025").exists():
            load_reference_organisations()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with no cached counts: a rolled-back test's state must not linger."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_audit_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's `accord audit verify` keeps its checkpoint apart: a shared file would make
    one test's chain look cut back to the next."""
    monkeypatch.setenv("ACCORD_AUDIT_CHECKPOINT", str(tmp_path / "audit_checkpoint.json"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA


@pytest.fixture
def owner(db: Any) -> Any:
    """A contributor at Lincolnshire Fire and Rescue, the lead partner of `collaboration`."""
    return make_person("owner")


@pytest.fixture
def colleague(db: Any) -> Any:
    """A reader at the same organisation as the owner."""
    return make_person("colleague")


@pytest.fixture
def moderator(db: Any) -> Any:
    """A moderator at the same organisation as the owner."""
    return make_person("moderator")


@pytest.fixture
def org_admin(db: Any) -> Any:
    """An organisation administrator at the same organisation as the owner."""
    return make_person("org_admin")


@pytest.fixture
def partner_user(db: Any) -> Any:
    """A contributor at East Midlands Ambulance Service, the other partner."""
    return make_person("partner_user")


@pytest.fixture
def outsider(db: Any) -> Any:
    """A contributor at Hampshire and Isle of Wight Constabulary: no part in `collaboration`."""
    return make_person("outsider")


@pytest.fixture
def outside_reader(db: Any) -> Any:
    """A reader at Hampshire and Isle of Wight Constabulary."""
    return make_person("outside_reader")


@pytest.fixture
def platform_admin(db: Any) -> Any:
    return make_person("platform_admin")


@pytest.fixture
def make_collaboration(db: Any) -> Callable[..., Any]:
    """Create a collaboration through the service, as an operator would."""
    from accord.core.actors import SystemActor
    from accord.orgs.models import Organisation
    from accord.register import services

    def make(
        title: str = "Joint response pilot",
        *,
        partners: tuple[tuple[str, str], ...] = (("E31000025", "lead"), ("RX9", "partner")),
        visibility: str = "partners",
        named: tuple[str, ...] = (),
        **fields: Any,
    ) -> Any:
        data = services.CollaborationData(
            title=title,
            summary=fields.pop("summary", "Firefighters respond to medical emergencies."),
            research_area=fields.pop("research_area", "effective"),
            nature=fields.pop("nature", "co_responding"),
            status=fields.pop("status", "operational"),
            partners=[(Organisation.objects.get(code=c), r) for c, r in partners],
            visibility=visibility,
            named_organisations=[Organisation.objects.get(code=c) for c in named],
            **fields,
        )
        return services.create_collaboration(SystemActor("test"), data)

    return make


@pytest.fixture
def collaboration(make_collaboration: Callable[..., Any]) -> Any:
    """Partners-only: Lincolnshire Fire (lead) and East Midlands Ambulance."""
    return make_collaboration()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail any test during which an audited record changed without an audit event."""
    if item.get_closest_marker("unaudited_writes") or "db" not in getattr(item, "fixturenames", ()):
        return (yield)
    from tests.support.audit_watch import AuditWatch

    watch = AuditWatch()
    watch.connect()
    try:
        result = yield
    finally:
        watch.disconnect()
    missing = watch.unaudited()
    assert not missing, "changed with no audit event: " + "; ".join(
        f"{w.label} {w.pk} ({w.how})" for w in missing
    )
    return result
