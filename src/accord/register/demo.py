"""The demo collaborations: the briefing's own examples with their published figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from accord.core.choices import Visibility
from accord.orgs.models import Organisation

from . import services
from .models import Collaboration

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_collaborations.yaml"


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_demo_collaborations(actor: Any, path: Path = DEMO_FILE) -> list[Collaboration]:
    """Create the demo collaborations that are not there yet; returns those created."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    organisations = {o.code: o for o in Organisation.objects.all()}
    created = []
    for item in items:
        if Collaboration.objects.filter(reference=item["reference"]).exists():
            continue
        funding = item.get("funding") or {}
        governance = item.get("governance") or {}
        data = services.CollaborationData(
            reference=item["reference"],
            title=item["title"],
            summary=item["summary"].strip(),
            research_area=item["research_area"],
            nature=item["nature"],
            status=item["status"],
            started_on=_date(item.get("started_on")),
            ended_on=_date(item.get("ended_on")),
            services=list(item.get("services") or []),
            partners=[(organisations[p["org"]], p["role"]) for p in item["partners"]],
            funding_source=funding.get("source") or "",
            funding_amount=(
                Decimal(str(funding["amount"])) if funding.get("amount") is not None else None
            ),
            funding_ends_on=_date(funding.get("ends_on")),
            board=governance.get("board") or "",
            # The sources' null (not stated) is "not known", never "no".
            has_written_agreement=governance.get("written_agreement"),
            agreement_signed_on=_date(governance.get("agreement_signed_on")),
            champions=[
                (c["name"], organisations.get(c.get("organisation") or ""))
                for c in item.get("champions") or []
            ],
            outcomes=(item.get("outcomes") or "").strip(),
            public_summary=(item.get("public_summary") or "").strip(),
            evidence=[(e["title"], e.get("url") or "") for e in item.get("evidence") or []],
            notes=(item.get("notes") or "").strip(),
            visibility=Visibility.PUBLIC,
        )
        created.append(services.create_collaboration(actor, data))
    return created
