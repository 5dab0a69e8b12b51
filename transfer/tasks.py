"""Large imports run here, in a worker; small ones run the same code in the request.

While a worker runs a step it writes the job's heartbeat from a thread of its own (the
step's rows are written in one long transaction, whose writes nobody sees until it
ends). A worker that dies stops the heartbeat; the sweep then marks the job failed,
in the user's language, and the user may run it again from the same file.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from transfer import importing
from transfer.models import ImportJob

logger = logging.getLogger(__name__)

# The step a claimed status belongs to, and the queued status it runs again from.
CLAIMED = {
    ImportJob.Status.PREVIEWING: ImportJob.Status.PREVIEW_QUEUED,
    ImportJob.Status.COMMITTING: ImportJob.Status.COMMIT_QUEUED,
}


def heartbeat_seconds() -> float:
    return getattr(settings, "TRANSFER_HEARTBEAT_SECONDS", 30)


def stale_seconds() -> float:
    """A claimed step silent for this long lost its worker (several missed heartbeats)."""
    return getattr(settings, "TRANSFER_STALE_SECONDS", 10 * 60)


@contextmanager
def heartbeat(job_id: int) -> Iterator[None]:
    """Keep the job's heartbeat fresh, on a connection of its own, while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    ImportJob.objects.filter(pk=job_id, status__in=CLAIMED).update(heartbeat_at=timezone.now())
                except Exception:  # a missed beat is harmless; the next one may get through
                    logger.warning("import %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _run_step(job_id: int, *, committing: bool) -> None:
    with heartbeat(job_id):
        job = importing.run(job_id, committing=committing)
    if job is not None:
        # It ran to its end after all (a slow worker the sweep took for dead): its own
        # outcome stands, and "run it again" no longer applies.
        ImportJob.objects.filter(pk=job_id).exclude(retry_status="").update(retry_status="")


@shared_task(acks_late=True)
def preview_import(job_id: int) -> None:
    _run_step(job_id, committing=False)


@shared_task(acks_late=True)
def commit_import(job_id: int) -> None:
    _run_step(job_id, committing=True)


def dead_imports_mark(*, user=None) -> int:
    """Mark failed every claimed step whose heartbeat stopped; return how many.

    Each job is marked with a conditional update on the status and heartbeat it was
    seen with, so a beat that arrives meanwhile (a slow worker, not a dead one) wins.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=stale_seconds())
    jobs = ImportJob.objects.filter(status__in=CLAIMED, heartbeat_at__lt=cutoff)
    if user is not None:
        jobs = jobs.filter(user=user)
    marked = 0
    for job in jobs.only("pk", "status", "heartbeat_at", "language"):
        with translation.override(job.language):
            message = _(
                "The import stopped: the server running it went away at %(time)s. Nothing was imported. "
                "Run it again with the same file."
            ) % {"time": timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M")}
        marked += ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=ImportJob.Status.FAILED,
            retry_status=CLAIMED[job.status],
            message=message,
            finished_at=timezone.now(),
        )
    if marked:
        logger.warning("%s import(s) lost their worker and were marked failed", marked)
    return marked


@shared_task
def sweep_dead_imports() -> int:
    return dead_imports_mark()


def import_retry(*, job: ImportJob) -> bool:
    """Queue again the step of `job` that lost its worker, with the same file and answers;
    False when the job is not one that can be run again (or another click did it first)."""
    step = job.retry_status
    claimed = (
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED, retry_status=step)
        .exclude(retry_status="")
        .update(
            status=step,
            retry_status="",
            message="",
            finished_at=None,
            heartbeat_at=None,
            language=translation.get_language() or job.language,
        )
    )
    if not claimed:
        return False
    job.refresh_from_db()
    importing._dispatch(job, committing=step == ImportJob.Status.COMMIT_QUEUED)
    return True
