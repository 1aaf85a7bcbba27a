"""Notices in the Django admin, read-only: a platform administrator can see what was sent."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "recipient", "object_label", "occasion")
    list_filter = ("kind",)
    search_fields = ("recipient__email", "object_label")
