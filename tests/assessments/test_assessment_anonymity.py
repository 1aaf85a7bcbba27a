"""Anonymity: after an anonymous round is answered through its links, nothing in the database
joins a response to an invitation or a person."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from tests.assessments.assessment_helpers import all_answers, invite, make_round

from accord.assessments import services
from accord.assessments.models import Invitation, Response
from accord.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def _response_rows() -> list[dict[str, Any]]:
    """Every column of every response, read straight from the table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Response._meta.db_table}")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_nothing_joins_an_anonymous_response_to_its_invitation(collaboration: Any) -> None:
    found = make_round(collaboration, anonymous=True)
    people = [
        ("ann@lincs-fire.test", "E31000025", "strategic"),
        ("bob@emas.test", "RX9", "operational"),
        ("cat@emas.test", "RX9", "tactical"),
    ]
    tokens = invite(found, people)
    events_before = AuditEvent.objects.count()
    for index, token in enumerate(tokens):
        services.save_answers(token, all_answers(found, 3), comment=f"Comment {index}")
        services.save_answers(token, {}, submit=True)
    assert Response.objects.filter(submitted=True).count() == 3

    invitations = list(Invitation.objects.filter(round=found))
    assert all(i.responded for i in invitations)
    invitation_ids = {str(i.pk) for i in invitations}
    forbidden: set[str] = set()
    for invitation in invitations:
        forbidden |= {invitation.email, invitation.email.split("@")[0], invitation.token_hash}
    forbidden |= set(tokens)
    for token in tokens:
        forbidden.add(services.invitation_hash(token))

    # Every column of the response table: no invitation, person, token or time of day.
    columns = set(_response_rows()[0])
    assert "invitation_id" in columns  # the column exists for named rounds ...
    for row in _response_rows():
        assert row["invitation_id"] is None  # ... and is empty in anonymous ones
        for name, value in row.items():
            text = str(value)
            if name not in {"round_id", "organisation_id"}:
                assert text not in invitation_ids, (name, text)
            for secret in forbidden:
                assert secret not in text, (name, text)
            if name not in {"answers", "comment"}:
                assert not TIME_OF_DAY.search(text), (name, text)
        assert row["respondent_key"] not in {i.token_hash for i in invitations}
        # The submission date only, never a time.
        assert isinstance(row["submitted_on"], dt.date | str)
        assert len(str(row["submitted_on"])) == 10
    # No timestamp fields at all on a response.
    field_types = {f.get_internal_type() for f in Response._meta.concrete_fields}
    assert "DateTimeField" not in field_types
    assert Response._meta.pk is not None and Response._meta.pk.get_internal_type() == "UUIDField"

    # No audit event was written for the responses, and none names an invitee.
    new_events = AuditEvent.objects.order_by("sequence")[events_before:]
    assert list(new_events) == []
    for event in AuditEvent.objects.all():
        blob = f"{event.object_id} {event.object_label} {event.before} {event.after}"
        for response in Response.objects.all():
            assert str(response.pk) not in blob
        for invitation in invitations:
            assert invitation.token_hash not in blob


def test_the_respondent_finds_their_response_only_through_their_own_token(
    collaboration: Any,
) -> None:
    found = make_round(collaboration, anonymous=True)
    first, second = invite(
        found, [("a@lincs-fire.test", "E31000025", "strategic"), ("b@emas.test", "RX9", "tactical")]
    )
    services.save_answers(first, all_answers(found, 2), submit=True)
    services.save_answers(second, all_answers(found, 5), submit=True)
    mine = services.response_for_token(first)
    assert mine is not None
    assert mine.respondent_key == services.response_hash(first)
    assert mine.respondent_key != services.invitation_hash(first)
    assert set(mine.answers.values()) == {2}
    assert mine.organisation.code == "E31000025" and mine.level == "strategic"


def test_a_named_round_links_the_response_and_audits_it(collaboration: Any) -> None:
    found = make_round(collaboration, anonymous=False)
    (token,) = invite(found, [("named@emas.test", "RX9", "tactical")])
    response = services.save_answers(token, all_answers(found), submit=True)
    invitation = Invitation.objects.get(round=found)
    assert response.invitation_id == invitation.pk
    assert AuditEvent.objects.filter(action="assessment_response.submit").count() == 1


def test_reminders_keep_no_trace_of_who_had_not_answered(collaboration: Any) -> None:
    from django.core import mail
    from tests.assessments.assessment_helpers import ACTOR

    from accord.assessments.models import SurveyEmail

    found = make_round(collaboration, anonymous=True)
    tokens = invite(
        found,
        [("ann@lincs-fire.test", "E31000025", "strategic"), ("bob@emas.test", "RX9", "tactical")],
    )
    services.save_answers(tokens[0], all_answers(found, 3), submit=True)
    before = {
        i.pk: {f.name: getattr(i, f.name) for f in Invitation._meta.concrete_fields}
        for i in Invitation.objects.filter(round=found)
    }
    services.send_reminders(ACTOR, found)
    assert [m.to for m in mail.outbox] == [["bob@emas.test"]]
    # The invitations are as they were: nothing marks who was reminded, or when.
    after = {
        i.pk: {f.name: getattr(i, f.name) for f in Invitation._meta.concrete_fields}
        for i in Invitation.objects.filter(round=found)
    }
    assert after == before
    # What is kept is a day and a number, for the round.
    (batch,) = SurveyEmail.objects.filter(round=found)
    kept = " ".join(str(getattr(batch, f.attname)) for f in SurveyEmail._meta.concrete_fields)
    assert "bob" not in kept and "ann" not in kept and batch.sent == 1
    event = AuditEvent.objects.get(action="assessment_round.remind")
    assert "bob" not in f"{event.object_label} {event.before} {event.after}"
