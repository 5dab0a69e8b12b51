"""Channels (group robots of an office or a team) and the messages queued for them.

A channel's address and secret are credentials: whoever holds them can post into the
group. They are written in the admin and never shown again (the list shows the host
and a masked key), history leaves them out, and no error text that could carry them
is stored (see outbound.platforms.Failure).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    FEISHU = "feishu", _("Feishu custom bot")
    WEBHOOK = "webhook", _("JSON webhook")


class Channel(models.Model):
    class Health(models.TextChoices):
        OK = "ok", _("Working")
        FAILING = "failing", _("Failing")

    name = models.CharField(_("name"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    url = models.URLField(_("robot address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("team"),
        help_text=_("Empty: the whole office (confidential projects never go there)."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    escalations = models.BooleanField(
        _("yellow and red escalations"), default=True, help_text=_("Post what each reminder sweep escalates.")
    )
    brief_at = models.TimeField(
        _("morning brief at"), null=True, blank=True, help_text=_("Local time; empty: no morning brief.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    health = models.CharField(_("health"), max_length=8, choices=Health.choices, default=Health.OK, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["url", "secret"])

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(platform__in=[choice.value for choice in Platform]), name="channel_platform_known"
            ),
            models.CheckConstraint(condition=Q(health__in=["ok", "failing"]), name="channel_health_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)


def mask_url(url: str) -> str:
    """Scheme, host and path, with the query (where the robots keep their keys) hidden."""
    parts = urlsplit(url)
    masked = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return masked + ("?…" if parts.query else "")


class OutboundMessage(models.Model):
    """One message for one channel. (channel, key) is unique: whatever queues a message
    twice (two sweeps, a retried task, a morning brief asked for twice) gets one row.
    A sender claims a row by a conditional update before posting it."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("Escalations")
        BRIEF = "brief", _("Morning brief")
        TEST = "test", _("Test")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DROPPED = "dropped", _("Dropped")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages", verbose_name=_("channel"))
    key = models.CharField(_("key"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("robot message")
        verbose_name_plural = _("robot messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="outbound_message_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "dropped"]), name="outbound_message_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbound_message_sent_has_time"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_message_due")]

    def __str__(self) -> str:
        return self.title


class EscalationPost(models.Model):
    """A reminder taken into a channel's escalation message: one row per (channel,
    reminder), inserted with a claim token, so each escalation is posted once."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    reminder = models.ForeignKey("projects.Reminder", on_delete=models.CASCADE, related_name="+")
    claim = models.UUIDField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "reminder"], name="escalation_post_once")]

    def __str__(self) -> str:
        return f"reminder {self.reminder_id} in channel {self.channel_id}"
