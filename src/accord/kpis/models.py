"""Indicators, their adoption by collaborations, milestones and measurements.

A measurement belongs either to one adoption (entered by a person for that collaboration) or,
for published data such as AmbSYS, to the indicator and the organisation it describes, so that
every adoption of a published indicator for a trust reads the same series and a re-import
replaces only what the file's source supplied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.orgs.models import Organisation

from .choices import Aggregation, Direction, Frequency, MilestoneKind, Source, Unit


class Indicator(models.Model):
    """A candidate indicator from the library (shipped YAML or added by an administrator)."""

    key = models.SlugField(max_length=80, unique=True, help_text="The id in the library file")
    title = models.CharField(max_length=200)
    description = models.TextField()
    unit = models.CharField(max_length=16, choices=Unit.choices)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices)
    weight_column = models.CharField(max_length=80, blank=True)
    services = models.JSONField(default=list, help_text="The services it suits")
    source = models.TextField(help_text='Where the figures come from, e.g. "AmbSYS, column A25"')
    source_url = models.URLField(max_length=500, blank=True)
    standard = models.FloatField(null=True, blank=True, help_text="The national standard, if any")
    standard_text = models.CharField(max_length=300, blank=True)
    #: For a published series, the column that feeds it (e.g. "A25" in AmbSYS); for one Accord
    #: computes itself, what it computes (e.g. "three_cs:communication").
    published_column = models.CharField(max_length=40, blank=True)
    computed = models.CharField(max_length=80, blank=True)
    shipped = models.BooleanField(default=False, help_text="Loaded from the shipped library")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Adoption(models.Model):
    """A collaboration's use of an indicator, for one organisation or the whole collaboration."""

    collaboration = models.ForeignKey(
        "register.Collaboration", on_delete=models.PROTECT, related_name="kpi_adoptions"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="adoptions")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kpi_adoptions",
        help_text="Blank for the collaboration as a whole",
    )
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_period = models.DateField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    target_by = models.DateField(null=True, blank=True)
    tolerance = models.FloatField(
        null=True, blank=True, help_text="How far from the target still counts as within it"
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["collaboration", "indicator__title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "indicator", "organisation"],
                condition=Q(archived_at__isnull=True),
                name="kpi_adopted_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} for {self.organisation or 'the collaboration'}"


class Milestone(models.Model):
    """A go-live or change of model: annotates the chart, and may start a new phase."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="milestones")
    on = models.DateField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    starts_phase = models.BooleanField(
        default=False, help_text="The control chart's limits are worked out afresh from here"
    )

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.on:%Y-%m-%d})"


class Measurement(models.Model):
    """One period's value. Entered ones belong to an adoption; published ones (AmbSYS) to the
    indicator and organisation, or to England (organisation blank, `national`)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="measurements")
    adoption = models.ForeignKey(
        Adoption, null=True, blank=True, on_delete=models.PROTECT, related_name="measurements"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    national = models.BooleanField(default=False, help_text="England, the national comparator")
    period = models.DateField(help_text="The first day of the month, quarter or year")
    value = models.FloatField()
    note = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ENTERED)
    source_file = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "period"],
                condition=Q(adoption__isnull=False),
                name="kpi_entered_once_a_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "organisation", "period", "source"],
                condition=Q(adoption__isnull=True, organisation__isnull=False),
                name="kpi_published_once_a_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "source"],
                condition=Q(adoption__isnull=True, national=True),
                name="kpi_national_once_a_period",
            ),
        ]
        indexes = [
            models.Index(fields=["adoption", "period"], name="kpi_measurement_series"),
            models.Index(fields=["indicator", "organisation", "period"], name="kpi_published"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period:%Y-%m}: {self.value}"
