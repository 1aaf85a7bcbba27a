"""Every change to organisations, areas and people."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accord.core import audit
from accord.core.choices import Role
from accord.core.problems import Problem, Problems

from .importers import AreaRow, BoundaryRow, read_organisations
from .models import Area, Organisation, User

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "organisations.csv"
Progress = Callable[[int, int], None]


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
        _link_organisations_to_areas()
    return changed


def _link_organisations_to_areas() -> None:
    # A force, fire authority or ambulance trust shares its code with the area it serves.
    areas = {a.code: a for a in Area.objects.filter(code__in=Organisation.objects.values("code"))}
    for org in Organisation.objects.filter(code__in=areas.keys()):
        if org.area_id != areas[org.code].pk:
            org.area = areas[org.code]
            org.save(update_fields=["area"])


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
    _link_organisations_to_areas()
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
    _link_organisations_to_areas()
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
    elif User.objects.filter(email=email).exists():
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
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.set_password", obj=user)
