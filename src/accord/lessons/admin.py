"""Lessons in Django's admin: read only, as every app's, since each change goes through the
services (and so into the audit log)."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin

from .models import Action, ActionNote, Lesson


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    # The published (redacted) title only: the admin is one more reader.
    list_display = ("pk", "published_title", "kind", "state", "audience", "organisation")
    list_filter = ("kind", "state", "audience")
    exclude = ("title", "what_happened", "why", "recommendation")


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "lesson", "owner", "due", "status")
    list_filter = ("status",)


@admin.register(ActionNote)
class ActionNoteAdmin(ReadOnlyAdmin):
    list_display = ("pk", "theme", "state", "report_by")
