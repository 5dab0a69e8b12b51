"""Reminder tasks (issue 4). Beat sends `sweep_reminders` every REMINDER_SWEEP_SECONDS and
`send_digests` at REMINDER_DIGEST_TIME; the rest is enqueued by them.

Every task is safe to run twice, at once or much later: the sweep claims reminders by
a unique key, the mail tasks claim rows by a conditional update (projects.reminders,
core.notifications). Tasks take ids, are acknowledged after they ran (acks_late) and
given back if the worker dies (reject_on_worker_lost), and retry with back-off capped
well below the Redis visibility timeout (3600 s), so a retry is never doubled by a
redelivery. Anything lost anyway (a broker that restarted empty, a worker killed
mid-task) is found again by the next sweep, which reads what is due from the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from core import notifications
from projects import reminders
from projects.reminder_items import SWEEP_LISTENERS

logger = logging.getLogger(__name__)

COMMON = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True, "retry_jitter": True}


def _enqueue_mail(user_ids: list[int]) -> None:
    """One task per person with alerts to mail at once (it mails them all in one message)."""
    for user_id in user_ids:
        send_immediate_mail.delay_on_commit(user_id)


def _enqueue_due_mail() -> notifications.MailDue:
    due = notifications.mail_due()
    _enqueue_mail(due.immediate)
    for user_id in due.digest_users:
        send_digest.delay_on_commit(user_id, due.day.isoformat())
    return due


@shared_task(
    **COMMON,
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=300,
    max_retries=5,
)
def sweep_reminders() -> int:
    """Find and send what is due (in-app at once; e-mail by the tasks it enqueues)."""
    result = reminders.sweep()
    _enqueue_mail(result.mail_now)
    due = _enqueue_due_mail()
    for listener in SWEEP_LISTENERS:
        try:
            listener(result)
        except Exception:
            # The sweep itself committed; a listener catches up on the next sweep.
            logger.exception("a sweep listener failed: %s", getattr(listener, "__qualname__", listener))
    if result.sent or due.immediate or due.digest_users:
        logger.info(
            "reminder sweep: %d reminders, %d notifications; mail at once to %d people, %d digests",
            len(result.sent),
            result.notified,
            len(result.mail_now) + len(due.immediate),
            len(due.digest_users),
        )
    return len(result.sent)


@shared_task(
    **COMMON,
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=300,
    max_retries=5,
)
def send_digests() -> int:
    """At digest time: enqueue each person's digest (the sweep also does, as a catch-up)."""
    return len(_enqueue_due_mail().digest_users)


@shared_task(
    **COMMON,
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=10,
)
def send_immediate_mail(user_id: int) -> int:
    return notifications.send_immediate(user_id)


@shared_task(
    **COMMON,
    autoretry_for=(SMTPException, OSError, DatabaseError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=10,
)
def send_digest(user_id: int, day: str) -> int:
    return notifications.send_digest(user_id, dt.date.fromisoformat(day))
