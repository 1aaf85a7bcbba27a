"""Demand analyses of a collaboration and the incident files they read (issue 15).

An analysis belongs to a collaboration and is seen exactly where it is (the register's rule).
Its files are its partners' services' incident records: each file's name, row count and
SHA-256 checksum, who uploaded it and for which organisation are kept; the rows themselves
(`AnalysisFile.data`) are kept only until the analysis has run, unless the uploader asked to
keep them. The results (`Analysis.result`) are `accord overlap`'s JSON with the page's
details beside it (analytics/details.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accord.analytics.layouts import LAYOUTS
from accord.analytics.overlap import DEFAULT_DISTANCE_M, DEFAULT_WINDOW_MINUTES
from accord.orgs.models import Organisation

from .details import DEFAULT_CELL_M


class State(models.TextChoices):
    DRAFT = "draft", "Waiting for files"
    QUEUED = "queued", "Waiting to run"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


LAYOUT_CHOICES = [(name, layout.name) for name, layout in LAYOUTS.items()]


class Analysis(models.Model):
    collaboration = models.ForeignKey(
        "register.Collaboration", on_delete=models.PROTECT, related_name="analyses"
    )
    title = models.CharField(max_length=200)
    #: Said wherever the results are shown, such as "US sample data".
    data_note = models.CharField(max_length=300, blank=True)
    layout = models.CharField(max_length=20, choices=LAYOUT_CHOICES, default="accord")
    window_minutes = models.FloatField(default=DEFAULT_WINDOW_MINUTES)
    distance_m = models.FloatField(default=DEFAULT_DISTANCE_M)
    cell_m = models.FloatField(default=DEFAULT_CELL_M, help_text="Hotspot grid cells, metres")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    #: 0 to 100, and what the run is doing, while it runs.
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Who asked for the run, and as whom it was recorded (a person or the command line).
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_by_label = models.CharField(max_length=254, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "analyses"
        indexes = [models.Index(fields=["state", "queued_at"], name="analysis_queue")]

    def __str__(self) -> str:
        return self.title

    @property
    def working(self) -> bool:
        return self.state in (State.QUEUED, State.RUNNING)


class AnalysisFile(models.Model):
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    #: The uploader asked for the rows to be kept after the analysis has run.
    keep = models.BooleanField(default=False)
    #: The file as uploaded, until the analysis has run (or for good, when `keep`).
    data = models.BinaryField(null=True, blank=True, editable=False)
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
