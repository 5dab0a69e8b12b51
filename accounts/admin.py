"""Admin actions on users for logins: reset two-factor login (lost phone), end all
sessions (lost laptop), lift a lockout. The devices themselves are not offered in
admin: their secrets stay out of pages, and every change goes through the services
so that it is audited."""

from __future__ import annotations

from axes.utils import reset
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from core import audit, permissions
from core.admin import UserAdmin

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description=_("Reset two-factor login (lost phone)"))
def reset_two_factor(modeladmin, request, queryset) -> None:
    if not permissions.is_admin(request.user):
        return
    for user in queryset:
        services.two_factor_disable(user=user, request=request)
    modeladmin.message_user(request, _("Two-factor login reset; the user sets it up again at the next login."))


@admin.action(description=_("End all sessions (log out everywhere)"))
def end_sessions(modeladmin, request, queryset) -> None:
    if not permissions.is_admin(request.user):
        return
    ended = sum(services.sessions_end(user=user, request=request) for user in queryset)
    modeladmin.message_user(
        request, ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended) % {"count": ended}
    )


@admin.action(description=_("Lift the login lockout"))
def unlock(modeladmin, request, queryset) -> None:
    if not permissions.is_admin(request.user):
        return
    for user in queryset:
        reset(username=user.get_username())
        audit.record("lockout_lifted", request=request, detail={"account": user.get_username()})
    modeladmin.message_user(request, _("Lockout lifted."), messages.SUCCESS)


UserAdmin.actions = [*(UserAdmin.actions or []), reset_two_factor, end_sessions, unlock]
