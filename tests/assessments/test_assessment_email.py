"""Survey invitations by email, each with the person's own link, and reminders to those who
have not answered that never say who answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from tests.assessments.assessment_helpers import all_answers, invite, make_round

from accord.assessments import services
from accord.assessments.models import Invitation, SurveyEmail
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite_by_email(client: Client, found: Any, emails: str) -> Any:
    rx9 = found.collaboration.partners.get(organisation__code="RX9").organisation
    return client.post(
        f"/assessments/rounds/{found.pk}/invite/",
        {
            "via": "list",
            "emails": emails,
            "organisation": rx9.code,
            "level": "tactical",
            "send": "email",
        },
    )


def test_each_person_is_emailed_their_own_link(
    collaboration: Any, owner: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://accord.example"
    found = make_round(collaboration, title="Spring survey")
    response = _invite_by_email(_client(owner), found, "a@emas.test, b@emas.test")
    page = response.content.decode()
    assert response.status_code == 200 and "Emailed 2 people their link." in page
    assert sorted(m.to[0] for m in mail.outbox) == ["a@emas.test", "b@emas.test"]
    links = set()
    for message in mail.outbox:
        assert message.subject == "Survey: Spring survey" and len(message.to) == 1
        assert message.reply_to == [owner.email]
        link = next(line for line in message.body.splitlines() if "/respond/" in line).strip()
        assert link.startswith("https://accord.example/assessments/respond/")
        token = link.rstrip("/").rsplit("/", 1)[1]
        invitation = Invitation.objects.get(token_hash=services.invitation_hash(token))
        assert invitation.email == message.to[0]
        links.add(link)
    assert len(links) == 2
    assert set(Invitation.objects.values_list("emailed_on", flat=True)) == {timezone.localdate()}
    event = AuditEvent.objects.get(action="assessment_round.email_invitations")
    assert event.after["sent"] == 2 and event.after["emails"] == ["a@emas.test", "b@emas.test"]


def test_links_sent_by_hand_are_not_emailed(collaboration: Any, owner: Any) -> None:
    found = make_round(collaboration)
    rx9 = collaboration.partners.get(organisation__code="RX9").organisation
    response = _client(owner).post(
        f"/assessments/rounds/{found.pk}/invite/",
        {"via": "list", "emails": "a@emas.test", "organisation": rx9.code, "level": "tactical"},
    )
    # How people get their links is a required choice with nothing chosen for you.
    assert "Select how people will get their links" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_only_an_editor_may_email_invitations(
    collaboration: Any, owner: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    links = services.invite(
        owner,
        found,
        [
            services.Invitee(
                "a@emas.test",
                collaboration.partners.get(organisation__code="RX9").organisation,
                "tactical",
            )
        ],
    )
    with pytest.raises(PermissionRefused):
        services.email_invitations(colleague, found, links)
    assert mail.outbox == []
    assert services.email_invitations(owner, found, links).sent == 1


def test_a_reminder_goes_to_every_unused_link_and_says_only_how_many(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration, title="Spring survey")
    tokens = invite(found, [(f"p{i}@emas.test", "RX9", "tactical") for i in range(4)])
    services.save_answers(tokens[0], all_answers(found), submit=True)
    services.save_answers(tokens[1], all_answers(found))  # started, not submitted
    client = _client(owner)
    page = client.get(f"/assessments/rounds/{found.pk}/remind/").content.decode()
    assert 'id="not-answered">3<' in page
    # Counts only: no address appears on the page of an anonymous round.
    assert "@emas.test" not in page
    sent = client.post(f"/assessments/rounds/{found.pk}/remind/")
    assert sent.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@emas.test", "p2@emas.test", "p3@emas.test"]
    message = mail.outbox[0]
    assert message.subject == "Reminder: Spring survey"
    assert "/respond/" not in message.body  # the link is not kept, so it is not repeated
    assert "personal link in your invitation" in message.body
    after = client.get(f"/assessments/rounds/{found.pk}/remind/").content.decode()
    assert "Sent a reminder to 3 people." in after and "@emas.test" not in after
    event = AuditEvent.objects.get(action="assessment_round.remind")
    assert event.after == {"round": found.pk, "sent": 3, "failed": 0}
    assert "emas.test" not in str(event.after) + event.object_label
    # Only the day and the number are kept, not to whom.
    batch = SurveyEmail.objects.get(kind="reminder")
    assert (batch.sent_on, batch.sent) == (timezone.localdate(), 3)


def test_a_second_reminder_the_same_day_is_refused(collaboration: Any, owner: Any) -> None:
    found = make_round(collaboration)
    invite(found, [("p@emas.test", "RX9", "tactical")])
    services.send_reminders(owner, found)
    with pytest.raises(Problems, match="A reminder was sent today"):
        services.send_reminders(owner, found)
    page = _client(owner).post(f"/assessments/rounds/{found.pk}/remind/").content.decode()
    assert "No reminder was sent" in page and "A reminder was sent today" in page
    assert len(mail.outbox) == 1
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.send_reminders(owner, found, today=tomorrow)
    assert len(mail.outbox) == 2


def test_no_reminder_when_everyone_answered_or_the_round_is_closed(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("p@emas.test", "RX9", "tactical")])
    services.save_answers(token, all_answers(found), submit=True)
    with pytest.raises(Problems, match="Everyone invited has answered"):
        services.send_reminders(owner, found)
    closed = make_round(
        collaboration,
        title="Closed",
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 3, 31),
    )
    invite(closed, [("q@emas.test", "RX9", "tactical")])
    with pytest.raises(Problems, match="reminders can be sent only while it is open"):
        services.send_reminders(owner, closed)
    assert mail.outbox == []


def test_only_an_editor_may_send_reminders(
    collaboration: Any, owner: Any, partner_user: Any, colleague: Any, outsider: Any
) -> None:
    found = make_round(collaboration)
    invite(found, [("p@emas.test", "RX9", "tactical")])
    path = f"/assessments/rounds/{found.pk}/remind/"
    assert _client(colleague).post(path).status_code == 403
    assert _client(outsider).post(path).status_code == 404
    with pytest.raises(PermissionRefused):
        services.send_reminders(colleague, found)
    assert mail.outbox == []
    assert _client(partner_user).post(path).status_code == 302
    assert len(mail.outbox) == 1


class RefusingBackend:
    """An email backend whose server refuses any address at refused.test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        import smtplib

        for message in messages:
            if any(address.endswith("@refused.test") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            mail.outbox.append(message)
        return len(messages)


def test_an_address_the_server_refuses_is_listed_and_the_others_still_sent(
    collaboration: Any, owner: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.assessments.test_assessment_email.RefusingBackend"
    found = make_round(collaboration)
    page = _invite_by_email(_client(owner), found, "a@emas.test, b@refused.test").content.decode()
    assert "Emailed 1 person their link." in page
    failures = page.split('id="email-failures"')[1].split("</ul>")[0]
    assert "b@refused.test" in failures and "a@emas.test" not in failures
    # The refused person's link is on the page, to send by hand; and was not marked emailed.
    assert page.count("accord-link-text") == 2
    emailed = dict(Invitation.objects.values_list("email", "emailed_on"))
    assert emailed == {"a@emas.test": timezone.localdate(), "b@refused.test": None}
    batch = SurveyEmail.objects.get(kind="invitation")
    assert (batch.sent, batch.failed) == (1, 1)
