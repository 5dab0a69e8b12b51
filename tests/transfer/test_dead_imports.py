"""An import whose worker died: its heartbeat stops, the sweep (or the job's page) marks
it failed with a reason in the user's language, and the user runs it again from the
same file, to the end."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from crm.models import Organisation, Visit
from tests.factories import OrganisationFactory
from tests.transfer.conftest import commit, job_of, login, upload, xlsx
from tests.transfer.generate import organisations_file
from tests.worker import wait_until, worker_process
from transfer import tasks
from transfer.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = ["日期", "客商名称", "洽谈内容"]


@pytest.fixture
def checked_job(client, officer):
    OrganisationFactory(name="星海电子有限公司", owner=officer)
    login(client, officer)
    job = job_of(
        upload(client, "visits", xlsx(HEADERS, [["2024/3/1", "星海电子", "扩产"], ["2024/3/2", "星海电子", "回访"]]))
    )
    assert job.status == "previewed"
    return job


def _worker_died(job: ImportJob, status: str, *, minutes_ago: int, language: str = "en") -> None:
    """The job as a worker leaves it when it dies mid-step: claimed, heartbeat stopped."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes_ago), language=language
    )


def test_a_commit_whose_worker_died_is_marked_failed_and_runs_again_to_the_end(client, checked_job):
    _worker_died(checked_job, ImportJob.Status.COMMITTING, minutes_ago=30)

    # Opening the job's page is enough to find out.
    page = client.get(f"/transfer/jobs/{checked_job.pk}/").content.decode()
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.FAILED
    assert "server running it went away" in checked_job.message
    assert checked_job.message in page
    assert 'data-testid="retry"' in page
    assert not Visit.objects.exists()

    response = client.post(f"/transfer/jobs/{checked_job.pk}/retry/")
    assert response.status_code == 302
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.DONE, checked_job.message
    assert Visit.objects.count() == 2
    # Done is done: a second click runs nothing again.
    client.post(f"/transfer/jobs/{checked_job.pk}/retry/")
    assert Visit.objects.count() == 2


def test_the_periodic_sweep_marks_a_dead_check_failed_in_the_users_language(client, checked_job):
    _worker_died(checked_job, ImportJob.Status.PREVIEWING, minutes_ago=30, language="zh-hans")
    assert tasks.sweep_dead_imports() == 1
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.FAILED
    assert "重新运行" in checked_job.message
    assert checked_job.retry_status == ImportJob.Status.PREVIEW_QUEUED

    client.post(f"/transfer/jobs/{checked_job.pk}/retry/")
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.PREVIEWED
    assert checked_job.report["counts"]["create"] == 2
    assert commit(client, checked_job).status == ImportJob.Status.DONE
    assert Visit.objects.count() == 2


def test_a_job_with_a_recent_heartbeat_is_left_running(client, checked_job):
    _worker_died(checked_job, ImportJob.Status.COMMITTING, minutes_ago=1)
    assert tasks.sweep_dead_imports() == 0
    client.get(f"/transfer/jobs/{checked_job.pk}/")
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.COMMITTING
    # And it cannot be started a second time beside the worker still running it.
    client.post(f"/transfer/jobs/{checked_job.pk}/retry/")
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.COMMITTING
    assert not Visit.objects.exists()


def test_a_failed_import_with_row_errors_is_not_offered_again(client, officer):
    login(client, officer)
    job = job_of(upload(client, "visits", xlsx(HEADERS, [["2024/3/1", "无此客商", "扩产"]])))
    commit(client, job)
    job.refresh_from_db()
    assert not job.can_retry
    assert 'data-testid="retry"' not in client.get(f"/transfer/jobs/{job.pk}/").content.decode()


def test_another_users_dead_job_cannot_be_run_again(client, checked_job, colleague):
    _worker_died(checked_job, ImportJob.Status.COMMITTING, minutes_ago=30)
    tasks.sweep_dead_imports()
    login(client, colleague)
    assert client.post(f"/transfer/jobs/{checked_job.pk}/retry/").status_code == 404
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_written_while_a_worker_runs_the_step(officer, settings):
    """The task's heartbeat thread writes on a connection of its own while the step runs."""
    settings.TRANSFER_HEARTBEAT_SECONDS = 0.05
    job = ImportJob.objects.create(kind="visits", user=officer, filename="a.csv", status=ImportJob.Status.COMMITTING)
    with tasks.heartbeat(job.pk):
        deadline = time.monotonic() + 10
        while ImportJob.objects.get(pk=job.pk).heartbeat_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert ImportJob.objects.get(pk=job.pk).heartbeat_at is not None


def test_a_slow_worker_taken_for_dead_that_ends_after_all_keeps_its_own_outcome(client, checked_job):
    """The sweep marked the step failed, but the worker was only slow: when it ends (here
    refusing the file, whose organisation was deleted meanwhile) its outcome stands, and
    no "run it again" is offered for a step that did run."""
    _worker_died(checked_job, ImportJob.Status.COMMITTING, minutes_ago=30)
    tasks.sweep_dead_imports()
    Organisation.objects.all().delete()
    # The slow worker's delivery: it finds the job queued again and runs it.
    ImportJob.objects.filter(pk=checked_job.pk).update(status=ImportJob.Status.COMMIT_QUEUED)
    tasks.commit_import(checked_job.pk)
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.FAILED
    # The worker's own refusal, not the sweep's "went away".
    assert "nothing was imported" in checked_job.message
    assert "went away" not in checked_job.message
    assert not checked_job.can_retry
    assert 'data-testid="retry"' not in client.get(f"/transfer/jobs/{checked_job.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
@override_settings(TRANSFER_INLINE_ROWS=100)
def test_a_worker_killed_in_the_middle_of_a_check_is_found_and_the_retry_finishes(client, officer):
    login(client, officer)
    with worker_process() as worker, override_settings(TRANSFER_TASK_QUEUE=worker.queue):
        job = job_of(upload(client, "organisations", organisations_file(3000)))
        assert wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == "previewing", seconds=300)
        worker.kill()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWING  # and it would stay so for ever
    with override_settings(TRANSFER_STALE_SECONDS=0):
        assert tasks.sweep_dead_imports() == 1
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "server running it went away" in page and 'data-testid="retry"' in page

    with worker_process() as worker, override_settings(TRANSFER_TASK_QUEUE=worker.queue):
        client.post(f"/transfer/jobs/{job.pk}/retry/")
        assert wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == "previewed", seconds=600)
    job.refresh_from_db()
    assert job.report["counts"]["create"] == 3000
