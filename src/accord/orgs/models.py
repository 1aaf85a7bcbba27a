from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accord.core.choices import ROLE_RANK, Role, Sector

from .choices import AreaKind, Nation, OrganisationKind


class Area(models.Model):
    """A geographical area: a district, a force area, a fire authority area and so on."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AreaKind.choices)
    # The areas this one lies within: a district within its force area and fire authority area.
    within = models.ManyToManyField("self", symmetrical=False, related_name="contains", blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, WGS84")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Organisation(models.Model):
    code = models.CharField(
        max_length=32,
        unique=True,
        help_text="Official code: GSS for force and fire authority areas, ODS for NHS trusts",
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80)
    sector = models.CharField(max_length=16, choices=Sector.choices)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    nation = models.CharField(max_length=32, choices=Nation.choices)
    website = models.URLField(blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in (ours and the Django admin's) finds the person whatever the case typed.
        return self.get(email=(username or "").strip().lower())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Refused: Django's `createsuperuser` would add a person the audit log never hears of.

        Its command turns this error into its own clean message.
        """
        raise ValidationError(
            "People are added with `accord user add EMAIL --org CODE --role platform_admin`, "
            "which records who added them."
        )


class User(AbstractUser):
    """A person: signs in with email, belongs to one organisation, holds one role.

    Roles are cumulative (a contributor may also read), so one field says all.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.READER)
    # The notices (core/email.py's codes) this person has turned off on their account page;
    # everything not listed is sent.
    notices_off = models.JSONField(default=list, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["email"]
        constraints = [
            # One account per address: Owner@X.test and owner@x.test are the same person.
            models.UniqueConstraint(
                Lower("email"),
                name="orgs_user_email_unique_ignoring_case",
                violation_error_message="A person with this email address already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Stored in lower case whichever way it came in (admin, services, the command line), so
        # that signing in and the uniqueness check agree.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def has_role(self, role: str) -> bool:
        return self.is_active and ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.role == Role.PLATFORM_ADMIN or self.is_superuser)


class ApiToken(models.Model):
    """A personal API token: lets a person's scripts read the API as that person.

    Only the SHA-256 hash of the token is kept, so a copy of the database gives no working
    token; the prefix (the token's first characters) lets people tell their tokens apart.
    """

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


#: A domain as email addresses carry it after the "@": labels of letters, digits and hyphens
#: (internationalised names in their xn-- form), at least two of them.
DOMAIN_PATTERN = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$"
)


def normalise_domain(domain: str) -> str:
    """``@Lincs-Fire.gov.uk `` as stored and compared: ``lincs-fire.gov.uk``."""
    return (domain or "").strip().lstrip("@").rstrip(".").lower()


class EmailDomain(models.Model):
    """Which organisation a person signing on for the first time joins, by their email's domain.

    Only single sign-on reads it: a person whose address is at ``domain`` and who has no account
    yet is added to ``organisation`` as a reader. Kept by platform administrators in the admin;
    archived rather than deleted, so that the audit log's events about it still point at a row.
    """

    domain = models.CharField(
        max_length=253,
        unique=True,
        help_text="The part of the email address after the @, such as lincs-fire.gov.uk. "
        "Only that exact domain: a subdomain needs its own row.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="email_domains"
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Archived: new people at this domain are refused."
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = "email domain"

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.domain = normalise_domain(self.domain)
        if not DOMAIN_PATTERN.match(self.domain):
            raise ValidationError(
                {"domain": f"{self.domain!r} is not an email domain such as lincs-fire.gov.uk."}
            )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
