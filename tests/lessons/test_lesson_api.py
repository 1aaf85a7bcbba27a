"""The lessons' API contract (issue 13), from outside: Bearer tokens, each person's
visibility and roles, 422 naming the wrong field, 404 for what a caller may not see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.support.lessons_factories import SECRET_EMAIL, SECRET_NAME, make_lesson

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "lesson_identified",
    "title": "Shared talkgroups in every handset",
    "source": "exercise",
    "occurred_on": "2025-03-14",
    "organisations": ["E31000025", "RX9"],
    "collaboration": None,
    "principles": ["communicate"],
    "factors": ["organisational-differences"],
    "what_happened": f"{SECRET_NAME} could not reach the ambulance dispatcher; "
    f"write to {SECRET_EMAIL}.",
    "why": "The talkgroup was missing from the fire handsets.",
    "recommendation": "Load shared talkgroups before go-live.",
    "evidence": "evaluated_locally",
    "audience": "signed_in",
}


def bearer(person: Any) -> dict[str, Any]:
    from accord.orgs import services

    _, plain = services.create_token(person, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def post(client: Client, path: str, body: Any, person: Any) -> Any:
    return client.post(path, body, content_type="application/json", **bearer(person))


def test_the_whole_workflow_through_the_api(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    created = post(client, "/api/lessons", BODY, owner)
    assert created.status_code == 201, created.content
    lesson = created.json()
    assert lesson["state"] == "draft" and lesson["learned"] is False
    for name in (
        "kind",
        "title",
        "source",
        "occurred_on",
        "organisations",
        "collaboration",
        "principles",
        "factors",
        "what_happened",
        "why",
        "recommendation",
        "evidence",
        "audience",
    ):
        assert lesson[name] == BODY[name], name
    pk = lesson["id"]

    assert post(client, f"/api/lessons/{pk}/submit", {}, owner).json()["state"] == "submitted"

    refused = client.get(f"/api/lessons/{pk}/suggested-redactions", **bearer(owner))
    assert refused.status_code == 403
    spans = client.get(f"/api/lessons/{pk}/suggested-redactions", **bearer(moderator)).json()
    email = next(s for s in spans if s["kind"] == "email")
    assert email == {
        "field": "what_happened",
        "start": BODY["what_happened"].index(SECRET_EMAIL),
        "end": BODY["what_happened"].index(SECRET_EMAIL) + len(SECRET_EMAIL),
        "kind": "email",
        "text": SECRET_EMAIL,
    }
    name = {"field": "what_happened", "start": 0, "end": len(SECRET_NAME)}
    redactions = [name, {k: email[k] for k in ("field", "start", "end")}]
    assert (
        post(client, f"/api/lessons/{pk}/review", {"decision": "publish"}, owner).status_code == 403
    )
    reviewed = post(
        client,
        f"/api/lessons/{pk}/review",
        {"decision": "publish", "redactions": redactions},
        moderator,
    )
    assert reviewed.json()["state"] == "published"

    seen = client.get(f"/api/lessons/{pk}", **bearer(partner_user)).json()
    assert seen["redacted"] is True
    assert seen["what_happened"].startswith("[redacted] could not reach")
    assert SECRET_NAME not in str(seen) and SECRET_EMAIL not in str(seen)
    found = client.get("/api/lessons?q=dispatcher", **bearer(partner_user)).json()
    assert found["count"] == 1 and found["items"][0]["id"] == pk
    assert client.get("/api/lessons?q=Zebedee", **bearer(partner_user)).json()["count"] == 0
    # The submitter still reads the original.
    assert SECRET_NAME in client.get(f"/api/lessons/{pk}", **bearer(owner)).json()["what_happened"]

    action = post(
        client,
        f"/api/lessons/{pk}/actions",
        {"title": "Load the talkgroups", "owner": partner_user.email, "due": "2030-01-31"},
        owner,
    )
    assert action.status_code == 201, action.content
    action_id = action.json()["id"]
    assert post(client, f"/api/actions/{action_id}/complete", {"evidence": "x"}, moderator).json()
    # (a moderator of the submitter's organisation may complete it too)
    assert client.get(f"/api/lessons/{pk}", **bearer(owner)).json()["learned"] is True


def test_a_wrong_field_gives_422_naming_it(client: Client, owner: Any) -> None:
    for name, value in (
        ("kind", "anecdote"),
        ("occurred_on", "14/03/2025"),
        ("organisations", ["NOPE"]),
        ("principles", ["co-operate"]),
        ("audience", "everyone"),
        ("title", ""),
        ("collaboration", "NO-SUCH-REF"),
    ):
        response = post(client, "/api/lessons", {**BODY, name: value}, owner)
        assert response.status_code == 422, name
        assert [p["field"] for p in response.json()["detail"]] == [name]


def test_who_may_not_is_refused_and_who_may_not_see_gets_404(
    client: Client, owner: Any, colleague: Any, moderator: Any, outsider: Any
) -> None:
    assert client.post("/api/lessons", BODY, content_type="application/json").status_code == 401
    assert post(client, "/api/lessons", BODY, colleague).status_code == 403
    draft = make_lesson(owner)
    assert client.get(f"/api/lessons/{draft.pk}", **bearer(outsider)).status_code == 404
    assert client.get(f"/api/lessons/{draft.pk}").status_code == 404
    assert client.get("/api/lessons/999999", **bearer(owner)).status_code == 404
    assert post(client, f"/api/lessons/{draft.pk}/submit", {}, outsider).status_code == 404
    assert post(client, f"/api/lessons/{draft.pk}/submit", {}, moderator).status_code == 403
    assert client.get("/api/lessons", **bearer(outsider)).json() == {"count": 0, "items": []}
    bad = client.get("/api/lessons/x", HTTP_AUTHORIZATION="Bearer wrong")
    assert bad.status_code == 401


def test_a_return_through_the_api_needs_a_reason(
    client: Client, owner: Any, moderator: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    path = f"/api/lessons/{lesson.pk}/review"
    missing = post(client, path, {"decision": "return"}, moderator)
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "reason"
    returned = post(client, path, {"decision": "return", "reason": "Say when"}, moderator)
    assert returned.json()["state"] == "returned"
    assert returned.json()["return_reason"] == "Say when"
