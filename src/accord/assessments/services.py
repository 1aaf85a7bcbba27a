"""Every change to assessments: frameworks, rounds, invitations, responses.

Each function checks permission, writes inside one transaction and records the audit event.
Anonymous rounds are the exception that proves the rule: a response to an anonymous round is
not audited one by one (an event's time and order would link it to the person), see
docs/assessments.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accord.core import audit, safe_yaml
from accord.core import email as mail
from accord.core.actors import user_or_none
from accord.core.problems import NotVisible, PermissionRefused, Problem, Problems
from accord.core.uploads import import_max_bytes
from accord.orgs.models import Organisation
from accord.register import services as register

from .framework import (
    Framework,
    FrameworkError,
    parse_framework,
    shipped_frameworks,
)
from .models import (
    FrameworkVersion,
    Invitation,
    Response,
    ResponseSource,
    Round,
    SurveyEmail,
    SurveyEmailKind,
)
from .responses import parse_answer

if TYPE_CHECKING:
    from accord.register.models import Collaboration

__all__ = ["FrameworkRefused", "NotVisible", "PermissionRefused", "Problems", "RoundClosed"]


class RoundClosed(Exception):
    """The round is not open for answers.

    A domain state, not a refusal of permission: the person holds a good link, and the survey
    page answers with "this survey has closed" (410 Gone once closed), which a 403 would not say.
    """


class FrameworkRefused(Problems):
    """An uploaded framework was not added: every reason, as the kernel's :class:`Problems`."""


# Tokens ------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_hash(token: str) -> str:
    return hashlib.sha256(("invitation:" + token).encode("utf-8")).hexdigest()


def response_hash(token: str) -> str:
    return hashlib.sha256(("response:" + token).encode("utf-8")).hexdigest()


# Permission --------------------------------------------------------------------------------


def can_manage(user: Any, collaboration: Collaboration) -> bool:
    """Start rounds, invite, import responses and see invitation lists."""
    return register.can_edit(user, collaboration)


def can_start_round(user: Any, collaboration: Collaboration) -> bool:
    """Whoever may manage rounds, while the collaboration is not archived."""
    return collaboration.archived_at is None and can_manage(user, collaboration)


def can_add_frameworks(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


def get_collaboration(user: Any, reference: str) -> Collaboration:
    return register.get_visible(user, reference)


def get_round(user: Any, round_id: int) -> Round:
    """The round, or NotVisible (a 404) where it does not exist or its collaboration is hidden
    from this person: the two are not told apart."""
    # One query decides both, so that a hidden round costs exactly what a missing one does
    # (two queries for a hidden round took measurably longer, and so told it apart).
    found = (
        Round.objects.select_related("collaboration", "framework")
        .filter(pk=round_id, collaboration__in=register.visible_collaborations(user).values("pk"))
        .first()
    )
    if found is None:
        raise NotVisible("round")
    return found


# Frameworks --------------------------------------------------------------------------------


def _in_use(version: FrameworkVersion) -> bool:
    return Round.objects.filter(framework=version).exists()


def _store_framework(
    actor: Any, framework: Framework, *, shipped: bool
) -> tuple[FrameworkVersion, str]:
    """Create or (if unused) update the row for this id and version: (row, what happened)."""
    definition = framework.to_dict()
    existing = FrameworkVersion.objects.filter(key=framework.id, version=framework.version).first()
    if existing is None:
        row = FrameworkVersion.objects.create(
            key=framework.id,
            version=framework.version,
            title=framework.title,
            definition=definition,
            shipped=shipped,
        )
        audit.record(
            actor=actor,
            action="framework.create",
            obj=row,
            after={"key": row.key, "version": row.version, "title": row.title},
        )
        return row, "created"
    if existing.definition == definition:
        return existing, "unchanged"
    if _in_use(existing):
        return existing, "in use"
    before = {"key": existing.key, "version": existing.version, "title": existing.title}
    existing.title = framework.title
    existing.definition = definition
    existing.save(update_fields=["title", "definition"])
    audit.record(
        actor=actor,
        action="framework.update",
        obj=existing,
        before=before,
        after={"key": existing.key, "version": existing.version, "title": existing.title},
    )
    return existing, "updated"


def load_shipped_frameworks(actor: Any = "system") -> list[FrameworkVersion]:
    """Load the frameworks shipped with Accord. Idempotent: an unchanged one is left alone, and
    one in use by a round is never changed (ship a new version instead)."""
    rows = []
    with transaction.atomic():
        for framework in shipped_frameworks():
            row, _ = _store_framework(actor, framework, shipped=True)
            rows.append(row)
    return rows


def add_framework(actor: Any, text: str | bytes, filename: str) -> tuple[FrameworkVersion, str]:
    """Add a framework from uploaded YAML: (row, "created" | "updated" | "unchanged").

    Raises FrameworkRefused with every problem (path and reason), or when that id and version
    is already used by a round and the upload differs from it.
    """
    if not can_add_frameworks(actor):
        raise PermissionRefused("Only platform administrators may add frameworks.")
    if isinstance(text, bytes):
        try:
            text = safe_yaml.decode(text)
        except safe_yaml.YamlRefused as exc:
            raise FrameworkRefused([Problem(str(exc), source=filename, refused=True)]) from exc
    try:
        data = safe_yaml.load(text, max_bytes=import_max_bytes())
    except safe_yaml.YamlRefused as exc:
        raise FrameworkRefused([Problem(str(exc), source=filename, refused=True)]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkRefused(
            [Problem(f"{where}not valid YAML: {problem}", source=filename)]
        ) from exc
    try:
        framework = parse_framework(data, filename)
    except FrameworkError as exc:
        raise FrameworkRefused(exc.problems) from exc
    with transaction.atomic():
        row, outcome = _store_framework(actor, framework, shipped=False)
    if outcome == "in use":
        raise FrameworkRefused(
            [
                Problem(
                    f"version {framework.version} of {framework.id!r} is already used by an "
                    "assessment round, so it cannot be changed. Raise the version (for example "
                    f"to {_next_version(framework.id)}) to add the changed framework as a new "
                    "version.",
                    field="version",
                    source=filename,
                )
            ]
        )
    return row, outcome


def _next_version(key: str) -> int:
    latest = FrameworkVersion.objects.filter(key=key).order_by("-version").first()
    return (latest.version if latest else 0) + 1


def frameworks_with_use() -> list[FrameworkVersion]:
    return list(
        FrameworkVersion.objects.annotate(
            in_use=Exists(Round.objects.filter(framework=OuterRef("pk")))
        ).order_by("key", "-version")
    )


# Rounds ------------------------------------------------------------------------------------


@dataclass
class RoundData:
    title: str
    framework: FrameworkVersion
    opens_on: dt.date
    closes_on: dt.date
    anonymous: bool = True
    description: str = ""


def _round_snapshot(found: Round) -> dict[str, Any]:
    return {
        "collaboration": found.collaboration.reference,
        "framework": f"{found.framework.key} v{found.framework.version}",
        "title": found.title,
        "description": found.description,
        "opens_on": found.opens_on.isoformat(),
        "closes_on": found.closes_on.isoformat(),
        "anonymous": found.anonymous,
        "k": int(settings.DISCLOSURE_THRESHOLD),
    }


def create_round(
    actor: Any,
    collaboration: Collaboration,
    data: RoundData,
    *,
    today: dt.date | None = None,
    past_allowed: bool = False,
) -> Round:
    """Start a round. Refused for an archived collaboration, and for dates that close before
    today: nobody could answer. ``past_allowed`` is for recording rounds that really happened
    (the demo's, and tests'); no page offers it."""
    if not can_manage(actor, collaboration):
        raise PermissionRefused("You may not start assessment rounds for this collaboration.")
    if collaboration.archived_at is not None:
        raise PermissionRefused(
            "This collaboration is archived, so it cannot have new assessment rounds. Restore "
            "it first if it is still going on."
        )
    today = today or timezone.localdate()
    if data.closes_on < data.opens_on:
        raise Problems(
            [
                Problem(
                    "Closing date must be the same as or after the opening date",
                    field="closes_on",
                )
            ]
        )
    if data.closes_on < today and not past_allowed:
        raise Problems([Problem("Closing date must be today or in the future", field="closes_on")])
    with transaction.atomic():
        created = Round.objects.create(
            collaboration=collaboration,
            framework=data.framework,
            title=data.title,
            description=data.description,
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            anonymous=data.anonymous,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="assessment_round.create",
            obj=created,
            after=_round_snapshot(created),
        )
    return created


# Invitations -------------------------------------------------------------------------------


@dataclass
class Invitee:
    email: str
    organisation: Organisation
    level: str
    line: int = 0


@dataclass
class NewLink:
    email: str
    organisation: str
    level: str
    token: str


def invite(actor: Any, found: Round, invitees: list[Invitee]) -> list[NewLink]:
    """Create one invitation per person and return their plain tokens, which are not stored:
    the caller shows them once. All or nothing: a repeated email refuses the whole list."""
    if not can_manage(actor, found.collaboration):
        raise PermissionRefused("You may not invite people to this round.")
    problems: list[Problem] = []
    existing = set(Invitation.objects.filter(round=found).values_list("email", flat=True))
    partners = set(found.collaboration.partners.values_list("organisation_id", flat=True))
    seen: dict[str, int] = {}
    for index, person in enumerate(invitees, start=1):
        # A person from a file is named by its row; one typed in a list by their place in it.
        where: dict[str, Any] = (
            {"row": person.line} if person.line else {"row": index, "row_word": "Person"}
        )
        email = person.email.strip().lower()
        if email in existing:
            problems.append(
                Problem(f"{email} is already invited to this round", field="email", **where)
            )
        if email in seen:
            problems.append(
                Problem(f"{email} is repeated (first at {seen[email]})", field="email", **where)
            )
        seen.setdefault(email, person.line or index)
        if person.organisation.pk not in partners:
            problems.append(
                Problem(
                    f"{person.organisation.name} is not a partner of this collaboration",
                    field="organisation",
                    **where,
                )
            )
    if problems:
        raise Problems(problems)
    links: list[NewLink] = []
    rows: list[Invitation] = []
    for person in invitees:
        token = new_token()
        rows.append(
            Invitation(
                round=found,
                email=person.email.strip().lower(),
                organisation=person.organisation,
                level=person.level,
                token_hash=invitation_hash(token),
            )
        )
        links.append(
            NewLink(
                email=person.email.strip().lower(),
                organisation=person.organisation.name,
                level=person.level,
                token=token,
            )
        )
    with transaction.atomic():
        Invitation.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="assessment_round.invite",
            obj=found,
            after={"invited": len(rows), "emails": sorted(r.email for r in rows)},
        )
    return links


# Email: invitations with each person's link, and reminders ---------------------------------

INVITATION_EMAIL = "assessments/email/invitation.txt"
REMINDER_EMAIL = "assessments/email/reminder.txt"


def respond_url(token: str) -> str:
    """The personal link as an email gives it: on the configured site, never a request's
    Host (a forged Host header would otherwise send people a link to another site)."""
    from django.urls import reverse

    return mail.site_url(reverse("assessments:respond", args=[token]))


@dataclass
class EmailOutcome:
    sent: int
    failed: list[str] = field(default_factory=list)  # addresses the mail server refused


def _send(to: str, subject: str, template: str, context: dict[str, Any], actor: Any) -> bool:
    reply_to = [actor.email] if getattr(actor, "email", "") else []
    try:
        mail.send(to, subject, template, context, reply_to=reply_to)
    except (OSError, smtplib.SMTPException, ValueError):
        # One refused address must not stop the others; the page lists it.
        return False
    return True


def _email_context(found: Round, actor: Any) -> dict[str, Any]:
    return {
        "round": found,
        "collaboration": found.collaboration,
        "sender": getattr(actor, "email", "") or "",
        "anonymous": found.anonymous,
        "k": int(settings.DISCLOSURE_THRESHOLD),
    }


def email_invitations(
    actor: Any, found: Round, links: list[NewLink], *, today: dt.date | None = None
) -> EmailOutcome:
    """Email each person their own link, just made (the token exists only now: Accord keeps a
    hash). The day each was emailed is kept on the invitation, and the sending is audited."""
    if not can_manage(actor, found.collaboration):
        raise PermissionRefused("You may not invite people to this round.")
    today = today or timezone.localdate()
    context = _email_context(found, actor)
    sent: list[str] = []
    failed: list[str] = []
    for link in links:
        ok = _send(
            link.email,
            f"Survey: {found.title}",
            INVITATION_EMAIL,
            {**context, "link": respond_url(link.token), "organisation": link.organisation},
            actor,
        )
        (sent if ok else failed).append(link.email)
    with transaction.atomic():
        Invitation.objects.filter(round=found, email__in=sent).update(emailed_on=today)
        batch = SurveyEmail.objects.create(
            round=found,
            kind=SurveyEmailKind.INVITATION,
            sent_on=today,
            sent=len(sent),
            failed=len(failed),
            sent_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="assessment_round.email_invitations",
            obj=batch,
            after={
                "round": found.pk,
                "sent": len(sent),
                "failed": sorted(failed),
                "emails": sorted(sent),
            },
        )
    return EmailOutcome(sent=len(sent), failed=failed)


@dataclass
class ReminderState:
    """What the reminders page shows: counts only, never who."""

    not_answered: int
    last_reminder: dt.date | None
    refusal: str  # why a reminder cannot be sent now; "" if it can

    @property
    def can_send(self) -> bool:
        return not self.refusal


def reminder_state(found: Round, *, today: dt.date | None = None) -> ReminderState:
    today = today or timezone.localdate()
    not_answered = Invitation.objects.filter(round=found, responded=False).count()
    last = (
        SurveyEmail.objects.filter(round=found, kind=SurveyEmailKind.REMINDER)
        .order_by("-sent_on")
        .values_list("sent_on", flat=True)
        .first()
    )
    refusal = ""
    if not found.is_open(today):
        refusal = (
            f"This round is {found.state(today)}: reminders can be sent only while it is open."
        )
    elif not not_answered:
        refusal = "Everyone invited has answered: there is nobody to remind."
    elif last == today:
        refusal = (
            "A reminder was sent today. A round's reminders go at most once a day: "
            "send the next one tomorrow."
        )
    return ReminderState(not_answered=not_answered, last_reminder=last, refusal=refusal)


def send_reminders(actor: Any, found: Round, *, today: dt.date | None = None) -> SurveyEmail:
    """Remind every invitation not yet used to answer. Nobody is told who: the page shows
    counts, the audit event a count, and only a day's sending is kept (not to whom).

    The reminder cannot carry the person's link (Accord keeps only its hash, and a new link
    would strand answers saved under the old one): it points them to their invitation.
    """
    if not can_manage(actor, found.collaboration):
        raise PermissionRefused("You may not send reminders for this round.")
    today = today or timezone.localdate()
    state = reminder_state(found, today=today)
    if not state.can_send:
        raise Problems([Problem(state.refusal)])
    try:
        with transaction.atomic():
            # Claiming the day first: the constraint refuses a second claim, from anyone.
            batch = SurveyEmail.objects.create(
                round=found,
                kind=SurveyEmailKind.REMINDER,
                sent_on=today,
                sent_by=user_or_none(actor),
            )
    except IntegrityError as exc:
        raise Problems([Problem(reminder_state(found, today=today).refusal)]) from exc
    context = _email_context(found, actor)
    sent = failed = 0
    try:
        for email, emailed_on in Invitation.objects.filter(
            round=found, responded=False
        ).values_list("email", "emailed_on"):
            ok = _send(
                email,
                f"Reminder: {found.title}",
                REMINDER_EMAIL,
                {**context, "emailed_on": emailed_on},
                actor,
            )
            sent, failed = (sent + 1, failed) if ok else (sent, failed + 1)
    finally:
        with transaction.atomic():
            batch.sent, batch.failed = sent, failed
            batch.save(update_fields=["sent", "failed"])
            audit.record(
                actor=actor,
                action="assessment_round.remind",
                obj=batch,
                after={"round": found.pk, "sent": sent, "failed": failed},
            )
    return batch


# Answering through a personal link ---------------------------------------------------------


def invitation_for_token(token: str) -> Invitation:
    """The invitation behind a link, or NotVisible (a 404) for an unknown token."""
    if not token or len(token) > 100:
        raise NotVisible("link")
    found = (
        Invitation.objects.select_related("round", "round__framework", "round__collaboration")
        .select_related("organisation")
        .filter(token_hash=invitation_hash(token))
        .first()
    )
    if found is None:
        raise NotVisible("link")
    return found


def response_for_token(token: str) -> Response | None:
    return Response.objects.filter(respondent_key=response_hash(token)).first()


def _clean_answers(framework: Framework, given: dict[str, Any]) -> dict[str, int | None]:
    known = set(framework.item_ids)
    cleaned: dict[str, int | None] = {}
    for item, value in given.items():
        if item not in known:
            raise Problems([Problem("is not a statement of this framework", field=repr(item))])
        number, reason = parse_answer(value, framework.scale)
        if reason is not None:
            raise Problems([Problem(reason, field=item)])
        cleaned[item] = None if number != number else int(number)  # NaN: not applicable
    return cleaned


def save_answers(
    token: str,
    answers: dict[str, Any],
    *,
    comment: str | None = None,
    submit: bool = False,
    today: dt.date | None = None,
) -> Response:
    """Save (and with ``submit``, submit) the answers given through a personal link.

    One response per link: a later save updates it, until the round closes. In an anonymous
    round the response keeps no link to the invitation, no person and no time of day, and no
    audit event is written for it.
    """
    invitation = invitation_for_token(token)
    found = invitation.round
    today = today or timezone.localdate()
    if not found.is_open(today):
        raise RoundClosed(f"{found.title} is {found.state(today)}.")
    framework = found.framework.framework
    cleaned = _clean_answers(framework, answers)
    key = response_hash(token)
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(respondent_key=key).first()
        if response is None:
            response = Response(
                round=found,
                respondent_key=key,
                organisation_id=invitation.organisation_id,
                level=invitation.level,
                invitation=None if found.anonymous else invitation,
                source=ResponseSource.LINK,
            )
        merged = dict(response.answers or {})
        merged.update(cleaned)
        response.answers = merged
        if comment is not None:
            response.comment = comment.strip()
        first_submission = submit and not response.submitted
        if submit:
            response.submitted = True
            response.submitted_on = today
        response.save()
        if first_submission and not invitation.responded:
            Invitation.objects.filter(pk=invitation.pk).update(responded=True)
        if submit and not found.anonymous:
            audit.record(
                actor=invitation.email,
                action="assessment_response.submit",
                object_type="assessments.response",
                object_id=str(response.pk),
                object_label=f"Response to {found.title}",
                after={"round": found.pk, "invitation": invitation.pk},
            )
    return response


# Importing responses -----------------------------------------------------------------------


@dataclass
class ImportedResponse:
    line: int
    organisation: Organisation
    level: str
    answers: dict[str, int | None]
    comment: str = ""


@dataclass
class ImportSummary:
    count: int
    by_organisation: dict[str, int] = field(default_factory=dict)


def add_responses(
    actor: Any,
    found: Round,
    rows: list[ImportedResponse],
    *,
    source: str = ResponseSource.IMPORT,
    submitted_on: dt.date | None = None,
    action: str = "assessment_round.import_responses",
    answered: list[str] | None = None,
) -> ImportSummary:
    """Add submitted responses from a file (already parsed and checked), all in one transaction.

    The audit event records how many, from where: not the rows themselves. ``answered`` (the
    demo's) names invitations whose answers these stand for, marked as answered.
    """
    if not can_manage(actor, found.collaboration):
        raise PermissionRefused("You may not import responses to this round.")
    on = submitted_on or timezone.localdate()
    made = [
        Response(
            round=found,
            organisation=row.organisation,
            level=row.level,
            answers=row.answers,
            comment=row.comment,
            submitted=True,
            submitted_on=on,
            source=source,
        )
        for row in rows
    ]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.organisation.code] = counts.get(row.organisation.code, 0) + 1
    with transaction.atomic():
        Response.objects.bulk_create(made)
        if answered:
            Invitation.objects.filter(round=found, email__in=answered).update(responded=True)
        audit.record(
            actor=actor,
            action=action,
            obj=found,
            after={"responses": len(made), "by_organisation": counts, "source": str(source)},
        )
    return ImportSummary(count=len(made), by_organisation=counts)


# Reading frameworks ------------------------------------------------------------------------


def get_framework_version(key: str, version: int) -> FrameworkVersion:
    """One version of a framework (which anyone signed in may read), or NotVisible."""
    found = FrameworkVersion.objects.filter(key=key, version=version).first()
    if found is None:
        raise NotVisible("framework")
    return found


# The three Cs for other apps -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupScores:
    """One round's mean on each group of its framework (the three Cs), as its results page
    shows them, and on each factor: None where disclosure control withholds the figure."""

    round_id: int
    title: str
    opens_on: dt.date
    framework_key: str
    means: dict[str, float | None]
    factors: dict[str, float | None] = field(default_factory=dict)


def group_scores(collaboration: Collaboration, today: dt.date | None = None) -> list[GroupScores]:
    """Every round of the collaboration that has opened, oldest first, with its score on each
    group of its framework (for KPIs' three Cs): the same figures, under the same disclosure
    control, as each round's results."""
    return group_scores_of([collaboration.pk], today).get(collaboration.pk, [])


def _mean(cells: dict[str, Any] | None, key: str) -> float | None:
    from . import scoring

    cell = None if cells is None else cells.get(key)
    return cell.mean if isinstance(cell, scoring.Summary) else None


def group_scores_of(
    collaborations: Any, today: dt.date | None = None, *, rounds: Any = None
) -> dict[int, list[GroupScores]]:
    """`group_scores` of many collaborations at once (their ids, a queryset of their ids, or
    None for every collaboration; `rounds`, only those rounds), by collaboration id: four
    queries however many there are, each framework parsed once. The caller decides who may
    see which."""
    from . import results, scoring

    today = today or timezone.localdate()
    chosen = Round.objects.filter(opens_on__lte=today)
    if collaborations is not None:
        chosen = chosen.filter(collaboration__in=collaborations)
    if rounds is not None:
        chosen = chosen.filter(pk__in=rounds)
    rounds = list(chosen.order_by("opens_on", "pk"))
    ids = {r.framework_id for r in rounds}
    versions = {v.pk: v for v in FrameworkVersion.objects.filter(pk__in=ids)} if ids else {}
    for each in rounds:
        each.framework = versions[each.framework_id]
    answers = results.responses_for_rounds(rounds)
    known = results.invited_cells_of(rounds)
    found: dict[int, list[GroupScores]] = {}
    for each in rounds:
        framework = each.framework.framework
        scored = scoring.score(framework, answers[each.pk], k=results.k(), known=known[each.pk])
        overall = None if isinstance(scored.overall, scoring.Suppressed) else scored.overall
        groups = overall.groups if overall else None
        factors = overall.factors if overall else None
        found.setdefault(each.collaboration_id, []).append(
            GroupScores(
                round_id=each.pk,
                title=each.title,
                opens_on=each.opens_on,
                framework_key=each.framework.key,
                means={g.id: _mean(groups, g.id) for g in framework.groups},
                factors={f.id: _mean(factors, f.id) for f in framework.factors},
            )
        )
    return found


def round_states(today: dt.date | None = None) -> dict[int, str]:
    """Each opened round's id with a token of what its scores read: its framework and day, how many
    responses are submitted and the latest day one was, how many people are invited. Three
    queries. (An answer changed in a response submitted again the same day leaves it
    alone: responses keep no time of day.)"""
    from django.db.models import Count, Max

    today = today or timezone.localdate()
    opened = Round.objects.filter(opens_on__lte=today).order_by()
    answered = {
        pk: (n, last)
        for pk, n, last in Response.objects.filter(round__in=opened, submitted=True)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"), last=Max("submitted_on"))
        .values_list("round_id", "n", "last")
    }
    invited = dict(
        Invitation.objects.filter(round__in=opened)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    return {
        pk: f"{framework}:{opens_on}:{answered.get(pk, (0, None))}:{invited.get(pk, 0)}"
        for pk, framework, opens_on in opened.values_list("pk", "framework_id", "opens_on")
    }


def responses_state() -> str:
    """How many responses are submitted, as a cache key's part: responses to an anonymous
    round are not audited (docs/assessments.md), so the audit's state cannot name them. A
    count (one probe of the round-and-submitted index; the latest day would read every row):
    an answer changed in a response already submitted leaves it alone."""
    return str(Response.objects.filter(submitted=True).count())
