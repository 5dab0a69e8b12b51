"""Senders and sweeps at once, each in its own thread with its own connection: every
escalation is taken into one message, and every message is posted once.

PostgreSQL only: SQLite serialises whole transactions, so there the races prove nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outbound import escalations, services
from outbound.models import Channel, EscalationPost, OutboundMessage
from projects import reminders
from projects.models import ReminderRule
from tests.factories import project_in_stage
from tests.outbound.robots import Robots
from tests.projects.test_concurrent_writes import at_once

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres", "fast_password_hashing", "reminder_rules"),
]


def test_listeners_and_senders_at_once_post_each_escalation_once(officer, team):
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    today = timezone.localdate()
    for n in range(30):
        project_in_stage("signed", owner=officer, name=f"逾期项目{n}", started_planned=today - dt.timedelta(days=40))
    reminders.sweep()
    with Robots() as robots:
        Channel.objects.create(name="群", platform="feishu", url=robots.url("feishu"), secret=robots.secret, team=team)

        def listen(gate):
            with gate:
                return escalations.escalations_queue()

        taken = at_once([listen] * 6)
        assert sum(taken) == 30
        assert EscalationPost.objects.count() == 30
        assert OutboundMessage.objects.count() == 1

        def send(gate):
            with gate:
                return services.deliver_due().sent

        assert sum(at_once([send] * 6)) == 1
    assert len(robots.received) == 1 and robots.texts()[0].count("逾期项目") == 30
