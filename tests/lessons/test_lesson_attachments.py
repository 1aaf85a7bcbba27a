"""Attachments: type checked by content, size-limited, always downloaded (never inline), the
original name only for those who read the lesson's original, and reaching others only once a
moderator publishes them at review."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.support.lessons_factories import SECRET_EMAIL, SECRET_NAME, make_lesson

from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.lessons import attachments, services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%a debrief\n"
NAME = "Debrief by Zebedee Quartermaine.pdf"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("a.pdf", PDF, "PDF"),
        ("a.png", b"\x89PNG\r\n\x1a\nrest", "PNG image"),
        ("a.JPG", b"\xff\xd8\xff\xe0rest", "JPEG image"),
        ("a.docx", docx(), "Word document"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Office document (97-2003)"),
    ],
)
def test_kinds_are_known_by_content(name: str, data: bytes, label: str) -> None:
    assert attachments.check(name, data).label == label


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", b"<html><script>alert(1)</script>"),  # a page called a PDF
        ("a.exe", b"MZ\x90\x00"),
        ("a.docx", PDF),  # a PDF called a Word document
        ("a.zip", b"PK\x03\x04not an office file"),
        ("a.pdf", b""),
    ],
)
def test_anything_else_is_refused(name: str, data: bytes) -> None:
    with pytest.raises(Problems) as raised:
        attachments.check(name, data)
    assert raised.value.problems[0].field == "file"


def test_too_large_is_refused() -> None:
    with pytest.raises(Problems) as raised:
        attachments.check("a.pdf", PDF + b"x" * attachments.MAX_BYTES)
    assert raised.value.refused


def test_only_the_submitter_and_moderators_attach(
    owner: Any, moderator: Any, partner_user: Any
) -> None:
    lesson = make_lesson(owner)
    with pytest.raises(PermissionRefused):
        services.add_attachment(partner_user, lesson, name="a.pdf", data=PDF)
    attachment = services.add_attachment(moderator, lesson, name=NAME, data=PDF)
    event = AuditEvent.objects.get(object_type="lessons.attachment", object_id=str(attachment.pk))
    assert "Zebedee" not in str(event.after) and "Zebedee" not in event.object_label


def test_others_reach_it_only_once_published_and_never_by_its_name(
    client: Client, owner: Any, moderator: Any, partner_user: Any, outsider: Any
) -> None:
    lesson = make_lesson(owner, state="submitted")
    attachment = services.add_attachment(owner, lesson, name=NAME, data=PDF)
    held = services.add_attachment(owner, lesson, name="held.pdf", data=PDF)
    path = f"/lessons/attachments/{attachment.pk}/"
    client.force_login(partner_user)
    assert client.get(path).status_code == 404
    client.force_login(moderator)
    review = client.get(f"/lessons/{lesson.pk}/review/").content.decode()
    assert NAME in review
    response = client.post(
        f"/lessons/{lesson.pk}/review/",
        {
            "decision": "publish",
            "extra": f"{SECRET_NAME}\n{SECRET_EMAIL}",
            "attachments": [str(attachment.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(partner_user)
    page = client.get(f"/lessons/{lesson.pk}/").content.decode()
    assert "Zebedee" not in page and f"lesson-{lesson.pk}-attachment-{attachment.pk}.pdf" in page
    download = client.get(path)
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Zebedee" not in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/lessons/attachments/{held.pk}/").status_code == 404
    client.force_login(outsider)  # signed-in lesson: sees it, and the published file
    assert client.get(path).status_code == 200
    client.force_login(owner)
    assert "Zebedee" in client.get(path)["Content-Disposition"]
    upload = SimpleUploadedFile("notes.txt", b"plain text")
    refused = client.post(f"/lessons/{lesson.pk}/attachments/new/", {"file": upload})
    assert refused.status_code == 200 and "must be a PDF" in refused.content.decode()
    assert client.post(f"/lessons/attachments/{held.pk}/remove/").status_code == 302
    assert not lesson.attachments.filter(pk=held.pk).exists()
