"""Every change to the register: create, edit, archive, review, import.

Each function checks permission, writes inside one transaction and records the audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet, prefetch_related_objects
from django.utils import timezone

from accord.core import audit
from accord.core.actors import user_or_none
from accord.core.choices import Role, Visibility
from accord.core.problems import EditConflict, NotVisible, PermissionRefused, Problem, Problems
from accord.core.sectors import SERVICES
from accord.orgs.models import Area, Organisation

from .mix import service_mix
from .models import (
    Champion,
    Collaboration,
    CollaborationQuerySet,
    DutyReview,
    EvidenceLink,
    Partner,
)
from .references import readable_reference
from .risks import Risk, sustainability_risks


@dataclass
class CollaborationData:
    """Everything a person can set on a collaboration, from a form, a file or the demo."""

    title: str
    summary: str
    research_area: str
    nature: str
    status: str
    partners: list[tuple[Organisation, str]]
    reference: str = ""
    proposed_on: dt.date | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    services: list[str] = field(default_factory=list)
    funding_source: str = ""
    funding_amount: Decimal | None = None
    funding_ends_on: dt.date | None = None
    board: str = ""
    # Yes, no or not known (None). Not known for a caller that does not say: unknown is not
    # no, so a record nobody asked about is flagged "agreement not recorded".
    has_written_agreement: bool | None = None
    agreement_signed_on: dt.date | None = None
    champions: list[tuple[str, Organisation | None]] = field(default_factory=list)
    evidence: list[tuple[str, str]] = field(default_factory=list)
    outcomes: str = ""
    public_summary: str = ""
    notes: str = ""
    visibility: str = Visibility.PARTNERS
    named_organisations: list[Organisation] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)


REFERENCE_TAKEN = (
    "is already in use: choose another reference, or leave it blank for one to be made"
)

SCALAR_FIELDS = (
    "title",
    "summary",
    "research_area",
    "nature",
    "status",
    "proposed_on",
    "started_on",
    "ended_on",
    "funding_source",
    "funding_amount",
    "funding_ends_on",
    "board",
    "has_written_agreement",
    "agreement_signed_on",
    "outcomes",
    "public_summary",
    "notes",
    "visibility",
)


# Permission -------------------------------------------------------------------------------


def can_create(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_platform_admin or (user.organisation_id and user.has_role(Role.CONTRIBUTOR)))
    )


def can_edit(user: Any, collaboration: Collaboration) -> bool:
    """Contributors and administrators of a partner organisation, and platform administrators."""
    if not user.is_authenticated:
        return False
    if user.is_platform_admin:
        return True
    if not user.organisation_id or not user.has_role(Role.CONTRIBUTOR):
        return False
    partners = _prefetched(collaboration, "partners")
    if partners is not None:
        return any(p.organisation_id == user.organisation_id for p in partners)
    return collaboration.partners.filter(organisation_id=user.organisation_id).exists()


def _prefetched(collaboration: Collaboration, relation: str) -> list[Any] | None:
    """A relation's rows where the page loaded them already, so that a check asks no query."""
    cache: dict[str, Any] = getattr(collaboration, "_prefetched_objects_cache", {})
    return list(cache[relation]) if relation in cache else None


def visible_collaborations(user: Any) -> CollaborationQuerySet:
    """Every collaboration this person may see: the rule other domains filter by."""
    return Collaboration.objects.visible_to(user)


def find_collaboration(reference: str | None) -> Collaboration | None:
    """A collaboration by reference, whoever may see it: for the operator's own loaders."""
    return Collaboration.objects.filter(reference=reference).first() if reference else None


def get_visible(user: Any, reference: str, *, whole: bool = False) -> Collaboration:
    """The collaboration, or NotVisible (a 404) where it does not exist or this person may not
    see it.

    One query decides, so that a record someone may not see costs exactly what one that does
    not exist does. `whole` then loads everything its page shows, one query a relation, which
    the permission checks and the page's panels reuse.
    """
    collaboration = Collaboration.objects.visible_to(user).filter(reference=reference).first()
    if collaboration is None:
        raise NotVisible("collaboration")
    if whole:
        _load_relations(collaboration)
    return collaboration


def _load_relations(collaboration: Collaboration) -> None:
    """Load what its page shows as `prefetch_related` would, one plain query a relation:
    Django's prefetching took twice as long as the queries themselves for one record."""
    relations: dict[str, QuerySet[Any]] = {
        "partners": Partner.objects.filter(collaboration=collaboration)
        .select_related("organisation")
        .order_by("role", "organisation__name"),
        "champions": Champion.objects.filter(collaboration=collaboration).select_related(
            "organisation"
        ),
        "reviews": DutyReview.objects.filter(collaboration=collaboration),
        "evidence": EvidenceLink.objects.filter(collaboration=collaboration),
        "areas": collaboration.areas.all(),
    }
    # Named organisations mean nothing (and are not shown) unless it is shared with them.
    if collaboration.visibility == Visibility.NAMED:
        relations["named_organisations"] = collaboration.named_organisations.all()
    for rows in relations.values():
        rows._fetch_all()
    if relations.get("reviews"):
        prefetch_related_objects(list(relations["reviews"]), "notified")
    # Where the related managers look for prefetched rows.
    cache: dict[str, Any] = getattr(collaboration, "_prefetched_objects_cache", {})
    cache.update(relations)
    collaboration._prefetched_objects_cache = cache  # type: ignore[attr-defined]


# Snapshots, for the audit log and for showing what changed --------------------------------


def snapshot(collaboration: Collaboration) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(collaboration, name) for name in SCALAR_FIELDS}
    for key in ("proposed_on", "started_on", "ended_on", "funding_ends_on", "agreement_signed_on"):
        data[key] = data[key].isoformat() if data[key] else None
    data["funding_amount"] = (
        str(collaboration.funding_amount) if collaboration.funding_amount is not None else None
    )
    data["reference"] = collaboration.reference
    data["services"] = collaboration.services
    data["service_mix"] = collaboration.service_mix
    data["partners"] = [
        f"{p.organisation.code}:{p.role}"
        for p in collaboration.partners.select_related("organisation").order_by(
            "organisation__code"
        )
    ]
    data["champions"] = [
        f"{c.name} ({c.organisation.code})" if c.organisation else c.name
        for c in collaboration.champions.select_related("organisation")
    ]
    data["evidence"] = [f"{e.title} | {e.url}".rstrip(" |") for e in collaboration.evidence.all()]
    data["named_organisations"] = sorted(
        collaboration.named_organisations.values_list("code", flat=True)
    )
    data["areas"] = sorted(collaboration.areas.values_list("code", flat=True))
    data["archived"] = collaboration.archived_at is not None
    data["version"] = collaboration.version
    return data


FIELD_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "research_area": "Area of research",
    "nature": "Nature",
    "status": "Status",
    "proposed_on": "Proposed on",
    "started_on": "Started on",
    "ended_on": "Ended on",
    "funding_source": "Funding source",
    "funding_amount": "Funding amount",
    "funding_ends_on": "Funding ends on",
    "board": "Board",
    "has_written_agreement": "Written collaboration agreement",
    "agreement_signed_on": "Agreement signed on",
    "outcomes": "Outcomes and published figures",
    "public_summary": "Public summary",
    "notes": "Notes",
    "visibility": "Who can see it",
    "services": "Services involved",
    "partners": "Partners",
    "champions": "Champions",
    "evidence": "Evidence links",
    "named_organisations": "Named organisations",
    "areas": "Areas",
    "reference": "Reference",
}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (FIELD_LABELS[key], before.get(key), after.get(key))
        for key in FIELD_LABELS
        if before.get(key) != after.get(key)
    ]


# Changes ----------------------------------------------------------------------------------


def _validate(actor: Any, data: CollaborationData) -> None:
    if actor.is_platform_admin:
        return
    if not any(org.pk == actor.organisation_id for org, _ in data.partners):
        raise PermissionRefused(
            "Your organisation must be one of the partners, so that you can keep the record up "
            "to date."
        )


def _apply(collaboration: Collaboration, data: CollaborationData) -> None:
    for name in SCALAR_FIELDS:
        setattr(collaboration, name, getattr(data, name))
    services = set(data.services) or {
        org.sector for org, role in data.partners if role != "supporter"
    }
    for name in SERVICES:
        setattr(collaboration, f"involves_{name}", name in services)
    collaboration.service_mix = service_mix(services)


def _write_children(collaboration: Collaboration, data: CollaborationData) -> None:
    collaboration.partners.all().delete()
    Partner.objects.bulk_create(
        Partner(collaboration=collaboration, organisation=org, role=role)
        for org, role in data.partners
    )
    collaboration.champions.all().delete()
    Champion.objects.bulk_create(
        Champion(collaboration=collaboration, name=name, organisation=org)
        for name, org in data.champions
    )
    collaboration.evidence.all().delete()
    EvidenceLink.objects.bulk_create(
        EvidenceLink(collaboration=collaboration, title=title, url=url)
        for title, url in data.evidence
    )
    collaboration.named_organisations.set(data.named_organisations)
    collaboration.areas.set(data.areas)


def unique_reference(title: str) -> str:
    """A reference from the title's words and a number (register/references.py)."""
    return readable_reference(
        title, lambda candidate: Collaboration.objects.filter(reference__iexact=candidate).exists()
    )


def create_collaboration(actor: Any, data: CollaborationData) -> Collaboration:
    if not can_create(actor):
        raise PermissionRefused("You need the contributor role to add a collaboration.")
    _validate(actor, data)
    reference_taken = Problems(
        # The same words whoever holds it, so that a hidden record's reference is not revealed
        # as such: only that the reference cannot be used.
        [Problem(REFERENCE_TAKEN, field="reference")]
    )
    if data.reference and Collaboration.objects.filter(reference=data.reference).exists():
        raise reference_taken
    with transaction.atomic():
        collaboration = Collaboration(
            reference=data.reference or unique_reference(data.title),
            created_by=user_or_none(actor),
        )
        _apply(collaboration, data)
        try:
            with transaction.atomic():
                collaboration.save()
        except IntegrityError:
            # Someone else took it between the check and the save.
            raise reference_taken from None
        _write_children(collaboration, data)
        audit.record(
            actor=actor,
            action="collaboration.create",
            obj=collaboration,
            after=snapshot(collaboration),
        )
    return collaboration


def update_collaboration(
    actor: Any, collaboration: Collaboration, data: CollaborationData, *, expected_version: int
) -> Collaboration:
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not edit this collaboration.")
    _validate(actor, data)
    with transaction.atomic():
        current = Collaboration.objects.select_for_update().get(pk=collaboration.pk)
        if current.version != expected_version:
            raise _conflict(current, expected_version)
        before = snapshot(current)
        _apply(current, data)
        current.version += 1
        current.save()
        _write_children(current, data)
        after = snapshot(current)
        audit.record(
            actor=actor, action="collaboration.update", obj=current, before=before, after=after
        )
    return current


def _conflict(current: Collaboration, expected_version: int) -> EditConflict:
    by, at = audit.last_change(current)
    opened = audit.snapshot_at_version(current, expected_version) or {}
    return EditConflict(
        changes=_changes(opened, snapshot(current)),
        by=by,
        at=at,
        current_version=current.version,
    )


def archive_collaboration(
    actor: Any, collaboration: Collaboration, *, archive: bool = True
) -> None:
    """Deleting is archiving: the record leaves the lists but nothing is lost."""
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not archive this collaboration.")
    with transaction.atomic():
        current = Collaboration.objects.select_for_update().get(pk=collaboration.pk)
        before = snapshot(current)
        current.archived_at = timezone.now() if archive else None
        current.version += 1
        current.save(update_fields=["archived_at", "version", "updated_at"])
        audit.record(
            actor=actor,
            action="collaboration.archive" if archive else "collaboration.restore",
            obj=current,
            before=before,
            after=snapshot(current),
        )


@dataclass
class ReviewData:
    opportunity: str
    considered_on: dt.date
    decision: str
    reason: str
    notified: list[Organisation] = field(default_factory=list)


def add_review(actor: Any, collaboration: Collaboration, data: ReviewData) -> DutyReview:
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not record a review of this collaboration.")
    with transaction.atomic():
        review = DutyReview.objects.create(
            collaboration=collaboration,
            opportunity=data.opportunity,
            considered_on=data.considered_on,
            decision=data.decision,
            reason=data.reason,
            recorded_by=user_or_none(actor),
        )
        review.notified.set(data.notified)
        audit.record(
            actor=actor,
            action="review.create",
            obj=review,
            after={
                "collaboration": collaboration.reference,
                "opportunity": data.opportunity,
                "considered_on": data.considered_on.isoformat(),
                "decision": data.decision,
                "reason": data.reason,
                "notified": sorted(o.code for o in data.notified),
            },
        )
    return review


def risks_for(collaboration: Collaboration, today: dt.date | None = None) -> list[Risk]:
    reviews = _prefetched(collaboration, "reviews")
    champions = _prefetched(collaboration, "champions")
    last_review = (
        max((r.considered_on for r in reviews), default=None)
        if reviews is not None
        else collaboration.reviews.aggregate(last=Max("considered_on"))["last"]
    )
    return sustainability_risks(
        status=collaboration.status,
        champions=len(champions) if champions is not None else collaboration.champions.count(),
        funding_ends_on=collaboration.funding_ends_on,
        has_written_agreement=collaboration.has_written_agreement,
        last_review_on=last_review,
        today=today or timezone.localdate(),
    )


def import_collaborations(
    actor: Any, rows: list[Any], progress: Callable[[int, int], None] | None = None
) -> list[Collaboration]:
    """Create every parsed row (importers.ParsedRow) in one transaction, or none.

    `progress(done, total)` is told of each row written, for a progress bar.
    """
    if not can_create(actor):
        raise PermissionRefused("You need the contributor role to import collaborations.")
    problems = []
    for row in rows:
        try:
            _validate(actor, row.data)
        except PermissionRefused as exc:
            problems.append(Problem(exc.message, row=row.line, field="partners"))
    if problems:
        raise Problems(problems)
    created = []
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            created.append(create_collaboration(actor, row.data))
            if progress is not None:
                progress(done, len(rows))
        audit.record(
            actor=actor,
            action="collaboration.import",
            object_type="register.collaboration",
            after={"count": len(created), "references": [c.reference for c in created]},
        )
    return created
