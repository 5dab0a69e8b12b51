"""Reminders through real Celery processes: the configured broker (a folder, or Redis
in CI's PostgreSQL pass), real workers and beat, killed and restarted.

Every wait is bounded (tests.worker.wait_until) and everything listens on 127.0.0.1.
Tests marked redis_only stop and restart the local Redis server; they skip unless
CELERY_BROKER_URL is redis://..., and fail in CI if it is not.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import Notification, User
from crm.models import Organisation
from projects.models import Project, Reminder, ReminderRule, Stage
from projects.tasks import sweep_reminders
from tests.conftest import require
from tests.factories import OrganisationFactory, project_in_stage
from tests.worker import beat_process, wait_until, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_password_hashing")]

HOW_TO_ENABLE_REDIS = "needs a Redis broker: run `CELERY_BROKER_URL=redis://127.0.0.1:6379/15 make test`"
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


@pytest.fixture(autouse=True)
def only_the_rules_under_test(reminder_rules):
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)


def due_projects(owner: User, count: int, *, days_ahead: int = 3) -> list[int]:
    """`count` signed projects whose construction start is planned `days_ahead` from today
    (the 7-day notice is due for them), made in one insert."""
    investor = Organisation.objects.first() or OrganisationFactory(owner=owner)
    today = timezone.localdate()
    projects = Project.objects.bulk_create(
        Project(
            name=f"批量项目{n}",
            investor=investor,
            owner=owner,
            team=owner.team,
            total_investment=Decimal("20000"),
            stage=Stage.SIGNED,
            lead_on=today - dt.timedelta(days=100),
            signed_on=today - dt.timedelta(days=10),
            signed_amount=Decimal("20000"),
            started_planned=today + dt.timedelta(days=days_ahead),
        )
        for n in range(count)
    )
    return [project.pk for project in projects]


def delivered(project_ids: list[int] | None = None) -> int:
    rows = Notification.objects.all()
    if project_ids is not None:
        rows = rows.filter(object_id__in=project_ids)
    return rows.count()


def mail_in(folder: Path) -> list[str]:
    """Recipients of the messages the file e-mail backend wrote (one file per connection)."""
    recipients = []
    for path in folder.glob("*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("To: "):
                recipients.append(line[4:])
    return sorted(recipients)


# --- End to end -----------------------------------------------------------------------------


def test_a_due_red_alert_is_delivered_end_to_end(tmp_path, officer, manager, other_manager):
    for user in (officer, manager, other_manager):
        user.email = f"{user.username}@zone.example.cn"
        user.save()
    today = timezone.localdate()
    project = project_in_stage("signed", owner=officer, started_planned=today - dt.timedelta(days=95))
    outbox = tmp_path / "mail"
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(outbox)}
    with worker_process(env=env) as worker:
        sweep_reminders.apply_async(queue=worker.queue)
        assert wait_until(lambda: len(mail_in(outbox)) >= 3, seconds=60), "the red alert was not mailed"
        time.sleep(1)  # room for a duplicate to show up, if there were one
    assert mail_in(outbox) == ["boss@zone.example.cn", "chief@zone.example.cn", "zhang@zone.example.cn"]
    assert Reminder.objects.get().level == "red"
    assert sorted(Notification.objects.filter(object_id=project.pk).values_list("recipient__username", flat=True)) == [
        "boss",
        "chief",
        "zhang",
    ]


# --- Killed mid-batch -----------------------------------------------------------------------


def test_a_worker_killed_in_the_middle_of_a_batch_of_200_delivers_all_once_after_restart(officer):
    projects = due_projects(officer, 200)
    slow = {"TEST_REMINDER_DELAY": "0.03", "REMINDER_SWEEP_CHUNK": "20"}
    with worker_process(app="tests.reminder_worker_app", env=slow) as worker:
        sweep_reminders.apply_async(queue=worker.queue)
        assert wait_until(lambda: delivered() >= 40, seconds=60), "the sweep never got going"
        worker.kill()
    at_kill = delivered()
    assert 40 <= at_kill < 200, f"the worker was not killed mid-batch ({at_kill} delivered)"
    assert delivered() % 20 == 0, "a chunk is delivered whole or not at all"

    # Restarted, with beat: its next sweep catches up on the rest.
    env = {**slow, "TEST_REMINDER_DELAY": "0", "REMINDER_SWEEP_SECONDS": "1"}
    with worker_process(queue=worker.queue, app="tests.reminder_worker_app", beat=True, env=env):
        assert wait_until(lambda: delivered() >= 200, seconds=60), f"only {delivered()} of 200 delivered"
        time.sleep(3)  # a few more sweeps: they must find nothing new
    assert delivered(projects) == 200
    assert Reminder.objects.count() == 200
    assert Notification.objects.values("object_id").distinct().count() == 200


# --- Two beats ------------------------------------------------------------------------------


def test_two_beats_and_two_workers_sweeping_together_send_nothing_twice(officer, manager):
    projects = due_projects(officer, 120)
    env = {"REMINDER_SWEEP_SECONDS": "1", "REMINDER_SWEEP_CHUNK": "10", "TEST_REMINDER_DELAY": "0.005"}
    with worker_process(app="tests.reminder_worker_app", env=env) as first:
        with (
            worker_process(queue=first.queue, app="tests.reminder_worker_app", env=env),
            beat_process(queue=first.queue, env=env),
            beat_process(queue=first.queue, env=env),
        ):
            assert wait_until(lambda: delivered() >= 120, seconds=60), f"only {delivered()} of 120 delivered"
            # New work while both beats keep sweeping: also once.
            more = due_projects(officer, 30, days_ahead=1)
            assert wait_until(lambda: delivered() >= 150, seconds=60), f"only {delivered()} of 150 delivered"
            time.sleep(3)
    assert delivered(projects) == 120
    assert delivered(more) == 30
    assert Reminder.objects.count() == 150


# --- Redis down across a due time -----------------------------------------------------------


def redis_answers() -> bool:
    try:
        return (
            subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, timeout=5).stdout.strip()
            == b"PONG"
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def stoppable_redis():
    """The local Redis broker, for a test that stops it; always running again afterwards."""
    require(settings.CELERY_BROKER_URL.startswith("redis://"), HOW_TO_ENABLE_REDIS)
    require(
        bool(shutil.which("redis-server") and shutil.which("redis-cli")) and redis_answers(),
        "needs redis-server and redis-cli, and Redis answering on 127.0.0.1:6379",
    )

    def stop() -> None:
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True, timeout=10)
        assert wait_until(lambda: not redis_answers(), seconds=20), "Redis did not stop"

    def start() -> None:
        if not redis_answers():
            subprocess.run(REDIS_START, check=True, capture_output=True, timeout=20)
        assert wait_until(redis_answers, seconds=20), "Redis did not start again"

    try:
        yield stop, start
    finally:
        start()


@pytest.mark.redis_only
@pytest.mark.serial
def test_what_came_due_while_redis_was_down_is_caught_up_once(stoppable_redis, officer):
    stop, start = stoppable_redis
    before = due_projects(officer, 20)
    env = {"REMINDER_SWEEP_SECONDS": "1"}
    with worker_process(beat=True, env=env):
        assert wait_until(lambda: delivered() >= 20, seconds=60), "nothing was delivered before the outage"
        stop()
        try:
            # While the broker is down, more work comes due (and beat's sweeps fail).
            during = due_projects(officer, 30, days_ahead=1)
            time.sleep(4)
            assert delivered() == 20
        finally:
            start()
        assert wait_until(lambda: delivered() >= 50, seconds=90), f"only {delivered()} of 50 after Redis came back"
        time.sleep(3)
    assert delivered(before) == 20
    assert delivered(during) == 30
    assert Reminder.objects.count() == 50
