from django.db import models


class Unit(models.TextChoices):
    SECONDS = "seconds", "Seconds"
    MINUTES = "minutes", "Minutes"
    COUNT = "count", "Count"
    PERCENT = "percent", "Percent"
    POUNDS = "pounds", "Pounds"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither: watched, not judged"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum across organisations"
    WEIGHTED_MEAN = "weighted_mean", "Mean weighted by a column"
    NONE = "none", "Not combined across organisations"


class MilestoneKind(models.TextChoices):
    GO_LIVE = "go_live", "Go-live"
    CHANGE_OF_MODEL = "change_of_model", "Change of model"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    """Where a measurement came from: entered by a person (a form, a file, the API) or read from
    published data, which a re-import replaces and which is shared by every adoption."""

    ENTERED = "entered", "Entered"
    AMBSYS = "ambsys", "NHS England AmbSYS"
    #: Worked out by Accord from its own records (the three Cs of an assessment, benefits
    #: realised against an appraisal's forecast): replaced whenever it is worked out again.
    ACCORD = "accord", "Worked out by Accord"
