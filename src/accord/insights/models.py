"""Insights keeps one kind of record of its own: the population of an area in a year, which the
national picture divides by. Everything else it shows it reads from the other apps."""

from __future__ import annotations

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
