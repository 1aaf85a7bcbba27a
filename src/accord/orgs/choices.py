from django.db import models

from accord.core.choices import Role, Sector  # noqa: F401  (re-exported for the app's users)


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police_force", "Police force"
    FIRE_AUTHORITY = "fire_authority", "Fire and rescue authority"
    AMBULANCE_TRUST = "ambulance_trust", "Ambulance trust"
    # An NHS trust that is not an ambulance trust, such as the Isle of Wight's integrated trust.
    NHS_TRUST = "nhs_trust", "NHS trust"
    POLICE_CRIME_COMMISSIONER = "police_crime_commissioner", "Police (fire) and crime commissioner"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    GOVERNMENT = "government", "Government"
    NATIONAL_BODY = "national_body", "National body"
    CHARITY = "charity", "Charity"
    OTHER = "other", "Other"


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    ENGLAND_AND_WALES = "england_and_wales", "England and Wales"


class AreaKind(models.TextChoices):
    DISTRICT = "district", "Local authority district"
    COMMUNITY_SAFETY_PARTNERSHIP = "csp", "Community safety partnership"
    POLICE_FORCE_AREA = "police_force_area", "Police force area"
    FIRE_AUTHORITY_AREA = "fire_authority_area", "Fire and rescue authority area"
    AMBULANCE_AREA = "ambulance_area", "Ambulance service area"
    RESILIENCE_FORUM = "lrf", "Local resilience forum"
    OTHER = "other", "Other area"
