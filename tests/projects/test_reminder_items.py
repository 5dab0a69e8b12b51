"""An app above projects registers a reminder kind of its own (projects.reminder_items)
and the one sweep sends its reminders exactly once, with its titles and recipients.

The kind registered here watches a date that the built-in kinds do not (a mission's
end: "the report of the trip is due"), so that it exercises the registry with a real
model and a real column, as the promise checks, problems and leads do.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Exists, F, OuterRef

from core.models import AlertLevel, Notification
from crm.models import Mission
from projects import reminder_items, reminders
from projects.models import Reminder, ReminderRule
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db

KIND = "test_mission_report_due"


def _parts(window, today, sent):
    missions = Mission.objects.filter(reminders.in_window("end_date", window))
    missions = missions.exclude(Exists(sent.filter(item_id=OuterRef("pk"), due_on=OuterRef("end_date"))))
    return [reminders.shape(missions, window.rule, item=F("pk"), due=F("end_date"))]


def _load(ids):
    return Mission.objects.select_related("owner").in_bulk(list(ids))


def _recipients(reminder, mission, people):
    return [mission.owner] + people.of_team(mission.team_id)


def _describe(reminder, mission, today):
    return f"Report of {mission.title} due", f"The trip ended on {reminder.due_on}."


@pytest.fixture
def registered():
    reminder_items.register(
        reminder_items.ItemKind(KIND, parts=_parts, load=_load, recipients=_recipients, describe=_describe)
    )
    yield
    reminder_items.ITEM_KINDS.pop(KIND)


def sweep_on(day):
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        return reminders.sweep()


def test_a_registered_kind_is_swept_once_with_its_own_words(registered, officer, manager):
    ReminderRule.objects.create(kind=KIND, days=3, level=AlertLevel.YELLOW)
    mission = MissionFactory(
        owner=officer, team=officer.team, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 5, 10)
    )

    assert sweep_on(dt.date(2024, 5, 12)).sent == []  # two days after: not yet due

    first = sweep_on(dt.date(2024, 5, 14))
    assert [(item.title, sorted(u.username for u in item.recipients)) for item in first.sent] == [
        (f"Report of {mission.title} due", ["boss", "zhang"])
    ]
    row = Reminder.objects.get()
    assert (row.item_id, row.due_on, row.level, row.subject) == (mission.pk, mission.end_date, "yellow", mission)
    assert Notification.objects.filter(recipient=officer, title__startswith="Report of").count() == 1

    # Again the next day, and a sweep run twice: nothing new.
    assert sweep_on(dt.date(2024, 5, 15)).sent == []
    assert Reminder.objects.count() == 1


def test_moving_the_date_starts_the_reminders_again(registered, officer):
    ReminderRule.objects.create(kind=KIND, days=1)
    mission = MissionFactory(
        owner=officer, team=officer.team, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 5, 10)
    )
    assert len(sweep_on(dt.date(2024, 5, 11)).sent) == 1
    Mission.objects.filter(pk=mission.pk).update(end_date=dt.date(2024, 5, 20))
    assert len(sweep_on(dt.date(2024, 5, 21)).sent) == 1
    assert sorted(Reminder.objects.values_list("due_on", flat=True)) == [dt.date(2024, 5, 10), dt.date(2024, 5, 20)]


def test_the_database_keeps_one_row_per_item_rule_and_date(registered, officer):
    from django.db import IntegrityError, transaction

    rule = ReminderRule.objects.create(kind=KIND, days=1)
    key = {"rule": rule, "item_id": 7, "due_on": dt.date(2024, 5, 10), "claim": "00000000-0000-0000-0000-000000000001"}
    Reminder.objects.create(**key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**key)
    with pytest.raises(IntegrityError), transaction.atomic():  # an item and a project at once
        Reminder.objects.create(**{**key, "due_on": dt.date(2024, 5, 11), "mission": MissionFactory(owner=officer)})
