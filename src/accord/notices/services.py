"""The notices `accord notify due` sends, each to each person once.

Three kinds, each about a collaboration and sent to the people who lead it:

- funding ending: its funding ends within the next 3 months;
- review due: its yearly duty-to-collaborate review falls due within a month (or is overdue);
  a review is due 12 months after the last one, or 12 months after the record was added if it
  has none, as the register's "no review in the last 12 months" flag counts;
- edited: someone who does not lead it changed it (found in the audit log, not by a hook in
  the register's services: the log already says who changed what and when).

Who leads a collaboration: the person who added it, and the organisation administrators of its
lead partners. Each is told only about what they may see (the register's own rule decides),
only while active, and only for the kinds they have not turned off on their account page.

What was sent is kept (`Notice`, unique for person, kind, record and occasion), so running
again sends nothing new: a notice is recorded, audited and sent in one transaction, and an
email that cannot be sent rolls its record back to be tried at the next run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accord.core import audit
from accord.core import email as mail
from accord.core.actors import SystemActor
from accord.core.choices import Role
from accord.core.models import AuditEvent
from accord.orgs.models import User
from accord.register import services as register
from accord.register.choices import ENDED_STATUSES, PartnerRole

from .choices import NoticeKind
from .models import Notice

if TYPE_CHECKING:
    from accord.register.models import Collaboration

#: Funding ending within this many months is worth a notice.
FUNDING_MONTHS = 3
#: A duty-to-collaborate review falls due this many months after the last.
REVIEW_EVERY_MONTHS = 12
#: How long before a review is due its notice goes out.
REVIEW_NOTICE_DAYS = 30
#: How far back `notify due` looks in the audit log for edits. Run daily, a week covers a
#: missed run or two; and a first run on an old database does not tell of its whole history.
EDITS_LOOK_BACK = dt.timedelta(days=7)
#: The audit events that count as someone changing a collaboration.
EDIT_ACTIONS = {
    "collaboration.update": "edited",
    "collaboration.archive": "archived",
    "collaboration.restore": "restored",
}
COLLABORATION = "register.collaboration"
#: Besides who added a collaboration, these roles at a lead partner lead it.
LEAD_ADMIN_ROLES = (Role.ORG_ADMIN, Role.PLATFORM_ADMIN)
#: Who the audit log says sent a notice.
ACTOR = "accord notify due"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's end: 31 January plus
    one month is 28 or 29 February."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class Due:
    """One email due to one person: one or more occasions about one record."""

    kind: NoticeKind
    recipient: User
    collaboration: Collaboration
    # (occasion, due date) pairs: each becomes one Notice row.
    occasions: list[tuple[str, dt.date | None]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        title = self.collaboration.title
        if self.kind == NoticeKind.FUNDING_ENDING:
            return f"Funding for {title} ends on {self.context['ends_on']:%-d %B %Y}"
        if self.kind == NoticeKind.REVIEW_DUE:
            if self.context["overdue"]:
                return f"A duty-to-collaborate review of {title} is overdue"
            due_on = self.context["due_on"]
            return f"A duty-to-collaborate review of {title} is due by {due_on:%-d %B %Y}"
        return f"{title} was changed by someone else"

    def describe(self) -> str:
        return f"{self.kind.label}: {self.collaboration.reference} to {self.recipient.email}"


@dataclass
class Sent:
    due: list[Due] = field(default_factory=list)
    sent: list[Due] = field(default_factory=list)
    already: int = 0

    @property
    def people(self) -> int:
        return len({d.recipient.pk for d in self.sent})


# Who leads what ----------------------------------------------------------------------------


def _all_collaborations() -> Any:
    """Every collaboration, as the operator sees them."""
    return register.visible_collaborations(SystemActor(ACTOR))


def _in_use() -> Any:
    """Collaborations still in use: not archived, closed or stopped."""
    return _all_collaborations().current().exclude(status__in=ENDED_STATUSES)


def leads_of(collaboration_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each collaboration's leads: who added it, and the organisation administrators of its
    lead partners; active people only. Three queries, whatever the number of records."""
    ids = list(collaboration_ids)
    if not ids:
        return {}
    rows = _all_collaborations().filter(pk__in=ids)
    creators = dict(rows.filter(created_by__isnull=False).values_list("pk", "created_by_id"))
    lead_organisations: dict[int, set[int]] = defaultdict(set)
    for pk, organisation_id in rows.filter(partners__role=PartnerRole.LEAD).values_list(
        "pk", "partners__organisation_id"
    ):
        lead_organisations[pk].add(organisation_id)
    organisations = set().union(*lead_organisations.values())
    people = User.objects.filter(is_active=True).filter(
        Q(pk__in=set(creators.values()))
        | Q(organisation_id__in=organisations, role__in=LEAD_ADMIN_ROLES)
    )
    by_id = {person.pk: person for person in people}
    admins: dict[int, list[User]] = defaultdict(list)
    for person in by_id.values():
        if person.role in LEAD_ADMIN_ROLES and person.organisation_id is not None:
            admins[person.organisation_id].append(person)
    leads: dict[int, list[User]] = {}
    for pk in ids:
        found = {
            person.pk: person
            for organisation_id in lead_organisations.get(pk, set())
            for person in admins.get(organisation_id, [])
        }
        creator = by_id.get(creators.get(pk, -1))
        if creator is not None:
            found[creator.pk] = creator
        leads[pk] = sorted(found.values(), key=lambda person: person.email)
    return leads


def _visible_to(person: User, collaboration_ids: set[int]) -> set[int]:
    return set(
        register.visible_collaborations(person)
        .filter(pk__in=collaboration_ids)
        .values_list("pk", flat=True)
    )


# What is due ----------------------------------------------------------------------------------


def _record_link(collaboration: Collaboration) -> str:
    return mail.site_url(reverse("register:detail", kwargs={"reference": collaboration.reference}))


def _funding_ending(today: dt.date) -> list[tuple[Collaboration, str, dt.date, dict[str, Any]]]:
    horizon = add_months(today, FUNDING_MONTHS)
    found = []
    for collaboration in _in_use().filter(funding_ends_on__gte=today, funding_ends_on__lte=horizon):
        ends_on = collaboration.funding_ends_on
        assert ends_on is not None
        context = {"ends_on": ends_on, "days": (ends_on - today).days}
        found.append((collaboration, ends_on.isoformat(), ends_on, context))
    return found


def _reviews_due(today: dt.date) -> list[tuple[Collaboration, str, dt.date, dict[str, Any]]]:
    horizon = today + dt.timedelta(days=REVIEW_NOTICE_DAYS)
    # A few days' slack for month ends; the exact date is checked below.
    cutoff = add_months(horizon, -REVIEW_EVERY_MONTHS) + dt.timedelta(days=3)
    candidates = (
        _in_use()
        .annotate(last_review=Max("reviews__considered_on"))
        .filter(
            Q(last_review__lte=cutoff) | Q(last_review__isnull=True, created_at__date__lte=cutoff)
        )
    )
    found = []
    for collaboration in candidates:
        last: dt.date | None = getattr(collaboration, "last_review", None)
        since = last or timezone.localdate(collaboration.created_at)
        due_on = add_months(since, REVIEW_EVERY_MONTHS)
        if due_on > horizon:
            continue
        context = {"due_on": due_on, "last_review": last, "overdue": due_on < today}
        found.append((collaboration, due_on.isoformat(), due_on, context))
    return found


def _edits(now: dt.datetime) -> list[tuple[int, AuditEvent]]:
    events = AuditEvent.objects.filter(
        object_type=COLLABORATION, action__in=EDIT_ACTIONS, at__gte=now - EDITS_LOOK_BACK
    ).order_by("sequence")
    found = []
    for event in events:
        try:
            found.append((int(event.object_id), event))
        except ValueError:
            continue
    return found


def _changed_fields(event: AuditEvent) -> list[str]:
    before, after = event.before or {}, event.after or {}
    ignored = {"version", "updated_at", "created_at"}
    names = [
        name
        for name in sorted(set(before) | set(after))
        if name not in ignored and before.get(name) != after.get(name)
    ]
    return [name.replace("_", " ") for name in names]


def due_notices(today: dt.date | None = None, now: dt.datetime | None = None) -> list[Due]:
    """Every email due now and not sent before, for people who still want it."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    dated = [
        (NoticeKind.FUNDING_ENDING, _funding_ending(today)),
        (NoticeKind.REVIEW_DUE, _reviews_due(today)),
    ]
    edits = _edits(now)
    ids = {c.pk for _, rows in dated for c, *_ in rows} | {pk for pk, _ in edits}
    leads = leads_of(ids)
    collaborations = {c.pk: c for _, rows in dated for c, *_ in rows}
    missing = {pk for pk, _ in edits} - set(collaborations)
    if missing:
        # Archived ones too: being archived by someone else is news to a lead.
        collaborations.update({c.pk: c for c in _all_collaborations().filter(pk__in=missing)})

    candidates: list[Due] = []
    for kind, rows in dated:
        for collaboration, occasion, due_on, context in rows:
            for person in leads.get(collaboration.pk, []):
                candidates.append(
                    Due(kind, person, collaboration, [(occasion, due_on)], dict(context))
                )
    # One email a person and record for all the edits since the last run.
    grouped: dict[tuple[int, int], Due] = {}
    for pk, event in edits:
        edited = collaborations.get(pk)
        if edited is None:
            continue  # not there any more
        people = leads.get(pk, [])
        if event.actor_id is not None and any(p.pk == event.actor_id for p in people):
            continue  # changed by one of its leads: nobody else's doing
        for person in people:
            entry = grouped.setdefault(
                (person.pk, pk),
                Due(NoticeKind.EDITED, person, edited, [], {"changes": []}),
            )
            entry.occasions.append((f"event-{event.sequence}", timezone.localdate(event.at)))
            entry.context["changes"].append(
                {
                    "by": event.actor_label,
                    "at": timezone.localtime(event.at),
                    "what": EDIT_ACTIONS[event.action],
                    "fields": _changed_fields(event),
                }
            )
    candidates.extend(grouped.values())
    return _still_wanted(candidates)


def _still_wanted(candidates: list[Due]) -> list[Due]:
    """Drop what the person turned off, may not see, or was told already."""
    wanted = [d for d in candidates if mail.wants_notice(d.recipient, d.kind.value)]
    by_person: dict[int, set[int]] = defaultdict(set)
    people: dict[int, User] = {}
    for d in wanted:
        by_person[d.recipient.pk].add(d.collaboration.pk)
        people[d.recipient.pk] = d.recipient
    visible = {pk: _visible_to(people[pk], ids) for pk, ids in by_person.items()}
    wanted = [d for d in wanted if d.collaboration.pk in visible[d.recipient.pk]]

    sent = set(
        Notice.objects.filter(
            recipient_id__in=list(people),
            object_type=COLLABORATION,
            object_id__in={str(d.collaboration.pk) for d in wanted},
        ).values_list("kind", "recipient_id", "object_id", "occasion")
    )
    result = []
    for d in wanted:
        d.occasions = [
            (occasion, due_on)
            for occasion, due_on in d.occasions
            if (d.kind.value, d.recipient.pk, str(d.collaboration.pk), occasion) not in sent
        ]
        if d.occasions:
            result.append(d)
    return sorted(result, key=lambda d: (d.recipient.email, d.kind, d.collaboration.reference))


# Sending --------------------------------------------------------------------------------------


def _context(d: Due) -> dict[str, Any]:
    return {
        **d.context,
        "person": d.recipient,
        "collaboration": d.collaboration,
        "link": _record_link(d.collaboration),
        "account_link": mail.site_url(reverse("account") + "#emails"),
        "kind_label": d.kind.label,
    }


def send_one(d: Due) -> bool:
    """Record, audit and send one email; False if another run recorded it first."""
    try:
        with transaction.atomic():
            for occasion, due_on in d.occasions:
                notice = Notice.objects.create(
                    kind=d.kind,
                    recipient=d.recipient,
                    object_type=COLLABORATION,
                    object_id=str(d.collaboration.pk),
                    object_label=str(d.collaboration)[:300],
                    occasion=occasion,
                    due_on=due_on,
                )
                audit.record(
                    actor=ACTOR,
                    action="notice.send",
                    obj=notice,
                    after={
                        "kind": d.kind.value,
                        "to": d.recipient.email,
                        "collaboration": d.collaboration.reference,
                        "occasion": occasion,
                    },
                )
            # Inside the transaction: an email that fails leaves no record, and is tried again.
            mail.send(
                d.recipient.email, d.subject, f"notices/email/{d.kind.value}.txt", _context(d)
            )
    except IntegrityError:
        return False
    return True


def send_due(
    *, dry_run: bool = False, today: dt.date | None = None, now: dt.datetime | None = None
) -> Sent:
    """Send every notice due (or, with `dry_run`, only say what would be sent)."""
    result = Sent(due=due_notices(today=today, now=now))
    if dry_run:
        return result
    for d in result.due:
        if send_one(d):
            result.sent.append(d)
        else:
            result.already += 1
    return result
