"""Promise check reminders through real Celery processes, as the milestone reminders
are tested (tests/projects/test_reminders_worker.py): a worker killed in the middle of
a batch, then restarted with beat, tells everyone exactly once."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from agreements.models import Agreement, PromiseCheck
from core.models import Notification, User
from crm.models import Organisation
from projects.models import Project, Reminder, ReminderRule, Stage
from projects.tasks import sweep_reminders
from tests.factories import OrganisationFactory
from tests.worker import wait_until, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hashing")]

_promise_rules = import_module("projects.migrations.0018_promise_check_rule_kinds")


@pytest.fixture(autouse=True)
def only_the_promise_rules(db):
    ReminderRule.objects.all().delete()
    _promise_rules.create_promise_rules(apps, None)


def late_checks(owner: User, agreements: int) -> list[int]:
    """`agreements` producing projects whose four promises fell due 40 days ago without
    figures (the 30-day blue reminder is due for each check), made in a few inserts."""
    investor = Organisation.objects.first() or OrganisationFactory(owner=owner)
    today = timezone.localdate()
    due_on = today - dt.timedelta(days=40)
    signed_on = dt.date(due_on.year - 1, 3, 1)
    projects = Project.objects.bulk_create(
        Project(
            name=f"达产项目{n}",
            investor=investor,
            owner=owner,
            team=owner.team,
            total_investment=Decimal("20000"),
            stage=Stage.PRODUCING,
            lead_on=signed_on - dt.timedelta(days=60),
            signed_on=signed_on,
            started_on=signed_on + dt.timedelta(days=30),
            completed_on=signed_on + dt.timedelta(days=200),
            producing_on=signed_on + dt.timedelta(days=230),
            signed_amount=Decimal("20000"),
        )
        for n in range(agreements)
    )
    made = Agreement.objects.bulk_create(
        Agreement(
            project=project,
            signed_on=signed_on,
            land_mu=Decimal("30"),
            fixed_asset_investment=Decimal("15000"),
            annual_output=Decimal("40000"),
            annual_tax=Decimal("2000"),
            jobs=100,
            due_year=due_on.year,
            created_by=owner,
        )
        for project in projects
    )
    checks = PromiseCheck.objects.bulk_create(
        PromiseCheck(agreement=agreement, kind=kind, promised=Decimal(promised), due_on=due_on)
        for agreement in made
        for kind, promised in (("investment", 15000), ("output", 40000), ("tax", 2000), ("jobs", 100))
    )
    return [check.pk for check in checks]


def delivered() -> int:
    return Notification.objects.count()


def test_a_worker_killed_in_the_middle_of_a_batch_of_promise_checks_delivers_all_once(officer):
    checks = late_checks(officer, 50)  # 200 checks, one reminder each
    slow = {"TEST_REMINDER_DELAY": "0.03", "REMINDER_SWEEP_CHUNK": "20"}
    with worker_process(app="tests.reminder_worker_app", env=slow) as worker:
        sweep_reminders.apply_async(queue=worker.queue)
        assert wait_until(lambda: delivered() >= 40, seconds=60), "the sweep never got going"
        worker.kill()
    at_kill = delivered()
    assert 40 <= at_kill < 200, f"the worker was not killed mid-batch ({at_kill} delivered)"
    assert at_kill % 20 == 0, "a chunk is delivered whole or not at all"

    env = {**slow, "TEST_REMINDER_DELAY": "0", "REMINDER_SWEEP_SECONDS": "1"}
    with worker_process(queue=worker.queue, app="tests.reminder_worker_app", beat=True, env=env):
        assert wait_until(lambda: delivered() >= 200, seconds=60), f"only {delivered()} of 200 delivered"
        time.sleep(3)  # a few more sweeps: they must find nothing new
    assert delivered() == 200
    assert sorted(Reminder.objects.values_list("item_id", flat=True)) == sorted(checks)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {officer.username}
    assert Notification.objects.values("object_id").distinct().count() == 200
