from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Appraisal, DeflatorRelease, UnitCost


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ("title", "collaboration", "price_year", "years", "npv", "bcr", "version")
    search_fields = ("title", "collaboration__reference")


@admin.register(UnitCost)
class UnitCostAdmin(ReadOnlyAdmin):
    list_display = ("name", "value", "unit", "price_year", "confidence")
    search_fields = ("name", "source")


@admin.register(DeflatorRelease)
class DeflatorReleaseAdmin(ReadOnlyAdmin):
    list_display = ("series", "release_date", "source_name", "imported_at")
