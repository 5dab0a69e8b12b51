import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True, "worker_seen_seconds_ago": None}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    # A port nothing listens on: the broker check must fail, not hang.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
