"""KPIs in Django's admin: read only, as every app's, since each change goes through the
services (and so into the audit log)."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Adoption, Indicator, Measurement, Milestone


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("key", "title", "unit", "direction", "frequency", "published_column", "shipped")
    list_filter = ("unit", "direction", "frequency", "shipped")
    search_fields = ("key", "title", "source")


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyAdmin):
    list_display = ("collaboration", "indicator", "organisation", "target_value", "archived_at")
    search_fields = ("collaboration__reference", "indicator__key")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("adoption", "on", "title", "kind", "starts_phase")


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "organisation", "national", "period", "value", "source")
    list_filter = ("source", "national")
    search_fields = ("indicator__key", "organisation__code")
