"""The home page: a signed-in person's dashboard, gathered from each app's "home" panel, and a
visitor's public national picture.

Each panel is held to what the person should see and not what they should not (a person who
may see a record and one who may not), to its empty state, and to a fixed number of queries
however many records there are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.kpis.kpi_pages_helpers import LOWER, SAME, STEADY, make_kpi
from tests.support.factories import DutyReviewFactory, InvitationFactory, RoundFactory
from tests.support.lessons_factories import make_lesson

from accord.core import panels
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def _page(client: Client, user: Any = None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, heading_id: str) -> str:
    """One panel's HTML, from its summary card's start to its end."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    end = page.index("</section>", start)
    return page[start:end]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_home_slot_has_every_apps_panel_in_order() -> None:
    names = [p.name for p in panels.panels("home")]
    assert names == ["register", "kpis", "assessments", "lessons", "insights"]


# A visitor -------------------------------------------------------------------------------------


def test_a_visitor_sees_the_public_picture_and_the_sign_in_prompt_and_no_dashboard(
    client: Client, make_collaboration: Callable[..., Any]
) -> None:
    make_collaboration("Public fleet workshop", visibility="public")
    make_collaboration("Partners-only control room", visibility="partners")
    page = _page(client)
    assert '<h1 class="govuk-heading-xl">Accord</h1>' in page
    prompt = page[page.index('id="home-sign-in"') :]
    assert "appear here once you sign in" in _text(prompt[: prompt.index("</p>")])
    assert 'href="/accounts/sign-in/"' in prompt[: prompt.index("</p>")]
    picture = _text(_section(page, "home-picture"))
    assert "1 collaboration across England and Wales, from public records only" in picture
    assert 'href="/insights/"' in _section(page, "home-picture")
    for private in ("home-collaborations", "home-kpis", "home-rounds", "home-actions"):
        assert private not in page
    assert "Your dashboard" not in page


def test_a_visitor_with_nothing_public_sees_the_pictures_empty_state(client: Client) -> None:
    picture = _text(_section(_page(client), "home-picture"))
    assert "No collaborations are public yet" in picture


def test_a_signed_in_picture_counts_what_the_person_may_see(
    client: Client, owner: Any, outsider: Any, make_collaboration: Callable[..., Any]
) -> None:
    make_collaboration("Public fleet workshop", visibility="public")
    make_collaboration("Partners-only control room", visibility="partners")
    mine = _text(_section(_page(client, owner), "home-picture"))
    assert "2 collaborations across England and Wales, of those you can see" in mine
    theirs = _text(_section(_page(client, outsider), "home-picture"))
    assert "1 collaboration across England and Wales, of those you can see" in theirs


# Your collaborations ---------------------------------------------------------------------------


def test_your_collaborations_are_your_organisations_with_their_risks(
    client: Client, owner: Any, outsider: Any, make_collaboration: Callable[..., Any]
) -> None:
    lincs = Organisation.objects.get(code="E31000025")
    led = make_collaboration("Joint response pilot")  # Lincolnshire Fire leads, partners only
    make_collaboration(
        "Shared estates review",
        partners=(("E23000030", "lead"), ("RX9", "partner")),
        visibility="signed_in",
        champions=[("Chief Fire Officer", lincs)],
    )
    # A Lincolnshire champion on a record only its partners may see: not Lincolnshire's to see.
    make_collaboration(
        "Hidden drone pilot",
        partners=(("E23000030", "lead"),),
        visibility="partners",
        champions=[("Area Manager", lincs)],
    )
    make_collaboration(
        "Someone else's public pilot", partners=(("E23000030", "lead"),), visibility="public"
    )
    panel = _section(_page(client, owner), "home-collaborations")
    text = _text(panel)
    assert "Joint response pilot Lead" in text
    assert "Shared estates review Champion" in text
    assert "Hidden drone pilot" not in text
    assert "Someone else's public pilot" not in text
    assert f'href="/collaborations/{led.reference}/"' in panel
    assert "2 collaborations, 2 at risk" in text
    # The register's own flags, in its own words.
    assert "No champion" in text and "No recent review" in text
    assert "/collaborations/?organisation=E31000025&amp;at_risk=on&amp;sort=-risks" in panel
    # Hampshire's contributor sees their own, not Lincolnshire's partners-only record.
    theirs = _text(_section(_page(client, outsider), "home-collaborations"))
    assert "Joint response pilot" not in theirs
    assert "Hidden drone pilot" in theirs and "Someone else's public pilot" in theirs


def test_your_collaborations_empty_state(client: Client, outsider: Any) -> None:
    text = _text(_section(_page(client, outsider), "home-collaborations"))
    assert "No collaborations of Hampshire and Isle of Wight Constabulary are in the register" in (
        text
    )


def test_a_collaboration_without_risks_is_listed_with_none(
    client: Client, owner: Any, make_collaboration: Callable[..., Any]
) -> None:
    lincs, emas = (Organisation.objects.get(code=c) for c in ("E31000025", "RX9"))
    made = make_collaboration(
        "Well-founded pilot",
        champions=[("Chief Fire Officer", lincs), ("Director of Operations", emas)],
        has_written_agreement=True,
    )
    DutyReviewFactory(collaboration=made)
    text = _text(_section(_page(client, owner), "home-collaborations"))
    assert "1 collaboration, 0 at risk" in text
    assert "Well-founded pilot Lead Operational None" in text


# KPIs of concern -------------------------------------------------------------------------------


def test_kpis_of_concern_are_those_of_collaborations_the_person_may_see(
    client: Client, owner: Any, outsider: Any, collaboration: Any
) -> None:
    worse = make_kpi(collaboration, STEADY + LOWER, indicator_title="Patients reached in time")
    make_kpi(collaboration, STEADY + SAME, indicator_title="Steady call volume")
    panel = _section(_page(client, owner), "home-kpis")
    text = _text(panel)
    assert "Patients reached in time" in text and f'href="/kpis/{worse.pk}/"' in panel
    assert "Special cause concern (low)" in text
    assert "Steady call volume" not in text
    assert "1 of 2 KPIs of concern" in text
    assert 'href="/kpis/?status=concern"' in panel
    # Hampshire's contributor may not see the collaboration: nothing of its KPIs.
    theirs = _text(_section(_page(client, outsider), "home-kpis"))
    assert "Patients reached in time" not in theirs
    assert "none has KPIs yet" in theirs


def test_kpis_empty_state_when_nothing_is_of_concern(
    client: Client, owner: Any, collaboration: Any
) -> None:
    make_kpi(collaboration, STEADY + SAME, indicator_title="Steady call volume")
    text = _text(_section(_page(client, owner), "home-kpis"))
    assert "None of the 1 KPI you can see is of concern" in text


def test_a_missed_target_is_of_concern(client: Client, owner: Any, collaboration: Any) -> None:
    today = timezone.localdate()
    start = dt.date(today.year - 2, today.month, 1)
    make_kpi(
        collaboration,
        [10.0] * 23,
        start=start,
        indicator_title="Home fire safety visits",
        target_value=50.0,
    )
    text = _text(_section(_page(client, owner), "home-kpis"))
    assert "Home fire safety visits" in text and "Target missed" in text


# Rounds open -----------------------------------------------------------------------------------


def test_rounds_open_that_the_person_manages_or_is_invited_to(
    client: Client,
    owner: Any,
    colleague: Any,
    outsider: Any,
    partner_user: Any,
    collaboration: Any,
) -> None:
    from accord.assessments import services
    from accord.core.actors import SystemActor

    today = timezone.localdate()
    open_round = RoundFactory(collaboration=collaboration, title="Spring survey")
    services.create_round(
        SystemActor("test"),
        collaboration,
        services.RoundData(
            framework=open_round.framework,
            title="Last year's survey",
            opens_on=today - dt.timedelta(days=400),
            closes_on=today - dt.timedelta(days=300),
        ),
        past_allowed=True,
    )
    InvitationFactory(round=open_round, email=partner_user.email, organisation="RX9")
    # An address at Hampshire invited to answer for the partner: the record stays hidden.
    InvitationFactory(round=open_round, email=outsider.email.upper(), organisation="RX9")
    # The owner, a contributor at a partner, manages it: a link to the round.
    panel = _section(_page(client, owner), "home-rounds")
    text = _text(panel)
    assert "Rounds you manage" in text and "Spring survey" in text
    assert f'href="/assessments/rounds/{open_round.pk}/"' in panel
    assert "Last year's survey" not in text
    assert "You are invited to answer" not in text
    # A reader at the same organisation manages nothing and is invited to nothing.
    assert "No rounds are open for you" in _text(_section(_page(client, colleague), "home-rounds"))
    # Hampshire's contributor is invited by email (in any case), though the record is hidden
    # from them: the round and its collaboration are named, as the invitation email names
    # them, with no link.
    theirs = _section(_page(client, outsider), "home-rounds")
    assert "You are invited to answer" in _text(theirs)
    assert "Spring survey" in _text(theirs) and "Not answered yet" in _text(theirs)
    assert "Rounds you manage" not in _text(theirs)
    assert f"/collaborations/{collaboration.reference}/" not in theirs
    assert "/assessments/rounds/" not in theirs
    # EMAS's contributor is invited and manages it too: both lists, with the record's link.
    partner = _section(_page(client, partner_user), "home-rounds")
    assert "You are invited to answer" in _text(partner) and "Rounds you manage" in _text(partner)
    assert f'href="/collaborations/{collaboration.reference}/"' in partner


# Actions due and lessons awaiting moderation ---------------------------------------------------


def test_actions_due_are_the_persons_and_their_organisations_overdue_first(
    client: Client,
    owner: Any,
    colleague: Any,
    moderator: Any,
    outsider: Any,
    partner_user: Any,
) -> None:
    from accord.lessons import services

    today = timezone.localdate()
    lesson = make_lesson(owner, state="published", moderator=moderator)
    services.add_action(
        owner,
        lesson,
        title="Load the talkgroups",
        owner_email=colleague.email,
        due=today + dt.timedelta(days=20),
    )
    services.add_action(
        owner,
        lesson,
        title="Test the handsets",
        owner_email=owner.email,
        due=today - dt.timedelta(days=3),
    )
    done = services.add_action(
        owner,
        lesson,
        title="Already done",
        owner_email=owner.email,
        due=today - dt.timedelta(days=9),
    )
    services.complete_action(owner, done, evidence="Done at the exercise")
    # Lincolnshire's own lesson: EMAS's contributor owns an action on it but may not read it.
    own_only = make_lesson(owner, state="published", moderator=moderator, audience="organisation")
    services.add_action(
        owner, own_only, title="Brief the crews", owner_email=partner_user.email, due=today
    )
    text = _text(_section(_page(client, owner), "home-actions"))
    assert "2 open actions of yours and your organisation's, 1 overdue" in text
    assert text.index("Test the handsets") < text.index("Load the talkgroups")
    assert "Overdue" in text and "Already done" not in text
    assert "Brief the crews" not in text  # owned by someone at EMAS
    colleague_text = _text(_section(_page(client, colleague), "home-actions"))
    assert "Load the talkgroups" in colleague_text and "Yours" in colleague_text
    assert "No open actions" in _text(_section(_page(client, outsider), "home-actions"))
    # The EMAS contributor's action is on a lesson they may not see: not shown.
    assert "Brief the crews" not in _text(_section(_page(client, partner_user), "home-actions"))


def test_lessons_awaiting_moderation_for_moderators_only(
    client: Client, owner: Any, moderator: Any, outsider: Any, platform_admin: Any
) -> None:
    waiting = make_lesson(owner, state="submitted", title="Radio handover at the border")
    mine = _text(_section(_page(client, owner), "home-actions"))
    assert "awaiting moderation" not in mine
    panel = _section(_page(client, moderator), "home-actions")
    assert "Radio handover at the border" in _text(panel)
    assert f'href="/lessons/{waiting.pk}/review/"' in panel
    assert "1 lesson submitted for you to review" in _text(panel)
    # A platform moderator may review it too; Hampshire's contributor moderates nothing.
    assert f"/lessons/{waiting.pk}/review/" in _section(
        _page(client, platform_admin), "home-actions"
    )
    assert "awaiting moderation" not in _text(_section(_page(client, outsider), "home-actions"))


def test_moderation_empty_state(client: Client, moderator: Any) -> None:
    text = _text(_section(_page(client, moderator), "home-actions"))
    assert "No lessons are awaiting your moderation" in text


# Queries ---------------------------------------------------------------------------------------

#: A visitor's page with the caches warm: the picture's version (the newest audit events).
VISITOR_QUERIES = 1
#: A signed-in person's, caches warm: the session and the user; the register's state (its
#: panel is kept under it); the KPIs' state and the rows of those of concern; the invitations,
#: the rounds managed, their partners and their two counts (answers leave no audit event in an
#: anonymous round, so these are read each time); the lessons' state; the picture's version.
SIGNED_IN_QUERIES = 12
#: The first request after a change also works out what the caches keep.
FIRST_AFTER_A_CHANGE_QUERIES = 30


def _seed(make_collaboration: Callable[..., Any], n: int, start: int = 0) -> list[Any]:
    return [
        make_collaboration(
            f"Pilot number {i}",
            visibility=("public", "signed_in", "partners")[i % 3],
            champions=[(f"Champion {i}", None)] * (i % 3),
        )
        for i in range(start, n)
    ]


def _count(client: Client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"][:160] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["visitor", "owner", "moderator", "platform_admin"])
def test_the_dashboard_does_not_grow_with_the_register(
    client: Client, make_collaboration: Callable[..., Any], who: str, request: Any
) -> None:
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    made = _seed(make_collaboration, 3)
    for c in made[:2]:
        RoundFactory(collaboration=c)
    first, first_sql = _count(client)
    assert first <= FIRST_AFTER_A_CHANGE_QUERIES, "\n".join(first_sql)
    few, _ = _count(client)
    more = _seed(make_collaboration, 30, start=3)
    for c in more[:10]:
        RoundFactory(collaboration=c)
    _count(client)
    many, many_sql = _count(client)
    assert few == many, "\n".join(many_sql)
    assert many <= (VISITOR_QUERIES if who == "visitor" else SIGNED_IN_QUERIES), "\n".join(many_sql)


def test_the_dashboards_queries_are_pinned(
    client: Client,
    owner: Any,
    moderator: Any,
    collaboration: Any,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    make_kpi(collaboration, STEADY + LOWER)
    RoundFactory(collaboration=collaboration)
    make_lesson(owner, state="submitted")
    client.get("/")
    with django_assert_num_queries(VISITOR_QUERIES):
        client.get("/")
    client.force_login(owner)
    client.get("/")
    with django_assert_max_num_queries(SIGNED_IN_QUERIES):
        client.get("/")
    client.force_login(moderator)
    client.get("/")
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        client.get("/")


# What is kept is never stale -------------------------------------------------------------------


def test_a_kept_collaborations_panel_shows_a_change_at_once(
    client: Client, owner: Any, colleague: Any, make_collaboration: Callable[..., Any]
) -> None:
    make_collaboration("Joint response pilot")
    assert "1 collaboration, 1 at risk" in _text(
        _section(_page(client, owner), "home-collaborations")
    )
    make_collaboration("Second pilot")
    assert "2 collaborations, 2 at risk" in _text(
        _section(_page(client, owner), "home-collaborations")
    )
    # A colleague at the same organisation sees the same, kept or not.
    assert "Second pilot" in _text(_section(_page(client, colleague), "home-collaborations"))


def test_a_kept_actions_panel_shows_a_change_at_once(
    client: Client, owner: Any, moderator: Any
) -> None:
    from accord.lessons import services

    lesson = make_lesson(owner, state="published", moderator=moderator)
    action = services.add_action(
        owner,
        lesson,
        title="Load the talkgroups",
        owner_email=owner.email,
        due=timezone.localdate(),
    )
    assert "Load the talkgroups" in _text(_section(_page(client, owner), "home-actions"))
    services.complete_action(owner, action, evidence="Loaded at the exercise")
    assert "No open actions" in _text(_section(_page(client, owner), "home-actions"))
    assert "No lessons are awaiting" in _text(_section(_page(client, moderator), "home-actions"))
    make_lesson(owner, state="submitted", title="Handover at the county border")
    assert "Handover at the county border" in _text(
        _section(_page(client, moderator), "home-actions")
    )


@pytest.mark.parametrize(
    "who", ["owner", "colleague", "org_admin", "partner_user", "outsider", "platform_admin"]
)
def test_the_rounds_managed_are_exactly_those_the_assessments_rule_lets_the_person_manage(
    make_collaboration: Callable[..., Any], who: str, request: Any
) -> None:
    from accord.assessments import home, services
    from accord.assessments.models import Round
    from accord.register.services import visible_collaborations

    user = request.getfixturevalue(who)
    for i, (partners, visibility) in enumerate(
        [
            ((("E31000025", "lead"), ("RX9", "partner")), "partners"),
            ((("E23000030", "lead"),), "signed_in"),
            ((("RX9", "lead"),), "public"),
        ]
    ):
        RoundFactory(
            collaboration=make_collaboration(f"Pilot {i}", partners=partners, visibility=visibility)
        )
    today = timezone.localdate()
    expected = {
        r.pk
        for r in Round.objects.filter(collaboration__in=visible_collaborations(user))
        if r.is_open(today) and services.can_manage(user, r.collaboration)
    }
    assert {r.pk for r in home.managed_rounds(user, today)} == expected
    # And the rule tells these people apart: a partner's contributors and administrators
    # manage their own, a reader none, a platform administrator every one.
    managing = {
        "owner": 1,
        "colleague": 0,
        "org_admin": 1,
        "partner_user": 2,
        "outsider": 1,
        "platform_admin": 3,
    }
    assert len(expected) == managing[who]
