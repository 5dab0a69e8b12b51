"""First-contact registration (首谈报备): a team holds an organisation's group for a
protection period; another team's work on the group is a collision (撞单) that a
manager of both teams, or an admin, decides: keep, transfer or share."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def default_protection_days() -> int:
    return settings.CLAIM_PROTECTION_DAYS


class Claim(models.Model):
    """One team's registration of an organisation and, through it, of its whole group
    (crm.groups). Open while `ended_on` is empty and `expires_on` is not past: activity
    of the team on the group moves `expires_on` on; without activity it lapses."""

    organisation = models.ForeignKey(
        "crm.Organisation", on_delete=models.PROTECT, related_name="claims", verbose_name=_("organisation")
    )
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    first_contact_on = models.DateField(_("first contact"))
    protection_days = models.PositiveSmallIntegerField(_("protection period (days)"), default=default_protection_days)
    last_activity_on = models.DateField(_("last activity"))
    expires_on = models.DateField(_("protected until"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    shared_with = models.ManyToManyField(
        "core.Team",
        related_name="+",
        blank=True,
        verbose_name=_("shared with"),
        help_text=_("Teams a manager let work on the group beside the holder (a shared credit)."),
    )
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[shared_with])

    class Meta:
        verbose_name = _("first-contact registration")
        verbose_name_plural = _("first-contact registrations")
        ordering = ["-first_contact_on", "-id"]
        constraints = [
            # One open registration per organisation; one per group is kept by the
            # service, which locks the group's top organisation while it checks.
            models.UniqueConstraint(fields=["organisation"], condition=Q(ended_on__isnull=True), name="claim_one_open"),
            models.CheckConstraint(condition=Q(protection_days__gt=0), name="claim_protection_positive"),
            models.CheckConstraint(
                condition=Q(last_activity_on__gte=F("first_contact_on")) & Q(expires_on__gt=F("last_activity_on")),
                name="claim_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.team}"

    def is_open(self, today: dt.date) -> bool:
        return self.ended_on is None and self.expires_on >= today


class Collision(models.Model):
    """Another team worked on a registered group (撞单). One stays open per (claim, team)
    until a manager decides; later work of that team counts on it."""

    class Via(models.TextChoices):
        VISIT = "visit", _("Visit")
        LEAD = "lead", _("Lead")
        PROJECT = "project", _("Project")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="collisions", verbose_name=_("claim"))
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("other team"))
    organisation = models.ForeignKey(
        "crm.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation worked on"),
    )
    via = models.CharField(_("by way of"), max_length=16, choices=Via.choices)
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("first noticed from")
    )
    first_at = models.DateTimeField(_("first noticed"), auto_now_add=True)
    last_on = models.DateField(_("last worked on"))
    times = models.PositiveIntegerField(_("times"), default=1)
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("collision")
        verbose_name_plural = _("collisions")
        ordering = ["-first_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "team"], condition=Q(resolved_at__isnull=True), name="collision_one_open_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} ← {self.team}"


class Decision(models.Model):
    """A manager's arbitration of a collision, kept as history: who carries the group,
    why, and for a shared one each team's share of the credit (the lead's credit split
    of the projects takes these shares)."""

    class Outcome(models.TextChoices):
        KEEP = "keep", _("Keep with the holder")
        TRANSFER = "transfer", _("Transfer to the other team")
        SHARE = "share", _("Share, with a credit split")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("claim"))
    collision = models.OneToOneField(
        Collision, on_delete=models.PROTECT, related_name="decision", verbose_name=_("collision")
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    holder_team = models.ForeignKey(
        "core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("holder before the decision")
    )
    other_team = models.ForeignKey(
        "core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("other team")
    )
    holder_share = models.PositiveSmallIntegerField(_("holder's share (%)"), null=True, blank=True)
    other_share = models.PositiveSmallIntegerField(_("other team's share (%)"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arbitration")
        verbose_name_plural = _("arbitrations")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
            # Shares only for a shared group, and then both, adding up to 100.
            models.CheckConstraint(
                condition=(
                    Q(outcome="share", holder_share__gt=0, other_share__gt=0)
                    & Q(holder_share__lt=100, other_share__lt=100)
                    & Q(holder_share=100 - F("other_share"))
                )
                | (~Q(outcome="share") & Q(holder_share__isnull=True, other_share__isnull=True)),
                name="decision_shares_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_outcome_display()}"
