"""Login in two steps: the password, then a code from the authenticator app (or a
recovery code) for users who have one. Managers and admins without one enrol an
authenticator before their session starts. Until the last step the browser's
session holds only a "pending" note (whose password was right, and when), never a
logged-in user.
"""

from __future__ import annotations

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import CodeForm, EnrolForm, PasswordConfirmForm
from accounts.models import CalendarToken
from core import audit
from core.models import User

PENDING = "accounts.pending"
ENROL_DEVICE = "accounts.enrol_device"
# The second step must follow the first within this time (setting up an app takes longer).
PENDING_SECONDS = 5 * 60
ENROL_SECONDS = 15 * 60


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` when it points into this site, else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


# --- Step 1: the password -------------------------------------------------------------


class PasswordStepView(auth_views.LoginView):
    template_name = "registration/login.html"

    def get(self, request, *args, **kwargs):
        request.session.pop(PENDING, None)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if services.has_two_factor(user) or services.two_factor_required(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_redirect_url(),
                "at": timezone.now().timestamp(),
            }
            step = "login_code" if services.has_two_factor(user) else "two_factor_enrol"
            return HttpResponseRedirect(reverse(step))
        return super().form_valid(form)


def _pending_user(request: HttpRequest, max_age: int = PENDING_SECONDS) -> tuple[User, dict] | tuple[None, None]:
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > max_age:
        request.session.pop(PENDING, None)
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else (None, None)


def _complete_login(request: HttpRequest, user: User, pending: dict, device) -> None:
    request.session.pop(PENDING, None)
    request.session.pop(ENROL_DEVICE, None)
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)


def _locked_out(request: HttpRequest, user: User) -> bool:
    """True (and the request flagged for axes' lockout page) when the username is locked."""
    if AxesProxyHandler.is_allowed(request, {"username": user.get_username()}):
        return False
    request.axes_locked_out = True
    request.axes_credentials = {"username": user.get_username()}
    request.session.pop(PENDING, None)
    return True


# --- Step 2: the code ------------------------------------------------------------------


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Please log in again."))
        return redirect("login")
    if _locked_out(request, user):
        return render(request, "registration/locked_out.html", status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = match_token(user, code) or services.recovery_code_use(user=user, code=code)
        if device is not None:
            _complete_login(request, user, pending, device)
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(user=user)
                audit.record("recovery_code_used", request=request, user=user, detail={"left": left})
                messages.warning(request, _("You used a recovery code; %(left)s are left.") % {"left": left})
            return HttpResponseRedirect(safe_next(request, pending["next"]))
        # A wrong code counts towards the lockout like a wrong password.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request, second_factor=True
        )
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return render(request, "registration/locked_out.html", status=429)
        form.add_error("code", _("That code is wrong or was used already. Wait for the next code and try again."))
    return render(request, "registration/login_code.html", {"form": form, "pending_user": user})


# --- Enrolling an authenticator ---------------------------------------------------------


def _qr_svg(uri: str) -> str:
    # Made here, as inline SVG: no request leaves the site and nothing runs in the page.
    # Reviewed: segno writes only <svg> and <path> markup; the URI is encoded as the path.
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return mark_safe(svg)  # nosec B308 B703


def _enrol_device(request: HttpRequest, user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(pk=request.session.get(ENROL_DEVICE), user=user, confirmed=False).first()
    if device is None:
        device = services.totp_device_start(user=user)
        request.session[ENROL_DEVICE] = device.pk
    return device


@sensitive_post_parameters("code", "password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: for a manager or admin in the middle of logging in,
    or for anyone logged in who wants it (or a new phone)."""
    if request.user.is_authenticated:
        user, pending = request.user, None
    else:
        user, pending = _pending_user(request, ENROL_SECONDS)
        if user is None:
            return redirect_to_login(reverse("two_factor_enrol"))
        if services.has_two_factor(user):
            # A password alone never replaces an authenticator: the code comes first.
            return redirect("login_code")
        if _locked_out(request, user):
            return render(request, "registration/locked_out.html", status=429)
    device = _enrol_device(request, user)
    if pending is None:
        form = EnrolForm(request.POST or None, user=user, request=request)
    else:
        form = CodeForm(request.POST or None)
    if getattr(request, "axes_locked_out", False):
        return render(request, "registration/locked_out.html", status=429)
    calendar = request.POST.get("calendar") if request.method == "POST" else None
    if calendar == "renew":
        services.calendar_token_renew(user=user)
        messages.success(request, _("Your calendar has a new address; the old one no longer works."))
        return redirect("account_security")
    if calendar == "revoke":
        services.calendar_token_revoke(user=user)
        messages.success(request, _("Your calendar address is revoked."))
        return redirect("account_security")
    if request.method == "POST" and form.is_valid():
        codes = services.totp_device_confirm(device=device, code=form.cleaned_data["code"], request=request)
        if codes is not None:
            device.refresh_from_db()
            next_url = reverse("account_security")
            if pending is not None:
                _complete_login(request, user, pending, device)
                next_url = safe_next(request, pending["next"])
            else:
                request.session.pop(ENROL_DEVICE, None)
                otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url})
        form.add_error("code", _("That code is wrong. Check the time on your phone and type the newest code."))
    if getattr(request, "axes_locked_out", False):
        return render(request, "registration/locked_out.html", status=429)
    calendar = request.POST.get("calendar") if request.method == "POST" else None
    if calendar == "renew":
        services.calendar_token_renew(user=user)
        messages.success(request, _("Your calendar has a new address; the old one no longer works."))
        return redirect("account_security")
    if calendar == "revoke":
        services.calendar_token_revoke(user=user)
        messages.success(request, _("Your calendar address is revoked."))
        return redirect("account_security")
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": services.base32_secret(device),
        "otpauth_uri": device.config_url,
        "required": services.two_factor_required(user),
        "logging_in": pending is not None,
    }
    return render(request, "accounts/enrol.html", context)


# --- The user's own security page --------------------------------------------------------


@sensitive_post_parameters("password")
@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordConfirmForm(request.POST or None, user=user, request=request)
    action = request.POST.get("action") if request.method == "POST" and form.is_valid() else None
    if getattr(request, "axes_locked_out", False):
        return render(request, "registration/locked_out.html", status=429)
    calendar = request.POST.get("calendar") if request.method == "POST" else None
    if calendar == "renew":
        services.calendar_token_renew(user=user)
        messages.success(request, _("Your calendar has a new address; the old one no longer works."))
        return redirect("account_security")
    if calendar == "revoke":
        services.calendar_token_revoke(user=user)
        messages.success(request, _("Your calendar address is revoked."))
        return redirect("account_security")
    if action == "recovery_codes" and services.has_two_factor(user):
        codes = services.recovery_codes_renew(user=user, request=request)
        return render(
            request, "accounts/recovery_codes.html", {"codes": codes, "next_url": reverse("account_security")}
        )
    if action == "disable":
        if services.two_factor_required(user):
            messages.error(request, _("Your role must log in with a second factor; it cannot be turned off."))
        else:
            services.two_factor_disable(user=user, request=request)
            messages.success(request, _("Two-factor login is off."))
        return redirect("account_security")
    context = {
        "form": form,
        "has_two_factor": services.has_two_factor(user),
        "required": services.two_factor_required(user),
        "recovery_codes_left": services.recovery_codes_left(user=user),
        "calendar_url": _calendar_url(user),
    }
    return render(request, "accounts/security.html", context)


def _calendar_url(user: User) -> str:
    row = CalendarToken.objects.filter(user=user).first()
    if row is None:
        return ""
    # The feed is served by an app above (outbound): named here, not imported.
    return settings.SITE_URL.rstrip("/") + reverse("calendar_feed", args=[row.token])


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """Django admin's login page, replaced: everyone logs in through the two-step login."""
    next_url = safe_next(request, request.GET.get("next") or reverse("admin:index"))
    if request.user.is_authenticated and request.user.is_staff:
        return HttpResponseRedirect(next_url)
    return redirect_to_login(next_url, login_url=reverse("login"))
