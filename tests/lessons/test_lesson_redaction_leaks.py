"""A redacted string cannot be found by any other reader through any route: the lesson's
page, the list, search, the collaboration's panel, every export (pages and command line), the
API (one, list, search), the emails sent, the audit log, and an attachment's name."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from tests.support.lessons_factories import SECRET_EMAIL, make_lesson

from accord.cli import main as accord
from accord.core.models import AuditEvent
from accord.lessons import exports, services

pytestmark = pytest.mark.django_db

SECRETS = ("Zebedee", "Quartermaine", SECRET_EMAIL)


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def bearer(person: Any) -> dict[str, Any]:
    from accord.orgs import services as people

    _, plain = people.create_token(person, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.fixture
def redacted(owner: Any, moderator: Any, platform_admin: Any, collaboration: Any) -> Any:
    from tests.support.lessons_factories import secret_spans

    from accord.lessons.redaction import Span

    lesson = make_lesson(
        owner,
        state="submitted",
        audience="public",
        collaboration=collaboration,
        title="Talkgroups for Zebedee Quartermaine's crew",
    )
    title = lesson.title
    start = title.index("Zebedee")
    spans = [*secret_spans(lesson), Span("title", start, start + len("Zebedee Quartermaine"))]
    attachment = services.add_attachment(
        owner, lesson, name="Zebedee Quartermaine's notes.pdf", data=b"%PDF-1.4 notes"
    )
    lesson = services.review(
        moderator,
        lesson,
        decision="publish",
        redactions=spans,
        attachments_published=[attachment.pk],
    )
    lesson = services.review(platform_admin, lesson, decision="publish")
    assert lesson.state == "published"
    return lesson


def test_every_route_gives_other_readers_the_redacted_text_only(
    client: Client,
    redacted: Any,
    owner: Any,
    partner_user: Any,
    outsider: Any,
    platform_admin: Any,
    collaboration: Any,
    capsys: Any,
) -> None:
    lesson = redacted
    pk = lesson.pk
    seen: dict[str, str] = {}
    for who in (None, partner_user, outsider, platform_admin):
        client.logout()
        if who is not None:
            client.force_login(who)
        name = "anonymous" if who is None else who.email
        seen[f"{name} page"] = client.get(f"/lessons/{pk}/").content.decode()
        seen[f"{name} list"] = client.get("/lessons/").content.decode()
        seen[f"{name} search"] = client.get("/lessons/?q=talkgroups").content.decode()
        assert f"/lessons/{pk}/" in seen[f"{name} search"], name
        for word in ("Zebedee", "Quartermaine", "zebedee.quartermaine"):
            found = client.get(f"/lessons/?q={word}").content.decode()
            assert "0 lessons" in found, (name, word)
            api = client.get(f"/api/lessons?q={word}").json()
            assert api["count"] == 0, (name, word)
        for fmt in ("csv", "json"):
            seen[f"{name} export {fmt}"] = b"".join(
                client.get(f"/lessons/export/?format={fmt}").streaming_content
            ).decode()
        seen[f"{name} export xlsx"] = xlsx_text(
            b"".join(client.get("/lessons/export/?format=xlsx").streaming_content)
        )
        download = client.get(f"/lessons/attachments/{lesson.attachments.get().pk}/")
        assert download.status_code == 200, name
        seen[f"{name} attachment name"] = download["Content-Disposition"]
        seen[f"{name} api one"] = json.dumps(client.get(f"/api/lessons/{pk}").json())
        seen[f"{name} api list"] = json.dumps(client.get("/api/lessons").json())
        if who is not None:
            seen[f"{name} collaboration"] = client.get(
                f"/collaborations/{collaboration.reference}/"
            ).content.decode()
    seen["token api"] = json.dumps(client.get(f"/api/lessons/{pk}", **bearer(outsider)).json())
    client.force_login(platform_admin)
    seen["audit log page"] = client.get("/audit/").content.decode()
    seen["audit events"] = json.dumps(
        list(AuditEvent.objects.values("object_label", "before", "after")), default=str
    )
    seen["emails"] = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    for fmt in ("csv", "json"):
        assert accord(["export", "lessons", "--format", fmt]) == 0
        seen[f"command line {fmt}"] = capsys.readouterr().out
    assert "[redacted]" in seen["command line csv"]
    seen["module export"] = exports.render(services.visible_lessons(owner), "csv").decode()
    leaked = {where: found for where, text in seen.items() if (found := leaks(text))}
    assert leaked == {}
    assert "[redacted]" in seen[f"{outsider.email} page"]


def test_the_submitter_and_moderators_still_read_the_original(
    client: Client, redacted: Any, owner: Any, moderator: Any, colleague: Any
) -> None:
    for person, reads in ((owner, True), (moderator, True), (colleague, False)):
        client.force_login(person)
        page = client.get(f"/lessons/{redacted.pk}/").content.decode()
        assert bool(leaks(page)) is reads, person.email
