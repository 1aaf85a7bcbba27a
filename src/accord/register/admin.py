from django.contrib import admin

from .models import Collaboration


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin[Collaboration]):
    """Read-only here: changes go through the pages, so they are checked and audited."""

    list_display = ("reference", "title", "status", "service_mix", "visibility")
    list_filter = ("status", "nature", "service_mix", "visibility")
    search_fields = ("reference", "title")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
