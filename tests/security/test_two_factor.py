"""Two-factor login: managers and admins must, officers may. The session starts only
after the second step; a code works once; recovery codes work once each."""

from __future__ import annotations

import datetime as dt
import threading
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import RecoveryCode
from core.models import AuditEvent
from tests.factories import PASSWORD
from tests.security.conftest import code_for, logged_in_user, post_password

pytestmark = pytest.mark.django_db

_hashing_migration = import_module("accounts.migrations.0002_recovery_codes_hashed")


def test_an_officer_without_an_authenticator_logs_in_with_the_password(client, officer):
    response = post_password(client, "zhang")
    assert response.url == "/"
    assert logged_in_user(client) == officer


def test_a_manager_without_an_authenticator_must_enrol_before_the_session_starts(client, manager):
    response = post_password(client, "boss")
    assert response.url == reverse("two_factor_enrol")
    # Not logged in yet: pages send them to the login.
    assert logged_in_user(client) is None
    assert client.get("/").status_code == 302

    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    secret = page.context["secret"]
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert secret == services.base32_secret(device)

    done = client.post(reverse("two_factor_enrol"), {"code": code_for(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert logged_in_user(client) == manager
    assert TOTPDevice.objects.get(user=manager).confirmed
    assert AuditEvent.objects.filter(event="2fa_enabled", user=manager).exists()


def test_a_wrong_code_does_not_finish_the_enrolment(client, manager):
    post_password(client, "boss")
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user(client) is None


def test_an_admin_must_enrol_too(client, admin_user):
    assert post_password(client, "root").url == reverse("two_factor_enrol")
    assert logged_in_user(client) is None


def test_a_manager_with_an_authenticator_logs_in_with_password_and_code(client, manager, totp_device):
    device = totp_device(manager)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        response = post_password(client, "boss", next_url="/crm/organisations/")
        assert response.url == reverse("login_code")
        assert logged_in_user(client) is None
        response = client.post(reverse("login_code"), {"code": code_for(device)})
        assert response.url == "/crm/organisations/"
        assert logged_in_user(client) == manager


def test_a_wrong_code_is_refused_and_audited(client, manager, totp_device):
    totp_device(manager)
    post_password(client, "boss")
    response = client.post(reverse("login_code"), {"code": "123456"})
    assert response.status_code == 200
    assert logged_in_user(client) is None
    assert AuditEvent.objects.filter(event="2fa_failed", username="boss").exists()


def test_a_replayed_code_is_refused(client, manager, totp_device):
    device = totp_device(manager)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        code = code_for(device)
        post_password(client, "boss")
        assert client.post(reverse("login_code"), {"code": code}).status_code == 302
        client.post(reverse("logout"))
        # Someone who saw the code types it again within its 30 seconds.
        post_password(client, "boss")
        replay = client.post(reverse("login_code"), {"code": code})
        assert replay.status_code == 200
        assert logged_in_user(client) is None


def test_wrong_codes_count_towards_the_lockout(client, manager, totp_device):
    totp_device(manager)
    post_password(client, "boss")
    for _ in range(4):
        client.post(reverse("login_code"), {"code": "000000"})
    locked = client.post(reverse("login_code"), {"code": "000000"})
    assert locked.status_code == 429
    assert post_password(client, "boss").status_code == 429


def test_a_recovery_code_logs_in_once(client, manager, totp_device):
    totp_device(manager)
    code = services.recovery_codes_renew(user=manager)[0]
    post_password(client, "boss")
    assert client.post(reverse("login_code"), {"code": code.upper()}).status_code == 302
    assert logged_in_user(client) == manager
    assert services.recovery_codes_left(user=manager) == 9
    assert AuditEvent.objects.filter(event="recovery_code_used", user=manager).exists()
    client.post(reverse("logout"))
    post_password(client, "boss")
    assert client.post(reverse("login_code"), {"code": code}).status_code == 200
    assert logged_in_user(client) is None


def test_the_second_step_expires_after_five_minutes(client, manager, totp_device):
    device = totp_device(manager)
    start = timezone.now() + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        post_password(client, "boss")
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        response = client.post(reverse("login_code"), {"code": code_for(device)})
        assert response.url == reverse("login")
        assert logged_in_user(client) is None


def test_the_code_page_without_a_password_first_goes_back_to_the_login(client):
    assert client.get(reverse("login_code")).url == reverse("login")
    assert client.get(reverse("two_factor_enrol")).url.startswith(reverse("login"))


def test_an_officer_may_turn_two_factor_on_and_off(client, officer):
    client.force_login(officer)
    page = client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert page.context["required"] is False
    client.post(reverse("two_factor_enrol"), {"code": code_for(device), "password": PASSWORD})
    assert services.has_two_factor(officer)
    client.post(reverse("account_security"), {"action": "disable", "password": PASSWORD})
    assert not services.has_two_factor(officer)
    assert AuditEvent.objects.filter(event="2fa_disabled").exists()
    # From now on the officer logs in with the password alone again.
    client.post(reverse("logout"))
    assert post_password(client, "zhang").url == "/"


def test_a_manager_cannot_turn_two_factor_off(client, manager, totp_device):
    totp_device(manager)
    client.force_login(manager)
    client.post(reverse("account_security"), {"action": "disable", "password": PASSWORD})
    assert services.has_two_factor(manager)


def test_new_recovery_codes_replace_the_old_ones(client, manager, totp_device):
    totp_device(manager)
    old = set(services.recovery_codes_renew(user=manager))
    client.force_login(manager)
    response = client.post(reverse("account_security"), {"action": "recovery_codes", "password": PASSWORD})
    new = set(response.context["codes"])
    assert len(new) == 10 and not new & old
    assert services.recovery_codes_left(user=manager) == 10
    for code in old:
        assert services.recovery_code_use(user=manager, code=code) is None
    assert services.recovery_code_use(user=manager, code=new.pop()) is not None


def test_recovery_codes_are_stored_as_hashes_and_shown_only_once(client, manager, totp_device):
    totp_device(manager)
    client.force_login(manager)
    shown = client.post(reverse("account_security"), {"action": "recovery_codes", "password": PASSWORD})
    codes = shown.context["codes"]
    stored = list(RecoveryCode.objects.filter(device__user=manager).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not StaticToken.objects.filter(device__user=manager).exists()
    for code in codes:
        assert code in shown.content.decode()
        assert not any(code in value for value in stored)
    # The security page afterwards tells how many are left, never the codes.
    page = client.get(reverse("account_security")).content.decode()
    assert not any(code in page for code in codes)


def test_the_migration_hashes_codes_kept_in_plain_text(client, manager, totp_device):
    totp_device(manager)
    device = StaticDevice.objects.create(user=manager, name="recovery codes")
    StaticToken.objects.create(device=device, token="abcd2345")
    _hashing_migration.hash_plain_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert "abcd2345" not in RecoveryCode.objects.get(device=device).code_hash
    # The old code still logs in, once.
    post_password(client, "boss")
    assert client.post(reverse("login_code"), {"code": "ABCD 2345"}).status_code == 302
    assert logged_in_user(client) == manager
    client.post(reverse("logout"))
    post_password(client, "boss")
    assert client.post(reverse("login_code"), {"code": "abcd2345"}).status_code == 200
    assert logged_in_user(client) is None


def test_django_admin_logs_in_through_the_two_step_login(client, manager):
    response = client.get("/admin/login/?next=/admin/crm/organisation/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/crm/organisation/"
    # Opening admin while logged out lands on the same login.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
    # A password alone never opens admin for a manager.
    client.post("/admin/login/", {"username": "boss", "password": "correct-horse-battery-staple"})
    assert logged_in_user(client) is None


def test_the_demo_managers_share_a_known_authenticator(settings, db):
    from core.models import User

    settings.DEMO_MODE = True
    manager = User.objects.create_user("manager", password="x" * 12, role=User.Role.MANAGER)
    officer = User.objects.create_user("officer", password="x" * 12, role=User.Role.OFFICER)
    assert services.demo_devices_install(secret_base32=settings.DEMO_TOTP_SECRET) == 1
    device = TOTPDevice.objects.get(user=manager)
    assert services.base32_secret(device) == settings.DEMO_TOTP_SECRET
    assert not TOTPDevice.objects.filter(user=officer).exists()
    # Running it again (every `make run`) changes nothing.
    services.demo_devices_install(secret_base32=settings.DEMO_TOTP_SECRET)
    assert TOTPDevice.objects.get(user=manager).pk == device.pk


def test_a_password_alone_cannot_replace_an_existing_authenticator(client, manager, totp_device):
    device = totp_device(manager)
    post_password(client, "boss")
    # Skipping the code page and going to the set-up page leads back to the code.
    assert client.get(reverse("two_factor_enrol")).url == reverse("login_code")
    assert client.post(reverse("two_factor_enrol"), {"code": "123456"}).url == reverse("login_code")
    assert list(TOTPDevice.objects.filter(user=manager)) == [device]
    assert logged_in_user(client) is None


def test_setting_up_an_app_may_take_ten_minutes(client, manager):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_password(client, "boss")
        client.get(reverse("two_factor_enrol"))
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        device = TOTPDevice.objects.get(user=manager)
        client.post(reverse("two_factor_enrol"), {"code": code_for(device)})
        assert logged_in_user(client) == manager


def test_changing_the_second_factor_asks_for_the_password_again(client, officer, manager, totp_device):
    # Someone at a computer where the officer stayed logged in cannot add their own phone ...
    client.force_login(officer)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=officer)
    refused = client.post(reverse("two_factor_enrol"), {"code": code_for(device), "password": "guess-guess-guess"})
    assert refused.context["form"].errors["password"]
    assert not services.has_two_factor(officer)
    # ... nor read a manager's new recovery codes.
    totp_device(manager)
    client.force_login(manager)
    response = client.post(reverse("account_security"), {"action": "recovery_codes", "password": "guess-guess"})
    assert "codes" not in response.context
    assert AuditEvent.objects.filter(event="login_failed", username="boss").exists()


def test_wrong_passwords_on_the_security_page_lock_the_account(client, manager, totp_device):
    totp_device(manager)
    client.force_login(manager)
    for _ in range(5):
        response = client.post(reverse("account_security"), {"action": "recovery_codes", "password": "guess-guess"})
    assert response.status_code == 429


def test_an_admin_resets_a_lost_phone_and_the_manager_enrols_again(client, manager, admin_user, totp_device):
    from django.test import Client

    totp_device(manager)
    admin = Client()
    admin.force_login(admin_user)
    admin.post(reverse("admin:core_user_changelist"), {"action": "reset_two_factor", "_selected_action": [manager.pk]})
    assert not services.has_two_factor(manager)
    assert AuditEvent.objects.filter(event="2fa_disabled", user=admin_user, detail__account="boss").exists()
    assert post_password(client, "boss").url == reverse("two_factor_enrol")


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_only_admins_use_the_login_actions(client, request, role, colleague, totp_device):
    totp_device(colleague)
    client.force_login(request.getfixturevalue(role))
    client.post(
        reverse("admin:core_user_changelist"), {"action": "reset_two_factor", "_selected_action": [colleague.pk]}
    )
    assert services.has_two_factor(colleague)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_used_by_two_logins_at_once_works_for_one(postgres, manager):
    code = services.recovery_codes_renew(user=manager)[0]
    barrier = threading.Barrier(4)
    won: list[bool] = []

    def use() -> None:
        barrier.wait()
        try:
            won.append(services.recovery_code_use(user=manager, code=code) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, False, True]
    assert services.recovery_codes_left(user=manager) == 9
