from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact, In

from accord.core.choices import Visibility
from accord.core.expressions import Unindexed
from accord.core.sectors import SERVICES
from accord.orgs.models import Area, Organisation

from .choices import Nature, PartnerRole, ResearchArea, ReviewDecision, ServiceMix, Status


def wholly_visible(user: Any) -> tuple[str, ...]:
    """The visibilities whose every collaboration the person may see, whoever the partners.

    Anyone sees the public ones, a signed-in person those for all signed-in users too, and a
    platform administrator everything. Beyond these, a person sees only what their own
    organisation is a partner in or named on (`CollaborationQuerySet.visible_to`).
    """
    if user is None or not user.is_authenticated:
        return (Visibility.PUBLIC,)
    if getattr(user, "is_platform_admin", False):
        return tuple(Visibility.values)
    return (Visibility.PUBLIC, Visibility.SIGNED_IN)


def seen_through(organisation_id: int) -> Q:
    """What an organisation's people see beyond the visibilities they see whole: what it is a
    partner in, and what it is named on.

    Subqueries rather than joins, so that no row is repeated and counts stay true; written in
    SQL because every list and record asks this, and the ORM took three times as long to build
    these two subqueries as the database takes to run the whole page's query.
    """
    quote = connection.ops.quote_name

    def collaborations_in(table: str) -> RawSQL:
        sql = (
            f"SELECT {quote('collaboration_id')} FROM {quote(table)} "  # noqa: S608
            f"WHERE {quote('organisation_id')} = %s"
        )
        # Names quoted by the database's own rules; the one value passed as a parameter.
        return RawSQL(sql, [organisation_id])  # noqa: S611

    named = Collaboration.named_organisations.through._meta.db_table
    return Q(pk__in=collaborations_in(Partner._meta.db_table)) | Q(
        Exact(Unindexed("visibility"), Visibility.NAMED), pk__in=collaborations_in(named)
    )


#: A written collaboration agreement's answer in words, as the form, files and API give it.
AGREEMENT_WORDS: dict[bool | None, str] = {True: "yes", False: "no", None: "not known"}


def agreement_word(value: bool | None) -> str:
    return AGREEMENT_WORDS[value]


class CollaborationQuerySet(models.QuerySet["Collaboration"]):
    def visible_to(self, user: Any) -> CollaborationQuerySet:
        """Only what the person may see: the one rule every list, count and export uses."""
        # The visibility is compared unindexed: a list then walks the index of its order and
        # stops at the page, instead of reading every visible row and sorting them.
        whole: In[Any] = In(Unindexed("visibility"), wholly_visible(user))
        if user is None or not user.is_authenticated:
            return self.filter(whole)
        if getattr(user, "is_platform_admin", False):
            return self
        admitted = Q(whole)
        if user.organisation_id:
            admitted |= seen_through(user.organisation_id)
        return self.filter(admitted)

    def current(self) -> CollaborationQuerySet:
        return self.filter(archived_at__isnull=True)


class Collaboration(models.Model):
    reference = models.CharField(
        max_length=32, unique=True, help_text="A short unique code, such as JACP"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    research_area = models.CharField(max_length=16, choices=ResearchArea.choices)
    nature = models.CharField(max_length=32, choices=Nature.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDEA)
    proposed_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    involves_police = models.BooleanField(default=False)
    involves_fire = models.BooleanField(default=False)
    involves_ambulance = models.BooleanField(default=False)
    involves_other = models.BooleanField(default=False)
    # Derived from the services involved (register/mix.py) and kept for filtering.
    service_mix = models.CharField(max_length=32, choices=ServiceMix.choices)

    funding_source = models.CharField(max_length=200, blank=True)
    funding_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    funding_ends_on = models.DateField(null=True, blank=True)
    board = models.CharField(max_length=200, blank=True)
    # Yes, no or not known (None): a record that does not say is not a record of "no".
    has_written_agreement = models.BooleanField(null=True, blank=True, default=None)
    agreement_signed_on = models.DateField(null=True, blank=True)

    outcomes = models.TextField(blank=True)
    public_summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    named_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        help_text="Who may see it when visibility is named organisations",
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="collaborations")

    archived_at = models.DateTimeField(null=True, blank=True)
    # Raised on every save; an edit that started from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CollaborationQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["visibility"]),
            models.Index(fields=["status"]),
            models.Index(fields=["nature"]),
            models.Index(fields=["service_mix"]),
            models.Index(fields=["updated_at"]),
            # The list in its usual order: walked in title order, with what a row shows and
            # what decides who may see it, so a deep page never reads the table's rows.
            models.Index(
                fields=[
                    "title",
                    "id",
                    "visibility",
                    "archived_at",
                    "reference",
                    "nature",
                    "status",
                    "service_mix",
                ],
                name="collaboration_title_cover",
            ),
            # Covers the list and its counts: what they filter, count and sort by, so the
            # database reads this index rather than rows heavy with summaries and outcomes.
            models.Index(
                fields=[
                    "visibility",
                    "nature",
                    "research_area",
                    "status",
                    "service_mix",
                    "involves_police",
                    "involves_fire",
                    "involves_ambulance",
                    "involves_other",
                    "archived_at",
                    "title",
                    "reference",
                ],
                name="collaboration_list_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"

    @property
    def services(self) -> list[str]:
        return [name for name in SERVICES if getattr(self, f"involves_{name}")]


class Partner(models.Model):
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=PartnerRole.choices, default=PartnerRole.PARTNER)

    class Meta:
        ordering = ["collaboration_id", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "organisation"], name="one_partnership_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Champion(models.Model):
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="champions"
    )
    name = models.CharField(
        max_length=200, help_text="A person or a post, such as Chief Fire Officer"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class EvidenceLink(models.Model):
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(max_length=300)
    url = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ExportCells(models.Model):
    """A collaboration's relations as the export writes them (register/exports.py), kept so
    that an export need not join them again for every record: derived data, like a search
    index, written by the export itself and never read anywhere else.

    Read only while the collaboration's version and the organisations' and areas' audited
    state are those it was written at; otherwise the export joins the relations afresh, so a
    stale row is never written out."""

    collaboration = models.OneToOneField(
        Collaboration, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()
    organisations_state = models.CharField(max_length=64)
    partners = models.TextField()
    champions = models.TextField()
    evidence = models.TextField()
    named_organisations = models.TextField()
    areas = models.TextField()

    def __str__(self) -> str:
        return f"export cells of collaboration {self.collaboration_id} v{self.version}"


class DutyReview(models.Model):
    """A duty-to-collaborate review (Policing and Crime Act 2017 s.2): one opportunity."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="reviews"
    )
    opportunity = models.TextField()
    considered_on = models.DateField()
    notified = models.ManyToManyField(Organisation, blank=True, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-considered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.considered_on}: {self.opportunity[:60]}"


def visible_collaborations(user: Any) -> QuerySet[Collaboration]:
    return Collaboration.objects.visible_to(user)
