from django.db import models


class ResearchArea(models.TextChoices):
    EFFICIENT = "efficient", "Efficient services"
    EFFECTIVE = "effective", "Effective services"
    EMERGING = "emerging", "Emerging best practice"


class Nature(models.TextChoices):
    """The briefing's natures of collaboration with the 2016 National Overview's categories."""

    SHARING_BACK_OFFICE = "sharing_back_office", "Sharing back-office"
    ORGANISATIONAL_INTEGRATION = "organisational_integration", "Organisational integration"
    CO_RESPONDING = "co_responding", "First response and co-responding"
    INTEROPERABILITY = "interoperability", "Interoperability"
    REDUCING_OVERLAP = "reducing_overlap", "Reducing overlap between the services"
    PREVENTION = "prevention", "Wider approach to prevention"
    SHARED_ESTATES = "shared_estates", "Shared estates"
    JOINT_CONTROL_ROOMS = "joint_control_rooms", "Joint control rooms"
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    DEMAND_MANAGEMENT = "demand_management", "Demand management"
    STRATEGIC_ALLIANCE = "strategic_alliance", "Strategic alliance"
    WIDER_COLLABORATION = "wider_collaboration", "Wider collaboration (community, housing, LRFs)"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    IDEA = "idea", "Idea"
    PROPOSED = "proposed", "Proposed"
    BUSINESS_CASE = "business_case", "Business case"
    IMPLEMENTING = "implementing", "Implementing"
    OPERATIONAL = "operational", "Operational"
    CLOSED = "closed", "Closed"
    STOPPED = "stopped", "Stopped"


ENDED_STATUSES = (Status.CLOSED, Status.STOPPED)


class ServiceMix(models.TextChoices):
    INTRA_SERVICE = "intra_service", "Intra-service"
    POLICE_FIRE = "police_fire", "Police–fire"
    FIRE_AMBULANCE = "fire_ambulance", "Fire–ambulance"
    POLICE_AMBULANCE = "police_ambulance", "Police–ambulance"
    TRI_SERVICE = "tri_service", "Tri-service"
    WIDER_PUBLIC_SERVICE = "wider_public_service", "Wider public service"


class PartnerRole(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"
    SUPPORTER = "supporter", "Supporter"


class ReviewDecision(models.TextChoices):
    COLLABORATE = "collaborate", "Collaborate"
    NOT_COLLABORATE = "not_collaborate", "Do not collaborate"
    DEFERRED = "deferred", "Deferred for further work"
