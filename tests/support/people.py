"""The people every permission test needs, one of each role, at a partner and outside.

Like Healthchecks' base test case (owner, colleague, outsider), widened to Accord's five
roles. The collaboration in `conftest.collaboration` has Lincolnshire Fire and Rescue
(E31000025) as lead and East Midlands Ambulance Service (RX9) as partner; Hampshire and Isle of
Wight Constabulary (E23000030) takes no part in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASSWORD = "correct-horse-battery-staple"

LINCS_FIRE = "E31000025"
EMAS = "RX9"
HAMPSHIRE_POLICE = "E23000030"
HOME_OFFICE = "X-HO"


@dataclass(frozen=True)
class Persona:
    email: str
    organisation: str
    role: str
    about: str


#: Everyone by the name tests use for them.
PEOPLE: dict[str, Persona] = {
    "owner": Persona(
        "owner@lincs-fire.test", LINCS_FIRE, "contributor", "a contributor at the lead partner"
    ),
    "colleague": Persona(
        "colleague@lincs-fire.test", LINCS_FIRE, "reader", "a reader at the lead partner"
    ),
    "moderator": Persona(
        "moderator@lincs-fire.test", LINCS_FIRE, "moderator", "a moderator at the lead partner"
    ),
    "org_admin": Persona(
        "admin@lincs-fire.test",
        LINCS_FIRE,
        "org_admin",
        "an organisation administrator at the lead partner",
    ),
    "partner_user": Persona(
        "crew@emas.test", EMAS, "contributor", "a contributor at the other partner"
    ),
    "outsider": Persona(
        "outsider@hampshire-police.test",
        HAMPSHIRE_POLICE,
        "contributor",
        "a contributor at an organisation with no part in the collaboration",
    ),
    "outside_reader": Persona(
        "reader@hampshire-police.test", HAMPSHIRE_POLICE, "reader", "a reader elsewhere"
    ),
    "platform_admin": Persona(
        "admin@accord.test", HOME_OFFICE, "platform_admin", "a platform administrator"
    ),
}


def make_person(name: str) -> Any:
    """The persona `name`, created through the people service (so the creation is audited)."""
    from accord.orgs import services
    from accord.orgs.models import User

    persona = PEOPLE[name]
    existing = User.objects.filter(email=persona.email).first()
    if existing is not None:
        return existing
    user, _ = services.add_user(
        email=persona.email,
        organisation_code=persona.organisation,
        role=persona.role,
        password=PASSWORD,
        actor="test",
    )
    return user
