"""The project's Celery app for test workers that must be caught in the middle of a
batch: with TEST_REMINDER_DELAY=<seconds>, the sweep waits that long per reminder
(inside its transaction), so a test can kill the worker half-way.

Start it with `celery -A tests.reminder_worker_app worker ...` (tests.worker.worker_process).
"""

import os
import time

from celery.signals import worker_init

from config.celery import app

__all__ = ["app"]


@worker_init.connect
def slow_down_the_sweep(**kwargs) -> None:
    delay = float(os.environ.get("TEST_REMINDER_DELAY", "0"))
    if not delay:
        return
    import django

    django.setup()
    from projects import reminders

    original = reminders.messages_for

    def slow_messages_for(*args, **kwargs):
        time.sleep(delay)
        return original(*args, **kwargs)

    reminders.messages_for = slow_messages_for
