"""The register's panel on the home page: the person's own collaborations, riskiest first.

"Their collaborations" are those their organisation takes part in, as lead, partner or
supporter, or has a champion on, that they may see and that are not archived: the register
names organisations, not people, so a person's own are their organisation's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accord.core import audit
from accord.orgs.models import Organisation

from . import listing, queries, risks
from .choices import PartnerRole
from .listing import REFERENCE_SAFE
from .models import Champion, Collaboration, Partner, wholly_visible

#: How many rows the panel lists; the register lists the rest.
SHOWN = 10
ROLE_LABELS = dict(PartnerRole.choices)
#: As long as the register's counts are kept, and under the same state: any change to the
#: collaborations, their reviews or the organisations draws the panel afresh.
CACHE_SECONDS = queries.FACET_CACHE_SECONDS


def own_collaborations(user: Any, organisation_id: int) -> list[tuple[Any, ...]]:
    """What the person may see of what their organisation is on: each one's reference, title,
    status, the organisation's role and what the risk flags read, in one query."""
    partner = Partner.objects.filter(organisation_id=organisation_id).values("collaboration_id")
    champion = Champion.objects.filter(organisation_id=organisation_id).values("collaboration_id")
    role = Partner.objects.filter(
        collaboration_id=OuterRef("pk"), organisation_id=organisation_id
    ).values("role")[:1]
    found = (
        Collaboration.objects.visible_to(user)
        .current()
        .filter(Q(pk__in=partner) | Q(pk__in=champion))
        .annotate(own_role=Subquery(role))
    )
    # The annotations (the role here, the risks' inputs in queries.py) are unknown to the
    # stubs' reading of the model.
    return list(
        queries.with_risk_inputs(found)
        .order_by()
        .values_list(  # type: ignore[misc]
            "reference",
            "title",
            "status",
            "own_role",
            "champion_total",
            "funding_ends_on",
            "has_written_agreement",
            "last_review_on",
        )
    )


def _rows(user: Any, organisation_id: int, today: dt.date) -> dict[str, Any]:
    """The first rows, most flags first, each flag in the list's words (plain data, to keep),
    and how many there are and how many are at risk."""
    rows = []
    for (
        reference,
        title,
        status,
        role,
        champions,
        funding,
        agreement,
        reviewed,
    ) in own_collaborations(user, organisation_id):
        flags = risks.sustainability_risks(
            status=status,
            champions=champions,
            funding_ends_on=funding,
            has_written_agreement=agreement,
            last_review_on=reviewed,
            today=today,
        )
        rows.append(
            {
                "title": title,
                "reference": reference,
                "status": listing.STATUS_LABELS.get(status, status),
                "role": ROLE_LABELS.get(role, "Champion"),
                "words": listing.risk_words(flags),
            }
        )
    rows.sort(key=lambda r: (-len(r["words"]), r["title"]))
    return {
        "rows": rows[:SHOWN],
        "total": len(rows),
        "at_risk": sum(1 for r in rows if r["words"]),
    }


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    organisation_id = getattr(user, "organisation_id", None)
    if not organisation_id:
        return {"organisation": None, "rows": [], "total": 0, "at_risk": 0}
    today = timezone.localdate()
    # Whom the person sees as (their organisation and the visibilities they see whole), the
    # state of the register and the day (the flags' twelve months move with it).
    signature = json.dumps(
        [
            audit.state_version(queries.COUNTS_DEPEND_ON),
            organisation_id,
            list(wholly_visible(user)),
            today.isoformat(),
        ]
    )
    key = "register:home:" + hashlib.sha256(signature.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        organisation = Organisation.objects.only("name", "code").get(pk=organisation_id)
        found = {
            "organisation": {"name": organisation.name, "code": organisation.code},
            **_rows(user, organisation_id, today),
        }
        cache.set(key, found, CACHE_SECONDS)
    code = found["organisation"]["code"]
    register = reverse("register:list")
    placeholder = "reference-placeholder"
    detail_url = reverse("register:detail", args=[placeholder])
    rows = [
        {
            **r,
            "url": detail_url.replace(placeholder, quote(r["reference"], safe=REFERENCE_SAFE)),
            "risk_cell": listing.risk_cell(r["words"]),
        }
        for r in found["rows"]
    ]
    return {
        **found,
        "rows": rows,
        # The register's own filters: the organisation's partnerships (not its champions alone).
        "all_url": f"{register}?{urlencode({'organisation': code})}",
        "at_risk_url": f"{register}?"
        + urlencode({"organisation": code, "at_risk": "on", "sort": "-risks"}),
    }
