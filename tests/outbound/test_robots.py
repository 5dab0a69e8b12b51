"""Group robots against real HTTP servers standing in for WeCom, DingTalk and Feishu
(tests.outbound.robots checks the signatures and limits as the platforms do)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from outbound import services
from outbound.models import Channel, OutboundMessage
from tests.outbound.conftest import at

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
DAY = dt.date(2024, 6, 14)


def queue(channel, key="m1", text="**hello** 你好", title="Hello"):
    return services.messages_queue(channel=channel, key=key, kind="test", title=title, texts=[text])


@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu", "webhook"])
def test_each_platform_takes_a_signed_markdown_message(robots, channel_for, platform):
    channel = channel_for(platform)
    queue(channel)

    result = services.deliver_due()

    assert (result.sent, robots.refused) == (1, [])
    assert robots.texts() == ["**hello** 你好"]
    message = OutboundMessage.objects.get()
    assert message.status == Status.SENT and message.attempts == 1
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK and channel.last_success_at is not None
    taken = robots.received[0]
    if platform == "dingtalk":
        assert taken["body"]["markdown"]["title"] == "Hello"
        assert {"timestamp", "sign"} <= set(taken["query"])
    if platform == "feishu":
        assert taken["body"]["card"]["header"]["title"]["content"] == "Hello"
    if platform == "webhook":
        assert taken["headers"]["X-Message-Key"] == f"{channel.pk}:m1"


@pytest.mark.parametrize("platform", ["dingtalk", "feishu", "webhook"])
def test_a_wrong_secret_is_refused_by_the_platform_and_the_channel_shows_failing(robots, channel_for, platform):
    channel = channel_for(platform, secret="SECnot-the-right-one")
    moment = at(DAY)
    with time_machine.travel(moment, tick=False):
        queue(channel)
    for _round in range(services.FAILING_AFTER):
        with time_machine.travel(moment, tick=False):
            services.deliver_due()
        moment += dt.timedelta(hours=1)

    assert robots.received == [] and len(robots.refused) == services.FAILING_AFTER
    channel.refresh_from_db()
    assert channel.health == Channel.Health.FAILING
    assert channel.failing_since is not None and channel.last_error
    assert OutboundMessage.objects.get().status == Status.PENDING  # kept for when it is fixed


def test_messages_beyond_the_rate_limit_wait_for_the_next_minute(robots, channel_for):
    channel = channel_for("wecom")
    with time_machine.travel(at(DAY), tick=False):
        for n in range(25):
            queue(channel, key=f"m{n}", text=f"message {n}")
        first = services.deliver_due()
    assert (first.sent, first.deferred) == (20, 5)
    assert robots.refused == []  # never hit WeCom's own limit
    with time_machine.travel(at(DAY, 10, 0) + dt.timedelta(seconds=30), tick=False):
        assert services.deliver_due().sent == 0  # still within the minute
    with time_machine.travel(at(DAY, 10, 1) + dt.timedelta(seconds=2), tick=False):
        assert services.deliver_due().sent == 5

    assert robots.texts() == [f"message {n}" for n in range(25)]
    assert robots.refused == []


def test_a_platform_failing_for_a_while_then_recovering_loses_nothing_and_doubles_nothing(
    robots, channel_for, settings
):
    settings.OUTBOUND_HTTP_TIMEOUT = 0.5
    robots.stall_seconds = 1.5
    channel = channel_for("feishu")
    with time_machine.travel(at(DAY), tick=False):
        for n in range(3):
            queue(channel, key=f"m{n}", text=f"message {n}")
    robots.script = ["500", "timeout", "500", "500"]

    moment = at(DAY)
    for _round in range(12):
        with time_machine.travel(moment, tick=False):
            services.deliver_due()
            if _round == 3:
                channel.refresh_from_db()
                assert channel.health == Channel.Health.FAILING
        moment += dt.timedelta(minutes=10)

    assert robots.texts() == ["message 0", "message 1", "message 2"]  # in order, once each
    assert list(OutboundMessage.objects.order_by("key").values_list("status", flat=True)) == [Status.SENT] * 3
    assert OutboundMessage.objects.get(key="m0").attempts == 5
    channel.refresh_from_db()
    assert channel.health == Channel.Health.OK and channel.failures == 0


def test_a_message_not_delivered_within_a_day_is_recorded_as_dropped(robots, channel_for):
    channel = channel_for("wecom")
    with time_machine.travel(at(DAY), tick=False):
        queue(channel)
    robots.script = ["500"] * 50
    moment = at(DAY)
    while moment < at(DAY + dt.timedelta(days=1), 11):
        with time_machine.travel(moment, tick=False):
            services.deliver_due()
        moment += dt.timedelta(minutes=45)

    message = OutboundMessage.objects.get()
    assert message.status == Status.DROPPED and "24" in message.last_error
    assert robots.received == []


def test_queueing_the_same_key_twice_makes_one_message(robots, channel_for):
    channel = channel_for("wecom")
    assert queue(channel) == 1
    assert queue(channel) == 0
    services.deliver_due()
    services.deliver_due()
    assert len(robots.received) == 1


def test_a_long_message_is_split_within_the_platform_size_limit(robots, channel_for):
    channel = channel_for("wecom")
    from outbound import platforms

    lines = [f"- 项目{n}：开工计划已逾期，负责人张三，请尽快督办" for n in range(300)]
    texts = platforms.split_text(lines, max_bytes=platforms.LIMITS["wecom"].max_bytes, header="### 督办")
    services.messages_queue(channel=channel, key="long", kind="escalation", title="督办", texts=texts)

    services.deliver_due()

    assert len(robots.received) == len(texts) > 1
    assert robots.refused == []
    assert all(len(text.encode()) <= 4096 for text in robots.texts())
    assert robots.texts()[0].startswith(f"### 督办 (1/{len(texts)})")
    assert sum(text.count("- 项目") for text in robots.texts()) == 300
