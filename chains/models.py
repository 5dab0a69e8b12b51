"""Industry workbench (issue 10): what the zone keeps per industry besides the chain.

The chain itself is crm.Industry: a cluster (or future industry) has chains, a chain
has ordered links (`position`, upstream first). This app adds what the map and the
"eight items" (八个一) need: the leading firm of a link, target organisations per
link, the industry's team, parks, institutes, funds and experts, its documents and
its output target.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, Industry, Organisation, Park


class ChainManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(level=Industry.Level.CHAIN)


class Chain(Industry):
    """An industry chain edited with its links in order (a view of crm.Industry)."""

    objects = ChainManager()

    class Meta:
        proxy = True
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")


class LeadingFirm(models.Model):
    """The leading firm (链主) of a chain link: the company the link is built around."""

    link = models.OneToOneField(
        Industry,
        on_delete=models.CASCADE,
        related_name="leading_firm",
        limit_choices_to={"level": Industry.Level.LINK},
        verbose_name=_("chain link"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_links", verbose_name=_("organisation")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("leading firm")
        verbose_name_plural = _("leading firms")

    def __str__(self) -> str:
        return f"{self.link}: {self.organisation}"


class ChainTarget(models.Model):
    """An organisation the office wants on a chain link (招商目标)."""

    link = models.ForeignKey(
        Industry,
        on_delete=models.CASCADE,
        related_name="chain_targets",
        limit_choices_to={"level": Industry.Level.LINK},
        verbose_name=_("chain link"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="chain_targets", verbose_name=_("organisation")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chain target")
        verbose_name_plural = _("chain targets")
        ordering = ["link", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["link", "organisation"], name="chain_target_once_per_link")]

    def __str__(self) -> str:
        return f"{self.link}: {self.organisation}"


class IndustryProfile(models.Model):
    """What an industry (a cluster or future industry) carries besides its tree."""

    industry = models.OneToOneField(
        Industry,
        on_delete=models.CASCADE,
        related_name="profile",
        limit_choices_to={"level": Industry.Level.CLUSTER},
        verbose_name=_("industry"),
    )
    output_target = models.DecimalField(
        _("output target (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The industry's annual output target, in 10,000 yuan."),
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("industry profile")
        verbose_name_plural = _("industry profiles")

    def __str__(self) -> str:
        return str(self.industry)


class IndustryMember(models.Model):
    """One entry of an industry's team, parks, institutes, funds or experts."""

    class Item(models.TextChoices):
        TEAM = "team", _("Promotion team")
        PARK = "park", _("Specialised parks")
        INSTITUTE = "institute", _("Research institutions")
        FUND = "fund", _("Investment funds")
        EXPERT = "expert", _("Expert think-tank")

    # The organisation kinds each organisation item accepts.
    ORGANISATION_KINDS = {
        Item.INSTITUTE: (
            Organisation.Kind.RESEARCH_INSTITUTE,
            Organisation.Kind.RND_INSTITUTE,
            Organisation.Kind.UNIVERSITY,
            Organisation.Kind.OFFSHORE_CENTRE,
        ),
        Item.FUND: (Organisation.Kind.INVESTOR,),
    }

    industry = models.ForeignKey(
        Industry,
        on_delete=models.CASCADE,
        related_name="members",
        limit_choices_to={"level": Industry.Level.CLUSTER},
        verbose_name=_("industry"),
    )
    item = models.CharField(_("item"), max_length=12, choices=Item.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="industry_memberships",
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.CASCADE,
        related_name="industry_memberships",
        null=True,
        blank=True,
        verbose_name=_("park"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="industry_memberships",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="industry_memberships",
        null=True,
        blank=True,
        verbose_name=_("expert"),
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("industry item entry")
        verbose_name_plural = _("industry item entries")
        ordering = ["industry", "item", "added_at", "id"]
        constraints = [
            # Each item points at the one kind of record it lists.
            models.CheckConstraint(
                condition=(
                    Q(
                        item="team",
                        user__isnull=False,
                        park__isnull=True,
                        organisation__isnull=True,
                        contact__isnull=True,
                    )
                    | Q(
                        item="park",
                        user__isnull=True,
                        park__isnull=False,
                        organisation__isnull=True,
                        contact__isnull=True,
                    )
                    | Q(
                        item__in=["institute", "fund"],
                        user__isnull=True,
                        park__isnull=True,
                        organisation__isnull=False,
                        contact__isnull=True,
                    )
                    | Q(
                        item="expert",
                        user__isnull=True,
                        park__isnull=True,
                        organisation__isnull=True,
                        contact__isnull=False,
                    )
                ),
                name="industry_member_one_record",
            ),
        ]
        indexes = [models.Index(fields=["industry", "item"], name="industry_member_item")]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.record}"

    @property
    def record(self):
        return self.user or self.park or self.organisation or self.contact


def document_path(instance: IndustryDocument, filename: str) -> str:
    # The stored name is ours, not the uploader's: no path tricks, no clashes.
    return f"industry-documents/{instance.industry_id}/{uuid.uuid4().hex}{instance.extension}"


class IndustryDocument(models.Model):
    """A research report or policy of an industry: a PDF, Word or Excel file with a date."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Research report")
        POLICY = "policy", _("Policy")

    industry = models.ForeignKey(
        Industry,
        on_delete=models.CASCADE,
        related_name="documents",
        limit_choices_to={"level": Industry.Level.CLUSTER},
        verbose_name=_("industry"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("document title"), max_length=200)
    issued_on = models.DateField(_("date of the document"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=8, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("industry document")
        verbose_name_plural = _("industry documents")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return f".{self.file_type}" if self.file_type else ""
