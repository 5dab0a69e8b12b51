"""The OpenAPI schema and its docs; the notifications endpoints."""

from __future__ import annotations

from django.core.management import call_command
from rest_framework.test import APIClient

from core.models import Notification
from core.notifications import Message, notify


def test_the_schema_validates_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_the_schema_and_docs_are_served_from_our_own_files(officer, client_for):
    client = client_for(officer)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/projects/{id}/change-stage/" in schema["paths"]
    for path in ["/api/docs/", "/api/redoc/"]:
        page = client.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html or "/api/redoc/redoc.standalone.js" in html
        assert "cdn.jsdelivr" not in html
    # ReDoc's bundle, with the logo it would fetch from its maker's CDN pointed at ours.
    bundle = client.get("/api/redoc/redoc.standalone.js")
    assert bundle.status_code == 200
    assert bundle["Content-Type"].startswith("text/javascript")
    text = bundle.content.decode()
    assert "cdn.redoc.ly" not in text
    assert "/static/favicon.svg" in text


def test_the_schema_needs_a_login(db):
    assert APIClient().get("/api/schema/").status_code == 401


def test_notifications_are_only_ones_own(officer, colleague, client_for):
    notify(
        [Message(recipient=officer, key="a", title="里程碑逾期"), Message(recipient=colleague, key="a", title="别人的")]
    )
    client = client_for(officer)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [row["title"] for row in rows] == ["里程碑逾期"]
    theirs = Notification.objects.get(recipient=colleague)
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert client.post(f"/api/v1/notifications/{rows[0]['id']}/read/").json()["is_read"] is True
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
    notify([Message(recipient=officer, key="b", title="新提醒"), Message(recipient=officer, key="c", title="又一个")])
    assert client.post("/api/v1/notifications/mark-read/", {}).json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(recipient=colleague).read_at is None
