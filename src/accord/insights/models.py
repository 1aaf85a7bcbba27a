"""Insights keeps one kind of record of its own: the population of an area in a year, which the
national picture divides by. Everything else it shows it reads from the other apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accord.orgs.models import Area


class Population(models.Model):
    """A mid-year population estimate of an area (ONS), loaded by `accord import population`."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    #: The file it came from, as named on the command line, and where it names the area.
    source = models.CharField(max_length=200, blank=True)
    source_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["area__name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="insights_one_population_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year}: {self.population:,}"


class ReportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """One national report asked for from its page: written in the background (a thread the
    request starts once its transaction commits, insights/reports.py), its progress kept here
    for the page to show, and the PDF kept for the person who asked, who alone may download it
    (it is drawn from what they may see)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=16, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    #: The marking the PDF carries (core/marking.py), for the page to say before it is opened.
    marking = models.CharField(max_length=64, blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    #: When the run last moved on: a run that has not for a while died with its process.
    touched_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="report_run_mine")]

    def __str__(self) -> str:
        return f"National report {self.pk} ({self.state})"

    @property
    def working(self) -> bool:
        return self.state in (ReportState.QUEUED, ReportState.RUNNING)
