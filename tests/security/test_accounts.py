"""Passwords of at least 12 characters, checked by Django's validators; accounts are
made by admins only: nobody signs up."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt-pass!",  # 11 characters
        "password1234",  # a common password
        "483920175620",  # digits only
        "zhangwei-2024",  # too like the username
    ],
)
def test_weak_passwords_are_refused(password):
    user = User(username="zhangwei-2024", display_name="Zhang Wei")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("铁索寒江-Harbour-Lantern", User(username="zhang"))


def test_changing_ones_password_applies_the_rules(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("password_change"),
        {"old_password": "correct-horse-battery-staple", "new_password1": "short-pw1", "new_password2": "short-pw1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/register/", "/register/", "/signup/"])
def test_there_is_no_sign_up_page(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"username": "intruder", "password1": "x" * 20, "password2": "x" * 20}).status_code in (
        403,
        404,
    )
    assert not User.objects.filter(username="intruder").exists()


def test_the_login_page_offers_no_sign_up_and_no_password_reset_by_mail(client):
    page = client.get(reverse("login")).content.decode().lower()
    assert "signup" not in page and "register" not in page
    assert client.get("/accounts/password_reset/").status_code == 404


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_only_admins_create_users(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:core_user_add")).status_code == 403


def test_an_admin_creates_a_user_with_a_strong_password(client, admin_user, team):
    client.force_login(admin_user)
    weak = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": "abc12345",
            "password2": "abc12345",
            "role": "officer",
            "team": team.pk,
        },
    )
    assert weak.status_code == 200
    assert not User.objects.filter(username="newbie").exists()
    strong = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": "Lantern-harbour-42",
            "password2": "Lantern-harbour-42",
            "role": "officer",
            "team": team.pk,
        },
    )
    assert strong.status_code == 302
    assert User.objects.get(username="newbie").check_password("Lantern-harbour-42")
