"""The audit log: security events go in; admins read it; nobody changes or deletes it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core import audit
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_record_takes_user_address_and_path_from_the_request(officer):
    request = RequestFactory().get("/crm/organisations/export/?industry=3", REMOTE_ADDR="10.0.0.7")
    request.user = officer
    entry = audit.record("export", request=request, detail={"list": "organisations", "rows": 120})
    assert (entry.user, entry.username, entry.ip_address) == (officer, "zhang", "10.0.0.7")
    assert entry.path == "/crm/organisations/export/?industry=3"
    assert entry.detail == {"list": "organisations", "rows": 120}


def test_record_without_a_request(officer):
    entry = audit.record("backup", user=officer)
    assert entry.username == "zhang" and entry.ip_address is None


def test_a_refused_page_is_audited(client, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:core_user_changelist")).status_code == 403
    entry = AuditEvent.objects.get(event="permission_denied")
    assert entry.user == officer
    assert entry.path == reverse("admin:core_user_changelist")


def test_a_refused_api_call_is_audited(officer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(officer)
    response = client.post("/api/v1/industries/", {"name": "物联网", "level": "cluster"}, format="json")
    assert response.status_code == 403
    entry = AuditEvent.objects.get(event="permission_denied")
    assert entry.path == "/api/v1/industries/"
    assert entry.user == officer
    assert entry.detail["method"] == "POST"


def test_a_refused_csrf_post_is_audited(officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(reverse("notifications:mark_read")).status_code == 403
    assert AuditEvent.objects.filter(event="permission_denied", user=officer).exists()


def test_audit_events_cannot_be_changed_or_deleted(officer):
    entry = audit.record("login", user=officer)
    entry.username = "someone-else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    entry.refresh_from_db()
    assert entry.username == "zhang"


def test_deleting_a_user_keeps_their_audit_trail(admin_user):
    from tests.factories import UserFactory

    leaver = UserFactory(username="leaver")
    audit.record("login", user=leaver)
    leaver.delete()
    entry = AuditEvent.objects.get(username="leaver")
    assert entry.user is None


def test_admins_read_the_audit_log(client, admin_user, officer):
    entry = audit.record("login", user=officer)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:core_auditevent_changelist"))
    assert listing.status_code == 200
    assert entry in listing.context["cl"].result_list
    page = client.get(reverse("admin:core_auditevent_change", args=[entry.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


def test_nobody_adds_changes_or_deletes_in_admin_not_even_a_superuser(client, admin_user, officer):
    assert admin_user.is_superuser
    entry = audit.record("login", user=officer)
    client.force_login(admin_user)
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_change", args=[entry.pk]), {"username": "x"}).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:core_auditevent_changelist"))
    assert "delete_selected" not in listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
    assert AuditEvent.objects.filter(pk=entry.pk, username="zhang").exists()


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_officers_and_managers_do_not_see_the_audit_log(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403


def test_odd_input_is_recorded_without_breaking_the_log():
    request = RequestFactory().get("/x", REMOTE_ADDR="not-an-address")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    entry = audit.record("login_failed", request=request, username="a\x00b" + "c" * 300)
    assert entry.username.startswith("abc") and len(entry.username) == 150
    assert entry.ip_address is None
