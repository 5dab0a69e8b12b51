"""Helpers for the login tests: log in through the real login form, read TOTP codes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from tests.factories import PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def post_password(client, username: str, password: str = PASSWORD, next_url: str | None = None, **extra):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data, **extra)


def logged_in_user(client):
    """Whom the next page is served to (None when nobody is logged in)."""
    response = client.get(reverse("account_security"))
    return response.context["user"] if response.status_code == 200 else None


@pytest.fixture
def totp_device():
    """Give a user a confirmed authenticator, as the enrolment page would."""

    def make(user) -> TOTPDevice:
        device = services.totp_device_start(user=user)
        services.totp_device_confirm(device=device, code=code_for(device))
        device.refresh_from_db()
        return device

    return make


@pytest.fixture
def english():
    with translation.override("en"):
        yield
