"""Choices shared across domains."""

from django.db import models

from . import sectors


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone, signed in or not"
    SIGNED_IN = "signed_in", "All signed-in users"
    PARTNERS = "partners", "The partners of this collaboration only"
    NAMED = "named", "Named organisations only (and the partners)"


class Sector(models.TextChoices):
    POLICE = sectors.POLICE, sectors.LABELS[sectors.POLICE]
    FIRE = sectors.FIRE, sectors.LABELS[sectors.FIRE]
    AMBULANCE = sectors.AMBULANCE, sectors.LABELS[sectors.AMBULANCE]
    OTHER = sectors.OTHER, sectors.LABELS[sectors.OTHER]


BLUE_LIGHT_SECTORS = (Sector.POLICE, Sector.FIRE, Sector.AMBULANCE)


class Role(models.TextChoices):
    """A person's role, each including the powers of those before it."""

    READER = "reader", "Reader"
    CONTRIBUTOR = "contributor", "Contributor"
    MODERATOR = "moderator", "Moderator"
    ORG_ADMIN = "org_admin", "Organisation administrator"
    PLATFORM_ADMIN = "platform_admin", "Platform administrator"


ROLE_RANK = {role: rank for rank, role in enumerate(Role)}
