"""The list's counts come from a cache; they must be exactly what counting afresh gives.

The cache keeps counts per visibility (shared by everyone) and per organisation (what its people
see through it), under the audit chain's head. These tests compare the cached answer with a
direct count over `visible_to` for people of every kind, with warm caches, and after changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accord.core.actors import SystemActor
from accord.core.problems import NotVisible
from accord.register import queries, services
from accord.register.models import Collaboration

FILTERS: tuple[dict[str, Any], ...] = (
    {},
    {"nature": "co_responding"},
    {"status": "operational", "sector": "fire"},
    {"q": "pilot"},
    {"organisation": "RX9"},
    {"archived": True},
    {"q": "pilot", "sort": "-updated"},
)


def _direct(user: Any, filters: dict[str, Any]) -> dict[str, dict[str, int]]:
    visible = Collaboration.objects.visible_to(user)
    return queries.facet_counts(queries.apply_filters(visible, filters))


@pytest.fixture
def register(make_collaboration: Callable[..., Any]) -> list[Any]:
    """Collaborations of every visibility, some only the outsider's force is named on."""
    made = [
        make_collaboration("Public pilot", visibility="public"),
        make_collaboration("Signed-in pilot", visibility="signed_in", nature="shared_estates"),
        make_collaboration("Partners' pilot", visibility="partners", status="implementing"),
        make_collaboration(
            "Named pilot",
            visibility="named",
            named=("E23000030",),
            partners=(("E23000001", "lead"), ("RX9", "partner")),
        ),
        make_collaboration(
            "Police pilot",
            visibility="partners",
            partners=(("E23000030", "lead"), ("E31000002", "partner")),
            nature="interoperability",
        ),
    ]
    services.archive_collaboration(SystemActor("test"), made[0])
    return made


@pytest.mark.django_db
def test_cached_counts_equal_direct_counts_for_every_kind_of_person(
    register: list[Any], owner: Any, outsider: Any, partner_user: Any, platform_admin: Any
) -> None:
    people = [AnonymousUser(), owner, outsider, partner_user, platform_admin]
    # Twice: the first pass fills the cache, the second reads it.
    for _ in range(2):
        for person in people:
            for filters in FILTERS:
                cached = queries.visible_facet_counts(person, filters)
                assert cached == _direct(person, filters), (person, filters)


@pytest.mark.django_db
def test_one_organisations_counts_never_reach_another(
    register: list[Any], owner: Any, outsider: Any
) -> None:
    """The owner's force is a partner in the partners-only pilot; the outsider's is not, but is
    named on another and leads a third. With the cache warm for the owner, the outsider still
    gets their own counts."""
    owner_counts = queries.visible_facet_counts(owner, {})
    outsider_counts = queries.visible_facet_counts(outsider, {})
    assert owner_counts["total"][""] == 2  # signed-in, partners' (the public one is archived)
    assert outsider_counts["total"][""] == 3  # signed-in, named, police
    assert owner_counts["status"]["implementing"] == 1
    assert outsider_counts["status"]["implementing"] == 0
    assert outsider_counts["nature"]["interoperability"] == 1
    assert owner_counts["nature"]["interoperability"] == 0


@pytest.mark.django_db
def test_a_change_shows_in_the_counts_at_once(
    register: list[Any], client: Client, owner: Any
) -> None:
    client.force_login(owner)
    before = client.get("/collaborations/?status=operational")
    assert before.context["total"] == 1
    partners_only = Collaboration.objects.get(title="Partners' pilot")
    data = services.CollaborationData(
        title=partners_only.title,
        reference=partners_only.reference,
        summary=partners_only.summary,
        research_area=partners_only.research_area,
        nature=partners_only.nature,
        status="operational",
        partners=[(p.organisation, p.role) for p in partners_only.partners.all()],
        visibility="public",
    )
    services.update_collaboration(owner, partners_only, data, expected_version=1)
    after = client.get("/collaborations/?status=operational")
    assert after.context["total"] == 2
    assert "Operational (2)" in after.content.decode()
    client.logout()
    anonymous = client.get("/collaborations/?status=operational")
    assert anonymous.context["total"] == 1  # the newly public one; the first is archived
    assert anonymous.context["page"].object_list[0].title == "Partners' pilot"


@pytest.mark.django_db
def test_a_record_page_shows_exactly_what_the_list_shows(
    register: list[Any], owner: Any, outsider: Any, partner_user: Any, platform_admin: Any
) -> None:
    """For every person and record: the record loads, with its relations, exactly when the
    person's list holds it."""
    seen = 0
    for person in [AnonymousUser(), owner, outsider, partner_user, platform_admin]:
        listed = set(Collaboration.objects.visible_to(person).values_list("pk", flat=True))
        for collaboration in Collaboration.objects.all():
            try:
                loaded = services.get_visible(person, collaboration.reference, whole=True)
                shown = True
                assert loaded.partners.all()  # loaded with it
            except NotVisible:
                shown = False
            assert shown is (collaboration.pk in listed), (person, collaboration)
            seen += shown
    assert seen > 5  # not a test that passes by seeing nothing


@pytest.mark.django_db
def test_refusing_a_hidden_record_costs_what_a_missing_one_does(
    register: list[Any], outsider: Any, django_assert_num_queries: Any
) -> None:
    """So that how long a 404 takes says nothing of whether the reference exists."""
    hidden = Collaboration.objects.get(title="Partners' pilot")
    for reference in (hidden.reference, "NO-SUCH-REFERENCE"):
        with django_assert_num_queries(1), pytest.raises(NotVisible):
            services.get_visible(outsider, reference, whole=True)


@pytest.mark.django_db
def test_the_filters_keep_what_was_chosen_and_count_beside_each_option(
    register: list[Any], client: Client, owner: Any
) -> None:
    client.force_login(owner)
    page = client.get("/collaborations/?status=implementing&sort=-updated").content.decode()
    assert '<option value="implementing" selected>Implementing (1)</option>' in page
    assert '<option value="operational">Operational (0)</option>' in page
    assert '<option value="-updated" selected>Recently updated</option>' in page
    assert '<option value="">Any status</option>' in page


@pytest.mark.django_db
def test_a_record_page_names_the_organisations_it_is_shared_with(
    register: list[Any], client: Client, outsider: Any
) -> None:
    named = Collaboration.objects.get(title="Named pilot")
    client.force_login(outsider)
    page = client.get(f"/collaborations/{named.reference}/").content.decode()
    assert "Named organisations only (and the partners): Hampshire" in " ".join(page.split())


@pytest.mark.django_db
def test_counts_follow_a_renamed_organisation(
    register: list[Any], client: Client, owner: Any, tmp_path: Any
) -> None:
    """The organisation filter reads partners' names: renaming one, through the audited
    reference loader, counts afresh."""
    from accord.orgs.services import REFERENCE_FILE, load_reference_organisations

    client.force_login(owner)
    assert client.get("/collaborations/?organisation=Zebra").context["total"] == 0
    renamed = tmp_path / "organisations.csv"
    renamed.write_text(
        REFERENCE_FILE.read_text(encoding="utf-8").replace(
            "East Midlands Ambulance Service NHS Trust", "Zebra Ambulance Service NHS Trust"
        ),
        encoding="utf-8",
    )
    assert load_reference_organisations(renamed) == 1
    page = client.get("/collaborations/?organisation=Zebra")
    assert page.context["total"] == 2  # the signed-in pilot and the partners' pilot
    assert len(page.context["page"].object_list) == 2


@pytest.mark.django_db
def test_the_counts_version_moves_with_the_register_only(
    register: list[Any], outsider: Any
) -> None:
    from accord.core import audit

    before = audit.state_version(queries.COUNTS_DEPEND_ON)
    audit.record(actor="test", action="user.set_password", obj=outsider)
    assert audit.state_version(queries.COUNTS_DEPEND_ON) == before
    services.archive_collaboration(SystemActor("test"), register[1])
    assert audit.state_version(queries.COUNTS_DEPEND_ON) != before


@pytest.mark.django_db
def test_a_platform_administrator_counts_every_row(
    register: list[Any], platform_admin: Any
) -> None:
    """Even one whose visibility is none of the four (written by hand in the database): the
    administrator's list holds it, so the count must too."""
    Collaboration.objects.filter(title="Police pilot").update(visibility="unknown")
    counts = queries.visible_facet_counts(platform_admin, {})
    assert counts == _direct(platform_admin, {})
    assert counts["total"][""] == 4
