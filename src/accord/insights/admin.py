"""Insights in Django's admin: read only, as every app's, since each change goes through the
services (and so into the audit log)."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Population


@admin.register(Population)
class PopulationAdmin(ReadOnlyAdmin):
    list_display = ("area", "year", "population", "source")
    list_filter = ("year",)
    search_fields = ("area__name", "area__code")
