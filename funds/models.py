"""Funds in place (到位资金): the money actually invested in a project, month by month.

One entry per project, month and kind of funds: an office reports one figure per
project and kind each month, so entering the month again corrects that figure (the
history keeps the one before) rather than adding a second row beside it. Amounts are
in 万元; an entry of a foreign-capital project may also carry the foreign capital
actually used (实际使用外资) in 万美元, the figure reported upward in dollars.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.models import Project


class FundsEntry(models.Model):
    class Kind(models.TextChoices):
        PAID_IN_CAPITAL = "paid_in_capital", _("Paid-in registered capital")
        LOAN = "loan", _("Bank loans")
        OWN_FUNDS = "own_funds", _("Own funds")
        EQUITY = "equity", _("Equity investment")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funds_entries", verbose_name=_("project")
    )
    # The first day of the month the money arrived in.
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind of funds"), max_length=20, choices=Kind.choices, default=Kind.PAID_IN_CAPITAL)
    amount = models.DecimalField(_("amount (10k yuan)"), max_digits=14, decimal_places=2)
    usd_amount = models.DecimalField(
        _("foreign capital actually used (10k USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only for foreign capital: the part of the amount received from abroad, in 10k USD."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funds entry")
        verbose_name_plural = _("funds in place")
        ordering = ["-month", "project_id", "kind"]
        indexes = [
            # The monthly report and the dashboard: one month or a year of every project.
            models.Index(fields=["month", "project"], include=["amount", "usd_amount"], name="funds_month"),
        ]
        # The rules of funds.services that SQL can state ("not in the future" cannot be
        # a CHECK: today moves).
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "kind"], name="funds_one_per_project_month_kind"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(usd_amount__isnull=True) | Q(usd_amount__gte=0), name="funds_usd_not_negative"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="funds_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.month:%Y-%m} · {self.get_kind_display()}"
