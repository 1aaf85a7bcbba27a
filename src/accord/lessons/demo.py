"""The demo lessons: the briefing's examples (the JPSC's joint control room, MAIT's transfer of
incidents between control rooms, the JACP's co-responding) written as Accord's own demo text,
each published by its organisation's moderator, with actions (two of them lessons learned),
and a theme they share, communication, raised as an action note.

The figures quoted are the briefing's own (../shared/seed/facts.md); the dates the lessons
happened on are the demo's. Idempotent: a lesson already there by its title is left alone.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from accord.orgs import services as orgs
from accord.orgs.models import Organisation, User
from accord.register import services as register

from . import services
from .choices import NoteState
from .models import ActionNote, Lesson

#: The demo's people who write and moderate lessons (their passwords are random: sign in as
#: the demo's logins to read what they wrote).
PEOPLE = (
    ("lessons@south-wales-police.demo.accord.test", "W15000003", "contributor"),
    ("moderator@south-wales-police.demo.accord.test", "W15000003", "moderator"),
    ("lessons@lincolnshire-fire.demo.accord.test", "E31000025", "contributor"),
    ("moderator@lincolnshire-fire.demo.accord.test", "E31000025", "moderator"),
)

LESSONS: list[dict[str, Any]] = [
    {
        "by": "lessons@south-wales-police.demo.accord.test",
        "moderator": "moderator@south-wales-police.demo.accord.test",
        "collaboration": "JPSC",
        "kind": "notable_practice",
        "title": "Moving fire control into the police headquarters as one joint control room",
        "source": "collaboration",
        "occurred_on": dt.date(2017, 10, 31),
        "organisations": ["W15000003", "W25000003", "W25000002"],
        "principles": ["co-locate", "communicate", "shared-situational-awareness"],
        "factors": ["trust", "service-identity"],
        "what_happened": (
            "The fire and rescue services' control rooms moved into the police headquarters at "
            "Bridgend, the move completed in October 2017, with a Welsh Ambulance clinical desk "
            "staffed from 15:00 to 02:00. Call handlers of each service sit side by side and "
            "hear each other's calls. Questions on the move went to the project lead, "
            "PC 4127, whose number was on the briefing sheet."
        ),
        "why": (
            "Sitting together, call handlers share what each service knows about an incident "
            "as it comes in, rather than passing it by telephone once each has logged it. An "
            "evaluation found shorter call handling. Each service kept its own identity and "
            "its own command of its resources."
        ),
        "recommendation": (
            "Plan a co-located control room around the conversations between services, not the "
            "floor plan alone; keep each service's identity and command visible; agree the "
            "clinical desk's hours with the ambulance service from the demand it sees."
        ),
        "evidence": "independently_evaluated",
        "audience": "signed_in",
        "actions": [
            (
                "Share the joint control room's operating procedures with other Welsh services",
                "lessons@south-wales-police.demo.accord.test",
                dt.date(2018, 6, 30),
                "Procedures shared with the other Welsh services in a joint workshop.",
            )
        ],
    },
    {
        "by": "lessons@lincolnshire-fire.demo.accord.test",
        "moderator": "moderator@lincolnshire-fire.demo.accord.test",
        "collaboration": "MAIT",
        "kind": "lesson_identified",
        "title": "Sending incidents between control rooms by MAIT instead of by telephone",
        "source": "collaboration",
        "occurred_on": dt.date(2018, 3, 1),
        "organisations": ["E31000025"],
        "principles": ["communicate", "shared-situational-awareness"],
        "factors": ["organisational-differences"],
        "what_happened": (
            "Incidents passed to another service's control room by telephone were typed in "
            "again at the other end. With the Multi Agency Incident Transfer, an open XML "
            "standard exchanged through a hub, logging a transferred call fell from about 4 "
            "minutes to 16 seconds."
        ),
        "why": (
            "Each control room's system spoke its own language; a shared standard lets one "
            "record pass between them without being retyped, and without the errors retyping "
            "brings."
        ),
        "recommendation": (
            "Connect the control room to MAIT before adding new telephone procedures between "
            "services; agree with each partner which incident types are sent."
        ),
        "evidence": "evaluated_locally",
        "audience": "public",
        "actions": [
            (
                "Agree with East Midlands Ambulance Service which incident types are sent",
                "lessons@lincolnshire-fire.demo.accord.test",
                dt.date(2030, 3, 31),
                "",
            )
        ],
    },
    {
        "by": "lessons@lincolnshire-fire.demo.accord.test",
        "moderator": "moderator@lincolnshire-fire.demo.accord.test",
        "collaboration": "JACP",
        "kind": "notable_practice",
        "title": "Firefighters co-responding to medical emergencies from rural fire stations",
        "source": "collaboration",
        "occurred_on": dt.date(2018, 6, 1),
        "organisations": ["E31000025", "RX9"],
        "principles": ["communicate", "co-ordinate"],
        "factors": ["funding", "representative-bodies"],
        "what_happened": (
            "Crews at Long Sutton, Stamford and Woodhall Spa fire stations were sent to medical "
            "emergencies alongside the ambulance service, funded by a DCLG Transformation "
            "Challenge Award. The project reported a 2-minute response."
        ),
        "why": (
            "Fire stations in rural Lincolnshire are often closer to a patient than the nearest "
            "ambulance; the crews' training and the ambulance control's dispatch together "
            "brought care sooner."
        ),
        "recommendation": (
            "Agree the crews' role with the representative bodies early, and plan for the end "
            "of one-off funding from the start."
        ),
        "evidence": "evaluated_locally",
        "audience": "partners",
        "actions": [
            (
                "Record co-responding attendances monthly as a KPI",
                "lessons@lincolnshire-fire.demo.accord.test",
                dt.date(2018, 12, 31),
                "Attendances now recorded monthly on the collaboration's KPI page.",
            )
        ],
    },
]


@dataclass
class LessonsDemo:
    lines: list[str] = field(default_factory=list)


def _person(email: str, code: str, role: str, actor: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user, _ = orgs.add_user(
            email=email,
            organisation_code=code,
            role=role,
            password=secrets.token_urlsafe(24),
            actor=actor,
        )
    return user


def load_demo(actor: Any) -> LessonsDemo:
    made = LessonsDemo()
    people = {email: _person(email, code, role, actor) for email, code, role in PEOPLE}
    count = 0
    for item in LESSONS:
        if Lesson.objects.filter(title=item["title"]).exists():
            continue
        submitter = people[item["by"]]
        data = services.LessonData(
            kind=item["kind"],
            title=item["title"],
            source=item["source"],
            occurred_on=item["occurred_on"],
            what_happened=item["what_happened"],
            why=item["why"],
            recommendation=item["recommendation"],
            organisations=list(Organisation.objects.filter(code__in=item["organisations"])),
            collaboration=register.find_collaboration(item["collaboration"]),
            principles=item["principles"],
            factors=item["factors"],
            evidence=item["evidence"],
            audience=item["audience"],
        )
        lesson = services.create_lesson(submitter, data)
        lesson = services.submit(submitter, lesson)
        moderator = people[item["moderator"]]
        # The moderator accepts every span Accord suggests (the JPSC's collar number).
        spans = services.suggested_redactions(moderator, lesson)
        lesson = services.review(moderator, lesson, decision="publish", redactions=spans)
        if lesson.state != "published":  # a public lesson: the platform's moderator too
            lesson = services.review(actor, lesson, decision="publish")
        for title, owner, due, evidence in item["actions"]:
            action = services.add_action(submitter, lesson, title=title, owner_email=owner, due=due)
            if evidence:
                services.complete_action(people[owner], action, evidence=evidence)
        count += 1
    services.raise_action_notes(actor)
    for note in ActionNote.objects.filter(state=NoteState.RAISED, theme="communicate"):
        services.issue_note(
            actor,
            note,
            text=(
                "Three published lessons from two organisations, within a year, speak of how "
                "control rooms and crews of different services communicate: sitting together "
                "(the JPSC), sending incidents by a shared standard (MAIT) and dispatching "
                "crews of one service to another's calls (the JACP). Each organisation is asked "
                "to report back what it has changed in how its control room talks to its "
                "partners'."
            ),
            report_by=dt.date(2019, 3, 31),
        )
    notes = ActionNote.objects.count()
    made.lines.append(
        f"Lessons: {count} demo lesson{'s' if count != 1 else ''} published; "
        f"{notes} action note{'s' if notes != 1 else ''}"
    )
    return made


__all__ = ["LESSONS", "load_demo"]
