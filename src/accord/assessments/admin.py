from django.contrib import admin

from .models import FrameworkVersion, Round


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin[FrameworkVersion]):
    """Read-only here: frameworks are added on the frameworks page, so they are checked."""

    list_display = ("key", "version", "title", "shipped")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    """Read-only: rounds change through the pages, so they are checked and audited.
    Responses and invitations are deliberately not listed here."""

    list_display = ("title", "collaboration", "opens_on", "closes_on", "anonymous")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
