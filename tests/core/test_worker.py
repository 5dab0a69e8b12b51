import pytest

from core.models import Heartbeat
from core.tasks import heartbeat
from tests.worker import celery_worker, wait_until


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_sent_through_the_configured_broker(client):
    assert client.get("/healthz").json()["worker_seen_seconds_ago"] is None
    with celery_worker() as queue:
        heartbeat.apply_async(queue=queue)
        assert wait_until(lambda: Heartbeat.objects.filter(name="worker").exists()), "the worker never ran the task"
    assert client.get("/healthz").json()["worker_seen_seconds_ago"] is not None
