from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import FrameworkVersion, Round


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    """Read-only here: frameworks are added on the frameworks page, so they are checked."""

    list_display = ("key", "version", "title", "shipped")


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    """Read-only: rounds change through the pages, so they are checked and audited.
    Responses and invitations are deliberately not listed here."""

    list_display = ("title", "collaboration", "opens_on", "closes_on", "anonymous")
