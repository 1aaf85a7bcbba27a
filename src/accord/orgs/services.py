"""Every change to organisations, areas and people."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accord.core import audit
from accord.core import email as mail
from accord.core.choices import Role
from accord.core.problems import NotVisible, PermissionRefused, Problem, Problems

from .importers import AreaRow, BoundaryRow, read_organisations
from .models import ApiToken, Area, EmailDomain, Organisation, User, normalise_domain

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "organisations.csv"
Progress = Callable[[int, int], None]

# What an event about a person records, before and after: who they are and what they may do.
PERSON_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "organisation_id",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _no_progress(done: int, total: int) -> None:
    return None


def load_reference_organisations(path: Path = REFERENCE_FILE, actor: Any = "system") -> int:
    """Create or update the shipped organisations; returns how many changed.

    Run again over an existing database, it renames, re-sorts and re-kinds what the file now
    says, one audited event for each organisation that changed.
    """
    rows = read_organisations(path.read_bytes(), path.name)
    changed = 0
    with transaction.atomic():
        existing = {o.code: o for o in Organisation.objects.all()}
        for row in rows:
            values = row.values()
            org = existing.get(row.code)
            if org is None:
                org = Organisation.objects.create(code=row.code, **values)
                audit.record(actor=actor, action="organisation.create", obj=org, after=values)
                changed += 1
            else:
                before = {k: getattr(org, k) for k in values}
                if before != values:
                    for key, value in values.items():
                        setattr(org, key, value)
                    org.save(update_fields=list(values))
                    audit.record(
                        actor=actor,
                        action="organisation.update",
                        obj=org,
                        before=before,
                        after=values,
                    )
                    changed += 1
        _link_organisations_to_areas(actor)
    return changed


def _link_organisations_to_areas(actor: Any) -> int:
    """Link each force, fire authority and ambulance trust to the area it serves, which shares
    its code; one audited event for each organisation whose area changed. Returns how many."""
    areas = {a.code: a for a in Area.objects.filter(code__in=Organisation.objects.values("code"))}
    linked = 0
    for org in Organisation.objects.filter(code__in=areas.keys()).select_related("area"):
        area = areas[org.code]
        if org.area_id == area.pk:
            continue
        before = {"area": org.area.code if org.area else None}
        org.area = area
        org.save(update_fields=["area"])
        audit.record(
            actor=actor,
            action="organisation.link_area",
            obj=org,
            before=before,
            after={"area": area.code},
        )
        linked += 1
    return linked


@transaction.atomic
def import_areas(
    rows: list[AreaRow], actor: Any = "system", progress: Progress = _no_progress
) -> dict[str, int]:
    existing = {a.code: a for a in Area.objects.all()}
    created = updated = 0
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        area = existing.get(row.code)
        if area is None:
            area = Area.objects.create(code=row.code, name=row.name, kind=row.kind)
            existing[row.code] = area
            created += 1
        elif (area.name, area.kind) != (row.name, row.kind):
            area.name, area.kind = row.name, row.kind
            area.save(update_fields=["name", "kind"])
            updated += 1
        progress(done, total * 2)
    links = 0
    for done, row in enumerate(rows, start=1):
        if row.within:
            parents = [existing[code] for code in row.within]
            existing[row.code].within.add(*parents)
            links += len(parents)
        progress(total + done, total * 2)
    _link_organisations_to_areas(actor)
    summary = {"created": created, "updated": updated, "links": links}
    audit.record(actor=actor, action="areas.import", object_type="orgs.area", after=summary)
    return summary


@transaction.atomic
def import_boundaries(
    rows: list[BoundaryRow], actor: Any = "system", progress: Progress = _no_progress
) -> dict[str, int]:
    existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
    created = updated = 0
    for done, row in enumerate(rows, start=1):
        area = existing.get(row.code)
        if area is None:
            Area.objects.create(code=row.code, name=row.name, kind=row.kind, boundary=row.geometry)
            created += 1
        else:
            area.boundary = row.geometry
            area.save(update_fields=["boundary"])
            updated += 1
        progress(done, len(rows))
    _link_organisations_to_areas(actor)
    summary = {"created": created, "updated": updated}
    audit.record(actor=actor, action="boundaries.import", object_type="orgs.area", after=summary)
    return summary


def add_user(
    *,
    email: str,
    organisation_code: str,
    role: str,
    password: str | None = None,
    actor: Any = "system",
    name: str = "",
) -> tuple[User, str]:
    """Create a person. Returns the user and the password (generated when none was given)."""
    problems: list[Problem] = []
    email = email.strip().lower()
    if "@" not in email:
        problems.append(Problem(f"{email!r} is not an email address", field="email"))
    elif User.objects.filter(email__iexact=email).exists():
        problems.append(Problem(f"a user with {email} already exists", field="email"))
    try:
        role = Role(role).value
    except ValueError:
        problems.append(
            Problem(f"{role!r} is not one of {', '.join(r.value for r in Role)}", field="role")
        )
    organisation = Organisation.objects.filter(code=organisation_code).first()
    if organisation is None:
        problems.append(Problem(f"no organisation has the code {organisation_code!r}", field="org"))
    password = password or secrets.token_urlsafe(12)
    if not problems:
        candidate = User(email=email, organisation=organisation)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            problems.extend(Problem(message, field="password") for message in exc.messages)
    if problems:
        raise Problems(problems)
    first, _, last = name.partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            organisation=organisation,
            role=role,
            first_name=first,
            last_name=last,
            is_staff=role == Role.PLATFORM_ADMIN,
            is_superuser=role == Role.PLATFORM_ADMIN,
        )
        audit.record(
            actor=actor,
            action="user.create",
            obj=user,
            after={"email": email, "organisation": organisation_code, "role": role},
        )
    return user, password


def set_password(user: User, password: str, actor: Any = "system") -> None:
    user.set_password(password)
    save_password(user, actor=actor)


def save_password(user: User, actor: Any = "system") -> None:
    """Save the password already set on ``user`` (hashed, or made unusable), audited.

    The event says that the password changed and who changed it, never the password or its
    hash.
    """
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.set_password", obj=user)


def person_snapshot(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in PERSON_FIELDS}


def save_person(user: User, *, actor: Any, created: bool) -> None:
    """Save a person as edited (in the Django admin), audited with the fields before and after.

    Only a platform administrator manages people: a role or an organisation decides what a
    person may see and do.
    """
    _require_platform_admin(actor)
    before = None
    if not created and user.pk is not None:
        stored = User.objects.filter(pk=user.pk).first()
        before = person_snapshot(stored) if stored is not None else None
    with transaction.atomic():
        user.save()
        audit.record(
            actor=actor,
            action="user.create" if created else "user.update",
            obj=user,
            before=before,
            after=person_snapshot(user),
        )


def deactivate_people(actor: Any, people: Iterable[User]) -> int:
    """Deactivate people: they can no longer sign in, and everything they did keeps their name.

    People are never deleted (deleting is archiving): their events, collaborations and answers
    point at them. One audited event per person deactivated; those already inactive are left
    as they are. Returns how many were deactivated.
    """
    _require_platform_admin(actor)
    people = list(people)
    if any(person.pk == getattr(actor, "pk", None) for person in people):
        raise Problems(
            [Problem("You cannot deactivate yourself: ask another platform administrator.")]
        )
    deactivated = 0
    with transaction.atomic():
        for person in people:
            if not person.is_active:
                continue
            before = person_snapshot(person)
            person.is_active = False
            person.save(update_fields=["is_active"])
            audit.record(
                actor=actor,
                action="user.deactivate",
                obj=person,
                before=before,
                after=person_snapshot(person),
            )
            deactivated += 1
    return deactivated


def _require_platform_admin(actor: Any) -> None:
    if not getattr(actor, "is_platform_admin", False):
        raise PermissionRefused("Only a platform administrator may change people.")


# Personal API tokens ---------------------------------------------------------------------

#: What every token starts with, so that a token pasted in the wrong place (a log, a chat) is
#: recognised for what it is.
TOKEN_START = "accord_"
#: How much of a token people see on their account page: enough to tell tokens apart, far too
#: little to guess the rest (the rest is 256 random bits).
PREFIX_LENGTH = len(TOKEN_START) + 6
#: A token's last use is stamped at most this often, so that a busy script costs one write a
#: minute rather than one a request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(owner: User, name: str = "", actor: Any = None) -> tuple[ApiToken, str]:
    """A new token for ``owner``; returns it and the plain token, which is never shown again.

    ``actor`` is whoever asks for it: the person themselves on their account page, or the
    operator at the command line.
    """
    name = " ".join(name.split()) or "API token"
    if len(name) > 100:
        raise Problems([Problem("A token's name is at most 100 characters.", field="name")])
    if not owner.is_active:
        raise Problems([Problem(f"{owner.email} is deactivated: no new tokens.", field="email")])
    plain = TOKEN_START + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=owner, name=name, prefix=plain[:PREFIX_LENGTH], token_hash=token_hash(plain)
        )
        audit.record(
            actor=actor if actor is not None else owner,
            action="token.create",
            obj=token,
            after={"owner": owner.email, "name": name, "prefix": token.prefix},
        )
    return token, plain


def tokens_of(person: Any) -> QuerySet[ApiToken]:
    """A person's tokens still in use, newest first."""
    return ApiToken.objects.filter(owner_id=person.pk, revoked_at__isnull=True)


def revoke_token(actor: Any, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens. Anyone else's token is absent (404), as if it did
    not exist: a token's number says nothing about whose it is."""
    token = ApiToken.objects.filter(
        pk=token_id, owner_id=getattr(actor, "pk", None), revoked_at__isnull=True
    ).first()
    if token is None:
        raise NotVisible("token")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="token.revoke",
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
        )
    return token


def token_in_use(plain: str) -> ApiToken | None:
    """The token behind a plain token, if it is neither revoked nor its owner deactivated.

    Its last use is stamped by a plain UPDATE: bookkeeping, not a change of record, so no
    audit event.
    """
    if not plain.startswith(TOKEN_START):
        return None
    token = (
        ApiToken.objects.select_related("owner", "owner__organisation")
        .filter(token_hash=token_hash(plain), revoked_at__isnull=True, owner__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# Email domains and single sign-on ----------------------------------------------------------

#: Who the audit log says added a person on their first single sign-on: nobody signed in did.
SIGN_ON_ACTOR = "single sign-on"


def _domain_snapshot(mapping: EmailDomain) -> dict[str, Any]:
    return {
        "domain": mapping.domain,
        "organisation": mapping.organisation.code if mapping.organisation_id else None,
        "archived_at": mapping.archived_at,
    }


def save_email_domain(mapping: EmailDomain, *, actor: Any, created: bool) -> EmailDomain:
    """Save a domain's organisation (from the admin), checked and audited.

    Only a platform administrator keeps the list: it decides which organisation's records a
    stranger signing on from that domain may read.
    """
    _require_platform_admin(actor)
    try:
        mapping.full_clean()
    except ValidationError as exc:
        raise Problems(
            [Problem(m, field=f) for f, ms in exc.message_dict.items() for m in ms]
        ) from None
    before = None
    if not created and mapping.pk is not None:
        stored = EmailDomain.objects.select_related("organisation").filter(pk=mapping.pk).first()
        before = _domain_snapshot(stored) if stored is not None else None
    with transaction.atomic():
        mapping.save()
        audit.record(
            actor=actor,
            action="email_domain.create" if created else "email_domain.update",
            obj=mapping,
            before=before,
            after=_domain_snapshot(mapping),
        )
    return mapping


def set_email_domains_archived(
    actor: Any, mappings: Iterable[EmailDomain], *, archived: bool
) -> int:
    """Archive domains (new people from them are refused) or restore them; one event each.
    Returns how many changed."""
    _require_platform_admin(actor)
    changed = 0
    with transaction.atomic():
        for mapping in mappings:
            if mapping.archived == archived:
                continue
            before = _domain_snapshot(mapping)
            mapping.archived_at = timezone.now() if archived else None
            mapping.save(update_fields=["archived_at"])
            audit.record(
                actor=actor,
                action="email_domain.archive" if archived else "email_domain.restore",
                obj=mapping,
                before=before,
                after=_domain_snapshot(mapping),
            )
            changed += 1
    return changed


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation that an address's domain is mapped to, unless archived."""
    _, _, domain = email.strip().rpartition("@")
    mapping = (
        EmailDomain.objects.select_related("organisation")
        .filter(domain=normalise_domain(domain), archived_at__isnull=True)
        .first()
    )
    return mapping.organisation if mapping is not None else None


def add_person_from_sign_on(
    *, email: str, first_name: str = "", last_name: str = "", provider: str = ""
) -> User:
    """The account for someone whom the single sign-on provider vouches for and Accord has
    never seen: a reader at the organisation their email's domain is mapped to.

    Refused (PermissionRefused, nothing written) when the domain has no mapping: Accord cannot
    tell which organisation's partners-only records they should read. They get no password:
    they sign in through the provider or not at all.
    """
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    organisation = organisation_for_email(email)
    if organisation is None:
        raise PermissionRefused(
            f"Accord does not know which organisation email addresses at {domain} belong to, "
            "so it cannot make you an account. Ask a platform administrator to add your "
            "organisation's email domain, or to add you."
        )
    if User.objects.filter(email__iexact=email).exists():
        raise PermissionRefused(f"A person with {email} already exists.")
    with transaction.atomic():
        user = User(
            email=email,
            organisation=organisation,
            role=Role.READER,
            first_name=first_name[:150],
            last_name=last_name[:150],
        )
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=SIGN_ON_ACTOR,
            action="user.create",
            obj=user,
            after={
                "email": email,
                "organisation": organisation.code,
                "role": Role.READER.value,
                "by": f"single sign-on ({provider})" if provider else "single sign-on",
            },
        )
    return user


# People, managed in Accord's own pages --------------------------------------------------------
#
# Organisation administrators manage the people of their own organisation; platform
# administrators anyone's. A person outside what the actor manages is absent (NotVisible), as a
# record one may not see is. Nobody is deleted: deactivating is how a person leaves.

#: How long an invitation's set-password link works. Longer than a password reset's
#: (settings.PASSWORD_RESET_TIMEOUT), because the person invited did not ask for the email and
#: may not read it the same day.
INVITATION_VALID_FOR = dt.timedelta(days=7)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for an invitation's set-password link: Django's password reset tokens, with their
    own salt (a reset link is no invitation, nor the other way round) and their own lifetime.

    Like a reset token, one stops working once used: it signs the password's hash and the last
    sign-in, both of which setting the password and signing in change.
    """

    key_salt = "accord.orgs.services.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return signed and 0 <= age <= INVITATION_VALID_FOR.total_seconds()


invitation_tokens = InvitationTokenGenerator()


def can_manage_people(actor: Any) -> bool:
    """Platform administrators, and organisation administrators who belong to an organisation."""
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return False
    if getattr(actor, "is_platform_admin", False):
        return True
    return bool(actor.organisation_id) and actor.role == Role.ORG_ADMIN


def _require_people_manager(actor: Any) -> None:
    if not can_manage_people(actor):
        raise PermissionRefused(
            "Only your organisation's administrators can manage its people. Ask one of them."
        )


def people_managed_by(actor: Any) -> QuerySet[User]:
    """Everyone this person manages: their organisation's people, or everyone for a platform
    administrator. Refused for anyone else."""
    _require_people_manager(actor)
    people = User.objects.select_related("organisation")
    if actor.is_platform_admin:
        return people.order_by("organisation__name", "email")
    return people.filter(organisation_id=actor.organisation_id).order_by("email")


def managed_person(actor: Any, person_id: int) -> User:
    """One person this actor manages; anyone else is absent (NotVisible)."""
    person = people_managed_by(actor).filter(pk=person_id).first()
    if person is None:
        raise NotVisible("person")
    return person


def roles_assignable_by(actor: Any) -> list[Role]:
    """The roles this actor may give: up to their own (a platform administrator, any)."""
    if not can_manage_people(actor):
        return []
    if actor.is_platform_admin:
        return list(Role)
    return [role for role in Role if role != Role.PLATFORM_ADMIN]


def organisations_for_invitations(actor: Any) -> QuerySet[Organisation]:
    """Where this actor may add people: their own organisation, or any for a platform
    administrator."""
    _require_people_manager(actor)
    organisations = Organisation.objects.filter(active=True).order_by("name")
    if actor.is_platform_admin:
        return organisations
    return organisations.filter(pk=actor.organisation_id)


def is_invited(person: User) -> bool:
    """Invited and not yet arrived: no password set and never signed in."""
    return person.last_login is None and not person.has_usable_password()


def _check_change(actor: Any, person: User) -> None:
    """What every change to someone else's access needs, beyond managing their organisation."""
    if not actor.is_platform_admin and person.organisation_id != actor.organisation_id:
        raise NotVisible("person")
    if person.pk == getattr(actor, "pk", None):
        raise PermissionRefused(
            "You cannot change your own role or deactivate yourself: ask another administrator."
        )
    if not actor.is_platform_admin and person.is_platform_admin:
        raise PermissionRefused(
            "Only a platform administrator can change a platform administrator."
        )


def _checked_role(actor: Any, role: str) -> Role:
    try:
        chosen = Role(role)
    except ValueError:
        raise Problems([Problem("Select a role", field="role")]) from None
    if chosen not in roles_assignable_by(actor):
        raise Problems(
            [Problem("Only a platform administrator can make someone one.", field="role")]
        )
    return chosen


def _grant(person: User, role: Role) -> None:
    # The Django admin is for platform administrators only: its flags follow the role.
    person.role = role
    person.is_staff = person.is_superuser = role == Role.PLATFORM_ADMIN


def invite_person(
    actor: Any,
    *,
    email: str,
    role: str,
    organisation: Organisation | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Add a person with no password and email them a link to set one (valid for
    INVITATION_VALID_FOR). An organisation administrator adds people to their own
    organisation only."""
    _require_people_manager(actor)
    problems: list[Problem] = []
    email = email.strip().lower()
    if "@" not in email:
        problems.append(Problem("Enter an email address in the correct format", field="email"))
    elif User.objects.filter(email__iexact=email).exists():
        problems.append(Problem(f"{email} already has an account", field="email"))
    try:
        chosen = _checked_role(actor, role)
    except Problems as exc:
        problems.extend(exc.problems)
    if organisation is None:
        organisation = actor.organisation
    allowed = organisations_for_invitations(actor)
    if organisation is None or not allowed.filter(pk=organisation.pk).exists():
        problems.append(Problem("Select an organisation", field="organisation"))
    if problems:
        raise Problems(problems)
    assert organisation is not None
    with transaction.atomic():
        person = User(
            email=email,
            organisation=organisation,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
        )
        _grant(person, chosen)
        person.set_unusable_password()
        person.save()
        audit.record(
            actor=actor,
            action="user.invite",
            obj=person,
            after={"email": email, "organisation": organisation.code, "role": chosen.value},
        )
        # Sent inside the transaction: if the email cannot be sent, nobody is added, and the
        # administrator can try again.
        _send_invitation(actor, person)
    return person


def resend_invitation(actor: Any, person: User) -> None:
    """Send a new set-password link to someone invited who has not yet set a password."""
    _require_people_manager(actor)
    if not actor.is_platform_admin and person.organisation_id != actor.organisation_id:
        raise NotVisible("person")
    if not person.is_active or not is_invited(person):
        raise PermissionRefused(
            f"{person.email} has already set a password or is deactivated: no invitation sent."
        )
    with transaction.atomic():
        audit.record(actor=actor, action="user.invite_again", obj=person)
        _send_invitation(actor, person)


def invitation_link(person: User) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": invitation_tokens.make_token(person),
        },
    )
    return mail.site_url(path)


def _send_invitation(actor: Any, person: User) -> None:
    inviter = " ".join(
        part for part in (getattr(actor, "first_name", ""), getattr(actor, "last_name", "")) if part
    )
    mail.send(
        person.email,
        "You have been invited to Accord",
        "orgs/email/invitation.txt",
        {
            "person": person,
            "organisation": person.organisation,
            "role": person.get_role_display(),
            "inviter": inviter or getattr(actor, "email", "") or "An administrator",
            "link": invitation_link(person),
            "valid_days": INVITATION_VALID_FOR.days,
        },
    )


def change_role(actor: Any, person: User, role: str) -> User:
    """Give someone another role, audited with the role before and after."""
    _require_people_manager(actor)
    _check_change(actor, person)
    chosen = _checked_role(actor, role)
    if chosen == person.role:
        return person
    with transaction.atomic():
        before = person_snapshot(person)
        _grant(person, chosen)
        person.save(update_fields=["role", "is_staff", "is_superuser"])
        audit.record(
            actor=actor,
            action="user.change_role",
            obj=person,
            before=before,
            after=person_snapshot(person),
        )
    return person


def set_active(actor: Any, person: User, *, active: bool) -> User:
    """Deactivate someone (they can no longer sign in, and their tokens stop working) or
    reactivate them. Nothing they did is removed."""
    _require_people_manager(actor)
    _check_change(actor, person)
    if person.is_active == active:
        return person
    with transaction.atomic():
        before = person_snapshot(person)
        person.is_active = active
        person.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="user.reactivate" if active else "user.deactivate",
            obj=person,
            before=before,
            after=person_snapshot(person),
        )
    return person


# A person's own account ----------------------------------------------------------------------


def set_notices_off(person: User, codes: Iterable[str], actor: Any = None) -> User:
    """Turn off the notices named (core/email.py's registered codes), turning the others on."""
    known = {kind.code for kind in mail.notice_kinds()}
    off = sorted(set(codes))
    unknown = [code for code in off if code not in known]
    if unknown:
        raise Problems([Problem(f"No such notice: {', '.join(unknown)}", field="notices")])
    if off == sorted(person.notices_off or []):
        return person
    with transaction.atomic():
        before = {"notices_off": list(person.notices_off or [])}
        person.notices_off = off
        person.save(update_fields=["notices_off"])
        audit.record(
            actor=actor if actor is not None else person,
            action="user.notices",
            obj=person,
            before=before,
            after={"notices_off": off},
        )
    return person


# The reference areas -------------------------------------------------------------------------

#: The force and fire authority areas the reference organisations serve (data/README.md).
REFERENCE_AREAS_FILE = REFERENCE_FILE.parent / "areas.csv"


def load_reference_areas(path: Path = REFERENCE_AREAS_FILE, actor: Any = "system") -> int:
    """Create or update the shipped areas and link each organisation to the area it serves;
    returns how many areas changed. `accord import organisations` and the demo run it, so a
    new site's place filter and area choices work before any ONS lookup is imported.

    One audited event for each area created or renamed; an area an ONS lookup has already put
    inside others keeps those links.
    """
    from .importers import read_areas

    rows = read_areas(path.read_bytes(), path.name)
    changed = 0
    with transaction.atomic():
        existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
        for row in rows:
            values = {"name": row.name, "kind": row.kind}
            area = existing.get(row.code)
            if area is None:
                area = Area.objects.create(code=row.code, **values)
                audit.record(actor=actor, action="area.create", obj=area, after=values)
                changed += 1
                continue
            before = {"name": area.name, "kind": area.kind}
            if before != values:
                area.name, area.kind = row.name, row.kind
                area.save(update_fields=["name", "kind"])
                audit.record(
                    actor=actor, action="area.update", obj=area, before=before, after=values
                )
                changed += 1
        _link_organisations_to_areas(actor)
    return changed
