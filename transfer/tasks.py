"""Large imports run here, in a worker; small ones run the same code in the request."""

from __future__ import annotations

from celery import shared_task

from transfer import importing


@shared_task(acks_late=True)
def preview_import(job_id: int) -> None:
    importing.run(job_id, committing=False)


@shared_task(acks_late=True)
def commit_import(job_id: int) -> None:
    importing.run(job_id, committing=True)
