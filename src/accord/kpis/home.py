"""The KPIs' panel on the home page: the KPIs of concern in the collaborations the person may
see, in the portfolio's order (concern first).

"Of concern" is what a board would be asked about: special cause variation in the bad
direction, a target the process will consistently fail (assurance), or a target missed (the
simple status). A stale or missing series is a gap in the record, not a judgement, so it is not
counted here; the portfolio lists those too.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from . import presentation, queries, services

#: How many KPIs the panel lists; the portfolio lists the rest.
SHOWN = 8


def of_concern(summary: queries.Summary) -> bool:
    return (
        summary.variation == "special_cause_concern"
        or summary.assurance == "consistent_fail"
        or summary.status == "missed"
    )


def reasons(summary: queries.Summary, badges: presentation.Badges) -> list[str]:
    """Why a KPI is of concern, in the portfolio's words."""
    found = []
    if summary.variation == "special_cause_concern":
        found.append(badges.variation.words)
    if summary.assurance == "consistent_fail":
        found.append(badges.assurance.words)
    if summary.status == "missed":
        found.append("Target missed")
    return found


def home_panel(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    # As the portfolio does: KPIs that Accord works out are brought up to date before judging.
    memo = queries.kept(today)
    if services.refresh_stale_computed_ids(memo.computed, today=today):
        memo = queries.kept(today)
    found = queries.portfolio(user, {}, today=today, memo=memo)
    concern = [pk for pk in found.ids if of_concern(found.summaries[pk])]
    counts = {
        "concern": sum(
            1 for pk in concern if found.summaries[pk].variation == "special_cause_concern"
        ),
        "failing": sum(1 for pk in concern if found.summaries[pk].assurance == "consistent_fail"),
        "missed": sum(1 for pk in concern if found.summaries[pk].status == "missed"),
    }
    rows = []
    for row in found.rows(concern[:SHOWN]) if concern else []:
        adoption, summary = row.adoption, row.summary
        drawn = presentation.badges(adoption.indicator, summary, target=queries.target_of(adoption))
        rows.append(
            {
                "adoption": adoption,
                "url": reverse("kpis:adoption", args=[adoption.pk]),
                "latest": presentation.figure(summary.latest_value, adoption.indicator.unit),
                "reasons": reasons(summary, drawn),
            }
        )
    portfolio = reverse("kpis:portfolio")
    return {
        "rows": rows,
        "total": len(concern),
        "kpis": len(found),
        "counts": counts,
        "portfolio_url": portfolio,
        "links": [
            (f"{portfolio}?status=concern", "Special cause concern", counts["concern"]),
            (f"{portfolio}?status=failing", "Consistently failing the target", counts["failing"]),
            (f"{portfolio}?status=missed", "Target missed", counts["missed"]),
        ],
    }
