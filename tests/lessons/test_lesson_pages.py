"""The lessons' pages: write, submit, review with redactions, read, search with highlights,
filters with counts, actions, a person's actions, the collaboration's panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.support.lessons_factories import SECRET_EMAIL, SECRET_NAME, make_lesson

from accord.lessons import services
from accord.lessons.models import Lesson

pytestmark = pytest.mark.django_db


def signed_in(client: Client, person: Any) -> Client:
    client.force_login(person)
    return client


FORM = {
    "kind": "notable_practice",
    "title": "Joint triage at the front door",
    "source": "collaboration",
    "occurred_on-day": "3",
    "occurred_on-month": "2",
    "occurred_on-year": "2025",
    "organisations": ["E31000025", "RX9"],
    "collaboration": "",
    "principles": ["co-ordinate"],
    "factors": ["trust"],
    "what_happened": f"Crews and paramedics triaged together; ask {SECRET_NAME}.",
    "why": "One assessment instead of two.",
    "recommendation": "Keep the joint triage card.",
    "evidence": "evaluated_locally",
    "audience": "signed_in",
}


def test_a_contributor_writes_submits_and_a_moderator_redacts_and_publishes(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    signed_in(client, owner)
    assert client.get("/lessons/new/").status_code == 200
    response = client.post("/lessons/new/", FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson = Lesson.objects.get()
    assert lesson.state == "draft" and lesson.occurred_on == dt.date(2025, 2, 3)
    page = client.get(f"/lessons/{lesson.pk}/").content.decode()
    assert SECRET_NAME in page and "Submit for review" in page
    assert client.post(f"/lessons/{lesson.pk}/submit/").status_code == 302
    lesson.refresh_from_db()
    assert lesson.state == "submitted"

    signed_in(client, moderator)
    review = client.get(f"/lessons/{lesson.pk}/review/")
    assert review.status_code == 200 and SECRET_NAME in review.content.decode()
    response = client.post(
        f"/lessons/{lesson.pk}/review/", {"decision": "publish", "extra": SECRET_NAME}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson.refresh_from_db()
    assert lesson.state == "published"
    assert (
        lesson.published_what_happened == "Crews and paramedics triaged together; ask [redacted]."
    )

    signed_in(client, partner_user)
    page = client.get(f"/lessons/{lesson.pk}/").content.decode()
    assert "[redacted]" in page and SECRET_NAME not in page
    found = client.get("/lessons/?q=triaged").content.decode()
    assert "<mark>triaged</mark>" in found and SECRET_NAME not in found
    assert "1 lesson<" in found
    assert "0 lessons" in client.get("/lessons/?q=Zebedee").content.decode()


def test_a_wrong_form_names_the_field(client: Client, owner: Any) -> None:
    signed_in(client, owner)
    response = client.post("/lessons/new/", {**FORM, "title": "", "occurred_on-year": "20x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and 'href="#id_title"' in body
    assert not Lesson.objects.exists()


def test_the_form_refuses_a_collaboration_the_person_may_not_see(
    client: Client, outsider: Any, collaboration: Any
) -> None:
    signed_in(client, outsider)
    response = client.post(
        "/lessons/new/", {**FORM, "collaboration": collaboration.reference, "audience": "partners"}
    )
    assert response.status_code == 200 and not Lesson.objects.exists()


def test_the_list_filters_with_counts(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    make_lesson(owner, state="published", moderator=moderator, kind="did_not_work")
    make_lesson(owner, state="published", moderator=moderator, principles=["co-locate"])
    signed_in(client, partner_user)
    page = client.get("/lessons/").content.decode()
    assert "2 lessons" in page
    assert "Did not work (1)" in page and "Lesson identified (1)" in page
    assert "Communicate (1)" in page and "Co-locate (1)" in page
    assert "1 lesson<" in client.get("/lessons/?kind=did_not_work").content.decode()
    assert "1 lesson<" in client.get("/lessons/?principle=co-locate").content.decode()
    assert "2 lessons" in client.get("/lessons/?organisation=RX9").content.decode()
    assert "0 lessons" in client.get("/lessons/?after=2026-01-01").content.decode()


def test_a_chosen_filter_counts_its_own_options_without_itself_and_narrows_the_others(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    make_lesson(owner, state="published", moderator=moderator, kind="did_not_work")
    make_lesson(owner, state="published", moderator=moderator, principles=["co-locate"])
    make_lesson(
        owner, state="published", moderator=moderator, kind="did_not_work", evidence="untested"
    )
    signed_in(client, partner_user)
    page = client.get("/lessons/?kind=did_not_work").content.decode()
    assert "2 lessons" in page
    # The kinds are counted as if no kind were chosen, so that another can be picked.
    assert "Did not work (2)" in page and "Lesson identified (1)" in page
    # Every other filter counts only the two lessons that did not work.
    assert "Communicate (2)" in page and "Co-locate (0)" in page
    assert "Untested (1)" in page and "Evaluated locally (1)" in page


def test_a_person_who_may_not_review_is_refused(
    client: Client, owner: Any, moderator: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    signed_in(client, owner)
    assert client.get(f"/lessons/{lesson.pk}/review/").status_code == 403
    signed_in(client, outsider)
    assert client.get(f"/lessons/{lesson.pk}/review/").status_code == 404
    assert client.post(f"/lessons/{lesson.pk}/withdraw/").status_code == 404
    signed_in(client, moderator)
    assert client.post(f"/lessons/{lesson.pk}/withdraw/").status_code == 302
    lesson.refresh_from_db()
    assert lesson.state == "withdrawn"


def test_actions_on_the_page_and_a_persons_actions(
    client: Client, owner: Any, moderator: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator)
    signed_in(client, outsider)
    assert client.get(f"/lessons/{lesson.pk}/actions/new/").status_code == 403
    signed_in(client, owner)
    response = client.post(
        f"/lessons/{lesson.pk}/actions/new/",
        {
            "title": "Load talkgroups",
            "owner": partner_user.email,
            "due-day": "1",
            "due-month": "1",
            "due-year": "2025",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = lesson.actions.get()
    assert "Overdue" in client.get(f"/lessons/{lesson.pk}/").content.decode()
    signed_in(client, partner_user)
    mine = client.get("/lessons/actions/").content.decode()
    assert "Load talkgroups" in mine and "Overdue" in mine
    done = client.post(
        f"/lessons/actions/{action.pk}/", {"status": "done", "evidence": "All handsets loaded"}
    )
    assert done.status_code == 302
    assert "Lesson learned" in client.get(f"/lessons/{lesson.pk}/").content.decode()


def test_the_collaboration_page_shows_its_lessons_and_open_actions(
    client: Client, owner: Any, moderator: Any, collaboration: Any, partner_user: Any
) -> None:
    lesson = make_lesson(
        owner,
        state="published",
        moderator=moderator,
        collaboration=collaboration,
        audience="partners",
    )
    services.add_action(
        owner,
        lesson,
        title="Rewrite the joint SOP",
        owner_email=owner.email,
        due=dt.date(2030, 1, 1),
    )
    signed_in(client, partner_user)
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert 'id="lessons"' in page and "Rewrite the joint SOP" in page
    assert lesson.published_title in page and SECRET_EMAIL not in page


def test_trends_chart_its_table_and_recurring_themes(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    for day in (1, 2):
        make_lesson(
            owner, state="published", moderator=moderator, occurred_on=dt.date(2025, 1, day)
        )
    page = client.get("/lessons/trends/").content.decode()
    assert "No published lessons yet" in page  # none public: anonymous sees none
    signed_in(client, partner_user)
    page = client.get("/lessons/trends/").content.decode()
    assert 'id="lessons-by-theme-table"' in page and "2025 Q1" in page
    assert "Communicate" in page and "None yet." in page


def test_the_import_page(client: Client, owner: Any, colleague: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "kind,title,source,occurred_on,what_happened\n"
    signed_in(client, colleague)
    assert client.get("/lessons/import/").status_code == 403
    signed_in(client, owner)
    bad = SimpleUploadedFile("l.csv", (header + "anecdote,T,exercise,2025-01-01,x\n").encode())
    page = client.post("/lessons/import/", {"file": bad}).content.decode()
    assert "Nothing was imported" in page and "Row 2" in page
    good = SimpleUploadedFile("l.csv", (header + "did_not_work,T,exercise,2025-01-01,x\n").encode())
    assert client.post("/lessons/import/", {"file": good}).status_code == 302
    assert Lesson.objects.get().state == "draft"


def test_counts_with_words_are_counts_of_lessons(
    client: Client, owner: Any, moderator: Any, partner_user: Any
) -> None:
    for _ in range(3):
        make_lesson(owner, state="published", moderator=moderator, kind="did_not_work")
    signed_in(client, partner_user)
    page = client.get("/lessons/?q=talkgroup").content.decode()
    assert "3 lessons" in page and "Did not work (3)" in page and "Communicate (3)" in page
