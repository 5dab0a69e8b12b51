"""Writes for logins: two-factor devices, recovery codes, ending sessions."""

from __future__ import annotations

import base64
import binascii
import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import CalendarToken, RecoveryCode, UserSession
from core import audit
from core.context_processors import DEMO_ACCOUNTS
from core.models import User

RECOVERY_CODE_COUNT = 10


class RecoveryCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds than passwords get: a recovery code is random (40 bits)
    and guesses are capped by the login lockout, while a login may check ten hashes.
    The round count is kept in each hash, so raising it later keeps old codes working."""

    iterations = 20_000


RECOVERY_HASHER = RecoveryCodeHasher()


def recovery_code_hash(code: str) -> str:
    return make_password(normalise_code(code), hasher=RECOVERY_HASHER)


def normalise_code(code: str) -> str:
    return "".join(code.split()).lower()


def two_factor_required(user: User) -> bool:
    """Managers and admins must log in with a second factor; officers may."""
    return user.is_superuser or user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (the old unconfirmed one is dropped).

    It counts only once the user proves, with a code from the app, that it is set up.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str, request=None) -> list[str] | None:
    """Confirm the device with a code from the app; return fresh recovery codes, or
    None when the code is wrong. Any earlier authenticator of the user is replaced."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("2fa_enabled", request=request, user=device.user)
    return recovery_codes_renew(user=device.user, request=request, announce=False)


@transaction.atomic
def recovery_codes_renew(*, user: User, request=None, announce: bool = True) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery codes")
    device.token_set.all().delete()
    device.recovery_codes.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    # Only hashes are kept: the caller shows the codes once and they are never shown again.
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes)
    if announce:
        audit.record("recovery_codes", request=request, user=user)
    return codes


def recovery_code_use(*, user: User, code: str) -> StaticDevice | None:
    """The user's recovery-code device when `code` is one of their unused codes, which is
    then used up; None otherwise. Of two logins racing with one code, one wins."""
    code = normalise_code(code)
    for recovery in RecoveryCode.objects.filter(device__user=user).select_related("device"):
        if RECOVERY_HASHER.verify(code, recovery.code_hash):
            deleted, _ = RecoveryCode.objects.filter(pk=recovery.pk).delete()
            return recovery.device if deleted else None
    return None


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_disable(*, user: User, request=None) -> None:
    """Remove the user's authenticator and recovery codes (an admin does this for a lost phone;
    a manager or admin then enrols again at the next login)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record("2fa_disabled", request=request, detail={"account": user.get_username()})


@transaction.atomic
def demo_devices_install(*, secret_base32: str) -> int:
    """Give every demo manager and admin the same known authenticator (demo mode only)."""
    try:
        key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8)).hex()
    except (binascii.Error, ValueError) as error:
        raise ValueError("DEMO_TOTP_SECRET is not base32") from error
    installed = 0
    for user in User.objects.filter(username__in=DEMO_ACCOUNTS, is_active=True):
        if not two_factor_required(user):
            continue
        TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
        TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "demo", "confirmed": True})
        installed += 1
    return installed


def sessions_end(*, user: User, request=None) -> int:
    """End every session the user has (deactivation, a lost laptop); returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    if keys:
        audit.record("sessions_ended", request=request, user=user, detail={"sessions": len(keys)})
    return len(keys)


# --- Private calendar address ----------------------------------------------------------------


@transaction.atomic
def calendar_token_renew(*, user: User, token: str | None = None) -> CalendarToken:
    """Make (or replace) the user's calendar token: the old address answers 404 from now.
    `token` is for the demo only, which gives its users fixed addresses."""
    row, _created = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": token or secrets.token_urlsafe(32)}
    )
    return row


@transaction.atomic
def calendar_token_revoke(*, user: User) -> int:
    return CalendarToken.objects.filter(user=user).delete()[0]


def calendar_token_user(token: str) -> User | None:
    """The active user whose calendar address carries this token, or None."""
    if not token or len(token) > 64:
        return None
    row = CalendarToken.objects.filter(token=token, user__is_active=True).select_related("user").first()
    return row.user if row is not None and secrets.compare_digest(row.token, token) else None
