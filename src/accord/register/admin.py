from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Collaboration


@admin.register(Collaboration)
class CollaborationAdmin(ReadOnlyAdmin):
    """Read-only here: changes go through the pages, so they are checked and audited."""

    list_display = ("reference", "title", "status", "service_mix", "visibility")
    list_filter = ("status", "nature", "service_mix", "visibility")
    search_fields = ("reference", "title")
