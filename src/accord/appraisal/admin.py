from django.contrib import admin

from .models import Appraisal, UnitCost


class _ReadOnly(admin.ModelAdmin):
    """Read-only here: changes go through the pages, so they are checked and audited."""

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Appraisal)
class AppraisalAdmin(_ReadOnly):
    list_display = ("title", "collaboration", "price_year", "years", "npv", "bcr", "version")
    search_fields = ("title", "collaboration__reference")


@admin.register(UnitCost)
class UnitCostAdmin(_ReadOnly):
    list_display = ("name", "value", "unit", "price_year", "confidence")
    search_fields = ("name", "source")
