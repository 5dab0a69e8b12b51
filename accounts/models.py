"""Which sessions belong to whom, so that all of a user's sessions can be ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    """One row per login: the session key it created. Rows whose session is gone are
    harmless and swept when their user's sessions are ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """One recovery code of a user's recovery-code device, stored as a password hash:
    a copy of the database does not give anyone a way past the second step. The code
    itself is shown once, when made; using it deletes the row, so it works once."""

    device = models.ForeignKey(
        "otp_static.StaticDevice", on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("device")
    )
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"


class CalendarToken(models.Model):
    """The secret in a user's private calendar address (outbound serves the feed).

    Calendar apps poll the address without logging in, so the token is the only key:
    random, 43 URL-safe characters, shown on the Login and security page so it can be
    pasted into a calendar app, and renewed (the old address stops at once) or revoked
    there. One per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token", verbose_name=_("user")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return f"calendar address of user {self.user_id}"
