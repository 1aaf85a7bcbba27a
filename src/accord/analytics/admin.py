"""Analyses in Django's admin: read only, as every app's, since each change goes through the
services (and so into the audit log). The files' rows are never shown."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Analysis, AnalysisFile


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ("title", "collaboration", "state", "progress", "run_by_label", "finished_at")
    list_filter = ("state", "layout")
    search_fields = ("title", "collaboration__reference")
    exclude = ("result",)


@admin.register(AnalysisFile)
class AnalysisFileAdmin(ReadOnlyAdmin):
    list_display = ("name", "analysis", "organisation", "rows", "sha256", "keep", "discarded_at")
    search_fields = ("name", "sha256", "analysis__title")
    exclude = ("data",)
