"""Problem escalations through real Celery processes: a worker killed in the middle of
a batch, restarted with beat, tells everyone once (the same claim as milestones)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from core.models import Notification
from problems.models import Department, Problem
from projects.models import Reminder, ReminderRule
from projects.tasks import sweep_reminders
from tests.factories import OrganisationFactory, project_in_stage
from tests.worker import wait_until, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture(autouse=True)
def only_problem_rules(problem_rules):
    ReminderRule.objects.exclude(kind=ReminderRule.Kind.PROBLEM_OVERDUE).update(is_active=False)


def late_problems(owner, count: int) -> list[int]:
    """`count` open problems 5 days past their due date (the blue rung), in one insert."""
    today = timezone.localdate()
    project = project_in_stage("producing", owner=owner, investor=OrganisationFactory(owner=owner))
    department = Department.objects.create(name="国网无锡供电公司")
    problems = Problem.objects.bulk_create(
        Problem(
            project=project,
            title=f"供电问题{n}",
            kind=Problem.Kind.ENERGY,
            raised_on=today - dt.timedelta(days=40),
            raised_by=owner,
            department=department,
            due_on=today - dt.timedelta(days=5),
        )
        for n in range(count)
    )
    return [problem.pk for problem in problems]


def delivered(ids: list[int] | None = None) -> int:
    rows = Notification.objects.all()
    if ids is not None:
        rows = rows.filter(object_id__in=ids)
    return rows.count()


def test_a_worker_killed_mid_batch_delivers_every_escalation_once_after_restart(officer):
    problems = late_problems(officer, 120)
    slow = {"TEST_REMINDER_DELAY": "0.05", "REMINDER_SWEEP_CHUNK": "20"}
    with worker_process(app="tests.reminder_worker_app", env=slow) as worker:
        sweep_reminders.apply_async(queue=worker.queue)
        assert wait_until(lambda: delivered() >= 20, seconds=60), "the sweep never got going"
        worker.kill()
    at_kill = delivered()
    assert 20 <= at_kill < 120, f"the worker was not killed mid-batch ({at_kill} delivered)"
    assert at_kill % 20 == 0, "a chunk is delivered whole or not at all"

    env = {**slow, "TEST_REMINDER_DELAY": "0", "REMINDER_SWEEP_SECONDS": "1"}
    with worker_process(queue=worker.queue, app="tests.reminder_worker_app", beat=True, env=env):
        assert wait_until(lambda: delivered() >= 120, seconds=60), f"only {delivered()} of 120 delivered"
        time.sleep(3)  # more sweeps: they must find nothing new
    assert delivered(problems) == 120
    assert Reminder.objects.filter(item_id__in=problems, level="blue").count() == 120
    assert Notification.objects.values("object_id").distinct().count() == 120
