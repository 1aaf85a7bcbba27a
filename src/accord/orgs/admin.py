"""The Django admin for organisations, areas and people.

Organisations and areas are read-only here: they change through `accord import ...`. People
may be edited here, by platform administrators only, and every edit goes through
`services.py` so that it is checked and audited. Nobody is deleted: deactivating is how a
person leaves ("deleting is archiving"), because their records and events point at them.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accord.core.admin import ReadOnlyAdmin
from accord.core.problems import PermissionRefused, Problems

from . import services
from .models import ApiToken, Area, EmailDomain, Organisation, User


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only, without the hash: people create and revoke their own tokens on their account
    page, operators with `accord user token`."""

    list_display = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "owner__email", "prefix")
    exclude = ("token_hash",)


def _is_platform_admin(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_platform_admin", False))


@admin.register(EmailDomain)
class EmailDomainAdmin(admin.ModelAdmin[EmailDomain]):
    """Which organisation someone signing on for the first time joins, by their email's domain.

    Platform administrators only, every change through `services.py` (checked and audited).
    Never deleted: archived, so that the log's events about a domain still point at it.
    """

    list_display = ("domain", "organisation", "archived_at")
    list_filter = ("archived_at",)
    search_fields = ("domain", "organisation__name", "organisation__code")
    autocomplete_fields = ("organisation",)
    fields = ("domain", "organisation", "archived_at")
    readonly_fields = ("archived_at",)
    actions = ("archive_selected", "restore_selected")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: EmailDomain, form: Any, change: bool) -> None:
        services.save_email_domain(obj, actor=request.user, created=not change)

    def _set_archived(
        self, request: HttpRequest, queryset: QuerySet[EmailDomain], archived: bool
    ) -> None:
        count = services.set_email_domains_archived(
            request.user, queryset.select_related("organisation"), archived=archived
        )
        verb = "Archived" if archived else "Restored"
        self.message_user(
            request, f"{verb} {count} {'domain' if count == 1 else 'domains'}.", messages.SUCCESS
        )

    @admin.action(description="Archive selected domains (refuse new people from them)")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[EmailDomain]) -> None:
        self._set_archived(request, queryset, archived=True)

    @admin.action(description="Restore selected domains")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[EmailDomain]) -> None:
        self._set_archived(request, queryset, archived=False)


class PasswordForm(AdminPasswordChangeForm):
    """Sets the new password on the person without saving it: `UserAdmin.log_change`, which
    knows who is acting, saves it through the service that audits it."""

    def save(self, commit: bool = True) -> Any:
        return super().save(commit=False)


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
    change_password_form = PasswordForm
    actions = ("deactivate_selected",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_deactivate_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_platform_admin", False)) and (
            self.has_change_permission(request)
        )

    @admin.action(description="Deactivate selected people", permissions=["deactivate"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        try:
            count = services.deactivate_people(request.user, queryset)
        except (Problems, PermissionRefused) as exc:
            reason = exc.message if isinstance(exc, PermissionRefused) else str(exc)
            self.message_user(request, reason, messages.ERROR)
            return
        self.message_user(
            request,
            f"Deactivated {count} {'person' if count == 1 else 'people'}.",
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        services.save_person(obj, actor=request.user, created=not change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The password and its event are written together, or neither is.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if isinstance(obj, User) and obj.pk is not None:
            stored = User.objects.filter(pk=obj.pk).values_list("password", flat=True).first()
            if stored != obj.password:
                # A new password from the password form, set but not yet saved.
                services.save_password(obj, actor=request.user)
        return super().log_change(request, obj, message)
