from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accord.core import email as mail
from accord.core.choices import Role
from accord.core.forms import PlainTextForm
from accord.core.widgets import OrganisationChoiceField

from . import services
from .models import Organisation
from .signin import client_address


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. After repeated failures "
        "the account is locked for a while.",
        "inactive": "This account is inactive.",
    }

    def clean_username(self) -> str:
        # One account per address, whatever its case: stored and matched in lower case.
        return str(self.cleaned_data["username"]).strip().lower()


class TokenForm(PlainTextForm):
    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        required=False,
        help_text="For example ‘nightly export to our dashboard’. You can revoke it at any time.",
    )


# Passwords -----------------------------------------------------------------------------------


class AuditedPasswordMixin:
    """A new password saved through the people service, so that the change is audited (the
    event says who set it, never the password)."""

    user: Any
    cleaned_data: dict[str, Any]

    def validate_password_for_user(
        self,
        user: Any,
        password_field_name: str = "password2",  # noqa: S107  # a field's name
    ) -> None:
        # Django's checks, in GOV.UK's words.
        password = self.cleaned_data.get(password_field_name)
        if not password:
            return
        try:
            validate_password(password, user)
        except ValidationError as error:
            messages = [_password_message(problem) for problem in error.error_list]
            self.add_error(password_field_name, messages)  # type: ignore[attr-defined]

    def save(self, commit: bool = True) -> Any:
        self.user.set_password(self.cleaned_data["new_password1"])
        if commit:
            services.save_password(self.user, actor=self.user)
        return self.user


class NewPasswordForm(AuditedPasswordMixin, PlainTextForm, auth_forms.SetPasswordForm):
    """Setting a password from a reset or invitation link."""

    error_messages = {"password_mismatch": "The passwords do not match"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = "Confirm new password"
        _govuk_required(self)


class ChangePasswordForm(AuditedPasswordMixin, PlainTextForm, auth_forms.PasswordChangeForm):
    """Changing one's password when signed in: the current one first."""

    error_messages = {
        "password_mismatch": "The passwords do not match",
        "password_incorrect": "Your current password is not right. Enter it again",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = "Confirm new password"
        _govuk_required(self)


def _password_message(problem: ValidationError) -> str:
    params = problem.params or {}
    if problem.code == "password_too_short":
        return f"Password must be {params.get('min_length', 12)} characters or more"
    if problem.code == "password_too_common":
        return "Password is a common one that is easy to guess: choose another"
    if problem.code == "password_entirely_numeric":
        return "Password must not be all numbers"
    if problem.code == "password_too_similar":
        return "Password must not be like your name or email address"
    return str(problem.message % params if params else problem.message)


PASSWORD_HINT = (
    "At least 12 characters. Not a common password, not all numbers, and not like your name "
    "or email address. A few unrelated words make a good one."
)

REQUIRED = {
    "old_password": "Enter your current password",
    "new_password1": "Enter a new password",
    "new_password2": "Enter the new password again",
    "email": "Enter your email address",
}


def _govuk_required(form: forms.BaseForm) -> None:
    for name, message in REQUIRED.items():
        if name in form.fields:
            form.fields[name].error_messages["required"] = message
            if "password" in name:
                # Every message about these names the password: the error summary lists it
                # as written, without the label before it (core's summary_message).
                form.fields[name].error_name = "password"  # type: ignore[attr-defined]


#: How many reset emails one address gets an hour, and how many reset requests one client
#: address may make an hour; past either, nothing more is sent (and the page says what it
#: always says, so that the limit reveals nothing about who has an account).
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 20
RESET_WINDOW_SECONDS = 3600


def _within_limit(key: str, limit: int) -> bool:
    """Count one more against `key` this hour; False once past `limit`. Counted in the cache:
    each server process keeps its own count, which bounds abuse without a shared store."""
    cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=RESET_WINDOW_SECONDS)
        count = 1
    return count <= limit


class ResetPasswordForm(PlainTextForm, auth_forms.PasswordResetForm):
    """Asks for an email address and, if it has an account with a password, sends it a link.

    Whatever was typed, the next page says the same thing: it never tells whether an address
    has an account. The link starts with ACCORD_SITE_URL, not the Host header of the request.
    """

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )

    def save(  # type: ignore[override]
        self,
        token_generator: Any = None,
        request: HttpRequest | None = None,
        **_: Any,
    ) -> None:
        address = str(self.cleaned_data["email"]).strip().lower()
        tokens = token_generator or default_token_generator
        client = client_address(request) if request is not None else None
        if client and not _within_limit(f"password-reset:client:{client}", RESETS_PER_CLIENT):
            return
        digest = hashlib.sha256(address.encode("utf-8")).hexdigest()
        if not _within_limit(f"password-reset:address:{digest}", RESETS_PER_ADDRESS):
            return
        for person in self.get_users(address):
            path = reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
                    "token": tokens.make_token(person),
                },
            )
            mail.send(
                person.email,
                "Reset your Accord password",
                "orgs/email/password_reset.txt",
                {
                    "person": person,
                    "link": mail.site_url(path),
                    "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
                },
            )


# People --------------------------------------------------------------------------------------


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def role_choices(roles: list[Role]) -> list[tuple[str, str]]:
    return [(role.value, ROLE_DESCRIPTIONS[role]) for role in roles]


#: Each role as the people pages explain it.
ROLE_DESCRIPTIONS = {
    Role.READER: "Reader: sees what their organisation may see",
    Role.CONTRIBUTOR: "Contributor: also adds and edits their organisation's collaborations",
    Role.MODERATOR: "Moderator: also reviews what others submit",
    Role.ORG_ADMIN: "Organisation administrator: also manages their organisation's people",
    Role.PLATFORM_ADMIN: "Platform administrator: manages everything, for every organisation",
}


class InviteForm(PlainTextForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email address. They will get a link to set a password.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    # Chosen by code or name (GOV.UK's accessible autocomplete; a select grouped by sector
    # without JavaScript), anything else refused with "did you mean".
    organisation = OrganisationChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        error_messages={"required": "Select an organisation"},
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )

    def __init__(
        self,
        *args: Any,
        roles: list[Role],
        organisations: Any,
        choose_organisation: bool,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "role").choices = role_choices(roles)
        if choose_organisation:
            organisation = self.fields["organisation"]
            assert isinstance(organisation, OrganisationChoiceField)
            organisation.queryset = organisations
        else:
            del self.fields["organisation"]


class RoleForm(PlainTextForm):
    role = forms.ChoiceField(
        label="Role", widget=forms.RadioSelect, error_messages={"required": "Select a role"}
    )

    def __init__(self, *args: Any, roles: list[Role], **kw: Any) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "role").choices = role_choices(roles)


class PeopleSearchForm(PlainTextForm):
    q = forms.CharField(label="Search by name or email address", max_length=200, required=False)


# A person's own account ----------------------------------------------------------------------


class NoticesForm(PlainTextForm):
    """The notices a person gets, each ticked unless they turned it off."""

    notices = forms.MultipleChoiceField(
        label="Send me an email",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Untick any you do not want. Emails about your account, such as password "
        "resets, are always sent.",
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "notices").choices = [
            (kind.code, kind.hint or kind.label) for kind in mail.notice_kinds()
        ]

    def codes(self) -> list[str]:
        return [kind.code for kind in mail.notice_kinds()]
