"""The demo: the reference organisations, the briefing's example collaborations, their demo
assessment rounds and appraisals, and three logins to try them with.

It spans every domain, so it sits on top with the command line; each app keeps its own part
(`register/demo.py`, `assessments/demo.py`, `appraisal/demo.py`, `kpis/demo.py`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accord.analytics.demo import load_demo as load_analytics_demo
from accord.appraisal.demo import load_demo as load_appraisal_demo
from accord.assessments.demo import load_demo as load_assessment_demo
from accord.core.actors import SystemActor
from accord.insights.demo import load_demo as load_insights_demo
from accord.kpis.demo import load_demo as load_kpi_demo
from accord.kpis.services import load_shipped_library
from accord.lessons.demo import load_demo as load_lessons_demo
from accord.orgs import services as orgs
from accord.orgs.models import User
from accord.register.demo import load_demo_collaborations

DEMO_ADMIN = "admin@demo.accord.test"
#: (email, organisation code, role): a platform administrator, a contributor at a lead partner
#: and its organisation's administrator (who manages its people), and a reader elsewhere.
DEMO_PEOPLE = (
    (DEMO_ADMIN, "X-HO", "platform_admin"),
    ("contributor@lincolnshire-fire.demo.accord.test", "E31000025", "contributor"),
    ("org-admin@lincolnshire-fire.demo.accord.test", "E31000025", "org_admin"),
    ("reader@hampshire-police.demo.accord.test", "E23000030", "reader"),
)


@dataclass
class DemoLoaded:
    organisations: int
    collaborations: int
    rounds: int
    appraisals: int
    #: (email, role, password) for each demo login.
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    #: What the KPI demo did (the indicator library, AmbSYS, adoptions), a line each.
    kpis: list[str] = field(default_factory=list)


def demo_password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def load(password: str | None = None, ambsys: Path | None = None) -> DemoLoaded:
    """Idempotent: organisations are updated, collaborations added once, and the demo logins
    get fresh passwords (`password`, or a random one each). `ambsys` is the AmbSYS file for
    the KPIs (default: ../shared/data/ambsys_2017-08_to_2019-12.csv, when it is there)."""
    actor = SystemActor("demo loader")
    with transaction.atomic():
        changed = orgs.load_reference_organisations(actor=actor)
        orgs.load_reference_areas(actor=actor)
        indicators = load_shipped_library(actor)
        created = load_demo_collaborations(actor)
        rounds = load_assessment_demo(actor)
        appraisals = load_appraisal_demo(actor)
        kpis = load_kpi_demo(actor, ambsys=ambsys, library=indicators)
        analytics = load_analytics_demo(actor)
        insights = load_insights_demo(actor)
        logins = []
        for email, code, role in DEMO_PEOPLE:
            secret = password or demo_password()
            user = User.objects.filter(email=email).first()
            if user is None:
                orgs.add_user(
                    email=email, organisation_code=code, role=role, password=secret, actor=actor
                )
            else:
                orgs.set_password(user, secret, actor=actor)
            logins.append((email, role, secret))
        lessons = load_lessons_demo(actor)
    return DemoLoaded(
        changed,
        len(created),
        len(rounds),
        len(appraisals),
        logins,
        kpis.lines + analytics.lines + lessons.lines + insights.lines,
    )
