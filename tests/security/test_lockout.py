"""Five wrong passwords lock a username for 15 minutes; many failures from one
address lock the address. Every failure and lockout is in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.models import AuditEvent
from tests.factories import UserFactory
from tests.security.conftest import logged_in_user, post_password

pytestmark = pytest.mark.django_db


def fail(client, username: str, times: int) -> None:
    for _ in range(times):
        post_password(client, username, "not-the-password")


def test_four_wrong_passwords_do_not_lock_the_account(client, officer):
    fail(client, "zhang", 4)
    response = post_password(client, "zhang")
    assert response.status_code == 302
    assert logged_in_user(client) == officer


def test_the_fifth_wrong_password_locks_the_account_even_for_the_right_password(client, officer):
    fail(client, "zhang", 5)
    response = post_password(client, "zhang")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert logged_in_user(client) is None


def test_the_lockout_ends_after_15_minutes(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "zhang", 5)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert post_password(client, "zhang").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        assert post_password(client, "zhang").status_code == 302
        assert logged_in_user(client) == officer


def test_a_lockout_of_one_username_leaves_colleagues_alone(client, officer, colleague):
    fail(client, "zhang", 5)
    assert post_password(client, "li").status_code == 302
    assert logged_in_user(client) == colleague


def test_many_failures_from_one_address_lock_the_address(client, settings, officer):
    settings.LOGIN_IP_FAILURE_LIMIT = 10
    for n in range(10):
        post_password(client, f"guess{n}", "not-the-password")
    # Each username failed once only, but the address is now blocked for everyone.
    assert post_password(client, "zhang").status_code == 429
    other_address = post_password(client, "zhang", REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 302


def test_failures_and_the_lockout_are_audited(client, officer):
    fail(client, "zhang", 5)
    events = AuditEvent.objects.filter(username="zhang")
    assert events.filter(event="login_failed").count() == 5
    assert events.filter(event="lockout").exists()
    assert events.filter(event="login_failed").first().ip_address == "127.0.0.1"


def test_a_success_is_audited_and_clears_the_failures(client, officer):
    fail(client, "zhang", 4)
    post_password(client, "zhang")
    assert AuditEvent.objects.filter(event="login", user=officer).exists()
    client.post("/accounts/logout/")
    fail(client, "zhang", 4)
    # Four new failures after a success: still not locked (the count started again).
    assert post_password(client, "zhang").status_code == 302


def test_an_unknown_username_is_answered_like_a_wrong_password(client, officer):
    unknown = post_password(client, "nobody", "not-the-password")
    wrong = post_password(client, "zhang", "not-the-password")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_the_test_clients_login_still_works(client):
    user = UserFactory(username="plain")
    assert client.login(username="plain", password="correct-horse-battery-staple")
    assert logged_in_user(client) == user


def test_behind_nginx_the_address_nginx_reports_counts(client, settings, officer):
    settings.PROXY_COUNT = 1
    settings.LOGIN_IP_FAILURE_LIMIT = 5
    # Through nginx every request comes from 127.0.0.1; the client claims an address too.
    for n in range(5):
        post_password(client, f"guess{n}", "x", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5")
    assert AuditEvent.objects.filter(event="login_failed").first().ip_address == "203.0.113.5"
    # Another client behind the same nginx is not locked out by the first one's failures.
    assert post_password(client, "zhang", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302
    # The first one is, whatever it claims in front.
    assert post_password(client, "li", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5").status_code == 429


def test_an_admin_lifts_a_lockout(client, officer, admin_user):
    from django.test import Client
    from django.urls import reverse

    fail(client, "zhang", 5)
    assert post_password(client, "zhang").status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    admin.post(reverse("admin:core_user_changelist"), {"action": "unlock", "_selected_action": [officer.pk]})
    assert post_password(client, "zhang").status_code == 302
    assert AuditEvent.objects.filter(event="lockout_lifted", user=admin_user, detail__account="zhang").exists()
