from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest

from accord.core import audit
from accord.core.admin import ReadOnlyAdmin

from .models import Area, Organisation, User

# What an edit of a person records, before and after: who they are and what they may do.
AUDITED_USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "organisation_id",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Read-only: the reference list changes through `accord import organisations`, audited,
    and the register's filters and cached counts read names and codes."""

    list_display = ("code", "name", "short_name", "sector", "kind", "nation", "active")
    list_filter = ("sector", "kind", "nation", "active")
    search_fields = ("code", "name", "short_name")


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    """Read-only: areas change through `accord import areas` and `import boundaries`."""

    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    exclude = ("boundary",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "organisation", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "organisation", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "organisation", "role", "password1", "password2")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Every change is audited, here too: a role or an organisation decides what a person
        may see and do."""
        before = (
            _user_fields(User.objects.get(pk=obj.pk)) if change and obj.pk is not None else None
        )
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="user.update" if change else "user.create",
                obj=obj,
                before=before,
                after=_user_fields(obj),
            )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with transaction.atomic():
            audit.record(
                actor=request.user, action="user.delete", obj=obj, before=_user_fields(obj)
            )
            super().delete_model(request, obj)


def _user_fields(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in AUDITED_USER_FIELDS}
