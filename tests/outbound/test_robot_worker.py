"""A real Celery worker posting to a robot, killed while the platform holds its post."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from outbound import services
from outbound.models import Channel, OutboundMessage
from outbound.tasks import deliver_pending
from tests.outbound.robots import SECRET, Robots
from tests.worker import wait_until, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hashing")]


def test_a_worker_killed_mid_post_leaves_the_message_to_be_sent_again_under_the_same_key(settings):
    with Robots() as robots:
        channel = Channel.objects.create(
            name="数据平台", platform="webhook", url=robots.url("webhook"), secret=SECRET, language="en"
        )
        services.messages_queue(channel=channel, key="brief:2024-06-14", kind="brief", title="晨报", texts=["早上好"])
        robots.script = ["hold"]

        with worker_process() as worker:
            deliver_pending.apply_async(queue=worker.queue)
            assert wait_until(robots.holding.is_set, seconds=60), "the worker never posted"
            worker.kill()

        message = OutboundMessage.objects.get()
        assert message.status == OutboundMessage.Status.SENDING
        assert services.deliver_due().sent == 0  # a fresh claim is left alone

        later = timezone.now() + dt.timedelta(seconds=settings.OUTBOUND_CLAIM_TIMEOUT + 5)
        with time_machine.travel(later, tick=False):
            assert services.deliver_due().sent == 1
            assert services.deliver_due().sent == 0

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT and message.attempts == 2
    assert robots.texts() == ["早上好"]
    # The receiver saw the held post and the new one under one key, so it can keep one.
    assert robots.held[0]["headers"]["X-Message-Key"] == robots.received[0]["headers"]["X-Message-Key"]
