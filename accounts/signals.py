"""Receivers: the audit log and the per-user session list follow Django's auth signals,
so logins by any path (our views, admin, tests' force_login) are covered alike."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import UserSession
from core import audit
from core.models import User

AUTH_AT = "accounts.auth_at"
SEEN_AT = "accounts.seen_at"


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})
    audit.record("login", request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def on_logout(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is not None:
        audit.record("logout", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username", "") or ""
    event = "2fa_failed" if kwargs.get("second_factor") else "login_failed"
    audit.record(event, request=request, username=username)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if getattr(request, "_accounts_lockout_recorded", False):
        return
    request._accounts_lockout_recorded = True
    audit.record("lockout", request=request, username=username or "")


@receiver(post_save, sender=User, dispatch_uid="accounts.deactivated")
def on_user_saved(sender, instance: User, **kwargs) -> None:
    # Deactivation ends every session of the account at once, whichever path saved it.
    if not instance.is_active:
        from accounts.services import sessions_end

        sessions_end(user=instance)
