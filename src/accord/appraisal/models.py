"""Appraisals of collaborations, their realised benefits, and the unit cost library.

An appraisal's content is its canonical YAML (``appraisal_file.dump_appraisal``), so that the
page, the download and ``accord appraise`` always work from the same text. The headline figures
and the computed report are kept beside it for lists and pages, and are recomputed whenever the
text changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accord.register import services as register_services

CONFIDENCE_CHOICES = [
    (1, "1: best (independently audited, recent, local)"),
    (2, "2: good (recent national or official data)"),
    (3, "3: fair (older or indirect official data)"),
    (4, "4: moderate (expert estimate from similar work)"),
    (5, "5: weak (informed assumption)"),
    (6, "6: poorest (little evidence)"),
]


class UnitCostQuerySet(models.QuerySet["UnitCost"]):
    def search(self, text: str) -> UnitCostQuerySet:
        text = text.strip()
        if not text:
            return self
        q = Q()
        for word in text.split():
            q &= (
                Q(name__icontains=word)
                | Q(unit__icontains=word)
                | Q(category__icontains=word)
                | Q(source__icontains=word)
            )
        return self.filter(q)


class UnitCost(models.Model):
    """A published unit cost or value, in the prices of its price year."""

    name = models.CharField(max_length=200, unique=True)
    category = models.CharField(max_length=80, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=120, help_text="What one unit is, such as 'per incident'")
    price_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    source = models.TextField()
    source_url = models.URLField(blank=True, max_length=500)
    confidence = models.PositiveSmallIntegerField(
        choices=CONFIDENCE_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitCostQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class AppraisalQuerySet(models.QuerySet["Appraisal"]):
    def visible_to(self, user: Any) -> AppraisalQuerySet:
        """The appraisals of the collaborations this person may see: the register's rule."""
        return self.filter(collaboration__in=register_services.visible_collaborations(user))


class Appraisal(models.Model):
    """One appraisal of one collaboration, stored as its canonical YAML."""

    collaboration = models.ForeignKey(
        "register.Collaboration", on_delete=models.PROTECT, related_name="appraisals"
    )
    title = models.CharField(max_length=300)
    price_year = models.IntegerField()
    years = models.PositiveIntegerField()
    yaml_text = models.TextField()
    # Raised on every save; an edit that started from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # Headline figures, kept for lists (null where a ratio has no value).
    npv = models.FloatField(null=True, blank=True)
    bcr = models.FloatField(null=True, blank=True)
    # The computed report (the --json report, plus a histogram of the Monte Carlo NPVs);
    # cleared whenever the YAML changes.
    report = models.JSONField(null=True, blank=True)
    report_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return self.title


class RealisedBenefit(models.Model):
    """What a collaboration actually realised in one year of an appraisal (year 0 is the
    first), in the appraisal's price-year prices."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="realised")
    year = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.TextField(blank=True)
    evidence = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["appraisal", "year"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "year"], name="one_realised_per_year")
        ]

    def __str__(self) -> str:
        return f"Year {self.year}: {self.amount}"


class DeflatorRelease(models.Model):
    """One import of ONS's GDP deflator series (YBGB): the release as published. The newest
    import is what uplift uses, in preference to the table shipped with Accord."""

    series = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    dataset = models.CharField(max_length=40, blank=True)
    release_date = models.DateField()
    next_release = models.CharField(max_length=100, blank=True)
    source_name = models.CharField(max_length=300, help_text="The file it was imported from")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.series}, release of {self.release_date:%d %B %Y}"


class DeflatorValue(models.Model):
    """One published figure of a release: a calendar year's index, or a quarter's."""

    release = models.ForeignKey(DeflatorRelease, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField()
    # 1 to 4; null for the calendar year's own figure.
    quarter = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["release", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "year", "quarter"], name="one_deflator_value_per_period"
            ),
            models.UniqueConstraint(
                fields=["release", "year"],
                condition=models.Q(quarter__isnull=True),
                name="one_annual_deflator_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}" + (f" Q{self.quarter}" if self.quarter else "") + f": {self.value}"
