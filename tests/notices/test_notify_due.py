"""`accord notify due`: funding ending, reviews due and edits by someone else, emailed to the
people who lead each collaboration, once each, unless they turned the notice off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from tests.support.people import make_person

from accord.cli import main as accord
from accord.core import email as core_email
from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.notices import services
from accord.notices.models import Notice
from accord.orgs import services as people
from accord.orgs.models import Organisation
from accord.register import services as register

pytestmark = pytest.mark.django_db

SITE = "https://accord.example.gov.uk"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def add(actor: Any, title: str = "Joint response pilot", **fields: Any) -> Any:
    """A collaboration led by Lincolnshire Fire with East Midlands Ambulance, added by `actor`."""
    data = register.CollaborationData(
        title=title,
        summary="Firefighters respond to medical emergencies.",
        research_area="effective",
        nature="co_responding",
        status=fields.pop("status", "operational"),
        partners=[(organisation("E31000025"), "lead"), (organisation("RX9"), "partner")],
        **fields,
    )
    return register.create_collaboration(actor, data)


def edit(actor: Any, collaboration: Any, **changes: Any) -> Any:
    collaboration.refresh_from_db()
    values = {
        "title": collaboration.title,
        "reference": collaboration.reference,
        "summary": collaboration.summary,
        "research_area": collaboration.research_area,
        "nature": collaboration.nature,
        "status": collaboration.status,
        "funding_ends_on": collaboration.funding_ends_on,
        "visibility": collaboration.visibility,
        "partners": [(p.organisation, p.role) for p in collaboration.partners.all()],
        **changes,
    }
    return register.update_collaboration(
        actor,
        collaboration,
        register.CollaborationData(**values),
        expected_version=collaboration.version,
    )


def sent_to() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


@pytest.fixture
def leads(owner: Any, org_admin: Any) -> tuple[Any, Any]:
    """Who leads what `owner` adds: the owner (who added it) and Lincolnshire's administrator."""
    return owner, org_admin


# Funding ending --------------------------------------------------------------------------------


def test_funding_ending_within_three_months_is_sent_to_the_leads_once(
    leads: tuple[Any, Any], colleague: Any, partner_user: Any
) -> None:
    owner, org_admin = leads
    ends = TODAY + dt.timedelta(days=40)
    pilot = add(owner, funding_ends_on=ends)

    result = services.send_due()
    subject = f"Funding for Joint response pilot ends on {ends:%-d %B %Y}"
    assert sent_to() == [(org_admin.email, subject), (owner.email, subject)]
    assert len(result.sent) == 2 and result.people == 2
    # Not a lead: a reader at the lead partner, a contributor at the other partner.
    assert all(m.to[0] not in (colleague.email, partner_user.email) for m in mail.outbox)

    body = mail.outbox[0].body
    assert f"ends on {ends:%-d %B %Y}, in 40 days" in body
    assert f"{SITE}/collaborations/{pilot.reference}/" in body
    assert "To stop emails like this" in body and f"{SITE}/accounts/#emails" in body
    assert "&amp;" not in body

    # Recorded and audited, one notice each.
    assert Notice.objects.count() == 2
    assert AuditEvent.objects.filter(action="notice.send").count() == 2

    mail.outbox.clear()
    again = services.send_due()
    assert again.sent == [] and mail.outbox == []


def test_a_new_funding_end_date_is_a_new_notice(owner: Any) -> None:
    pilot = add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    services.send_due()
    assert len(mail.outbox) == 1
    edit(owner, pilot, funding_ends_on=TODAY + dt.timedelta(days=60))
    mail.outbox.clear()
    services.send_due()
    assert len(mail.outbox) == 1
    assert "in 60 days" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("ends_in_days", "status", "sent"),
    [
        (0, "operational", True),  # today
        (85, "operational", True),
        (120, "operational", False),  # more than 3 months away
        (-1, "operational", False),  # ended already
        (30, "closed", False),  # the collaboration has ended
    ],
)
def test_only_funding_ending_in_the_next_three_months_of_a_live_collaboration(
    owner: Any, ends_in_days: int, status: str, sent: bool
) -> None:
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=ends_in_days), status=status)
    services.send_due()
    assert bool(mail.outbox) is sent


def test_an_archived_collaboration_sends_no_funding_notice(owner: Any) -> None:
    pilot = add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    register.archive_collaboration(owner, pilot)
    services.send_due()
    assert mail.outbox == []


# Reviews due -----------------------------------------------------------------------------------


def review(collaboration: Any, considered_on: dt.date) -> None:
    register.add_review(
        SystemActor("test"),
        collaboration,
        register.ReviewData(
            opportunity="Share the fleet workshop",
            considered_on=considered_on,
            decision="collaborate",
            reason="Both keep vehicles at one site.",
        ),
    )


def test_a_review_due_within_a_month_is_sent_once(owner: Any) -> None:
    pilot = add(owner)
    last = services.add_months(TODAY, -12) + dt.timedelta(days=20)
    review(pilot, last)
    services.send_due()
    due_on = services.add_months(last, 12)
    assert sent_to() == [
        (
            owner.email,
            f"A duty-to-collaborate review of Joint response pilot is due by {due_on:%-d %B %Y}",
        )
    ]
    assert f"Its last review was on {last:%-d %B %Y}" in mail.outbox[0].body
    mail.outbox.clear()
    services.send_due()
    assert mail.outbox == []


def test_a_recent_review_sends_nothing(owner: Any) -> None:
    pilot = add(owner)
    review(pilot, TODAY - dt.timedelta(days=100))
    services.send_due()
    assert mail.outbox == []


def test_a_collaboration_never_reviewed_is_due_a_year_after_it_was_added(owner: Any) -> None:
    add(owner)
    services.send_due()
    assert mail.outbox == []  # just added
    a_year_on = services.add_months(TODAY, 12) + dt.timedelta(days=10)
    services.send_due(today=a_year_on)
    (message,) = mail.outbox
    assert message.subject == "A duty-to-collaborate review of Joint response pilot is overdue"
    assert "It has no review recorded yet." in message.body


def test_a_new_review_makes_the_next_one_a_new_notice(owner: Any) -> None:
    pilot = add(owner)
    review(pilot, services.add_months(TODAY, -13))
    services.send_due()
    assert len(mail.outbox) == 1
    review(pilot, TODAY)
    mail.outbox.clear()
    services.send_due(today=services.add_months(TODAY, 12))
    assert len(mail.outbox) == 1


# Edits by someone else -------------------------------------------------------------------------


def test_an_edit_by_someone_who_does_not_lead_it_is_sent_to_its_leads(
    leads: tuple[Any, Any], partner_user: Any
) -> None:
    owner, org_admin = leads
    pilot = add(owner)
    edit(partner_user, pilot, title="Joint response pilot, phase 2")
    edit(partner_user, pilot, summary="Crews from both services respond together.")

    services.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == [org_admin.email, owner.email]
    message = mail.outbox[0]
    assert message.subject == "Joint response pilot, phase 2 was changed by someone else"
    # One email for both edits, naming who and what.
    assert message.body.count(f"Edited by {partner_user.email}") == 2
    assert ": title" in message.body and ": summary" in message.body
    assert Notice.objects.filter(kind="edited").count() == 4  # two edits, two leads

    mail.outbox.clear()
    services.send_due()
    assert mail.outbox == []
    # The next edit is news again.
    edit(partner_user, pilot, summary="Changed once more.")
    services.send_due()
    assert len(mail.outbox) == 2


def test_an_edit_by_a_lead_sends_nothing(leads: tuple[Any, Any]) -> None:
    owner, org_admin = leads
    pilot = add(owner)
    edit(owner, pilot, title="Renamed by the person who added it")
    edit(org_admin, pilot, title="Renamed by the lead's administrator")
    services.send_due()
    assert mail.outbox == []


def test_archiving_by_someone_else_is_news_too(leads: tuple[Any, Any], partner_user: Any) -> None:
    owner, _ = leads
    pilot = add(owner)
    register.archive_collaboration(partner_user, pilot)
    services.send_due()
    assert len(mail.outbox) == 2
    assert f"Archived by {partner_user.email}" in mail.outbox[0].body


def test_old_edits_are_not_dug_up(owner: Any, partner_user: Any) -> None:
    pilot = add(owner)
    edit(partner_user, pilot, title="Long ago")
    later = timezone.now() + services.EDITS_LOOK_BACK + dt.timedelta(hours=1)
    services.send_due(now=later)
    assert mail.outbox == []


# Who gets what ---------------------------------------------------------------------------------


def test_a_person_who_turned_a_notice_off_does_not_get_it(
    leads: tuple[Any, Any], partner_user: Any
) -> None:
    owner, org_admin = leads
    people.set_notices_off(owner, ["funding_ending"])
    pilot = add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    edit(partner_user, pilot, title="Renamed by a partner")
    services.send_due()
    assert sorted((m.to[0], m.subject.split()[0]) for m in mail.outbox) == [
        (org_admin.email, "Funding"),
        (org_admin.email, "Renamed"),
        (owner.email, "Renamed"),  # still gets the other kinds
    ]
    # Turned on again, the notice not sent is sent.
    people.set_notices_off(owner, [])
    mail.outbox.clear()
    services.send_due()
    assert [m.to[0] for m in mail.outbox] == [owner.email]


def test_deactivated_leads_get_nothing(leads: tuple[Any, Any], platform_admin: Any) -> None:
    owner, org_admin = leads
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    people.set_active(platform_admin, owner, active=False)
    services.send_due()
    assert [m.to[0] for m in mail.outbox] == [org_admin.email]


def test_a_lead_who_may_no_longer_see_the_record_is_not_told_of_it(
    owner: Any, platform_admin: Any
) -> None:
    """The person who added it has moved to an organisation that is not a partner."""
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    owner.organisation = organisation("E23000030")
    people.save_person(owner, actor=platform_admin, created=False)
    services.send_due()
    assert mail.outbox == []


def test_an_administrator_of_the_other_partner_is_not_a_lead(owner: Any) -> None:
    emas_admin, _ = people.add_user(
        email="admin@emas.test",
        organisation_code="RX9",
        role="org_admin",
        password="correct-horse-battery-staple",
        actor="test",
    )
    pilot = add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    services.send_due()
    assert [m.to[0] for m in mail.outbox] == [owner.email]
    assert services.leads_of([pilot.pk]) == {pilot.pk: [owner]}
    assert emas_admin.is_active


# The command -----------------------------------------------------------------------------------


def test_a_dry_run_lists_what_would_be_sent_and_sends_nothing(
    leads: tuple[Any, Any], capsys: Any
) -> None:
    owner, _ = leads
    pilot = add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    assert accord(["notify", "due", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Would send: Funding ending within 3 months: {pilot.reference} to {owner.email}" in out
    assert "Would send 2 notices to 2 people." in out
    assert mail.outbox == [] and Notice.objects.count() == 0


def test_the_command_sends_and_a_second_run_sends_nothing(owner: Any, capsys: Any) -> None:
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))
    assert accord(["notify", "due"]) == 0
    assert "Sent 1 notice to 1 person." in capsys.readouterr().out
    assert accord(["notify", "due"]) == 0
    assert "Sent 0 notices to 0 people." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_command_counts_from_another_day_when_asked(owner: Any, capsys: Any) -> None:
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=200))
    later = (TODAY + dt.timedelta(days=150)).isoformat()
    assert accord(["notify", "due", "--today", later]) == 0
    assert len(mail.outbox) == 1


def test_an_email_that_cannot_be_sent_is_tried_again_next_time(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(owner, funding_ends_on=TODAY + dt.timedelta(days=20))

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(core_email, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        services.send_due()
    assert Notice.objects.count() == 0
    monkeypatch.undo()
    services.send_due()
    assert len(mail.outbox) == 1


# The kernel's email --------------------------------------------------------------------------


def test_emails_are_plain_text_without_html_escaping(db: Any) -> None:
    make_person("owner")
    sent = core_email.send(
        ["someone@example.test"],
        "Fire & Rescue\nnews",
        "notices/email/footer.txt",
        {
            "kind_label": "Fire & Rescue <notices>",
            "account_link": core_email.site_url("/accounts/"),
        },
    )
    assert sent == 1
    (message,) = mail.outbox
    assert message.subject == "Fire & Rescue news"
    assert '"Fire & Rescue <notices>"' in message.body
    assert f"{SITE}/accounts/" in message.body
    assert message.from_email == "Accord <accord@localhost>"
