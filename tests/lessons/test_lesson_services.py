"""Each change of a lesson's state, with a person who may make it and one who may not; the
audit events; who sees what; actions, lessons learned, reminders and action notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from tests.support.lessons_factories import (
    SECRET_EMAIL,
    SECRET_NAME,
    lesson_data,
    make_lesson,
    secret_spans,
)
from tests.support.people import make_person

from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.lessons import services
from accord.lessons.models import ActionNote, Lesson

pytestmark = pytest.mark.django_db


def events(lesson: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="lessons.lesson", object_id=str(lesson.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_a_contributor_writes_a_draft_and_a_reader_may_not(owner: Any, colleague: Any) -> None:
    lesson = services.create_lesson(owner, lesson_data())
    assert lesson.state == "draft" and lesson.organisation_id == owner.organisation_id
    assert events(lesson) == ["lesson.create"]
    with pytest.raises(PermissionRefused):
        services.create_lesson(colleague, lesson_data())


def test_wrong_fields_are_named(owner: Any) -> None:
    with pytest.raises(Problems) as raised:
        services.create_lesson(
            owner,
            lesson_data(kind="anecdote", title="", principles=["co-operate"], occurred_on=None),
        )
    assert {p.field for p in raised.value.problems} == {
        "kind",
        "title",
        "principles",
        "occurred_on",
    }


def test_the_submitter_submits_and_nobody_else(
    owner: Any, moderator: Any, partner_user: Any
) -> None:
    lesson = make_lesson(owner)
    for other in (moderator, partner_user):
        with pytest.raises(PermissionRefused):
            services.submit(other, lesson)
    lesson = services.submit(owner, lesson)
    assert lesson.state == "submitted"
    assert events(lesson)[-1] == "lesson.submit"
    (email,) = mail.outbox
    assert email.to == [moderator.email]
    assert SECRET_NAME not in email.body


def test_the_organisations_moderator_publishes_with_redactions(
    owner: Any, moderator: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    mail.outbox.clear()
    for other in (owner, partner_user, outsider):
        with pytest.raises(PermissionRefused):
            services.review(other, lesson, decision="publish", redactions=[])
    lesson = services.review(moderator, lesson, decision="publish", redactions=secret_spans(lesson))
    assert lesson.state == "published"
    assert SECRET_NAME not in lesson.published_what_happened
    assert "[redacted]" in lesson.published_what_happened
    assert lesson.what_happened.count(SECRET_NAME) == 1  # the original is kept
    assert events(lesson)[-2:] == ["lesson.redact", "lesson.publish"]
    (email,) = mail.outbox
    assert email.to == [owner.email] and SECRET_NAME not in email.body


def test_a_return_needs_a_reason_and_the_submitter_may_submit_again(
    owner: Any, moderator: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    with pytest.raises(Problems) as raised:
        services.review(moderator, lesson, decision="return", reason=" ")
    assert raised.value.problems[0].field == "reason"
    lesson = services.review(moderator, lesson, decision="return", reason="Name the talkgroup")
    assert (lesson.state, lesson.return_reason) == ("returned", "Name the talkgroup")
    lesson = services.update_lesson(owner, lesson, lesson_data(why="TG 5 was missing."))
    assert services.submit(owner, lesson).state == "submitted"
    assert events(lesson)[-3:] == ["lesson.return", "lesson.edit", "lesson.submit"]


def test_only_the_submitter_edits_and_only_a_draft_or_returned(owner: Any, moderator: Any) -> None:
    lesson = make_lesson(owner)
    with pytest.raises(PermissionRefused):
        services.update_lesson(moderator, lesson, lesson_data())
    lesson = services.submit(owner, lesson)
    with pytest.raises(PermissionRefused):
        services.update_lesson(owner, lesson, lesson_data())


def test_a_public_lesson_also_needs_a_platform_moderator(
    owner: Any, moderator: Any, platform_admin: Any
) -> None:
    lesson = make_lesson(owner, state="submitted", audience="public")
    mail.outbox.clear()
    lesson = services.review(moderator, lesson, decision="publish", redactions=secret_spans(lesson))
    assert lesson.state == "submitted" and lesson.approved_by_id == moderator.pk
    assert [m.to for m in mail.outbox] == [[platform_admin.email]]
    with pytest.raises(PermissionRefused):
        services.review(moderator, lesson, decision="publish")
    lesson = services.review(platform_admin, lesson, decision="publish")
    assert lesson.state == "published"
    assert SECRET_NAME not in lesson.published_what_happened
    assert events(lesson)[-3:] == ["lesson.redact", "lesson.approve", "lesson.publish"]


def test_withdrawn_by_the_submitter_or_a_moderator_not_by_others(
    owner: Any, moderator: Any, colleague: Any, partner_user: Any
) -> None:
    first = make_lesson(owner, state="published", moderator=moderator)
    for other in (colleague, partner_user):
        with pytest.raises(PermissionRefused):
            services.withdraw(other, first)
    assert services.withdraw(owner, first).state == "withdrawn"
    second = make_lesson(owner, state="submitted")
    assert services.withdraw(moderator, second).state == "withdrawn"
    assert events(second)[-1] == "lesson.withdraw"
    with pytest.raises(PermissionRefused):
        services.withdraw(owner, second)
    assert not Lesson.objects.visible_to(partner_user).filter(pk=first.pk).exists()


def test_only_published_lessons_reach_beyond_the_submitter_and_moderators(
    owner: Any, moderator: Any, colleague: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="submitted", audience="signed_in")
    for person, sees in (
        (owner, True),
        (moderator, True),
        (colleague, False),
        (partner_user, False),
    ):
        assert Lesson.objects.visible_to(person).filter(pk=lesson.pk).exists() is sees
    services.review(moderator, lesson, decision="publish", redactions=[])
    for person in (colleague, partner_user, outsider):
        assert Lesson.objects.visible_to(person).filter(pk=lesson.pk).exists()
    assert not Lesson.objects.visible_to(None).filter(pk=lesson.pk).exists()


@pytest.mark.parametrize(
    ("audience", "partner_sees", "outsider_sees", "colleague_sees"),
    [
        ("organisation", False, False, True),
        ("partners", True, False, True),
        ("signed_in", True, True, True),
        ("public", True, True, True),
    ],
)
def test_the_audience_decides_who_sees_a_published_lesson(
    owner: Any,
    moderator: Any,
    colleague: Any,
    partner_user: Any,
    outsider: Any,
    platform_admin: Any,
    audience: str,
    partner_sees: bool,
    outsider_sees: bool,
    colleague_sees: bool,
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator, audience=audience)
    if audience == "public":
        lesson = services.review(platform_admin, lesson, decision="publish")
    seen = {
        p.email: Lesson.objects.visible_to(p).filter(pk=lesson.pk).exists()
        for p in (partner_user, outsider, colleague)
    }
    assert seen == {
        partner_user.email: partner_sees,
        outsider.email: outsider_sees,
        colleague.email: colleague_sees,
    }


def test_partners_of_the_collaboration_see_a_partners_lesson(
    owner: Any, moderator: Any, collaboration: Any, partner_user: Any
) -> None:
    lesson = make_lesson(
        owner,
        state="published",
        moderator=moderator,
        audience="partners",
        organisations=["E31000025"],
        collaboration=collaboration,
    )
    assert Lesson.objects.visible_to(partner_user).filter(pk=lesson.pk).count() == 1


def test_suggested_redactions_for_moderators_only(
    owner: Any, moderator: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    spans = services.suggested_redactions(moderator, lesson)
    assert ("email", SECRET_EMAIL) in [(s.kind, s.text) for s in spans]
    for other in (owner, outsider):
        with pytest.raises(PermissionRefused):
            services.suggested_redactions(other, lesson)


def test_actions_owner_completion_and_lesson_learned(
    owner: Any, moderator: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator)
    mail.outbox.clear()
    with pytest.raises(PermissionRefused):
        services.add_action(outsider, lesson, title="x", owner_email=partner_user.email, due=None)
    with pytest.raises(Problems) as raised:
        services.add_action(owner, lesson, title="", owner_email="nobody@x.test", due=None)
    assert {p.field for p in raised.value.problems} == {"title", "owner", "due"}
    action = services.add_action(
        owner,
        lesson,
        title="Load talkgroups",
        owner_email=partner_user.email,
        due=dt.date(2030, 1, 1),
    )
    (email,) = mail.outbox
    assert email.to == [partner_user.email] and SECRET_NAME not in email.body
    assert not services.learned([action])
    with pytest.raises(PermissionRefused):
        services.complete_action(outsider, action, evidence="done")
    with pytest.raises(Problems):
        services.complete_action(partner_user, action, evidence="")
    action = services.complete_action(partner_user, action, evidence="All 240 handsets loaded")
    assert action.status == "done" and services.learned([action])
    assert AuditEvent.objects.filter(object_type="lessons.action").count() == 2


def test_notify_due_reminds_each_overdue_owner_once_a_day(
    owner: Any, moderator: Any, partner_user: Any
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator)
    services.add_action(
        owner, lesson, title="Overdue", owner_email=partner_user.email, due=dt.date(2025, 1, 1)
    )
    services.add_action(
        owner, lesson, title="Not yet", owner_email=partner_user.email, due=dt.date(2099, 1, 1)
    )
    mail.outbox.clear()
    assert services.notify_due(dt.date(2026, 1, 1)) == 1
    assert mail.outbox[0].to == [partner_user.email] and "Overdue" in mail.outbox[0].subject
    assert services.notify_due(dt.date(2026, 1, 1)) == 0
    assert services.notify_due(dt.date(2026, 1, 2)) == 1


def test_a_recurring_theme_raises_one_action_note(
    owner: Any, moderator: Any, platform_admin: Any
) -> None:
    other_moderator = make_person("outsider")  # a contributor at Hampshire police
    other_moderator.role = "moderator"
    for day in (1, 2):
        make_lesson(
            owner,
            state="published",
            moderator=moderator,
            occurred_on=dt.date(2025, 1, day),
            principles=["co-locate"],
            factors=[],
        )
    assert ActionNote.objects.count() == 0
    lesson = services.create_lesson(
        other_moderator,
        lesson_data(occurred_on=dt.date(2025, 6, 1), principles=["co-locate"], factors=[]),
    )
    services.submit(other_moderator, lesson)
    services.review(other_moderator, lesson, decision="publish", redactions=[])
    notes = list(ActionNote.objects.all())
    assert [n.theme for n in notes] == ["co-locate"]
    assert notes[0].lessons.count() == 3
    with pytest.raises(PermissionRefused):
        services.issue_note(moderator, notes[0], text="Report", report_by=dt.date(2026, 1, 1))
    note = services.issue_note(
        platform_admin, notes[0], text="Report back", report_by=dt.date(2026, 1, 1)
    )
    reply = services.reply_to_note(owner, note, text="We now co-locate on day one.")
    assert reply.organisation_id == owner.organisation_id
    assert services.raise_action_notes("test") == []


def test_a_person_who_turned_a_notice_off_gets_none(owner: Any, moderator: Any) -> None:
    from accord.core.email import notice_kinds

    assert {services.NOTICE_SUBMITTED, services.NOTICE_REVIEWED, services.NOTICE_ACTION} <= {
        kind.code for kind in notice_kinds()
    }
    moderator.notices_off = [services.NOTICE_SUBMITTED]
    moderator.save(update_fields=["notices_off"])
    from accord.core import audit

    audit.record(actor="test", action="user.notices", obj=moderator)
    make_lesson(owner, state="submitted")
    assert mail.outbox == []
