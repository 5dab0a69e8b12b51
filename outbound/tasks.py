"""Beat sends `deliver_pending` every minute (retries, rate-limited remainders, what a
dead worker left) and `send_briefs` every few minutes; the reminder sweep's listener
sends `deliver_pending` at once when it queued escalations. Both are safe to run twice:
briefs are keyed by channel and day, messages are claimed before they are posted."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from outbound import brief, escalations, services

logger = logging.getLogger(__name__)

COMMON = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True, "retry_jitter": True}


@shared_task(**COMMON, autoretry_for=(DatabaseError,), retry_backoff=10, retry_backoff_max=300, max_retries=5)
def deliver_pending() -> int:
    result = services.deliver_due()
    if result.sent or result.failed or result.dropped:
        logger.info(
            "robot messages: %d sent, %d failed, %d deferred, %d dropped",
            result.sent,
            result.failed,
            result.deferred,
            result.dropped,
        )
    return result.sent


@shared_task(**COMMON, autoretry_for=(DatabaseError,), retry_backoff=10, retry_backoff_max=300, max_retries=5)
def send_briefs() -> int:
    queued = brief.briefs_queue()
    # Escalations too, in case a sweep's listener was lost with its worker.
    queued += escalations.escalations_queue()
    if queued:
        deliver_pending.delay()
    return queued
