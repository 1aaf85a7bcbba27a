"""Email: plain text, rendered from a template and sent through Django's email backend.

Every email Accord sends goes through `send`: password resets, invitations to set a password,
notices, and (the assessments app's) survey invitations and reminders. The backend is chosen
by `ACCORD_EMAIL_BACKEND` (the console on a laptop, SMTP in production); links in emails start
with `ACCORD_SITE_URL`, never with the Host header of whatever request caused them, so that a
forged Host cannot send someone a link to another site.

The notices a person may turn off are registered here by the apps that send them (in their
`AppConfig.ready()`, as panels are), so that a person's account page can offer them without
knowing those apps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, engines
from django.template.backends.django import DjangoTemplates


def site_url(path: str = "/") -> str:
    """The address of a page of this site, for a link in an email."""
    base = str(getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + "/" + path.lstrip("/")


def render_text(template: str, context: Mapping[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping: an email is not a web page, and
    "Fire & Rescue" must not arrive as "Fire &amp; Rescue"."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    compiled = backend.engine.get_template(template)
    values = {"site_url": site_url(), **context}
    return compiled.render(Context(values, autoescape=False))


def send(
    to: str | Sequence[str],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    *,
    reply_to: Sequence[str] = (),
) -> int:
    """Render `template` (a plain-text template) with `context` and send it to `to`.

    Each address in `to` gets the same message, addressed to all of them: send one email a
    person (call this once each) when what it says is that person's own, such as a link.
    Returns how many messages were sent (0 or 1). Errors from the backend are raised, so that
    a caller keeping a record of what was sent can roll that record back.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    # One line, whatever the caller passed: a new line in a subject would start a header.
    subject = " ".join(subject.split())
    message = EmailMessage(
        subject=subject,
        body=render_text(template, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=list(reply_to) or None,
    )
    return message.send(fail_silently=False)


# The notices a person may turn off -----------------------------------------------------------


@dataclass(frozen=True)
class NoticeKind:
    """An email a person gets unless they turn it off on their account page."""

    code: str
    label: str
    hint: str = ""
    order: int = 100


_NOTICE_KINDS: dict[str, NoticeKind] = {}


def register_notice(code: str, label: str, *, hint: str = "", order: int = 100) -> NoticeKind:
    """Offer a notice on the account page (or replace the one with the same code)."""
    kind = NoticeKind(code, label, hint, order)
    _NOTICE_KINDS[code] = kind
    return kind


def notice_kinds() -> list[NoticeKind]:
    return sorted(_NOTICE_KINDS.values(), key=lambda kind: (kind.order, kind.code))


def wants_notice(person: Any, code: str) -> bool:
    """Whether this person still gets this notice: active, with an address, and not turned off."""
    if not getattr(person, "is_active", False) or not getattr(person, "email", ""):
        return False
    return code not in (getattr(person, "notices_off", None) or [])
