"""Promise checks go into supervision (督办) through the one reminder sweep: a check due
without figures climbs the late ladder; figures below the promise tell the team's
managers at once. Each reminder is sent once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from agreements.services import check_record
from core.models import Notification
from projects import reminders
from projects.models import Project, Reminder, ReminderRule
from projects.services import project_change_stage
from tests.agreements.helpers import make_agreement, signed_project

pytestmark = pytest.mark.django_db

_promise_rules = import_module("projects.migrations.0018_promise_check_rule_kinds")


@pytest.fixture
def promise_rules(db):
    """The promise rules as migration 0018 creates them, and no other rule."""
    ReminderRule.objects.all().delete()
    _promise_rules.create_promise_rules(apps, None)
    return ReminderRule.objects.all()


def travel(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def sweep_on(day: dt.date):
    with travel(day):
        return reminders.sweep()


def told(result) -> list[tuple[str, list[str]]]:
    return [(item.reminder.rule.kind, sorted(u.username for u in item.recipients)) for item in result.sent]


@pytest.fixture
def agreement(officer, manager, promise_rules):
    with travel(dt.date(2024, 6, 15)):
        project = signed_project(officer)
        # Signed in 2023, full production promised for 2023: due on 31 December 2023.
        return make_agreement(project, officer, due_year=2023, annual_tax=None, jobs=None)


def test_a_check_without_figures_climbs_the_late_ladder_once_per_rung(agreement, officer, manager):
    assert sweep_on(dt.date(2024, 1, 29)).sent == []  # 29 days after the due date

    blue = sweep_on(dt.date(2024, 1, 30))
    assert told(blue) == [("promise_check_late", ["zhang"]), ("promise_check_late", ["zhang"])]
    assert {item.reminder.level for item in blue.sent} == {"blue"}
    assert "承诺的固定资产投资尚无实际数据（2023-12-31到期）" in blue.sent[0].title  # in the office's language
    assert sweep_on(dt.date(2024, 2, 5)).sent == []  # the same rung again: nothing

    yellow = sweep_on(dt.date(2024, 3, 31))
    assert told(yellow) == [("promise_check_late", ["boss", "zhang"])] * 2
    assert Reminder.objects.filter(item_id__isnull=False).count() == 4
    assert Notification.objects.filter(recipient=manager).count() == 2


def test_figures_below_the_promise_tell_the_managers_the_day_they_come_in(agreement, officer, manager):
    output = agreement.checks.get(kind="output")
    investment = agreement.checks.get(kind="investment")
    with travel(dt.date(2024, 1, 20)):
        check_record(check=output, actual=Decimal("60000"), by=officer)  # half the promise
        check_record(check=investment, actual=Decimal("50000"), by=officer)  # met

    result = sweep_on(dt.date(2024, 1, 20))
    assert told(result) == [("promise_not_met", ["boss", "zhang"])]
    sent = result.sent[0]
    assert sent.reminder.item_id == output.pk and sent.reminder.due_on == dt.date(2024, 1, 20)
    assert "50.0%" in sent.title
    notification = Notification.objects.get(recipient=manager)
    assert notification.url.endswith(f"/projects/{agreement.project_id}/#agreement")
    assert sweep_on(dt.date(2024, 1, 21)).sent == []

    # New figures, still short: the ladder starts again from their day. Met: no more.
    with travel(dt.date(2024, 2, 10)):
        check_record(check=output, actual=Decimal("100000"), by=officer)
    assert told(sweep_on(dt.date(2024, 2, 10))) == [("promise_not_met", ["boss", "zhang"])]
    with travel(dt.date(2024, 3, 1)):
        check_record(check=output, actual=Decimal("130000"), by=officer)
    assert sweep_on(dt.date(2024, 6, 1)).sent == []


def test_a_dropped_or_deleted_project_is_not_chased(officer, promise_rules):
    with travel(dt.date(2024, 6, 15)):
        dropped = make_agreement(signed_project(officer, stage="started"), officer, due_year=2023)
        project_change_stage(
            project=dropped.project,
            to_stage="dropped",
            on=dt.date(2024, 6, 1),
            reason="迁往外地",
            loss_reason="other_location",
            lost_to="合肥高新区",
            by=officer,
        )
        deleted = make_agreement(signed_project(officer), officer, due_year=2023)
    Project.objects.filter(pk=deleted.project_id).update(is_deleted=True)
    assert sweep_on(dt.date(2024, 6, 20)).sent == []


def test_two_sweeps_at_once_send_nothing_twice(agreement):
    day = dt.date(2024, 2, 1)
    with travel(day):
        # A sweep that lost the claim finds nothing: the first one's rows hold the keys.
        first = reminders.sweep()
        second = reminders.sweep()
    assert len(first.sent) == 2 and second.sent == []
    assert Notification.objects.count() == 2


def test_a_promise_rule_is_kept_to_sensible_audiences(promise_rules):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReminderRule(kind="promise_check_late", days=0).clean()
    with pytest.raises(ValidationError):
        ReminderRule(kind="promise_not_met", days=0, audience="participants").clean()
    ReminderRule(kind="promise_not_met", days=0, audience="team_managers").clean()
