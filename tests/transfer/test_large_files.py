"""Large files: all or nothing, and 10,000 rows through a real Celery worker with the
progress on the page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from crm.models import Organisation
from projects.models import Project
from tests.factories import OrganisationFactory
from tests.transfer.conftest import commit, job_of, login, upload
from tests.transfer.generate import organisation_name, organisations_file, projects_file
from tests.worker import wait_until, worker_process
from transfer.models import ImportJob


@pytest.mark.django_db
@override_settings(TRANSFER_INLINE_ROWS=10_000)
def test_a_5000_row_ledger_with_one_bad_row_imports_nothing_and_names_the_row(client, officer):
    investor = OrganisationFactory(name="村田投资有限公司", owner=officer)
    login(client, officer)
    job = job_of(upload(client, "projects", projects_file(5000, investor=investor.name, bad_row=4999)))
    assert job.report["counts"]["error"] == 1
    assert job.report["counts"]["create"] == 4999
    [bad] = [row for row in job.report["rows"] if row["action"] == "error"]
    assert bad["row"] == 4999 and bad["errors"][0][0] == "Total investment (10k yuan)"
    assert "五个亿左右" in bad["errors"][0][1]
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "<td>4999</td>" in page and "Import all" not in page
    job = commit(client, job)
    assert job.status == "previewed"  # a file with errors is not imported, not even in part
    assert not Project.objects.exists()


def _follow_progress(client, job, total: int, seen: set[int]):
    """What the page's progress poll shows; true once the page would reload with the result."""

    def finished() -> bool:
        response = client.get(f"/transfer/jobs/{job.pk}/progress/")
        match = re.search(rf"(\d+) of {total} rows", response.content.decode())
        if match:
            seen.add(int(match[1]))
        return response.get("HX-Refresh") == "true"

    return finished


@pytest.mark.django_db(transaction=True)
def test_10000_rows_are_checked_in_a_worker_and_an_error_at_row_9000_commits_nothing(client, officer, other_officer):
    login(client, officer)
    with worker_process() as worker, override_settings(TRANSFER_TASK_QUEUE=worker.queue):
        job = job_of(upload(client, "organisations", organisations_file(10_000), "客商名录.xlsx"))
        # Handed to the worker, not checked in the request; the worker may already
        # have picked it up by the time the test reads it.
        assert job.status in ("preview_queued", "previewing")
        page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
        assert f'hx-get="/transfer/jobs/{job.pk}/progress/"' in page and 'hx-trigger="every 1s"' in page

        seen: set[int] = set()
        assert wait_until(_follow_progress(client, job, 10_000, seen), seconds=900), "the check never finished"
        job.refresh_from_db()
        assert job.status == "previewed", job.message
        assert job.report["counts"]["create"] == 10_000
        assert any(0 < done < 10_000 for done in seen), f"no progress was shown: {sorted(seen)}"
        assert not Organisation.objects.exists()

        # Meanwhile another officer records the company of row 9,000, in another city:
        # the commit may not change their record, so it imports nothing at all.
        OrganisationFactory(name=organisation_name(9000), credit_code="", city="苏州", owner=other_officer)
        job = commit(client, job)
        assert job.status == "commit_queued"
        assert wait_until(lambda: not ImportJob.objects.get(pk=job.pk).is_running, seconds=900)
        job.refresh_from_db()
    assert job.status == "failed", job.message
    assert [row["row"] for row in job.report["rows"] if row["action"] == "error"] == [9000]
    assert Organisation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TRANSFER_INLINE_ROWS=100)
def test_a_file_above_the_inline_size_is_checked_and_imported_by_the_worker(client, officer):
    login(client, officer)
    with worker_process() as worker, override_settings(TRANSFER_TASK_QUEUE=worker.queue):
        job = job_of(upload(client, "organisations", organisations_file(300)))
        assert wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == "previewed", seconds=300)
        job.refresh_from_db()
        job = commit(client, job)
        assert wait_until(lambda: ImportJob.objects.get(pk=job.pk).status == "done", seconds=300)
    assert Organisation.objects.count() == 300
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "300 rows imported." in page
