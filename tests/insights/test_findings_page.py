"""/insights/findings/: the findings drawn from what each person may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.support.factories import (
    AdoptionFactory,
    AppraisalFactory,
    InvitationFactory,
    RealisedBenefitFactory,
    ResponseFactory,
    RoundFactory,
)

from accord.core.actors import SystemActor
from accord.orgs import services as orgs

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test")


@pytest.fixture
def world(db: Any, make_collaboration: Callable[..., Any]) -> dict[str, Any]:
    """P: public, with a public summary, one champion, operational, Lincolnshire Police and
    Fire with EMAS. S: partners only (Lincolnshire Fire leads, EMAS), stopped, one champion:
    the owner (Lincolnshire Fire) sees it, the outsider (Hampshire Police) and a visitor do
    not."""
    orgs.load_reference_areas(actor=ACTOR)
    public = make_collaboration(
        "Tri-service station",
        partners=(("E23000020", "lead"), ("E31000025", "partner"), ("RX9", "partner")),
        visibility="public",
        public_summary="Police, fire and ambulance share a station.",
        champions=[("Chief Fire Officer", None)],
    )
    secret = make_collaboration(
        "Partners' pilot",
        visibility="partners",
        status="stopped",
        champions=[("Head of Operations", None)],
    )
    return {"public": public, "secret": secret}


def page(user: Any = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get("/insights/findings/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*id="finding-{key}".*?</section>', html, re.S)
    assert found, key
    return found.group(0)


def n_of(html: str, key: str) -> int:
    found = re.search(r"<span data-n>(\d+)</span>", section(html, key))
    assert found, key
    return int(found.group(1))


def rows(html: str, key: str) -> dict[str, tuple[int, int]]:
    """Each group's count and of, as the table behind a finding shows them."""
    return {
        label: (int(count), int(of))
        for label, count, of in re.findall(
            r'<a class="govuk-link" href="[^"]*">([^<]+)</a></th>\s*'
            r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>",
            section(html, key),
        )
    }


def test_the_figures_differ_exactly_by_the_record_one_may_see(
    world: dict[str, Any], owner: Any, outsider: Any
) -> None:
    mine, theirs = page(owner), page(outsider)
    for key in ("key_individuals", "service_mix", "wider_public_service", "public_awareness"):
        assert n_of(mine, key) - n_of(theirs, key) == 1, key
    # S is stopped with one champion: the owner's stopped row counts it, the outsider's not.
    assert rows(mine, "key_individuals")["Stopped"] == (1, 1)
    assert rows(theirs, "key_individuals")["Stopped"] == (0, 0)
    assert (
        rows(mine, "key_individuals")["Operational"]
        == rows(theirs, "key_individuals")["Operational"]
        == (1, 1)
    )
    # S is fire–ambulance: one more of that mix for the owner.
    assert rows(mine, "service_mix")["Fire–ambulance"] == (1, 2)
    assert rows(theirs, "service_mix")["Fire–ambulance"] == (0, 1)
    # Public with a public summary: P only, of 2 for the owner and of 1 for the outsider.
    assert rows(mine, "public_awareness")["Public, with a public summary"] == (1, 2)
    assert rows(theirs, "public_awareness")["Public, with a public summary"] == (1, 1)
    assert "Partners&#x27; pilot" not in theirs


def test_a_visitor_sees_public_records_only(world: dict[str, Any], platform_admin: Any) -> None:
    html = page()
    assert "published as public records" in html
    assert "Sign in" in html
    assert n_of(html, "key_individuals") == 1
    assert rows(html, "key_individuals")["Stopped"] == (0, 0)
    assert n_of(page(platform_admin), "key_individuals") == 2


def test_the_groups_link_to_the_register_filtered(world: dict[str, Any], owner: Any) -> None:
    html = page(owner)
    assert 'href="/collaborations/?status=stopped"' in section(html, "key_individuals")
    assert 'href="/collaborations/?mix=fire_ambulance"' in section(html, "service_mix")


def test_what_cannot_be_answered_says_what_would(world: dict[str, Any]) -> None:
    html = page()
    for key in ("political_buy_in", "clear_vision", "financial_outcomes"):
        text = section(html, key)
        assert "Not answered" in text
        assert "What would let it answer" in text
    # No populations loaded: the Gini cannot be taken, and the page says what would let it.
    assert "Populations loaded" in section(html, "inconsistency")


def test_kpis_and_realised_benefits_count_only_what_one_may_see(
    world: dict[str, Any], owner: Any, outsider: Any
) -> None:
    # KPIs adopted on the partners-only record; an appraisal of it with a first benefit
    # realised in year 1 (12 months), and one of the public record with none.
    AdoptionFactory(collaboration=world["secret"])
    RealisedBenefitFactory(appraisal=AppraisalFactory(collaboration=world["secret"]), year=1)
    AppraisalFactory(collaboration=world["public"])
    mine, theirs = page(owner), page(outsider)
    assert rows(mine, "kpis")["With adopted KPIs"] == (1, 2)
    assert rows(theirs, "kpis")["With adopted KPIs"] == (0, 1)
    assert rows(mine, "financial_outcomes")["Appraisals with a realised benefit"] == (1, 2)
    assert "12 months" in section(mine, "financial_outcomes")
    assert rows(theirs, "financial_outcomes")["Appraisals with a realised benefit"] == (0, 1)
    assert "None of the 1 appraisal seen" in section(theirs, "financial_outcomes")


def test_assessment_scores_count_only_what_one_may_see(
    world: dict[str, Any], owner: Any, outsider: Any, settings: Any
) -> None:
    # A round on the partners-only record with responses enough to pass disclosure control.
    settings.DISCLOSURE_THRESHOLD = 2
    survey = RoundFactory(collaboration=world["secret"])
    for _ in range(2):
        ResponseFactory(link=InvitationFactory(round=survey))
    mine, theirs = page(owner), page(outsider)
    assert n_of(mine, "clear_vision") == 1
    assert rows(mine, "clear_vision")["Stopped"] == (1, 1)
    assert "Not answered" in section(theirs, "clear_vision")
    assert "Not answered" not in section(mine, "clear_vision")


def test_the_national_picture_links_here(world: dict[str, Any]) -> None:
    response = Client().get("/insights/")
    assert 'href="/insights/findings/"' in response.content.decode()


def test_political_buy_in_from_the_rounds_one_may_see(
    world: dict[str, Any], owner: Any, outsider: Any, settings: Any
) -> None:
    # A round on the partners-only (stopped) record: answering 4 everywhere scores political
    # buy-in (4 + 4 + 4 + (6 − 4)) / 4 = 3.5, answering 2 scores 2.5: the round's 3.0.
    settings.DISCLOSURE_THRESHOLD = 2
    survey = RoundFactory(collaboration=world["secret"])
    first, second = InvitationFactory(round=survey), InvitationFactory(round=survey)
    ResponseFactory(link=first, value=4)
    # One response, fewer than the threshold: withheld, and the page says so.
    assert "Not answered" in section(page(owner), "political_buy_in")
    # The second (anonymous, so not audited): the kept page is drawn again with it.
    ResponseFactory(link=second, value=2)
    mine, theirs = page(owner), page(outsider)
    text = section(mine, "political_buy_in")
    assert re.search(r"<strong[^>]*data-figure>3\.0</strong>", text)
    assert n_of(mine, "political_buy_in") == 1
    assert rows(mine, "political_buy_in")["Stopped"] == (1, 1)
    assert 'href="/collaborations/?status=stopped"' in text
    assert "Only 1 record" in text
    # The outsider may not see the record, so not its round either.
    assert "Not answered" in section(theirs, "political_buy_in")
    assert rows(theirs, "political_buy_in")["Stopped"] == (0, 0)


def test_the_kept_findings_follow_a_change_to_the_register(
    world: dict[str, Any], owner: Any, make_collaboration: Callable[..., Any]
) -> None:
    before = n_of(page(owner), "key_individuals")
    make_collaboration("Another", visibility="public")
    assert n_of(page(owner), "key_individuals") == before + 1
