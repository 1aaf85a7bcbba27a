"""The register's panel on the home page: the person's own collaborations, riskiest first.

"Their collaborations" are those their organisation takes part in, as lead, partner or
supporter, or has a champion on, that they may see and that are not archived: the register
names organisations, not people, so a person's own are their organisation's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accord.orgs.models import Organisation

from . import listing, queries
from .choices import PartnerRole
from .models import Champion, Collaboration, Partner

#: How many rows the panel lists; the register lists the rest.
SHOWN = 10
ROLE_LABELS = dict(PartnerRole.choices)


def own_collaborations(user: Any, organisation_id: int) -> Any:
    """What the person may see of what their organisation is on, with its role and what the
    risk flags need, in one query."""
    partner = Partner.objects.filter(organisation_id=organisation_id).values("collaboration_id")
    champion = Champion.objects.filter(organisation_id=organisation_id).values("collaboration_id")
    role = Partner.objects.filter(
        collaboration_id=OuterRef("pk"), organisation_id=organisation_id
    ).values("role")[:1]
    found = (
        Collaboration.objects.visible_to(user)
        .current()
        .filter(Q(pk__in=partner) | Q(pk__in=champion))
        .only(*listing.LIST_COLUMNS)
        .annotate(own_role=Subquery(role))
    )
    return queries.with_risk_inputs(found)


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    organisation_id = getattr(user, "organisation_id", None)
    if not organisation_id:
        return {"organisation": None, "rows": [], "total": 0, "at_risk": 0}
    organisation = Organisation.objects.only("name", "code").get(pk=organisation_id)
    today = timezone.localdate()
    rows = []
    for c in own_collaborations(user, organisation_id):
        flags = queries.risks_of(c, today)
        rows.append(
            {
                "title": c.title,
                "url": reverse("register:detail", args=[c.reference]),
                "status": listing.STATUS_LABELS.get(c.status, c.status),
                "role": ROLE_LABELS.get(c.own_role, "Champion"),
                "risk_cell": listing.risk_cell(listing.risk_words(flags)),
                "risks": len(flags),
            }
        )
    rows.sort(key=lambda r: (-r["risks"], r["title"]))
    at_risk = sum(1 for r in rows if r["risks"])
    register = reverse("register:list")
    return {
        "organisation": organisation,
        "rows": rows[:SHOWN],
        "total": len(rows),
        "at_risk": at_risk,
        # The register's own filters: the organisation's partnerships (not its champions alone).
        "all_url": f"{register}?{urlencode({'organisation': organisation.code})}",
        "at_risk_url": f"{register}?"
        + urlencode({"organisation": organisation.code, "at_risk": "on", "sort": "-risks"}),
    }
