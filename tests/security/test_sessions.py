"""Sessions end after 30 minutes idle, 12 hours in all, on logout, and everywhere at
once when the account is deactivated."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.services import sessions_end
from core.models import AuditEvent
from tests.security.conftest import logged_in_user, post_password

pytestmark = pytest.mark.django_db


def test_a_session_ends_after_30_idle_minutes(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_password(client, "zhang")
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert logged_in_user(client) == officer
    # 29 minutes after that request, the session is still alive ...
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert logged_in_user(client) == officer
    # ... and 31 idle minutes end it.
    with time_machine.travel(start + dt.timedelta(minutes=89), tick=False):
        assert logged_in_user(client) is None
        assert client.get("/").url.startswith(reverse("login"))


def test_a_busy_session_ends_12_hours_after_the_login(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_password(client, "zhang")
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert logged_in_user(client) == officer, f"logged out after {minutes} minutes"
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=5), tick=False):
        assert logged_in_user(client) is None


def test_the_idle_clock_is_saved_at_most_once_a_minute(client, officer, settings):
    settings.SESSION_TOUCH_SECONDS = 60
    client.force_login(officer)
    client.get(reverse("account_security"))
    before = Session.objects.get().expire_date
    # Within the same minute, a page load does not write the session again.
    client.get(reverse("account_security"))
    assert Session.objects.get().expire_date == before
    # A minute later, it does.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        client.get(reverse("account_security"))
    assert Session.objects.get().expire_date > before


def test_logout_ends_the_session(client, officer):
    post_password(client, "zhang")
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert logged_in_user(client) is None
    assert AuditEvent.objects.filter(event="logout", user=officer).exists()


def test_deactivating_a_user_ends_all_their_sessions(officer, colleague, admin_user):
    laptop, phone, colleagues = Client(), Client(), Client()
    for browser in (laptop, phone):
        post_password(browser, "zhang")
        assert logged_in_user(browser) == officer
    post_password(colleagues, "li")

    officer.is_active = False
    officer.save()

    assert logged_in_user(laptop) is None
    assert logged_in_user(phone) is None
    assert not Session.objects.filter(session_key__in=[laptop.session.session_key, phone.session.session_key]).exists()
    assert logged_in_user(colleagues) == colleague
    assert AuditEvent.objects.filter(event="sessions_ended", user=officer, detail__sessions=2).exists()


def test_deactivating_in_django_admin_ends_the_sessions(client, officer, admin_user):
    laptop = Client()
    post_password(laptop, "zhang")
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_user_change", args=[officer.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"username": "zhang", "role": "officer", "team": officer.team_id, "language": ""})
    data.pop("is_active", None)
    data.pop("email_reminders", None)
    data["last_login_0"] = data["last_login_1"] = data["date_joined_0"] = data["date_joined_1"] = ""
    client.post(reverse("admin:core_user_change", args=[officer.pk]), data)
    officer.refresh_from_db()
    assert not officer.is_active
    assert logged_in_user(laptop) is None


def test_an_admin_ends_a_users_sessions_from_the_user_list(client, officer, admin_user):
    laptop = Client()
    post_password(laptop, "zhang")
    client.force_login(admin_user)
    client.post(reverse("admin:core_user_changelist"), {"action": "end_sessions", "_selected_action": [officer.pk]})
    assert logged_in_user(laptop) is None
    officer.refresh_from_db()
    assert officer.is_active


def test_ending_sessions_of_a_user_without_any_is_harmless(officer):
    assert sessions_end(user=officer) == 0
