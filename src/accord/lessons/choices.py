"""The lessons' choices: kinds, sources, evidence, audiences, states, actions' statuses."""

from django.db import models


class Kind(models.TextChoices):
    LESSON_IDENTIFIED = "lesson_identified", "Lesson identified"
    NOTABLE_PRACTICE = "notable_practice", "Notable practice"
    DID_NOT_WORK = "did_not_work", "Did not work"


class Source(models.TextChoices):
    INCIDENT = "incident", "Incident"
    EXERCISE = "exercise", "Exercise"
    TRAINING = "training", "Training"
    COLLABORATION = "collaboration", "Collaboration"
    DEBRIEF = "debrief", "Debrief"
    EXTERNAL_REPORT = "external_report", "External report"


class Evidence(models.TextChoices):
    UNTESTED = "untested", "Untested"
    EVALUATED_LOCALLY = "evaluated_locally", "Evaluated locally"
    INDEPENDENTLY_EVALUATED = "independently_evaluated", "Independently evaluated"


class Audience(models.TextChoices):
    ORGANISATION = "organisation", "My organisation only"
    PARTNERS = "partners", "The collaboration's partners and the organisations involved"
    SIGNED_IN = "signed_in", "All signed-in users"
    PUBLIC = "public", "Public: anyone"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    RETURNED = "returned", "Returned to the submitter"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class RedactionKind(models.TextChoices):
    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"
    POSTCODE = "postcode", "Postcode"
    NHS_NUMBER = "nhs_number", "NHS number"
    VEHICLE = "vehicle", "Vehicle registration"
    STAFF_NUMBER = "staff_number", "Collar or staff number"
    OTHER = "other", "Added by the moderator"


class NoteState(models.TextChoices):
    RAISED = "raised", "Raised: to be written up"
    ISSUED = "issued", "Issued: replies asked for"
    CLOSED = "closed", "Closed"
