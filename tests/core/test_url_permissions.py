"""Every URL, with the people who may and may not reach it (NetBox's habit: one table, run for
everyone).

The world: a partners-only collaboration led by Lincolnshire Fire and Rescue with East
Midlands Ambulance Service, an assessment round and an appraisal of it, and the unit cost
library. The people (tests/support/people.py): nobody signed in, a reader at the lead partner
(`colleague`), a contributor there (`owner`), a contributor at the other partner
(`partner_user`), a contributor elsewhere (`outsider`) and a platform administrator.

What each may do, in the product's words:
- a record someone may not see is absent: 404, as if it did not exist;
- a record someone may see but not change: the refusal page, 403;
- a page that needs signing in sends nobody-signed-in to the sign-in page, 302.

A test also checks that the table names every URL the site has, so that a new page cannot be
added without saying who may reach it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.appraisal.test_appraisal_helpers import make_appraisal
from tests.assessments.assessment_helpers import invite, make_round
from tests.kpis.kpi_pages_helpers import make_archived_kpi, make_kpi
from tests.support.analytics_factories import make_analysis
from tests.support.lessons_factories import make_lesson
from tests.support.people import make_person

PEOPLE = ("anonymous", "colleague", "owner", "partner_user", "outsider", "platform_admin")

# Who reaches what, as the status each person gets, in the order of PEOPLE.
EVERYONE = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
SEE = (404, 200, 200, 200, 404, 200)  # the collaboration's partners and administrators
SEE_SIGNED_IN = (302, 200, 200, 200, 404, 200)  # the same, behind sign-in
CHANGE = (302, 403, 200, 200, 404, 200)  # contributors at a partner, and administrators
CREATE = (302, 403, 200, 200, 200, 200)  # any contributor
ADMIN = (302, 403, 403, 403, 403, 200)  # platform administrators only
ADMIN_HIDDEN = (404, 404, 404, 404, 404, 200)  # platform administrators; others see no page
DJANGO_ADMIN = (302, 302, 302, 302, 302, 200)
API_SIGNED_IN = (401, 200, 200, 200, 200, 200)  # the API asks nobody to sign in: it refuses
API_HISTORY = (404, 403, 200, 200, 404, 200)  # seen by those who may edit, as on the page
POST_ONLY = (302, 405, 405, 405, 405, 405)  # a GET: sign in first, then refused
# Incident files: the partners (and the uploader's organisation) only, administrators not.
PARTNERS_ONLY = (404, 200, 200, 200, 404, 404)


def _table(world: dict[str, Any]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(URL name, path, statuses) for every GET the site answers."""
    ref = world["collaboration"].reference
    round_id = world["round"].pk
    appraisal = world["appraisal"].pk
    unit_cost = world["unit_cost"].pk
    framework = f"{world['round'].framework.key}/{world['round'].framework.version}"
    person = world["person"].pk
    kpi = world["kpi"].pk
    indicator = world["kpi"].indicator.key
    measurement = world["kpi"].measurements.get().pk
    lesson = world["lesson"].pk
    action = world["lesson"].actions.get().pk
    attachment = world["lesson"].attachments.get().pk
    analysis = world["analysis"].pk
    incident_file = world["analysis"].files.get().pk
    milestone = world["kpi"].milestones.get().pk
    return [
        ("home", "/", EVERYONE),
        ("healthz", "/healthz", EVERYONE),
        ("audit_log", "/audit/", ADMIN_HIDDEN),
        # The site's own pages, for everyone (core/urls.py).
        ("help", "/help/", EVERYONE),
        ("help_topic", "/help/three-cs/", EVERYONE),
        ("help_organisations", "/help/organisations/?organisations=E31000025", EVERYONE),
        ("accessibility", "/accessibility/", EVERYONE),
        ("privacy", "/privacy/", EVERYONE),
        ("cookies", "/cookies/", EVERYONE),
        ("contact", "/contact/", EVERYONE),
        # Signed in already: sent on to the home page.
        ("login", "/accounts/sign-in/", (200, 302, 302, 302, 302, 302)),
        # Signing out is a POST (Django 5): a GET is refused for everyone.
        ("logout", "/accounts/sign-out/", (405,) * 6),
        # One's own API tokens; revoking is a POST (a GET is refused once signed in).
        ("account_tokens", "/accounts/tokens/", SIGNED_IN),
        ("account_token_revoke", "/accounts/tokens/999999/revoke/", (302, 405, 405, 405, 405, 405)),
        # One's account; passwords changed, reset by email, set from an invitation (a link
        # that does not work is a page that says so).
        ("account", "/accounts/", SIGNED_IN),
        ("password_change", "/accounts/password/", SIGNED_IN),
        ("password_reset", "/accounts/password/reset/", EVERYONE),
        ("password_reset_done", "/accounts/password/reset/sent/", EVERYONE),
        ("password_reset_confirm", "/accounts/password/reset/MQ/no-token/", EVERYONE),
        ("password_reset_complete", "/accounts/password/reset/done/", EVERYONE),
        ("invitation_accept", "/accounts/invitation/MQ/no-token/", EVERYONE),
        ("invitation_done", "/accounts/invitation/done/", EVERYONE),
        # People: organisation administrators (their own organisation's, tests/orgs) and
        # platform administrators; changes are POSTs.
        ("people", "/accounts/people/", ADMIN),
        ("people_invite", "/accounts/people/invite/", ADMIN),
        ("person", f"/accounts/people/{person}/", ADMIN),
        ("person_deactivate", f"/accounts/people/{person}/deactivate/", POST_ONLY),
        ("person_reactivate", f"/accounts/people/{person}/reactivate/", POST_ONLY),
        ("person_invite_again", f"/accounts/people/{person}/invite-again/", POST_ONLY),
        # Single sign-on: off unless ACCORD_OIDC_ENABLED, and then not there at all.
        ("sso_start", "/accounts/sso/start/", (404,) * 6),
        ("sso_callback", "/accounts/sso/callback/", (404,) * 6),
        # The register
        ("register:list", "/collaborations/", EVERYONE),
        ("register:create", "/collaborations/new/", CREATE),
        ("register:import", "/collaborations/import/", CREATE),
        ("register:import_template", "/collaborations/import/template.csv", EVERYONE),
        ("register:export", "/collaborations/export/?format=csv", EVERYONE),
        ("register:detail", f"/collaborations/{ref}/", SEE),
        ("register:edit", f"/collaborations/{ref}/edit/", CHANGE),
        ("register:archive", f"/collaborations/{ref}/archive/", CHANGE),
        ("register:review_create", f"/collaborations/{ref}/reviews/new/", CHANGE),
        # Assessments
        ("assessments:index", "/assessments/", SIGNED_IN),
        ("assessments:frameworks", "/assessments/frameworks/", SIGNED_IN),
        ("assessments:collaboration", f"/assessments/c/{ref}/", SEE),
        ("assessments:create", f"/assessments/c/{ref}/new/", CHANGE),
        ("assessments:round", f"/assessments/rounds/{round_id}/", SEE),
        ("assessments:invite", f"/assessments/rounds/{round_id}/invite/", CHANGE),
        ("assessments:import", f"/assessments/rounds/{round_id}/import/", CHANGE),
        ("assessments:remind", f"/assessments/rounds/{round_id}/remind/", CHANGE),
        ("assessments:export", f"/assessments/rounds/{round_id}/export.csv", SEE),
        # The personal link works for whoever holds it, signed in or not.
        ("assessments:respond", f"/assessments/respond/{world['token']}/", EVERYONE),
        # Appraisals
        ("appraisal:index", "/appraisals/", EVERYONE),
        ("appraisal:unit_costs", "/appraisals/unit-costs/", SIGNED_IN),
        ("appraisal:unit_cost_create", "/appraisals/unit-costs/new/", ADMIN),
        ("appraisal:unit_cost_edit", f"/appraisals/unit-costs/{unit_cost}/edit/", ADMIN),
        ("appraisal:create", f"/appraisals/for/{ref}/new/", CHANGE),
        ("appraisal:upload", f"/appraisals/for/{ref}/upload/", CHANGE),
        ("appraisal:detail", f"/appraisals/{appraisal}/", SEE),
        ("appraisal:edit", f"/appraisals/{appraisal}/edit/", CHANGE),
        ("appraisal:replace", f"/appraisals/{appraisal}/upload/", CHANGE),
        ("appraisal:download_yaml", f"/appraisals/{appraisal}/download.yaml", SEE),
        ("appraisal:download_xlsx", f"/appraisals/{appraisal}/download.xlsx", SEE),
        ("appraisal:realisation", f"/appraisals/{appraisal}/realised/", SEE),
        # KPIs: seen where their collaboration is, changed by those who may edit it; the
        # indicator library is for everyone, changed by platform administrators.
        ("kpis:portfolio", "/kpis/", EVERYONE),
        ("kpis:export", "/kpis/export/?format=csv", EVERYONE),
        ("kpis:indicators", "/kpis/indicators/", EVERYONE),
        ("kpis:indicator_create", "/kpis/indicators/new/", ADMIN),
        ("kpis:indicator_upload", "/kpis/indicators/upload/", ADMIN),
        ("kpis:collaboration", f"/kpis/c/{ref}/", SEE),
        ("kpis:adopt", f"/kpis/c/{ref}/adopt/", CHANGE),
        ("kpis:import", f"/kpis/c/{ref}/import/", CHANGE),
        ("kpis:adoption", f"/kpis/{kpi}/", SEE),
        ("kpis:adoption_edit", f"/kpis/{kpi}/edit/", CHANGE),
        ("kpis:adoption_archive", f"/kpis/{kpi}/archive/", CHANGE),
        ("kpis:adoption_restore", f"/kpis/{world['archived_kpi'].pk}/restore/", CHANGE),
        ("kpis:milestone_create", f"/kpis/{kpi}/milestones/new/", CHANGE),
        ("kpis:milestone_remove", f"/kpis/milestones/{milestone}/remove/", CHANGE),
        ("kpis:measurement_create", f"/kpis/{kpi}/measurements/new/", CHANGE),
        ("kpis:measurement_edit", f"/kpis/measurements/{measurement}/edit/", CHANGE),
        # The national picture: everyone, each drawn from what they may see.
        ("insights:national", "/insights/", EVERYONE),
        ("insights:findings", "/insights/findings/", EVERYONE),
        # Reports: a board pack where its collaboration is seen; a national report is its
        # asker's alone (none is asked for here: nobody else's number answers).
        ("insights:board_pack", f"/insights/c/{ref}/board-pack/", SEE),
        ("insights:board_pack_download", f"/insights/c/{ref}/board-pack.pdf", SEE),
        ("insights:national_report", "/insights/report/", SIGNED_IN),
        (
            "insights:national_report_download",
            "/insights/report/999999/national-report.pdf",
            (302, 404, 404, 404, 404, 404),
        ),
        # Lessons: a published lesson for the partners, written by the owner; its action's
        # owner is the partner_user. Only the submitter (and moderators) change it, and a
        # published lesson is no longer edited or reviewed.
        ("lessons:list", "/lessons/", EVERYONE),
        ("lessons:create", "/lessons/new/", CREATE),
        ("lessons:export", "/lessons/export/?format=csv", EVERYONE),
        ("lessons:trends", "/lessons/trends/", EVERYONE),
        ("lessons:import", "/lessons/import/", CREATE),
        ("lessons:my_actions", "/lessons/actions/", SIGNED_IN),
        ("lessons:notes", "/lessons/notes/", SIGNED_IN),
        ("lessons:note", "/lessons/notes/999999/", (302, 404, 404, 404, 404, 404)),
        ("lessons:detail", f"/lessons/{lesson}/", SEE),
        ("lessons:edit", f"/lessons/{lesson}/edit/", (302, 403, 403, 403, 404, 403)),
        ("lessons:submit", f"/lessons/{lesson}/submit/", POST_ONLY),
        ("lessons:withdraw", f"/lessons/{lesson}/withdraw/", POST_ONLY),
        ("lessons:review", f"/lessons/{lesson}/review/", (302, 403, 403, 403, 404, 403)),
        (
            "lessons:action_create",
            f"/lessons/{lesson}/actions/new/",
            (302, 403, 200, 403, 404, 200),
        ),
        ("lessons:action_update", f"/lessons/actions/{action}/", (302, 403, 200, 200, 404, 200)),
        # A file attached after review: not published, so only the submitter reaches it.
        (
            "lessons:attachment_add",
            f"/lessons/{lesson}/attachments/new/",
            (302, 403, 200, 403, 404, 403),
        ),
        (
            "lessons:attachment",
            f"/lessons/attachments/{attachment}/",
            (404, 404, 200, 404, 404, 404),
        ),
        (
            "lessons:attachment_remove",
            f"/lessons/attachments/{attachment}/remove/",
            POST_ONLY,
        ),
        ("analytics:create", f"/analytics/c/{ref}/new/", CHANGE),
        ("analytics:detail", f"/analytics/{analysis}/", SEE),
        ("analytics:upload", f"/analytics/{analysis}/upload/", CHANGE),
        ("analytics:run", f"/analytics/{analysis}/run/", POST_ONLY),
        ("analytics:progress", f"/analytics/{analysis}/progress/", SEE),
        ("analytics:export", f"/analytics/{analysis}/export/?format=csv", SEE),
        ("analytics:benefit", f"/analytics/{analysis}/benefit/", POST_ONLY),
        ("analytics:file", f"/analytics/{analysis}/files/{incident_file}/", PARTNERS_ONLY),
        (
            "analytics:file_remove",
            f"/analytics/{analysis}/files/{incident_file}/remove/",
            POST_ONLY,
        ),
        # The API
        # No page at the API's root: its documentation is at /api/docs.
        ("api:api-root", "/api/", (404,) * 6),
        ("api:openapi-json", "/api/openapi.json", EVERYONE),
        ("api:openapi-view", "/api/docs", EVERYONE),
        ("api:list_collaborations", "/api/collaborations", EVERYONE),
        ("api:get_collaboration", f"/api/collaborations/{ref}", SEE),
        ("api:list_rounds", f"/api/assessments/collaborations/{ref}/rounds", SEE),
        ("api:round_scores", f"/api/assessments/rounds/{round_id}/scores", SEE),
        ("api:collaboration_counts", "/api/collaboration-counts", EVERYONE),
        ("api:collaboration_history", f"/api/collaborations/{ref}/history", API_HISTORY),
        ("api:get_round", f"/api/assessments/rounds/{round_id}", SEE),
        ("api:collaboration_timelines", f"/api/assessments/collaborations/{ref}/timelines", SEE),
        ("api:overview", "/api/assessments/overview", API_SIGNED_IN),
        ("api:list_frameworks", "/api/assessments/frameworks", API_SIGNED_IN),
        ("api:get_framework", f"/api/assessments/frameworks/{framework}", API_SIGNED_IN),
        ("api:list_unit_costs", "/api/appraisals/unit-costs", API_SIGNED_IN),
        ("api:get_deflators", "/api/appraisals/deflators", API_SIGNED_IN),
        ("api:list_appraisals", "/api/appraisals", EVERYONE),
        ("api:get_appraisal", f"/api/appraisals/{appraisal}", SEE),
        ("api:get_realisation", f"/api/appraisals/{appraisal}/realised", SEE),
        ("api:appraisal_history", f"/api/appraisals/{appraisal}/history", API_HISTORY),
        ("api:list_indicators", "/api/kpis/indicators", EVERYONE),
        ("api:get_indicator", f"/api/kpis/indicators/{indicator}", EVERYONE),
        ("api:list_adoptions", "/api/kpis/adoptions", EVERYONE),
        ("api:get_adoption", f"/api/kpis/adoptions/{kpi}", SEE),
        ("api:list_measurements", f"/api/kpis/adoptions/{kpi}/measurements", SEE),
        # The same address: a GET lists, a POST adds one (tests/kpis/test_kpi_api.py).
        ("api:add_measurement", f"/api/kpis/adoptions/{kpi}/measurements", SEE),
        ("api:adoption_spc", f"/api/kpis/adoptions/{kpi}/spc", SEE),
        # Lessons' API: the same address lists (GET) and creates (POST); the rest are POSTs.
        ("api:list_lessons", "/api/lessons", EVERYONE),
        ("api:create_lesson", "/api/lessons", EVERYONE),
        ("api:get_lesson", f"/api/lessons/{lesson}", SEE),
        (
            "api:suggested_redactions",
            f"/api/lessons/{lesson}/suggested-redactions",
            (401, 403, 403, 403, 404, 403),
        ),
        ("api:submit_lesson", f"/api/lessons/{lesson}/submit", (405,) * 6),
        ("api:review_lesson", f"/api/lessons/{lesson}/review", (405,) * 6),
        ("api:add_action", f"/api/lessons/{lesson}/actions", (405,) * 6),
        ("api:complete_action", f"/api/actions/{action}/complete", (405,) * 6),
        # Any other address under /api/ is the API's JSON 404.
        ("api_not_found", "/api/no-such-thing", (404,) * 6),
        # Django's admin: staff only; everyone else is asked to sign in as staff.
        ("admin:index", "/admin/", DJANGO_ADMIN),
    ]


#: URL names answered only after a POST elsewhere (their page is reached from it).
REACHED_BY_POST = {"assessments:links_csv"}


@pytest.fixture
def world(collaboration: Any) -> dict[str, Any]:
    from accord.appraisal import services as appraisal_services
    from accord.appraisal.models import UnitCost

    found = make_round(collaboration)
    (token,) = invite(found, [("someone@lincs-fire.test", "E31000025", "operational")])
    appraisal_services.load_unit_cost_library("test")
    return {
        "collaboration": collaboration,
        "round": found,
        "token": token,
        "appraisal": make_appraisal(collaboration),
        "unit_cost": UnitCost.objects.first(),
        "person": make_person("colleague"),
        "kpi": make_kpi(collaboration, [480.0], with_milestone=True),
        "archived_kpi": make_archived_kpi(collaboration),
        "lesson": _lesson(collaboration),
        "analysis": make_analysis(collaboration, keep=True),
    }


def _lesson(collaboration: Any) -> Any:
    import datetime as dt

    from accord.lessons import services as lessons

    lesson = make_lesson(
        make_person("owner"),
        state="published",
        moderator=make_person("moderator"),
        audience="partners",
        collaboration=collaboration,
    )
    lessons.add_action(
        make_person("owner"),
        lesson,
        title="Load the talkgroups",
        owner_email=make_person("partner_user").email,
        due=dt.date(2030, 1, 1),
    )
    lessons.add_attachment(
        make_person("owner"), lesson, name="debrief.pdf", data=b"%PDF-1.4 a debrief"
    )
    return lesson


def _status(client: Client, path: str) -> int:
    return client.get(path).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_every_url_answers_each_person_as_the_table_says(
    client: Client, world: dict[str, Any], person: str, request: Any
) -> None:
    if person != "anonymous":
        client.force_login(request.getfixturevalue(person))
    column = PEOPLE.index(person)
    wrong = []
    for name, path, statuses in _table(world):
        got = _status(client, path)
        if got != statuses[column]:
            wrong.append(f"{name} {path}: {got}, expected {statuses[column]}")
    assert not wrong, f"{person}: " + "; ".join(wrong)


def _names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.mark.django_db
def test_the_table_names_every_url_of_the_site(world: dict[str, Any]) -> None:
    site = {
        n
        for n in _names(get_resolver().url_patterns)
        # Django's admin has a URL per model and action; its index stands for them all.
        if not n.startswith("admin:")
    }
    table = {name for name, _, _ in _table(world)}
    assert site - table - REACHED_BY_POST == set(), "add these URLs to the table"
    assert table - site - {"admin:index"} == set(), "the table names URLs the site lacks"
