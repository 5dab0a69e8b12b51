"""The investment agreement (投资协议) of a signed project and its promises.

What the company promised (land, fixed-asset investment, annual output and tax at full
production, jobs) is written once on the agreement; each promise becomes a PromiseCheck
due at the end of the agreement's due year, where the officer enters what was actually
reached. Investment intensity (万元/亩) is computed from the agreement, never typed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.models import Park
from projects.models import Project

# Due years an agreement may name; the service also keeps them near the signing.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# At most this many years between the signing and the promised full production.
MAX_YEARS_TO_DUE = 15
TWO_PLACES = Decimal("0.01")


class Agreement(models.Model):
    """One per project: what the investor signed up to."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("project")
    )
    signed_on = models.DateField(_("agreement signed on"))
    land_mu = models.DecimalField(_("land (mu)"), max_digits=10, decimal_places=2)
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="agreements", null=True, blank=True, verbose_name=_("park")
    )
    fixed_asset_investment = models.DecimalField(
        _("promised fixed-asset investment (10k yuan)"), max_digits=14, decimal_places=2
    )
    annual_output = models.DecimalField(
        _("promised annual output at full production (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    annual_tax = models.DecimalField(
        _("promised annual tax at full production (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    due_year = models.PositiveSmallIntegerField(
        _("year of full production"), help_text=_("The promises are checked at the end of this year.")
    )
    jobs = models.PositiveIntegerField(_("promised jobs"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investment agreement")
        verbose_name_plural = _("investment agreements")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(land_mu__gt=0), name="agreement_land_positive"),
            models.CheckConstraint(condition=Q(fixed_asset_investment__gt=0), name="agreement_investment_positive"),
            models.CheckConstraint(
                condition=Q(annual_output__isnull=True) | Q(annual_output__gt=0), name="agreement_output_positive"
            ),
            models.CheckConstraint(
                condition=Q(annual_tax__isnull=True) | Q(annual_tax__gt=0), name="agreement_tax_positive"
            ),
            models.CheckConstraint(condition=Q(jobs__isnull=True) | Q(jobs__gt=0), name="agreement_jobs_positive"),
            models.CheckConstraint(
                condition=Q(due_year__gte=FIRST_YEAR, due_year__lte=LAST_YEAR), name="agreement_due_year_sensible"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Agreement of %(project)s") % {"project": self.project})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("projects:project_detail", args=[self.project_id]) + "#agreement"

    @property
    def investment_intensity(self) -> Decimal | None:
        """Fixed-asset investment per 亩 of land (万元/亩)."""
        if not self.land_mu:
            return None
        return (self.fixed_asset_investment / self.land_mu).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def due_on(self) -> dt.date:
        return due_date(self.due_year)


def due_date(year: int) -> dt.date:
    """Promises at full production are checked on the last day of the due year."""
    return dt.date(year, 12, 31)


class PromiseCheck(models.Model):
    """One promise of an agreement, checked on its due date against the actual figure."""

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("Fixed-asset investment")
        OUTPUT = "output", _("Annual output")
        TAX = "tax", _("Annual tax")
        JOBS = "jobs", _("Jobs")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        LATE = "late", _("Due, figures missing")
        MET = "met", pgettext_lazy("promise kept", "Met")
        NOT_MET = "not_met", _("Not met")

    # Which agreement field each kind checks.
    PROMISE_FIELDS = {
        Kind.INVESTMENT: "fixed_asset_investment",
        Kind.OUTPUT: "annual_output",
        Kind.TAX: "annual_tax",
        Kind.JOBS: "jobs",
    }

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="checks", verbose_name=_("agreement")
    )
    kind = models.CharField(_("promise"), max_length=12, choices=Kind.choices)
    promised = models.DecimalField(_("promised"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("due on"))
    actual = models.DecimalField(_("actual"), max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_on = models.DateField(_("figures recorded on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("figures recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("promise check")
        verbose_name_plural = _("promise checks")
        ordering = ["due_on", "agreement_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind"], name="promise_check_one_per_kind"),
            models.CheckConstraint(condition=Q(promised__gt=0), name="promise_check_promised_positive"),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0), name="promise_check_actual_not_negative"
            ),
            # Figures and the day they were recorded come together.
            models.CheckConstraint(
                condition=Q(actual__isnull=True, recorded_on__isnull=True)
                | Q(actual__isnull=False, recorded_on__isnull=False),
                name="promise_check_actual_with_date",
            ),
        ]
        indexes = [
            # The reminder sweep and the supervision list: checks still without figures,
            # by due date; checks not met, by the day their figures came in.
            models.Index(fields=["due_on"], condition=Q(actual__isnull=True), name="promise_check_late"),
            models.Index(fields=["recorded_on"], condition=Q(actual__isnull=False), name="promise_check_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.project}: {self.get_kind_display()} ({self.due_on})"

    def get_absolute_url(self) -> str:
        return self.agreement.get_absolute_url()

    def status(self, today: dt.date) -> str:
        if self.actual is None:
            return self.Status.PENDING if self.due_on >= today else self.Status.LATE
        return self.Status.MET if self.actual >= self.promised else self.Status.NOT_MET

    @property
    def ratio(self) -> Decimal | None:
        """Actual over promised, in per cent (None before the figures are in)."""
        if self.actual is None:
            return None
        return (self.actual * 100 / self.promised).quantize(Decimal("0.1"), ROUND_HALF_UP)


def document_path(instance: AgreementDocument, filename: str) -> str:
    # The stored name is ours, not the uploader's: no path tricks, no clashes.
    return f"agreement-documents/{instance.agreement_id}/{uuid.uuid4().hex}.{instance.file_type}"


class AgreementDocument(models.Model):
    """A signed document of an agreement (the agreement itself, a supplement): PDF, Word or Excel."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="documents", verbose_name=_("agreement")
    )
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=8, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title
