"""People of the office: departments, teams and users with a role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import i18n


class Department(models.Model):
    """A bureau or department (招商局/部门); its managers hear of red-level delays."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    # Shown in the reader's language (core.i18n.display_name).
    localised_name = True

    def __str__(self) -> str:
        return i18n.display_name(self)


class Team(models.Model):
    """A promotion team (招商小组); projects belong to a team."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    # Shown in the reader's language (core.i18n.display_name).
    localised_name = True

    def __str__(self) -> str:
        return i18n.display_name(self)


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICER = "officer", _("Investment officer")
        MANAGER = "manager", _("Manager")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("team"), null=True, blank=True
    )
    managed_teams = models.ManyToManyField(
        Team,
        related_name="managers",
        blank=True,
        verbose_name=_("managed teams"),
        help_text=_("Teams a manager is responsible for, besides their own team."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages and the e-mails; empty means the office default (Chinese)."),
    )
    email_reminders = models.BooleanField(
        _("e-mail me reminders"),
        default=True,
        help_text=_("A morning digest of reminders, and red alerts at once. In-app notifications always appear."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # Every role may open Django admin, where core.permissions limits what each
        # one sees and changes; the admin role and Django's superuser are one thing.
        self.is_staff = True
        if self.is_superuser:
            self.role = self.Role.ADMIN
        self.is_superuser = self.role == self.Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_manager_role(self) -> bool:
        return self.role == self.Role.MANAGER


class Heartbeat(models.Model):
    """When a background process last proved it runs (beat sends, a worker records)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


# --- Notifications (issue 4: reminders) -------------------------------------------


class AlertLevel(models.TextChoices):
    """How urgent a notification is; delays escalate blue -> yellow -> red (督办)."""

    NOTICE = "notice", _("Notice")
    BLUE = "blue", _("Blue notice")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red alert")


class Notification(models.Model):
    """One message to one user, shown in the app (the bell) and maybe mailed.

    `key` says what it is about (e.g. "reminder:42"); with the recipient it is unique,
    so whatever creates notifications may try again without telling anyone twice.
    E-mail is claimed before it is sent: `mail_token` is set by a conditional update
    (only one sender wins a row), `emailed_at` when the mail went out.
    """

    class Mail(models.TextChoices):
        NONE = "none", _("No e-mail")
        DIGEST = "digest", _("In the morning digest")
        IMMEDIATE = "immediate", _("At once")

    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    key = models.CharField(_("key"), max_length=100)
    level = models.CharField(_("level"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.NOTICE)
    title = models.CharField(_("heading"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("about (type)")
    )
    object_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.CharField(_("e-mail delivery"), max_length=10, choices=Mail.choices, default=Mail.NONE)
    mail_token = models.UUIDField(_("e-mail claim"), null=True, blank=True, editable=False)
    mail_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_recipient")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The bell's bounded count and the "unread only" list, newest first: both
            # read this index only.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_inbox",
            ),
            models.Index(
                fields=["mail", "recipient"],
                condition=Q(emailed_at__isnull=True) & ~Q(mail="none"),
                name="notification_mail_pending",
            ),
            models.Index(fields=["mail_token"], condition=Q(mail_token__isnull=False), name="notification_mail_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailDigest(models.Model):
    """The morning digest of one user on one day: at most one, by the unique key."""

    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="email_digests", verbose_name=_("recipient")
    )
    day = models.DateField(_("day"))
    token = models.UUIDField(_("claim"), editable=False)
    size = models.PositiveIntegerField(_("number of notifications"), default=0)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail digest")
        verbose_name_plural = _("e-mail digests")
        ordering = ["-day", "recipient"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


# --- Audit of security events (issue 9) ---------------------------------------------


class AuditQuerySet(models.QuerySet):
    """The audit log is append-only: rows are added, never changed or removed."""

    def update(self, **kwargs):
        raise PermissionError("audit events are never changed")

    def delete(self):
        raise PermissionError("audit events are never deleted")


class AuditEvent(models.Model):
    """One security event: who, from where, what happened. Written by core.audit.record."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKOUT = "lockout", _("Locked out")
        LOCKOUT_LIFTED = "lockout_lifted", _("Lockout lifted")
        LOGOUT = "logout", _("Logged out")
        TWO_FACTOR_FAILED = "2fa_failed", _("Wrong second-factor code")
        TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-factor login turned on")
        TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor login turned off")
        RECOVERY_CODES = "recovery_codes", _("New recovery codes")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        SESSIONS_ENDED = "sessions_ended", _("All sessions ended")
        PERMISSION_DENIED = "permission_denied", _("Refused (no permission)")
        EXPORT = "export", _("Export downloaded")
        BACKUP = "backup", _("Backup made")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # As typed or as it was then: kept when the account is renamed or removed.
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="audit_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.username}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are never deleted")


class IdempotencyKey(models.Model):
    """The first answer to a create sent with a key (an API Idempotency-Key header, or
    the hidden token of a web form), so that a retry gets that answer back instead of
    creating the record twice. One row per (user, key); rows expire after
    core.idempotency.KEEP_HOURS. See core/idempotency.py."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    # What was asked (method, path, body): the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    body = models.JSONField(_("answer body"), null=True, blank=True)
    location = models.CharField(_("answer location"), max_length=2000, blank=True)
    etag = models.CharField(_("answer ETag"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
