"""`?next=` and `next` fields send the browser only to pages of this site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.conftest import code_for, post_password

pytestmark = pytest.mark.django_db

EVIL = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "http://evil.example/",
    "\\\\evil.example",
    " //evil.example",
]


def lands_inside(response) -> bool:
    location = response["Location"]
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", EVIL)
def test_the_login_refuses_to_send_you_away(client, officer, target):
    response = post_password(client, "zhang", next_url=target)
    assert response.status_code == 302
    assert lands_inside(response)
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_the_login_with_a_code_refuses_to_send_you_away(client, manager, totp_device, target):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    device = totp_device(manager)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        post_password(client, "boss", next_url=target)
        response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_the_enrolment_refuses_to_send_you_away(client, manager, target):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    post_password(client, "boss", next_url=target)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(reverse("two_factor_enrol"), {"code": code_for(device)})
    assert response.context["next_url"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_the_login_page_link_refuses_to_send_you_away(client, officer, target):
    client.get(reverse("login"), {"next": target})
    response = post_password(client, "zhang", next_url=target)
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_logout_refuses_to_send_you_away(client, officer, target):
    client.force_login(officer)
    response = client.post(reverse("logout") + "?next=" + target, {"next": target})
    assert response.status_code == 302
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_refuses_to_send_you_away(client, officer, target):
    client.force_login(officer)
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_ignores_a_foreign_referer(client, target):
    response = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER=target)
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_the_admin_login_refuses_to_send_you_away(client, officer, target):
    response = client.get("/admin/login/", {"next": target})
    assert "evil" not in response["Location"]
    client.force_login(officer)
    response = client.get("/admin/login/", {"next": target})
    assert lands_inside(response)


def test_a_page_of_this_site_is_where_you_go(client, officer):
    response = post_password(client, "zhang", next_url="/crm/organisations/?q=murata")
    assert response["Location"] == "/crm/organisations/?q=murata"


@pytest.mark.parametrize("target", EVIL)
def test_marking_notifications_read_refuses_to_send_you_away(client, officer, target):
    client.force_login(officer)
    response = client.post(reverse("notifications:mark_read"), {"next": target})
    assert response.status_code == 302
    assert lands_inside(response)


@pytest.mark.parametrize("target", EVIL)
def test_the_visit_form_does_not_carry_a_foreign_next(client, officer, target):
    client.force_login(officer)
    response = client.get(reverse("crm:visit_create"), {"next": target})
    assert response.context["next"] == ""
