"""Robots in the admin and from the command line: write-only credentials, the test
message, failing robots shown to admins."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from outbound.models import Channel
from tests.outbound.robots import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def admin_client(client, admin_user, settings):
    settings.LANGUAGE_CODE = "en"
    admin_user.language = "en"
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_an_admin_adds_a_dingtalk_robot_whose_address_and_secret_are_never_shown_again(admin_client, robots):
    url = robots.url("dingtalk")
    answer = admin_client.post(
        reverse("admin:outbound_channel_add"),
        {
            "name": "日韩组钉钉群",
            "platform": "dingtalk",
            "language": "zh-hans",
            "escalations": "on",
            "is_active": "on",
            "new_url": url,
            "new_secret": SECRET,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    channel = Channel.objects.get()
    assert (channel.url, channel.secret) == (url, SECRET)

    for page in (
        reverse("admin:outbound_channel_change", args=[channel.pk]),
        reverse("admin:outbound_channel_changelist"),
        reverse("admin:outbound_channel_history", args=[channel.pk]),
    ):
        html = admin_client.get(page).content.decode()
        assert SECRET not in html and "test-token" not in html, page
    assert not hasattr(channel.history.model, "secret") and not hasattr(channel.history.model, "url")

    # Saving again with the credential fields left empty keeps them.
    admin_client.post(
        reverse("admin:outbound_channel_change", args=[channel.pk]),
        {"name": "日韩组钉钉群", "platform": "dingtalk", "language": "en", "is_active": "on", "brief_at": "08:30"},
    )
    channel.refresh_from_db()
    assert (channel.url, channel.secret, channel.language) == (url, SECRET, "en")


def test_a_dingtalk_robot_without_its_secret_is_refused_with_a_reason(admin_client, robots):
    answer = admin_client.post(
        reverse("admin:outbound_channel_add"),
        {"name": "x", "platform": "dingtalk", "language": "en", "new_url": robots.url("dingtalk")},
    )
    assert answer.status_code == 200
    assert "paste the secret" in answer.content.decode()
    assert not Channel.objects.exists()


def test_the_admin_action_sends_a_test_message_and_shows_the_answer(admin_client, robots, channel_for):
    good = channel_for("feishu")
    bad = channel_for("wecom", name="broken", url=robots.url("wecom").replace("/wecom/", "/nowhere/"))
    robots.script = []
    page = admin_client.post(
        reverse("admin:outbound_channel_changelist"),
        {"action": "send_test", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    html = page.content.decode()
    assert "success" in html  # Feishu's own answer
    assert len(robots.received) == 1


def test_failing_robots_are_pointed_out_to_admins(admin_client, channel_for):
    channel_for("wecom", health=Channel.Health.FAILING, last_error="HTTP 500")
    html = admin_client.get(reverse("admin:outbound_channel_changelist")).content.decode()
    assert "failing" in html.lower() and "HTTP 500" in html


def test_notify_test_posts_to_any_address_and_prints_the_answer(robots):
    out = io.StringIO()
    call_command("notify_test", "--kind", "feishu", "--url", robots.url("feishu"), "--secret", SECRET, stdout=out)
    assert "HTTP 200" in out.getvalue() and '"code": 0' in out.getvalue()
    assert robots.received[0]["body"]["msg_type"] == "interactive"

    with pytest.raises(CommandError, match="did not take"):
        call_command("notify_test", "--kind", "feishu", "--url", robots.url("feishu"), "--secret", "wrong", stdout=out)


def test_notify_test_sends_to_a_stored_channel(robots, channel_for):
    channel = channel_for("dingtalk", health=Channel.Health.FAILING, failures=5)
    out = io.StringIO()
    call_command("notify_test", str(channel.pk), stdout=out)
    assert out.getvalue().startswith("dingtalk group: HTTP 200")
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK  # a robot that answers again is working again
