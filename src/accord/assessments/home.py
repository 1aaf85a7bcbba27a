"""The assessments' panel on the home page: the rounds open today that the person is invited
to answer, and those they manage (start, invite to, import into: `services.can_manage`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accord.core.choices import Role
from accord.register import services as register

from . import results, services
from .models import Invitation, Round

#: How many rounds each list shows; the assessments page lists every round.
SHOWN = 10


def invited_rounds(user: Any, today: dt.date) -> list[Invitation]:
    """The person's own invitations to rounds open today, closing soonest first. An invitation
    is to an email address: the one the person signs in with."""
    return list(
        Invitation.objects.filter(
            # Kept in lower case, as `services.invite` writes them.
            email=user.email.strip().lower(),
            round__opens_on__lte=today,
            round__closes_on__gte=today,
        )
        .select_related("round", "round__collaboration")
        .order_by("round__closes_on", "round__pk")
    )


def managed_rounds(user: Any, today: dt.date) -> list[Round]:
    """Rounds open today of collaborations the person may manage, closing soonest first: a
    platform administrator's are every visible one; a contributor's, those of collaborations
    their organisation is a partner in (the rule `services.can_manage` applies, and is asked of
    each)."""
    collaborations = register.visible_collaborations(user).current()
    if not user.is_platform_admin:
        if not user.organisation_id or not user.has_role(Role.CONTRIBUTOR):
            return []
        collaborations = collaborations.filter(partners__organisation_id=user.organisation_id)
    rounds = (
        Round.objects.filter(
            opens_on__lte=today,
            closes_on__gte=today,
            collaboration__in=collaborations.values("pk"),
        )
        .select_related("collaboration", "framework")
        .order_by("closes_on", "pk")
    )
    if not user.is_platform_admin:
        rounds = rounds.prefetch_related("collaboration__partners")
    return [r for r in rounds if services.can_manage(user, r.collaboration)]


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    invited = invited_rounds(user, today)
    managed = managed_rounds(user, today)
    shown = managed[:SHOWN]
    counts = results.response_counts(shown) if shown else {}
    visible = (
        set(
            register.visible_collaborations(user)
            .filter(pk__in={i.round.collaboration_id for i in invited[:SHOWN]})
            .values_list("pk", flat=True)
        )
        if invited
        else set()
    )
    return {
        "invited": [
            {"invitation": i, "visible": i.round.collaboration_id in visible}
            for i in invited[:SHOWN]
        ],
        "invited_total": len(invited),
        "managed": [{"round": r, "counts": counts[r.pk]} for r in shown],
        "managed_total": len(managed),
    }
