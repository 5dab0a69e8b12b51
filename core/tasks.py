from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; the row it writes shows that beat, broker and a
    worker all run (the health check reports its age)."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now()})
